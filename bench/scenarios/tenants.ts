import { type Actors, CHECK_NAME, createActors } from "../../sandbox/actors.js";
import { pacingFloorSeconds } from "../../sandbox/emulator/index.js";
import { type RedisServer, startRedis } from "../../test/helpers/redis-server.js";
import { queueWaitFigure, queueWaits } from "../harness/app-metrics.js";
import { type Figure, type ScenarioResult, zeroFigure } from "../harness/report.js";
import { apiRequests } from "../harness/requests.js";
import type { BenchSettings } from "../harness/settings.js";
import {
  approveGate,
  blockedRunCheck,
  createWorld,
  DEV,
  deliverTo,
  openBlockedRunPrs,
  prepareRepository,
  putAppCheck,
  settle,
  startPhaseGates,
  type World,
  waitUntilFinal,
} from "../harness/world.js";

/** BENCH_APP_PATH: another build of the app to measure (a "before"), relative to the repository. */
function appUnderTest(redis: RedisServer | null): { appPath?: string; redisUrl?: string } {
  const path = process.env.BENCH_APP_PATH;
  return { ...(path ? { appPath: path } : {}), ...(redis ? { redisUrl: redis.url } : {}) };
}

/** BENCH_TENANTS_REDIS=1: the app of scenarios 7 and 8 runs with REDIS_URL (its own redis-server). */
async function tenantsRedis(): Promise<RedisServer | null> {
  return process.env.BENCH_TENANTS_REDIS === "1" ? await startRedis() : null;
}

/** Installation B: another organisation, one repository, its own installation of the app. */
const B_REPO = "beta/shop";
const B_OWNER = "beta";

/** B's repository configured and the app installed on it; the conclusion of a plain B PR, from one the app checked. */
async function prepareB(world: World): Promise<{ actors: Actors; conclusion: string }> {
  const actors = createActors(world.emu, { repo: B_REPO, waitTimeoutMs: 30 * 60_000 });
  actors.repo();
  await actors.pushConfig("# defaults\n", { by: B_OWNER });
  await actors.installApp([B_REPO], { by: B_OWNER });
  await settle(world);
  const pr = await actors.openPullRequest({ title: "B template", by: DEV });
  const run = await actors.waitForCheck(pr.number, {}, { timeoutMs: 120_000 });
  await settle(world);
  return { actors, conclusion: run.conclusion ?? "" };
}

/** The latest `Phase gate` conclusion on a PR's current head, if completed. */
function finalOn(actors: Actors, world: World, pr: number): string | null {
  const repo = actors.repo();
  const sha = world.emu.state.issue(repo, pr).pull?.headSha ?? "";
  let latest: { id: number; conclusion: string | null; status: string } | null = null;
  for (const run of repo.checkRuns) {
    if (run.name !== CHECK_NAME || run.head_sha !== sha) continue;
    if (!latest || run.id > latest.id) latest = run;
  }
  return latest?.status === "completed" ? latest.conclusion : null;
}

/**
 * B opens a PR every `everyMs` until `stop()`; each PR's latency is the time
 * from its opening to its check completed, with B's conclusion, on its head.
 */
