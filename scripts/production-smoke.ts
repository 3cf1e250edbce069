import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, generatePrivateKey } from "../sandbox/run-app.js";

// `npm run smoke:production` (CI runs it after `npm test`): the Dockerfile's
// recipe without Docker. A copy of package.json, the lockfile, app.yml and the
// built lib/ in a temp dir outside the repository, `npm ci --omit=dev`, then
// the container's command with NODE_ENV=production: it must answer /healthz,
// /readyz and /metrics, and exit 0 on SIGTERM — with no dev dependency installed.

const root = fileURLToPath(new URL("../", import.meta.url));
if (!existsSync(join(root, "lib", "index.js"))) {
  throw new Error("lib/index.js is missing: run `npm run build` first");
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

try {
  for (const file of ["package.json", "package-lock.json", "app.yml", "lib"]) {
    cpSync(join(root, file), join(dir, file), { recursive: true });
  }
  step(`npm ci --omit=dev in ${dir}`);
  execFileSync(
    "npm",
    ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"],
    { cwd: dir, stdio: "inherit" },
  );
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
    stdio: ["ignore", "inherit", "inherit"],
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
  step("production dependencies only: OK");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
