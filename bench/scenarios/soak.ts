import { Redis } from "ioredis";
import { type Actors, createActors } from "../../sandbox/actors.js";
import { keysWithoutTtl, redisUnavailable } from "../../test/helpers/redis-server.js";
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
/** Keys without a TTL that are bounded by design (test/e2e/operate.test.ts holds the same list). */
const BOUNDED_BY_DESIGN = [/^pg:bull:drain:(id|meta|events)$/, /^pg:q:repos$/];

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

/** Keys by kind (delivery ids, each store space, budget windows, queue), with how many carry a TTL. */
async function keyClasses(client: Redis): Promise<string> {
  const classes = new Map<string, number>();
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      const kind =
        /^(phase-gates:state:[^:]+)/.exec(key)?.[1] ??
        /^(pg:delivery|pg:bull|pg:q|phase-gates:budget|phase-gates:deployments)/.exec(key)?.[1] ??
        "other";
      classes.set(kind, (classes.get(kind) ?? 0) + 1);
    }
  } while (cursor !== "0");
  return [...classes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
}

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
  let lost = 0;
  let wrong = 0;
  for (const tenant of tenants) {
    const repo = tenant.actors.repo();
    const latest = latestRuns(repo);
    for (const n of tenant.prs) {
      if (!touched.has(`${repo.full_name}#${n}`)) continue;
      const run = latest.get(world.emu.state.issue(repo, n).pull?.headSha ?? "");
      if (!run) lost += 1;
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

const growth = (from: number | null, to: number | null): number | null =>
  from && to ? ((to - from) / from) * 100 : null;

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
    const apps = [await startOnRedis(world, redis), await startOnRedis(world, redis)];
    deliverTo(world, apps);
    const tenants = await prepareTenants(world, settings);
    const setupSeconds = (performance.now() - started) / 1000;
    const client = new Redis(redis.url);
    const samples: Sample[] = [];
    const sample = async () => {
      const memory = await redisMemory(client);
      const rss = apps.map((app) => rssMb(app.pid));
      const appMb = rss.every((mb) => mb !== null)
        ? rss.reduce<number>((sum, mb) => sum + (mb ?? 0), 0)
        : null;
      samples.push({ at: performance.now(), appMb, redisMb: memory.mb, keys: memory.keys });
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
    const dev = world.emu.state.user(DEV);
    const loadStart = performance.now();
    const timer = setInterval(() => void sample(), SAMPLE_MS);
    await sample();
    let loop: Awaited<ReturnType<typeof openLoop>>;
    try {
      loop = await openLoop(settings.soakRate, settings.soakMinutes * 60, (i) => {
        const tenant = tenants[next() % tenants.length];
        if (!tenant) return;
        const pr = tenant.prs[next() % tenant.prs.length] ?? 0;
        const repo = tenant.actors.repo();
        const id = `${repo.full_name}#${pr}`;
        touched.add(id);
        const slot = i % 20;
        if (slot === 0) world.emu.state.pushToPull(repo, pr, dev);
        else if (slot <= 10) {
          if (noise.delete(id)) world.emu.state.removeLabel(repo, pr, "noise", dev);
          else {
            world.emu.state.addLabels(repo, pr, ["noise"], dev);
            noise.add(id);
          }
        } else world.emu.state.updateIssue(repo, pr, { body: `Soak work, rev ${i}.` }, dev);
      });
      await world.relay.idle();
      // Until every touched PR's check is on its head, or nothing is written for a minute.
      const deadline = performance.now() + 10 * 60_000;
      let last = world.audit.counts.checkWrites;
      let lastChange = performance.now();
      while (performance.now() < deadline && performance.now() - lastChange < 60_000) {
        if (verdicts(world, tenants, touched).lost === 0) break;
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
    }
    const classes = await keyClasses(client);
    const unbounded = (await keysWithoutTtl([redis.url])).filter(
      (key) => !BOUNDED_BY_DESIGN.some((pattern) => pattern.test(key)),
    );
    client.disconnect();

    const final = verdicts(world, tenants, touched);
    const acked = world.relay.deliveries.slice(firstDelivery);
    const non2xx = acked.filter((d) => d.status < 200 || d.status > 299).length;
    const requests = apiRequests(world.emu.requestLog.entries);
    // Warm-up: the first fifth of the load, at least a minute (caches fill, the JIT settles).
    const warmUpMs = Math.max(60_000, (settings.soakMinutes * 60_000) / 5);
    const afterWarmUp = samples.filter((s) => s.at >= loadStart + warmUpMs);
    const atWarmUp = afterWarmUp[0];
    const end = samples[samples.length - 1];
    const appGrowth = growth(atWarmUp?.appMb ?? null, end?.appMb ?? null);
    const redisGrowth = growth(atWarmUp?.redisMb ?? null, end?.redisMb ?? null);
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
          name: "app RSS growth after warm-up",
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
          name: "Redis memory growth after warm-up",
          value: redisGrowth === null ? "n/a" : Number(redisGrowth.toFixed(1)),
          unit: "%",
        },
        zeroFigure("Redis keys without a TTL, not bounded by design", unbounded.length),
        zeroFigure("lost (touched PR, no check on its head)", final.lost),
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
        `Redis keys at the end, by kind: ${classes}.`,
        ...(non2xx > 0 ? [`Deliveries not acknowledged 2xx, by answer: ${answers(acked)}.`] : []),
        ...(unbounded.length > 0 ? [`Keys without TTL: ${unbounded.slice(0, 10).join(", ")}`] : []),
      ],
    };
  });
}
