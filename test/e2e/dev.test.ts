import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, generatePrivateKey, REPO_ROOT } from "../../sandbox/run-app.js";

// `npm run dev` (scripts/dev.sh) with a webhook proxy channel that cannot be
// reached: the app starts once, says so in one line, and keeps serving.
// It runs on a copy of the sources (its compiler rewrites lib/, which the
// other end-to-end tests are running).

describe("npm run dev with an unreachable WEBHOOK_PROXY_URL", { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "phase-gates-dev-"));
  let output = "";
  let pid = 0;
  let port = 0;
  let proxy = "";

  const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms: number) => {
    const deadline = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  beforeAll(async () => {
    for (const file of [
      "package.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "src",
      "app.yml",
      "scripts",
    ]) {
      cpSync(join(REPO_ROOT, file), join(dir, file), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
    port = await freePort();
    proxy = `http://127.0.0.1:${await freePort()}/a-channel`;
    const child = spawn("npm", ["run", "dev", "--silent"], {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        APP_ID: "1",
        PRIVATE_KEY: generatePrivateKey(),
        WEBHOOK_SECRET: "dev",
        PORT: String(port),
        WEBHOOK_PROXY_URL: proxy,
        NO_COLOR: "1",
      },
    });
    pid = child.pid ?? 0;
    const capture = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", capture);
    child.stderr.on("data", capture);
    await waitFor(
      "no /ping",
      () =>
        fetch(`http://127.0.0.1:${port}/ping`).then(
          (r) => r.ok,
          () => false,
        ),
      200_000,
    );
    await waitFor("no line about the proxy", () => /cannot be reached/.test(output), 30_000);
    // Time for a second start, if one were coming.
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }, 240_000);

  afterAll(() => {
    try {
      if (pid) process.kill(-pid, "SIGTERM");
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts the app once", () => {
    expect(output.match(/Running Probot/g), output).toHaveLength(1);
  });

  it("says in one line that the channel cannot be reached, and what to do", () => {
    const lines = output.split("\n").filter((line) => line.includes(proxy));
    expect(lines, output).toEqual([
      expect.stringMatching(
        /^ERROR \(proxy\): WEBHOOK_PROXY_URL \S+ cannot be reached \(.+\): GitHub's webhooks will not reach this app until it can; the app keeps running\. .*https:\/\/smee\.io\/new/,
      ),
    ]);
    expect(output).not.toMatch(/Unhandled|ErrorEvent|Connection closed/);
  });

  it("keeps serving", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(await res.text()).toBe("PONG");
  });
});
