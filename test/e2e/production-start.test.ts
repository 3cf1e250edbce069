import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actors, createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { freePort, generatePrivateKey, REPO_ROOT, startApp } from "../../sandbox/run-app.js";
import { STORY_CONFIG } from "./sandbox.js";

// What an operator meets when the built app starts in production: the log
// format, and the private key checked before the server listens.

async function installedRepo(emu: Emulator, fullName: string): Promise<Actors> {
  const gh = createActors(emu, { repo: fullName, waitTimeoutMs: 30_000 });
  gh.repo();
  gh.addCollaborator("lead", "maintain");
  await gh.pushConfig(STORY_CONFIG, { by: "lead" });
  await gh.installApp([fullName], { by: "lead" });
  await gh.settle({ quietMs: 500 });
  return gh;
}

/** The key as Probot's setup flow writes it into .env, and `docker run --env-file` passes it on. */
function asEnvFileWritesIt(pem: string): string {
  return `"${pem.trim().replace(/\n/g, "\\n")}"`;
}

describe("`npm start` with NODE_ENV=production and no LOG_FORMAT", { timeout: 90_000 }, () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await createEmulator();
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("writes JSON lines, one `name` each, from start to SIGTERM", async () => {
    const app = await startApp({
      emulator: emu,
      command: "npm-start",
      logLevel: "debug",
      unset: ["LOG_FORMAT"],
    });
    try {
      const gh = await installedRepo(emu, "ops/logs");
      const pr = await gh.openPullRequest({ title: "One", labels: ["phase: walk"], by: "lead" });
      await gh.waitForCheck(pr.number, { conclusion: "failure" });
    } finally {
      await app.stop();
    }
    const lines = app
      .stdout()
      .split("\n")
      .filter((line) => line !== "");
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      // Raw text: JSON.parse would keep one of two `name` keys and hide the other.
      expect(line.match(/"name":/g), line).toHaveLength(1);
      expect(() => JSON.parse(line), line).not.toThrow();
    }
    const names = new Set(lines.map((line) => (JSON.parse(line) as { name: string }).name));
    expect([...names]).toEqual(expect.arrayContaining(["probot", "ops"]));
    expect(lines.join("\n")).toContain("Running Probot");
  });

  it("reads a key with quotes and \\n escapes (docker run --env-file) and works", async () => {
    const app = await startApp({
      emulator: emu,
      logLevel: "info",
      env: { PRIVATE_KEY: asEnvFileWritesIt(generatePrivateKey()) },
    });
    try {
      const gh = await installedRepo(emu, "ops/quoted-key");
      const pr = await gh.openPullRequest({ title: "Two", labels: ["phase: crawl"], by: "lead" });
      const check = await gh.waitForCheck(pr.number, { conclusion: "success" });
      expect(check.name).toBe("Phase gate");
    } finally {
      await app.stop();
    }
    expect(app.stdout()).toMatch(/PRIVATE_KEY read as a PEM after a fix \(surrounding quotes/);
  });
});

/** Runs lib/start.js in an empty folder until it exits (or 20 s). */
async function startAndWait(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), "phase-gates-start-"));
  try {
    const child = spawn(process.execPath, [join(REPO_ROOT, "lib", "start.js")], {
      cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    clearTimeout(timer);
    return { code, stdout, stderr };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe("a private key that cannot sign", { timeout: 60_000 }, () => {
  const pem = generatePrivateKey();
  it.each([
    ["a truncated key", { PRIVATE_KEY: pem.slice(0, 400) }, /^PRIVATE_KEY is not a valid PEM/],
    ["text that is no key", { PRIVATE_KEY: "my-app-key" }, /^PRIVATE_KEY is not a valid PEM/],
    [
      "a key file that is not there",
      { PRIVATE_KEY_PATH: "./missing.pem" },
      /^PRIVATE_KEY_PATH=\.\/missing\.pem cannot be read \(ENOENT\)/,
    ],
  ])("%s: the process exits 1 with one line saying how to fix it", async (_name, key, message) => {
    const port = await freePort();
    const run = await startAndWait({
      NODE_ENV: "production",
      APP_ID: "1",
      WEBHOOK_SECRET: "s",
      PORT: String(port),
      ...key,
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? "") as { level: number; msg: string };
    expect(record.level).toBe(60);
    expect(record.msg).toMatch(message);
    expect(record.msg).toMatch(/PRIVATE_KEY_PATH to the file\.$/);
    expect(run.stderr).toBe("");
  });

  it("prints the same line as text outside production", async () => {
    const run = await startAndWait({ APP_ID: "1", PRIVATE_KEY: "my-app-key", NO_COLOR: "1" });
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(/^FATAL \(probot\): PRIVATE_KEY is not a valid PEM private key/),
    ]);
  });
});
