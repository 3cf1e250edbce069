import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { type Actors, createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { REPO_ROOT, type RunningApp, startApp } from "../../sandbox/run-app.js";

export interface Sandbox {
  emu: Emulator;
  app: RunningApp;
  /**
   * Actors on a fresh repository ("owner/name"), with the app installed. Give
   * each story its own owner: one installation each, so the app's per-installation
   * write throttle in one story does not slow another.
   */
  repo(fullName: string, config: string | null, people?: Record<string, string>): Promise<Actors>;
}

export interface SandboxOptions {
  /** The app's LOG_LEVEL; default `SANDBOX_LOG_LEVEL` or "warn". */
  logLevel?: string;
  /** Extra environment for the app process (e.g. its PRIVATE_KEY, to look for it in the output). */
  env?: Record<string, string>;
}

/**
 * One emulator and one real app process (`node lib/start.js`) per
 * test file. Each story gets its own repository so stories do not share gates.
 * Needs `npm run build` first: the app under test is the compiled lib/.
 */
export function useSandbox(options: SandboxOptions = {}): { get: () => Sandbox } {
  let sandbox: Sandbox | null = null;

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, "lib", "index.js"))) {
      throw new Error("lib/index.js is missing: run `npm run build` before the e2e tests");
    }
    const emu = await createEmulator();
    let app: RunningApp;
    try {
      app = await startApp({
        emulator: emu,
        logLevel: options.logLevel ?? process.env.SANDBOX_LOG_LEVEL ?? "warn",
        ...(options.env ? { env: options.env } : {}),
      });
    } catch (error) {
      await emu.close();
      throw error;
    }
    sandbox = {
      emu,
      app,
      async repo(fullName, config, people = { lead: "maintain", contrib: "triage" }) {
        const actors = createActors(emu, { repo: fullName, waitTimeoutMs: 60_000 });
        actors.repo();
        for (const [login, role] of Object.entries(people)) actors.addCollaborator(login, role);
        if (config !== null) await actors.pushConfig(config, { by: "lead" });
        await actors.installApp([fullName], { by: "lead" });
        return actors;
      },
    };
  }, 60_000);

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (!sandbox) return;
      const { emu, app } = sandbox;
      process.stderr.write(
        [
          "── app output (last 6000 chars) ──",
          app.output().slice(-6000),
          "── emulator: unhandled routes ──",
          emu.requestLog.unhandled.join("\n") || "(none)",
          "── webhooks delivered (last 30) ──",
          emu.webhooks.deliveries
            .slice(-30)
            .map(
              (d) =>
                `${d.event}.${d.action ?? ""} repo=${d.repo} sender=${d.sender} → ${d.status ?? d.error}`,
            )
            .join("\n"),
          "── API requests (last 40) ──",
          emu.requestLog.entries
            .slice(-40)
            .map((e) => `${e.status} ${e.method} ${e.path}`)
            .join("\n"),
          "",
        ].join("\n"),
      );
    });
  });

  afterAll(async () => {
    if (!sandbox) return;
    const unhandled = sandbox.emu.requestLog.unhandled;
    if (unhandled.length > 0) {
      process.stderr.write(
        `[sandbox] the app called ${unhandled.length} unemulated route(s):\n${unhandled.join("\n")}\n`,
      );
    }
    await sandbox.app.stop();
    await sandbox.emu.close();
  }, 20_000);

  return {
    get: () => {
      if (!sandbox) throw new Error("sandbox not started");
      return sandbox;
    },
  };
}

/** The config the stories use: three phases with criteria on both gates. */
export const STORY_CONFIG = `# phase-gates sandbox story
phases:
  - id: crawl
    name: Crawl
    milestone: Crawl
    gate:
      criteria:
        - Feasibility shown with evidence
      approvers:
        permission: maintain
  - id: walk
    name: Walk
    milestone: Walk
    gate:
      criteria:
        - Early users tried it
  - id: run
    name: Run
    milestone: Run
`;

/** The gate issue the app keeps (newest issue with the gate label), once the app has created it. */
export async function gateIssue(actors: Actors, label: string): Promise<number> {
  const issue = await actors.waitFor(() => actors.issueWithLabel(label), {
    what: `the app to open a gate issue labelled "${label}"`,
  });
  return issue.number;
}
