import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Emulator } from "./emulator/index.js";

export interface RunningApp {
  /** Where the emulator must POST webhooks. */
  webhookUrl: string;
  secret: string;
  port: number;
  pid: number;
  /** Everything the app printed (stdout and stderr), for failing tests to show. */
  output(): string;
  /** What the app printed on stdout only (its log lines). */
  stdout(): string;
  /** True once the process has exited. */
  readonly exited: boolean;
  /** How the process ended, once it has. */
  exitStatus(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the app's whole process group, as systemd, Docker or Ctrl-C do (`command: "npm-start"` only). */
  signalGroup(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartAppOptions {
  emulator: Emulator;
  /** Repository root (where package.json and lib/ live). */
  cwd?: string;
  /** Probot LOG_LEVEL; default "warn". */
  logLevel?: string;
  /** Extra environment, e.g. tuning of the app's throttle. */
  env?: Record<string, string>;
  /** How long to wait for the server to listen; default 30 s. */
  startTimeoutMs?: number;
  /** Copy the app's output to this process's stderr as it comes. */
  echo?: boolean;
  /** Connect the emulator's webhooks to the app (default true). */
  connect?: boolean;
  /**
   * "probot" (default) runs `node lib/start.js` (what `npm start` runs) directly;
   * "npm-start" runs `npm start` in a process group of its own, as an operator would.
   */
  command?: "probot" | "npm-start";
  /** The Probot app file lib/start.js loads, relative to `cwd` (default ./lib/index.js; e.g. the bench's bare app). */
  appPath?: string;
  /** Variables the sandbox would set that this start leaves unset (e.g. LOG_FORMAT, to see production's default). */
  unset?: string[];
}

/**
 * The repository root: the nearest folder above this module with a package.json,
 * because sandbox/ (run by tsx, tests) and sandbox-build/sandbox/ (the built demo)
 * sit at different depths.
 */
export const REPO_ROOT = findRepoRoot(fileURLToPath(new URL(".", import.meta.url)));

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return `${dir}${sep}`;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

/** Running apps; true for those that lead a process group of their own (`npm start`). */
const children = new Map<ChildProcess, boolean>();
let exitHookInstalled = false;

/** Never leave an app server behind, whatever way this process ends. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const [child, group] of children) {
      if (group && child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // the group is already gone
        }
      } else child.kill("SIGKILL");
    }
  });
}

/** A throwaway key: Probot signs its JWTs with it and the emulator accepts any signature. */
export function generatePrivateKey(): string {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return privateKey;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Variables of the parent that would point the app somewhere else than the sandbox. */
const STRIPPED_ENV = [
  "APP_ID",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "WEBHOOK_PROXY_URL",
  "WEBHOOK_PATH",
  "GHE_HOST",
  "GHE_PROTOCOL",
  "REDIS_URL",
  "SENTRY_DSN",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "LOG_FORMAT",
];

/**
 * Starts the real app server the way `npm start` does
 * (`node lib/start.js`: Probot's server, the log format, the key check), pointed at the emulator.
 */
/**
 * Node flags for the app's process from `SANDBOX_APP_NODE_ARGS` (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`, which Node refuses in NODE_OPTIONS):
 * how a bench run profiles the app it measures.
 */
function appNodeArgs(): string[] {
  return (process.env.SANDBOX_APP_NODE_ARGS ?? "").split(/\s+/).filter((arg) => arg !== "");
}

/** How long `stop` waits after SIGTERM before SIGKILL (`SANDBOX_APP_STOP_MS`, 3 s; a profiled app needs longer to write its profile). */
function stopGraceMs(): number {
  const ms = Number(process.env.SANDBOX_APP_STOP_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 3000;
}

export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAppOnce(options);
    } catch (error) {
      // The free port can be taken by another process (tests run in parallel) before the app binds it: another one.
      const taken = error instanceof Error && /is already in use/.test(error.message);
      if (!taken || attempt >= 3) throw error;
    }
  }
}

async function startAppOnce(options: StartAppOptions): Promise<RunningApp> {
  const root = options.cwd ?? REPO_ROOT;
  const appFile = options.appPath ?? "./lib/index.js";
  const appPath = join(root, appFile);
  if (!existsSync(appPath)) {
    throw new Error(`${appPath} does not exist: run \`npm run build\` first`);
  }
  if (existsSync(join(root, ".env"))) {
    process.stderr.write(
      "[sandbox] warning: .env exists in the repository root; Probot loads it and it may override the sandbox settings\n",
    );
  }
  const { emulator } = options;
  const port = await freePort();
  const secret = randomBytes(16).toString("hex");
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of STRIPPED_ENV) delete env[key];
  Object.assign(env, {
    APP_ID: String(emulator.state.app.id),
    PRIVATE_KEY: generatePrivateKey(),
    WEBHOOK_SECRET: secret,
    PORT: String(port),
    HOST: "127.0.0.1",
    GHE_HOST: emulator.host,
    GHE_PROTOCOL: "http",
    NODE_ENV: "production",
    LOG_LEVEL: options.logLevel ?? "warn",
    LOG_FORMAT: "json",
    NO_COLOR: "1",
    ...options.env,
  });
  for (const key of options.unset ?? []) delete env[key];

  const viaNpm = options.command === "npm-start";
  const child = viaNpm
    ? spawn("npm", ["start", "--silent"], {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      })
    : spawn(process.execPath, [...appNodeArgs(), join(root, "lib", "start.js"), appFile], {
        cwd: root,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
  installExitHook();
  children.set(child, viaNpm);
  let output = "";
  let stdout = "";
  let exited = false;
  const exitPromise = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      child.once("exit", (code, signal) => {
        exited = true;
        children.delete(child);
        output += `\n[sandbox] app exited (code ${code}, signal ${signal})\n`;
        resolve({ code, signal });
      });
    },
  );
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (!viaNpm || child.pid === undefined)
      throw new Error('signalGroup needs command: "npm-start"');
    process.kill(-child.pid, signal);
  };
  const capture = (chunk: Buffer): void => {
    const text = chunk.toString();
    output += text;
    if (options.echo) process.stderr.write(text);
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    capture(chunk);
  });
  child.stderr?.on("data", capture);

  const stop = async (): Promise<void> => {
    if (exited) return;
    if (viaNpm) signalGroup("SIGTERM");
    else child.kill("SIGTERM");
    const timer = setTimeout(
      () => (viaNpm ? signalGroup("SIGKILL") : child.kill("SIGKILL")),
      stopGraceMs(),
    );
    await exitPromise;
    clearTimeout(timer);
  };

  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  // Bounded poll on Probot's /ping until the server listens.
  for (;;) {
    if (exited) throw new Error(`the app exited before listening:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/ping`, {
        signal: AbortSignal.timeout(1000),
      });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app did not listen on port ${port} in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  if (options.connect !== false) emulator.connectApp({ url: webhookUrl, secret });
  return {
    webhookUrl,
    secret,
    port,
    pid: child.pid ?? 0,
    output: () => output,
    stdout: () => stdout,
    get exited() {
      return exited;
    },
    exitStatus: () => exitPromise,
    signalGroup,
    stop,
  };
}
