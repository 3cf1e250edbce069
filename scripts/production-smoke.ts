import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, generatePrivateKey } from "../sandbox/run-app.js";

// `npm run smoke:production` (CI runs it after `npm test`, on Node 24 and 22):
// the Dockerfile's recipe without Docker, on a copy of what a clean clone holds
// (package.json, the lockfile, tsconfig*.json, src/, app.yml) in a temp dir:
//   1. `npm ci --omit=dev` works there (no lifecycle script needs a dev dependency);
//   2. the README's production install, the command the Dockerfile runs too;
//   3. no dev-only package is left, and the container's command with
//      NODE_ENV=production (and no LOG_FORMAT) answers /healthz, /readyz and
//      /metrics, logs JSON lines, and exits 0 on SIGTERM.

/** The production install: the README and the Dockerfile spell it exactly like this. */
export const PRODUCTION_INSTALL = "npm ci && npm run build && npm prune --omit=dev";

const root = fileURLToPath(new URL("../", import.meta.url));
for (const file of ["README.md", "Dockerfile"]) {
  if (!readFileSync(join(root, file), "utf8").includes(PRODUCTION_INSTALL)) {
    throw new Error(`${file} does not show the production install \`${PRODUCTION_INSTALL}\``);
  }
}
/** Packages only dev dependencies need, as the lockfile marks them. */
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { dev?: boolean }>;
};
const devOnly = Object.entries(lock.packages)
  .filter(([path, entry]) => entry.dev === true && path.startsWith("node_modules/"))
  .map(([path]) => path);
const dir = mkdtempSync(join(tmpdir(), "phase-gates-production-"));
const step = (text: string): void => {
  process.stdout.write(`[smoke] ${text}\n`);
};
const npmEnv = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_prefer_offline: "true",
};
const copied = ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"];

try {
  for (const file of [...copied, "src", "app.yml"]) {
    cpSync(join(root, file), join(dir, file), { recursive: true });
  }
  step(`node ${process.version}; npm ci --omit=dev in ${dir}`);
  execFileSync("npm", ["ci", "--omit=dev"], { cwd: dir, stdio: "inherit", env: npmEnv });
  rmSync(join(dir, "node_modules"), { recursive: true, force: true });
  step(`${PRODUCTION_INSTALL}`);
  execFileSync("sh", ["-c", PRODUCTION_INSTALL], { cwd: dir, stdio: "inherit", env: npmEnv });
  if (!existsSync(join(dir, "lib", "start.js"))) throw new Error("lib/start.js was not built");
  const present = devOnly.filter((path) => existsSync(join(dir, path)));
  if (present.length > 0) throw new Error(`dev-only packages installed: ${present.join(", ")}`);
  step(`none of the ${devOnly.length} dev-only packages is installed`);

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    APP_ID: "1",
    PRIVATE_KEY: generatePrivateKey(),
    WEBHOOK_SECRET: "smoke",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "info",
  };
  // The Dockerfile's CMD.
  const app = spawn(process.execPath, ["lib/start.js"], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  app.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    process.stdout.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => app.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  let failure: unknown = null;
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode}`);
      if (Date.now() > deadline) throw new Error("no healthy /healthz within 30 s");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    step("GET /healthz 200");
    const ready = await fetch(`${base}/readyz`);
    if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}`);
    step(`GET /readyz 200 ${await ready.text()}`);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    if (!metrics.includes("phase_gates_queue_depth"))
      throw new Error("/metrics lacks phase_gates_*");
    step("GET /metrics has phase_gates_*");
  } catch (error) {
    failure = error;
  }
  const signalled = Date.now();
  app.kill("SIGTERM");
  const timer = setTimeout(() => app.kill("SIGKILL"), 10_000);
  const code = await exited;
  clearTimeout(timer);
  step(`SIGTERM → exit ${code} in ${Date.now() - signalled} ms`);
  if (failure) throw failure;
  if (code !== 0) throw new Error(`exit code ${code} after SIGTERM`);
  const lines = stdout.split("\n").filter((line) => line !== "");
  const notJson = lines.filter((line) => {
    try {
      return (line.match(/"name":/g) ?? []).length !== 1 || typeof JSON.parse(line) !== "object";
    } catch {
      return true;
    }
  });
  if (lines.length === 0 || notJson.length > 0) {
    throw new Error(`log lines that are not JSON with one name: ${notJson.join(" | ")}`);
  }
  step(`${lines.length} log lines, each JSON with one "name"`);
  step("production dependencies only: OK");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
