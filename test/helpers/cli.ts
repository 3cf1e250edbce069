import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../sandbox/run-app.js";

export { buildCliStory, CLI_STORY_CONFIG, type CliStory } from "../../sandbox/cli-story.js";

/** The built binary, as the installed `phase-gates` command runs it. */
export const CLI = join(REPO_ROOT, "lib", "cli", "main.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables of the machine running the tests that would change what the CLI does. */
const SCRUBBED = ["GH_TOKEN", "GITHUB_TOKEN", "GH_HOST", "GHE_HOST", "GHE_PROTOCOL", "NO_COLOR"];

/**
 * Runs `node lib/cli/main.js …` as a subprocess with only the environment
 * given (plus PATH and HOME), stdout and stderr piped (so: not a terminal).
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !SCRUBBED.includes(k)) env[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** What `phase-gates doctor --json` prints. */
export interface DoctorJson {
  bites: boolean;
  exitCode: number;
  enforcement: { state: string };
  checks: {
    check: string;
    status: string;
    summary: string;
    details: string[];
    fix: string | null;
  }[];
}
