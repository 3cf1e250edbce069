import { type Actors, CHECK_NAME, createActors, waitFor } from "../../sandbox/actors.js";
import {
  type CheckRunRecord,
  createEmulator,
  type Emulator,
  type IssueRecord,
  type RepoRecord,
} from "../../sandbox/emulator/index.js";
import { type RunningApp, startApp } from "../../sandbox/run-app.js";
import { WebhookRelay } from "./relay.js";
import { WriteAudit } from "./write-audit.js";

export const REPO = "acme/bench";
const LEAD = "lead";
export const DEV = "dev";

/** One emulator (GitHub's secondary limits on), its webhook relay and the people of one repository. */
export interface World {
  emu: Emulator;
  relay: WebhookRelay;
  actors: Actors;
  audit: WriteAudit;
  apps: RunningApp[];
  close(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const emu = await createEmulator({ limits: {} });
  const relay = new WebhookRelay(emu);
  const actors = createActors(emu, { repo: REPO, waitTimeoutMs: 30 * 60_000 });
  const audit = new WriteAudit(emu.state);
  const apps: RunningApp[] = [];
  return {
    emu,
    relay,
    actors,
    audit,
    apps,
    async close() {
      relay.close();
      await Promise.all(apps.map((a) => a.stop()));
      await emu.close();
    },
  };
}

/** The built app (`probot run ./lib/index.js`) as `npm start` runs it; REDIS_URL when given. */
export async function startPhaseGates(
  world: World,
  options: { redisUrl?: string; appPath?: string; env?: Record<string, string> } = {},
): Promise<RunningApp> {
  const app = await startApp({
    emulator: world.emu,
    connect: false,
    logLevel: (process.env.BENCH_APP_LOG as "error" | undefined) ?? "error",
    echo: process.env.BENCH_APP_LOG !== undefined,
    ...(options.appPath ? { appPath: options.appPath } : {}),
    env: { ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}), ...options.env },
  });
  world.apps.push(app);
  return app;
}

/** Points the relay at these processes (deliveries alternate between them). */
export function deliverTo(world: World, apps: RunningApp[]): void {
  world.relay.targets = apps.map((a) => ({ url: a.webhookUrl, secret: a.secret }));
}

/** Waits until no delivery is in flight and the app has made no request for `quietMs`. */
export async function settle(world: World, quietMs = 1500, timeoutMs = 10 * 60_000): Promise<void> {
  await waitFor(
    async () => {
      await world.relay.idle();
      return msSinceActivity(world) >= quietMs;
    },
    { timeoutMs, intervalMs: 100, what: `${quietMs} ms of quiet` },
  );
}

/**
 * Like settle, but a busy app is a figure, not an error: false when it was
 * still making requests after `timeoutMs` (counts are then a lower bound).
 */
export async function drained(world: World, quietMs: number, timeoutMs: number): Promise<boolean> {
  try {
    await settle(world, quietMs, timeoutMs);
    return true;
  } catch {
    // settle's only failure is its timeout: the app is still busy, which the caller reports
    return false;
  }
}

/** Time since the app's last API request or the last webhook answer, whichever is later. */
function msSinceActivity(world: World): number {
  const lastRequest = world.emu.requestLog.lastAt();
  const lastDelivery = world.relay.deliveries.at(-1);
  // requestLog times are wall-clock; relay times are performance.now().
  const sinceRequest = lastRequest === 0 ? Number.POSITIVE_INFINITY : Date.now() - lastRequest;
  const sinceDelivery = lastDelivery
    ? performance.now() - (lastDelivery.sentAt + lastDelivery.ms)
    : Number.POSITIVE_INFINITY;
  return Math.min(sinceRequest, sinceDelivery);
}

/**
 * The repository every scenario starts from: the default Crawl → Walk → Run
 * config, the app installed (it creates its labels and gate issues), and the
 * Crawl gate approved, so a Run PR waits for the Walk gate only.
 */
export async function prepareRepository(world: World): Promise<{ walkGate: IssueRecord }> {
  const { actors } = world;
  actors.repo();
  actors.addCollaborator(LEAD, "maintain");
  await actors.pushConfig("# defaults\n", { by: LEAD });
  await actors.installApp([REPO], { by: LEAD });
  const [crawl, walk] = await actors.waitFor(
    () => {
      const c = actors.issueWithLabel("gate: crawl");
      const w = actors.issueWithLabel("gate: walk");
      return c && w ? ([c, w] as const) : undefined;
    },
    { what: "the app to open the gate issues", timeoutMs: 120_000 },
  );
  await settle(world);
  for (const gate of [crawl, walk]) await actors.tickCriteria(gate.number, { by: LEAD });
  await settle(world);
  await actors.closeIssue(crawl.number, { by: LEAD, reason: "completed" });
  await settle(world);
  return { walkGate: walk };
}