function openBPrs(world: World, b: { actors: Actors; conclusion: string }, everyMs: number) {
  const opened: { pr: number; at: number; finalAt: number | null }[] = [];
  let stopped = false;
  const repo = b.actors.repo();
  const dev = world.emu.state.user(DEV);
  let i = 0;
  const open = setInterval(() => {
    if (stopped) return;
    const pr = world.emu.state.createPull(
      repo,
      { title: `B work ${++i}`, body: null, labels: [], files: { [`src/b-${i}.ts`]: "x\n" } },
      dev,
    );
    opened.push({ pr: pr.number, at: performance.now(), finalAt: null });
  }, everyMs);
  const watch = setInterval(() => {
    const now = performance.now();
    for (const o of opened) {
      if (o.finalAt === null && finalOn(b.actors, world, o.pr) === b.conclusion) o.finalAt = now;
    }
  }, 50);
  return {
    opened,
    stop() {
      stopped = true;
      clearInterval(open);
    },
    /** Waits (at most `ms`) for the PRs opened so far, then stops watching. */
    async finish(ms: number): Promise<void> {
      const deadline = performance.now() + ms;
      while (opened.some((o) => o.finalAt === null) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      clearInterval(watch);
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

/** B's figures: how long its PRs waited for their check while A was busy. */
function bFigures(opened: readonly { at: number; finalAt: number | null }[]): Figure[] {
  const waits = opened
    .filter((o) => o.finalAt !== null)
    .map((o) => ((o.finalAt as number) - o.at) / 1000)
    .sort((x, y) => x - y);
  const missing = opened.length - waits.length;
  const p99 = percentile(waits, 99);
  return [
    { name: "B: PRs opened while A was busy", value: opened.length },
    { name: "B: check final, p50", value: percentile(waits, 50), unit: "s" },
    {
      name: "B: check final, p99",
      value: missing === 0 ? p99 : `${missing} never final`,
      unit: "s",
      target: "≤ 5 s",
      met: missing === 0 && p99 <= 5,
    },
    { name: "B: check final, max", value: waits.at(-1) ?? Number.NaN, unit: "s" },
  ];
}

/**
 * The app's `pull_request` jobs in these scenarios are B's (A's PRs are
 * re-checked inside its flip and fan-out jobs): their queue wait says whether
 * a late B check waited in the queue or in its own job.
 */
const PR_JOB_WAIT = "B: PR jobs' queue wait (webhook → start), p99";

/** 7. A flips 1,000 PRs of one repository while B opens a PR every 2 s. */
export async function flipBesideB(settings: BenchSettings): Promise<ScenarioResult> {
  const started = performance.now();
  const world = await createWorld();
  const redis = await tenantsRedis();
  try {
    const app = await startPhaseGates(world, appUnderTest(redis));
    deliverTo(world, [app]);
    const { walkGate } = await prepareRepository(world);
    const template = await blockedRunCheck(world);
    const all = [template.pr, ...openBlockedRunPrs(world, settings.flipPrs - 1, template.check)];
    const b = await prepareB(world);
    await settle(world);
    world.emu.requestLog.reset();
    world.audit.reset();
    const waitsBefore = await queueWaits(app, "pull_request");
    const flipAt = performance.now();
    const bPrs = openBPrs(world, b, 2000);
    await approveGate(world, walkGate);
    const final = await waitUntilFinal(world, all, "success", {
      since: flipAt,
      stallMs: 60_000,
      timeoutMs: 30 * 60_000,
    });
    bPrs.stop();
    await bPrs.finish(60_000);
    const waitsAfter = await queueWaits(app, "pull_request");
    const floor = pacingFloorSeconds({ writes: all.length });
    const requests = apiRequests(world.emu.requestLog.entries);
    return {
      id: 7,
      title: "two installations: A flips, B opens PRs",
      setup: {
        queue: redis ? "Redis (REDIS_URL)" : "in process",
        openRunPrsA: all.length,
        bEverySeconds: 2,
      },
      figures: [
        {
          name: "A: wall time until every check is final",
          value: final.missing.length === 0 ? final.seconds : `${final.missing.length} never final`,
          unit: "s",
          target: "≤ 1.1× floor",
          floor,
          met: final.missing.length === 0 && final.seconds <= 1.1 * floor,
        },
        { name: "A: wall time / pacing floor", value: final.seconds / floor, target: "≤ 1.1" },
        ...bFigures(bPrs.opened),
        queueWaitFigure(PR_JOB_WAIT, waitsBefore, waitsAfter, 99),
        zeroFigure("secondary-limit 403s", requests.secondaryLimited),
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        `A's floor: ${all.length} check writes at 180/min (900 points, 5 a write) = ${floor.toFixed(0)} s. B has its own installation, so its own budget: its floor is the app's own latency for one PR.`,
      ],
    };
  } finally {
    await world.close();
    await redis?.stop();
  }
}

/** REST reads each repository of a config fan-out needs: its own config (absent), the owner's, its labels, its open PRs. */
const READS_PER_REPO = 4;

/**
 * `repos` repositories of A with no config of their own (they inherit
 * `acme/.github`), each with `prsPerRepo` open Run PRs carrying the app's
 * blocked check and the labels the app made (as if it had synced and checked
 * them long ago): made with no webhook, on A's installation.
 */
function openFanOutRepos(
  world: World,
  repos: number,
  prsPerRepo: number,
  check: Parameters<typeof openBlockedRunPrs>[2],
): { repo: string; number: number }[] {
  const { emu, relay } = world;
  const targets = relay.targets;
  relay.targets = [];
  const dev = emu.state.user(DEV);
  const labels = world.actors.repo().labels;
  const names = Array.from({ length: repos }, (_, r) => `acme/svc-${r}`);
  const prs: { repo: string; number: number }[] = [];
  try {
    // `.github` too: its push is delivered to the installation that covers it.
    emu.state.install([...names, "acme/.github"], emu.state.user("lead"));
    for (const name of names) {
      const repo = emu.state.createRepo(name);
      for (const label of labels) {
        emu.state.createLabel(
          repo,
          { name: label.name, color: label.color, description: label.description },
          emu.state.bot,
        );
      }
      for (let i = 0; i < prsPerRepo; i++) {
        const pr = emu.state.createPull(
          repo,
          {
            title: `Run work ${i}`,
            body: "Scale-out work.",
            labels: ["phase: run"],
            files: { [`src/work-${i}.ts`]: "export {};\n" },
          },
          dev,
        );
        prs.push({ repo: name, number: pr.number });
        putAppCheck(emu, repo, pr.pull?.headSha ?? "", check);
      }
    }
  } finally {
    relay.targets = targets;
  }
  return prs;
}

/** PRs of many repositories whose head has no completed check with `conclusion`. */
function notFinalAcross(
  world: World,
  prs: readonly { repo: string; number: number }[],
  conclusion: string,
): number {
  const latestBySha = new Map<string, Map<string, { id: number; conclusion: string | null }>>();
  let missing = 0;
  for (const { repo: name, number } of prs) {
    const repo = world.emu.state.createRepo(name);
    let latest = latestBySha.get(name);
    if (!latest) {
      latest = new Map();
      for (const run of repo.checkRuns) {
        if (run.name !== CHECK_NAME) continue;
        const seen = latest.get(run.head_sha);
        if (!seen || run.id > seen.id) latest.set(run.head_sha, run);
      }
      latestBySha.set(name, latest);
    }
    const sha = world.emu.state.issue(repo, number).pull?.headSha ?? "";
    if (latest.get(sha)?.conclusion !== conclusion) missing += 1;
  }
  return missing;
}

/** The owner's config: the default phases and gates, no dashboard (500 dashboards are not the point). */
const OWNER_CONFIG = "dashboard: false\n";
/** The change pushed: the same phases without gates, so every Run PR's check turns green. */
const OWNER_CONFIG_UNGATED =
  "dashboard: false\nphases:\n  - id: crawl\n  - id: walk\n  - id: run\n";

/** 8. A's owner `.github` config push fans out to `repos` repositories while B opens a PR every 2 s. */
export async function fanOutBesideB(settings: BenchSettings): Promise<ScenarioResult> {
  const started = performance.now();
  const world = await createWorld();
  const redis = await tenantsRedis();
  try {
    const app = await startPhaseGates(world, appUnderTest(redis));
    deliverTo(world, [app]);
    await prepareRepository(world);
    const template = await blockedRunCheck(world);
    const org = createActors(world.emu, { repo: "acme/.github", waitTimeoutMs: 30 * 60_000 });
    org.repo();
    org.addCollaborator("lead", "maintain");
    const targets = world.relay.targets;
    world.relay.targets = [];
    await org.pushConfig(OWNER_CONFIG, { by: "lead" });
    world.relay.targets = targets;
    const prs = openFanOutRepos(world, settings.fanOutRepos, 2, template.check);
    const b = await prepareB(world);
    await settle(world);
    world.emu.requestLog.reset();
    world.audit.reset();
    const waitsBefore = await queueWaits(app, "pull_request");
    const pushAt = performance.now();
    const bPrs = openBPrs(world, b, 2000);
    await org.pushConfig(OWNER_CONFIG_UNGATED, { by: "lead" });
    let missing = prs.length;
    let lastProgress = performance.now();
    for (;;) {
      const now = notFinalAcross(world, prs, "success");
      if (now < missing) lastProgress = performance.now();
      missing = now;
      if (missing === 0 || performance.now() - lastProgress > 60_000) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const seconds = (performance.now() - pushAt) / 1000;
    bPrs.stop();
    await bPrs.finish(60_000);
    const waitsAfter = await queueWaits(app, "pull_request");
    const writesFloor = pacingFloorSeconds({ writes: prs.length });
    const readPoints = READS_PER_REPO * settings.fanOutRepos;
    // 900 REST points a minute: writes cost 5, reads 1.
    const withReadsFloor = ((5 * prs.length + readPoints) / 900) * 60;
    const requests = apiRequests(world.emu.requestLog.entries);
    return {
      id: 8,
      title: "two installations: A's owner config fans out, B opens PRs",
      setup: {
        queue: redis ? "Redis (REDIS_URL)" : "in process",
        reposA: settings.fanOutRepos,
        openRunPrsA: prs.length,
        bEverySeconds: 2,
      },
      figures: [
        {
          name: "A: wall time until every check is final",
          value: missing === 0 ? seconds : `${missing} never final`,
          unit: "s",
          target: "≤ 1.25× floor with reads",
          floor: withReadsFloor,
          met: missing === 0 && seconds <= 1.25 * withReadsFloor,
        },
        {
          name: "A: wall time / floor with reads",
          value: seconds / withReadsFloor,
          target: "≤ 1.25",
        },
        {
          name: "A: wall time / writes-only floor",
          value: seconds / writesFloor,
          floor: writesFloor,
        },
        ...bFigures(bPrs.opened),
        queueWaitFigure(PR_JOB_WAIT, waitsBefore, waitsAfter, 99),
        { name: "A: REST reads (304s apart)", value: requests.reads, floor: readPoints },
        zeroFigure("secondary-limit 403s", requests.secondaryLimited),
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        `Floors: writes only = ${prs.length} check writes at 180/min = ${writesFloor.toFixed(0)} s; with reads = those writes (5 points) plus ${READS_PER_REPO} REST reads per repository (its own config, absent; the owner's; its labels; its open PRs: 1 point each) at 900 points/min = ${withReadsFloor.toFixed(0)} s. That one assumes every REST request shares one minute; GitHub counts points per endpoint (and so does the app's budget), so the writes-only floor is the one that binds.`,
        `Requests by route: ${requests.byRoute}.`,
      ],
    };
  } finally {
    await world.close();
    await redis?.stop();
  }
}
