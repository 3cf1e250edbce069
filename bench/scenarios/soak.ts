import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { type Actors, createActors } from "../../sandbox/actors.js";
import { DEFAULT_DELIVERY_WINDOW_MS } from "../../src/app/jobs/job.js";
import {
  auditRedisKeys,
  formatKeyCounts,
  type RedisKeyKind,
  redisKeyKinds,
} from "../../test/helpers/redis-keys.js";
import { redisUnavailable } from "../../test/helpers/redis-server.js";
import type { RelayedDelivery } from "../harness/relay.js";
import { openLoop } from "../harness/relay.js";
import { type ScenarioResult, zeroFigure } from "../harness/report.js";
import { apiRequests } from "../harness/requests.js";
import type { BenchSettings } from "../harness/settings.js";
import { DEV, deliverTo, latestRuns, settle, type World } from "../harness/world.js";
import { rssMb } from "./gate-flip.js";
import { skipped, startOnRedis, withRedis } from "./redis.js";

const LEAD = "lead";
/** A sample of the app's and Redis's memory this often. */
const SAMPLE_MS = 5000;
/** Keys counted by kind (test/helpers/redis-keys.ts) this often. */
const KINDS_SAMPLE_MS = 60_000;

interface Sample {
  at: number;
  appMb: number | null;
  redisMb: number;
  keys: number;
}

interface SoakRepo {
  actors: Actors;
  prs: number[];
}

/** One look at every key by kind, with memory: what the per-minute lines print. */
interface KindSample {
  at: number;
  appMb: number | null;
  redisMb: number;
  counts: Map<string, number>;
}

/**
 * What one delivery id costs Redis, all told (the key, its value, its entries
 * in the key and expiry tables): used_memory before and after writing 10,000
 * keys shaped like the app's, which are then deleted.
 */
async function deliveryIdBytes(client: Redis): Promise<number> {
  const count = 10_000;
  const before = (await redisMemory(client)).mb;
  const keys = Array.from({ length: count }, () => `pg:delivery:${randomUUID()}`);
  const writes = client.pipeline();
  for (const key of keys) writes.set(key, "1", "PX", 600_000, "NX");
  await writes.exec();
  const after = (await redisMemory(client)).mb;
  const removes = client.pipeline();
  for (const key of keys) removes.del(key);
  await removes.exec();
  return ((after - before) * 1024 * 1024) / count;
}

/** When no repository has work queued (`pg:q:repos` empty), or null after `timeoutMs`. */
async function queueDrained(client: Redis, timeoutMs: number): Promise<number | null> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await client.scard("pg:q:repos")) === 0) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return null;
}

/** A store key counted by its space (`the store: pull`), any other by its kind. */
const countAs = (key: string, kind: string): string =>
  kind === "the store" ? `the store: ${key.split(":")[2] ?? "?"}` : kind;

async function redisMemory(client: Redis): Promise<{ mb: number; keys: number }> {
  const info = await client.info("memory");
  const bytes = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  return { mb: bytes / 1024 / 1024, keys: await client.dbsize() };
}

/**
 * `installations` owners of `repos / installations` repositories each, the
 * default config pushed, the app installed per owner (it sets each
 * repository up), then `prsPerRepo` Run PRs opened quietly in each.
 */