/** The Walk gate approved: its criteria are ticked already, the lead closes it. */
export async function approveGate(world: World, gate: IssueRecord): Promise<void> {
  await world.actors.closeIssue(gate.number, { by: LEAD, reason: "completed" });
}

export type CheckShape = Pick<CheckRunRecord, "conclusion"> &
  Partial<Pick<CheckRunRecord, "external_id">> & {
    output: Pick<CheckRunRecord["output"], "title" | "summary" | "text">;
  };

/**
 * The check the app writes on a blocked Run PR, taken from one PR it
 * checks itself, so the PRs opened quietly carry exactly what the app would
 * have written (and a correct app has nothing to rewrite on them).
 */
export async function blockedRunCheck(world: World): Promise<{ check: CheckShape; pr: number }> {
  const { actors } = world;
  const pr = await actors.openPullRequest({ title: "Template", labels: ["phase: run"], by: DEV });
  const run = await actors.waitForCheck(
    pr.number,
    { conclusion: "failure" },
    { timeoutMs: 120_000 },
  );
  await settle(world);
  return {
    check: {
      conclusion: run.conclusion,
      // The app keeps the PR's phase floor on its run: without it, the app rewrites every run.
      external_id: run.external_id,
      output: { title: run.output.title, summary: run.output.summary, text: run.output.text },
    },
    pr: pr.number,
  };
}

/** The app's check as it wrote it (`check`), put on `headSha` by the emulator: a PR the app checked long ago. */
export function putAppCheck(
  emu: Emulator,
  repo: RepoRecord,
  headSha: string,
  check: CheckShape,
): void {
  emu.state.createCheckRun(
    repo,
    {
      name: CHECK_NAME,
      head_sha: headSha,
      status: "completed",
      conclusion: check.conclusion ?? "failure",
      ...(check.external_id ? { external_id: check.external_id } : {}),
      output: {
        title: check.output.title ?? "",
        summary: check.output.summary ?? "",
        ...(check.output.text ? { text: check.output.text } : {}),
      },
    },
    emu.state.bot,
  );
}

/**
 * Opens `count` Run PRs with no webhook (the relay has no target meanwhile),
 * each with the app's blocked check already on its head, as if the app had
 * checked them long ago.
 */
export function openBlockedRunPrs(world: World, count: number, check: CheckShape): number[] {
  const { emu, relay, actors } = world;
  const targets = relay.targets;
  relay.targets = [];
  const repo = actors.repo();
  const numbers: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const pr = emu.state.createPull(
        repo,
        {
          title: `Run work ${i}`,
          body: "Scale-out work.",
          labels: ["phase: run"],
          files: { [`src/work-${i}.ts`]: "export {};\n" },
        },
        emu.state.user(DEV),
      );
      numbers.push(pr.number);
      putAppCheck(emu, repo, pr.pull?.headSha ?? "", check);
    }
  } finally {
    relay.targets = targets;
  }
  return numbers;
}

/**
 * The latest Phase gate run per head SHA of a repository: one pass over the
 * runs, not one per PR (this is polled while 1,000 PRs flip, beside the app on the same cores).
 */
export function latestRuns(repo: RepoRecord): Map<string, CheckRunRecord> {
  const latest = new Map<string, CheckRunRecord>();
  for (const run of repo.checkRuns) {
    if (run.name !== CHECK_NAME) continue;
    const seen = latest.get(run.head_sha);
    if (!seen || run.id > seen.id) latest.set(run.head_sha, run);
  }
  return latest;
}

/** PRs whose newest head does not have a check with `conclusion` as its latest Phase gate run. */
export function notFinal(world: World, prs: readonly number[], conclusion: string): number[] {
  const repo = world.actors.repo();
  const latest = latestRuns(repo);
  return prs.filter((n) => {
    const sha = world.emu.state.issue(repo, n).pull?.headSha ?? "";
    return latest.get(sha)?.conclusion !== conclusion;
  });
}

/**
 * Waits until every PR's check is final, or until the app has made no check
 * write for `stallMs` (a lost job never finishes: the figure is then what is
 * missing, not a timeout). Returns the seconds it took and what is missing.
 */
export async function waitUntilFinal(
  world: World,
  prs: readonly number[],
  conclusion: string,
  options: { since: number; stallMs?: number; timeoutMs?: number },
): Promise<{ seconds: number; missing: number[] }> {
  const stallMs = options.stallMs ?? 30_000;
  const deadline = performance.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const missing = notFinal(world, prs, conclusion);
    const now = performance.now();
    if (missing.length === 0) return { seconds: (now - options.since) / 1000, missing };
    const lastWrite = world.audit.lastCheckWriteAt ?? options.since;
    if (now - Math.max(lastWrite, options.since) > stallMs || now > deadline) {
      return { seconds: (now - options.since) / 1000, missing };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
