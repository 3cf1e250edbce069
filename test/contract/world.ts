import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { type Actors, createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { createPhaseGatesApp } from "../../src/app/register-handlers.js";
import type { GitHub } from "../../src/github/octokit.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

/** The emulator and the app in this process, talking over HTTP as on GitHub. */
export interface World {
  emu: Emulator;
  /** Actors on `repo`, the app installed, the lead a maintainer and contrib a triager. */
  gh: Actors;
  /** Errors the app's jobs threw (a conforming run has none). */
  errors: unknown[];
  /** Waits until no webhook is in flight and the app has no job left. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface WorldOptions {
  repo?: string;
  /** Config pushed before the app is installed. */
  config: string;
  /** Run the emulator as this GitHub Enterprise Server version (see EmulatorOptions.ghesVersion). */
  ghesVersion?: string;
  /** GraphQL fields this GitHub lacks (see EmulatorOptions.graphqlLacks). */
  graphqlLacks?: string[];
  /** Keep every answer's body in the request log. */
  keepResponses?: boolean;
  /** What the repository holds before the app is installed (people act, no webhook reaches the app). */
  beforeInstall?: (gh: Actors, emu: Emulator) => Promise<void>;
}

/**
 * The app as `probot run` wires it (every webhook through Probot's
 * middleware, jobs through the in-memory queue, reports and GraphQL on),
 * but in this process with write pacing off: a whole story in a second or two.
 */
export async function createWorld(options: WorldOptions): Promise<World> {
  const emu = await createEmulator({
    ...(options.ghesVersion ? { ghesVersion: options.ghesVersion } : {}),
    ...(options.graphqlLacks ? { graphqlLacks: options.graphqlLacks } : {}),
  });
  emu.requestLog.keepResponses = options.keepResponses ?? false;
  const errors: unknown[] = [];
  const secret = "contract";
  const { app, idle, beginDrain } = createPhaseGatesApp({
    appId: emu.state.app.id,
    graphql: true,
    // Activity refreshes the reports once, then at most once a minute (as in production):
    // gate decisions and config pushes still refresh them at once.
    reporting: { intervalMs: 60_000 },
    revalidateMs: false,
    onJobError: (e) => errors.push(e),
    octokitForJob: async (probot, installationId) =>
      (await probot.auth(installationId ?? undefined)) as GitHub,
  });
  const probot = new Probot({
    appId: emu.state.app.id,
    privateKey,
    secret,
    baseUrl: emu.apiUrl,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { ...(o.throttle as object), enabled: false },
    })),
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const server: Server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  emu.connectApp({ url: `http://127.0.0.1:${port}/api/github/webhooks`, secret });

  const fullName = options.repo ?? "acme/rocket";
  const gh = createActors(emu, { repo: fullName });
  gh.repo();
  gh.addCollaborator("lead", "maintain");
  gh.addCollaborator("contrib", "triage");
  const settle = async (): Promise<void> => {
    // The app's writes send webhooks, which queue more jobs: wait until both are quiet.
    for (let seen = -1; seen !== emu.requestLog.entries.length || emu.webhooks.busy; ) {
      seen = emu.requestLog.entries.length;
      await emu.webhooks.idle();
      await idle();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await gh.pushConfig(options.config, { by: "lead" });
  await options.beforeInstall?.(gh, emu);
  await gh.installApp([fullName], { by: "lead" });
  await settle();
  return {
    emu,
    gh,
    errors,
    settle,
    async close() {
      beginDrain();
      emu.webhooks.target = null;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emu.close();
    },
  };
}