async function prepareTenants(world: World, settings: BenchSettings): Promise<SoakRepo[]> {
  const perOwner = Math.max(1, Math.round(settings.soakRepos / settings.soakInstallations));
  const tenants: SoakRepo[] = [];
  for (let o = 0; o < settings.soakInstallations; o++) {
    const names = Array.from({ length: perOwner }, (_, r) => `org-${o}/repo-${r}`);
    for (const name of names) {
      const actors = createActors(world.emu, { repo: name, waitTimeoutMs: 30 * 60_000 });
      actors.repo();
      actors.addCollaborator(LEAD, "maintain");
      await actors.pushConfig("# defaults\n", { by: LEAD });
      tenants.push({ actors, prs: [] });
    }
    await tenants[tenants.length - 1]?.actors.installApp(names, { by: LEAD });
  }
  for (const tenant of tenants) {
    await tenant.actors.waitFor(() => tenant.actors.issueWithLabel("gate: walk"), {
      what: "the app to open the gate issues",
      timeoutMs: 30 * 60_000,
      intervalMs: 250,
    });
  }
  await settle(world, 3000, 30 * 60_000);
  // PRs with no webhook: their first event in the soak gets them checked.
  const targets = world.relay.targets;
  world.relay.targets = [];
  try {
    for (const tenant of tenants) {
      const repo = tenant.actors.repo();
      for (let i = 0; i < settings.soakPrsPerRepo; i++) {
        const pr = world.emu.state.createPull(
          repo,
          {
            title: `Run work ${i}`,
            body: "Soak work.",
            labels: ["phase: run"],
            files: { [`src/work-${i}.ts`]: "export {};\n" },
          },
          world.emu.state.user(DEV),
        );
        tenant.prs.push(pr.number);
      }
    }
  } finally {
    world.relay.targets = targets;
  }
  return tenants;
}

/** The app's latest Phase gate run on each PR's current head: none (lost), or its conclusion. */
function verdicts(world: World, tenants: readonly SoakRepo[], touched: Set<string>) {
  const lost: string[] = [];
  let wrong = 0;
  for (const tenant of tenants) {
    const repo = tenant.actors.repo();
    const latest = latestRuns(repo);
    for (const n of tenant.prs) {
      if (!touched.has(`${repo.full_name}#${n}`)) continue;
      const run = latest.get(world.emu.state.issue(repo, n).pull?.headSha ?? "");
      if (!run) lost.push(`${repo.full_name}#${n}`);
      // Every PR is a Run PR whose Walk gate is pending: blocked, whatever the mix did to it.
      else if (run.conclusion !== "failure") wrong += 1;
    }
  }
  return { lost, wrong };
}

/** The non-2xx answers by status (0: no answer, with the error), most frequent first. */
function answers(deliveries: readonly { status: number; error?: string }[]): string {
  const counts = new Map<string, number>();
  for (const d of deliveries) {
    if (d.status >= 200 && d.status <= 299) continue;
    const key = d.status === 0 ? `no answer (${d.error ?? "?"})` : String(d.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} × ${n}`)
    .join(", ");
}

/**
 * Why a PR has no check on its head, as far as the deliveries tell: the
 * deliveries about it after its last push, and their answers. None answered
 * 2xx: the app never took the work (an unanswered delivery GitHub would list
 * as failed). One answered 2xx: the app accepted work it did not finish.
 */
function whyLost(
  id: string,
  deliveries: readonly RelayedDelivery[],
  lastPush: number | undefined,
  loadStart: number,
): string {
  const about = deliveries.filter((d) => d.subject === id);
  const after = about.filter((d) => lastPush === undefined || d.sentAt >= lastPush);
  const accepted = after.filter((d) => d.status >= 200 && d.status <= 299);
  const at = (ms: number) => `${Math.round((ms - loadStart) / 1000)} s`;
  const pushed = lastPush === undefined ? "never pushed" : `pushed at ${at(lastPush)}`;
  const verdict =
    accepted.length === 0
      ? "no delivery since acknowledged (not taken)"
      : `${accepted.length} acknowledged 2xx, the last at ${at(accepted[accepted.length - 1]?.sentAt ?? 0)} (taken, not finished)`;
  return `${id}: ${pushed}; ${about.length} deliveries, ${after.length} since the push (${answers(after) || "all 2xx"}); ${verdict}`;
}

const growth = (from: number | null, to: number | null): number | null =>
  from && to ? ((to - from) / from) * 100 : null;

/**
 * The mean of what `pick` reads in the samples taken in [from, to): the
 * resident memory of a Node process is a garbage-collection sawtooth (±20 %
 * within a minute here), so one sample against another says little, a
 * minute's mean against another's says whether it grows.
 */
function meanOf(
  samples: readonly Sample[],
  pick: (s: Sample) => number | null,
  from: number,
  to: number,
): number | null {
  const values = samples
    .filter((s) => s.at >= from && s.at < to)
    .map(pick)
    .filter((v): v is number => v !== null);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/**
 * Scenario 8, the soak: `soakRate` events/s for `soakMinutes` across
 * `soakInstallations` installations and `soakRepos` repositories, two app
 * processes on one Redis (REDIS_URL). The issue #12 mix on PRs picked by a
 * seeded generator: 1 in 20 a push, 10 in 20 a label added or removed, 9 in
 * 20 a body edit. Resident memory of the app after warm-up, Redis memory,
 * and at the end every touched PR's check on its current head.
 */
export async function soak(settings: BenchSettings): Promise<ScenarioResult> {
  const title = "soak";
  const missing = redisUnavailable();
  if (missing) return skipped(8, title, missing);
  const started = performance.now();
  return withRedis(async (redis, world) => {
    const windowMs = settings.soakDeliveryWindowSeconds * 1000;
    const env = { DELIVERY_DEDUP_WINDOW_MS: String(windowMs) };
    const apps = [await startOnRedis(world, redis, env), await startOnRedis(world, redis, env)];
    const kinds: RedisKeyKind[] = redisKeyKinds({ deliveryWindowMs: windowMs });
    deliverTo(world, apps);
    const tenants = await prepareTenants(world, settings);
    const setupSeconds = (performance.now() - started) / 1000;
    const client = new Redis(redis.url);
    const samples: Sample[] = [];
    const appRss = () => {
      const rss = apps.map((app) => rssMb(app.pid));
      return rss.every((mb) => mb !== null)
        ? rss.reduce<number>((sum, mb) => sum + (mb ?? 0), 0)
        : null;
    };
    const sample = async () => {
      const memory = await redisMemory(client);
      samples.push({
        at: performance.now(),
        appMb: appRss(),
        redisMb: memory.mb,
        keys: memory.keys,
      });
    };
    const kindSamples: KindSample[] = [];
    const sampleKinds = async () => {
      const { counts } = await auditRedisKeys([redis.url], kinds, { countAs });
      const memory = await redisMemory(client);
      kindSamples.push({ at: performance.now(), appMb: appRss(), redisMb: memory.mb, counts });
    };
    world.emu.requestLog.reset();
    world.audit.reset();
    const firstDelivery = world.relay.deliveries.length;
    const touched = new Set<string>();
    let random = 22;
    const next = () => {
      random = (random * 48271) % 2147483647;
      return random;
    };
    const noise = new Set<string>();
    const lastPush = new Map<string, number>();
    const dev = world.emu.state.user(DEV);
    const loadStart = performance.now();
    const timer = setInterval(() => void sample(), SAMPLE_MS);
    const kindsTimer = setInterval(() => void sampleKinds(), KINDS_SAMPLE_MS);
    await sample();
    await sampleKinds();
    let loop: Awaited<ReturnType<typeof openLoop>>;
    let loadEnd = Number.NaN;
    let allFinal: number | null = null;
    try {
      loop = await openLoop(settings.soakRate, settings.soakMinutes * 60, (i) => {
        const tenant = tenants[next() % tenants.length];
        if (!tenant) return;
        const pr = tenant.prs[next() % tenant.prs.length] ?? 0;
        const repo = tenant.actors.repo();
        const id = `${repo.full_name}#${pr}`;
        touched.add(id);
        const slot = i % 20;
        if (slot === 0) {
          lastPush.set(id, performance.now());
          world.emu.state.pushToPull(repo, pr, dev);
        } else if (slot <= 10) {
          if (noise.delete(id)) world.emu.state.removeLabel(repo, pr, "noise", dev);
          else {
            world.emu.state.addLabels(repo, pr, ["noise"], dev);
            noise.add(id);
          }
        } else world.emu.state.updateIssue(repo, pr, { body: `Soak work, rev ${i}.` }, dev);
      });
      await world.relay.idle();
      loadEnd = performance.now();
      // Until every touched PR's check is on its head, or nothing is written for a minute.
      const deadline = performance.now() + 10 * 60_000;
      let last = world.audit.counts.checkWrites;
      let lastChange = performance.now();
      while (performance.now() < deadline && performance.now() - lastChange < 60_000) {
        if (verdicts(world, tenants, touched).lost.length === 0) {
          allFinal = performance.now();
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (world.audit.counts.checkWrites !== last) {
          last = world.audit.counts.checkWrites;
          lastChange = performance.now();
        }
      }
      await settle(world, 3000, 10 * 60_000);
      await sample();
    } finally {
      clearInterval(timer);
      clearInterval(kindsTimer);
    }
    // The checks can be final while other jobs (issue events, reports) still wait for the budget.
    const drainedAt = await queueDrained(client, 10 * 60_000);
    await sampleKinds();
    // Drained: every job has run, so a job's keys left behind would be work stranded in Redis.
    let audit = await auditRedisKeys([redis.url], kinds, { drained: drainedAt !== null });
    // The last tickets end a moment after their repository's last job.
    for (let retry = 0; retry < 20 && audit.problems.length > 0; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      audit = await auditRedisKeys([redis.url], kinds, { drained: drainedAt !== null });
    }
    const bytesPerDelivery = await deliveryIdBytes(client);
    client.disconnect();

    const final = verdicts(world, tenants, touched);
    const acked = world.relay.deliveries.slice(firstDelivery);
    const lostWhy = final.lost.map((id) => whyLost(id, acked, lastPush.get(id), loadStart));
    const deliveryPlateauMb =
      (settings.soakRate * (DEFAULT_DELIVERY_WINDOW_MS / 1000) * bytesPerDelivery) / 1024 / 1024;
    const kindNames = [...new Set(kindSamples.flatMap((k) => [...k.counts.keys()]))].sort(
      (a, b) =>
        Math.max(...kindSamples.map((k) => k.counts.get(b) ?? 0)) -
        Math.max(...kindSamples.map((k) => k.counts.get(a) ?? 0)),
    );
    const series = kindNames.map(
      (name) => `${name} ${kindSamples.map((k) => k.counts.get(name) ?? 0).join(" → ")}`,
    );
    const minute = (at: number) => Math.round((at - loadStart) / 60_000);
    const non2xx = acked.filter((d) => d.status < 200 || d.status > 299).length;
    const requests = apiRequests(world.emu.requestLog.entries);
    // Warm-up: the first fifth of the load, at least a minute (caches fill, the JIT settles).
    const warmUpMs = Math.max(60_000, (settings.soakMinutes * 60_000) / 5);
    const afterWarmUp = samples.filter((s) => s.at >= loadStart + warmUpMs);
    const atWarmUp = afterWarmUp[0];
    const end = samples[samples.length - 1];
    // The first minute after the warm-up against the load's last minute, each as its mean.
    const firstMinute = [loadStart + warmUpMs, loadStart + warmUpMs + 60_000] as const;
    const lastMinute = [loadEnd - 60_000, loadEnd] as const;
    const appMean = (range: readonly [number, number]) => meanOf(samples, (s) => s.appMb, ...range);
    const redisMean = (range: readonly [number, number]) =>
      meanOf(samples, (s) => s.redisMb, ...range);
    const appGrowth = growth(appMean(firstMinute), appMean(lastMinute));
    const redisGrowth = growth(redisMean(firstMinute), redisMean(lastMinute));
    const mb = (value: number | null | undefined) =>
      value === null || value === undefined ? "n/a" : Number(value.toFixed(1));
    return {
      id: 10,
      title,
      setup: {
        minutes: settings.soakMinutes,
        eventsPerSecond: settings.soakRate,
        installations: settings.soakInstallations,
        repositories: tenants.length,
        openRunPrs: tenants.reduce((sum, t) => sum + t.prs.length, 0),
        processes: 2,
        deliveryWindowSeconds: settings.soakDeliveryWindowSeconds,
        events: loop.sent,
        setupSeconds: Math.round(setupSeconds),
      },
      figures: [
        {
          name: "app RSS (2 processes) after warm-up → end",
          value: `${mb(atWarmUp?.appMb)} → ${mb(end?.appMb)}`,
          unit: "MB",
        },
        {
          name: "app RSS growth: mean of the load's last minute against the first after warm-up",
          value: appGrowth === null ? "n/a" : Number(appGrowth.toFixed(1)),
          unit: "%",
          target: "< 10",
          met: appGrowth !== null && appGrowth < 10,
        },
        {
          name: "Redis used_memory after warm-up → end",
          value: `${mb(atWarmUp?.redisMb)} → ${mb(end?.redisMb)}`,
          unit: "MB",
        },
        {
          name: "Redis keys after warm-up → end",
          value: `${atWarmUp?.keys ?? "n/a"} → ${end?.keys ?? "n/a"}`,
        },
        {
          name: "Redis memory growth: mean of the load's last minute against the first after warm-up",
          value: redisGrowth === null ? "n/a" : Number(redisGrowth.toFixed(1)),
          unit: "%",
        },
        {
          name: `delivery ids at ${settings.soakRate}/s with the production window (${DEFAULT_DELIVERY_WINDOW_MS / 60_000} min), projected`,
          value: Number(deliveryPlateauMb.toFixed(1)),
          unit: "MB",
        },
        {
          name: "load end → the queue empty (every job run)",
          value:
            drainedAt === null ? "not within 10 min" : Math.round((drainedAt - loadEnd) / 1000),
          unit: drainedAt === null ? "" : "s",
        },
        {
          name: "load end → every touched PR's check on its head",
          value: allFinal === null ? "never" : Math.round((allFinal - loadEnd) / 1000),
          unit: allFinal === null ? "" : "s",
        },
        zeroFigure("Redis keys outside their kind's TTL or bound", audit.problems.length),
        zeroFigure("lost (touched PR, no check on its head)", final.lost.length),
        zeroFigure("wrong (check not blocked)", final.wrong),
        zeroFigure("deliveries not acknowledged 2xx", non2xx),
        zeroFigure("secondary-limit 403s", requests.secondaryLimited),
        {
          name: "sender's worst lag behind schedule",
          value: Math.round(loop.worstLagMs),
          unit: "ms",
        },
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        `Warm-up = the first ${Math.round(warmUpMs / 1000)} s of load; memory sampled every ${SAMPLE_MS / 1000} s. RSS is the sum of the two app processes (/proc VmRSS). Samples (s after load start: app MB / Redis MB / keys): ${samples
          .filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0)
          .map(
            (s) =>
              `${Math.round((s.at - loadStart) / 1000)}: ${mb(s.appMb)}/${mb(s.redisMb)}/${s.keys}`,
          )
          .join(", ")}.`,
        `Per minute from the load's start (app MB / Redis MB): ${kindSamples
          .map((k) => `${minute(k.at)}: ${mb(k.appMb)}/${mb(k.redisMb)}`)
          .join(", ")}.`,
        `Keys by kind, per minute: ${series.join("; ")}. The load ran minutes 0-${settings.soakMinutes}; delivery window ${settings.soakDeliveryWindowSeconds} s (DELIVERY_DEDUP_WINDOW_MS), so the ids level off at rate × window; one costs ${Math.round(bytesPerDelivery)} B.`,
        `API requests from the load's start: ${requests.counted} (${requests.reads} reads, ${requests.writes} writes, ${requests.notModified} × 304), ${(requests.counted / Math.max(1, loop.sent)).toFixed(2)} per event; by route: ${requests.byRoute.split("; ").slice(0, 8).join("; ")}.`,
        `Redis keys at the end, by kind: ${formatKeyCounts(kindSamples[kindSamples.length - 1]?.counts ?? new Map())}.`,
        ...(non2xx > 0 ? [`Deliveries not acknowledged 2xx, by answer: ${answers(acked)}.`] : []),
        ...(audit.problems.length > 0
          ? [`Keys outside their kind: ${audit.problems.slice(0, 10).join("; ")}`]
          : []),
        ...(lostWhy.length > 0
          ? [`Lost PRs, by their deliveries: ${lostWhy.slice(0, 15).join(" | ")}`]
          : []),
      ],
    };
  });
}
