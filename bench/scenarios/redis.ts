import { CHECK_NAME } from "../../sandbox/actors.js";
import { pacingFloorSeconds } from "../../sandbox/emulator/index.js";
import type { RunningApp } from "../../sandbox/run-app.js";
import {
  type RedisServer,
  redisUnavailable,
  startRedis,
  startRedisCluster,
} from "../../test/helpers/redis-server.js";
import { openLoop } from "../harness/relay.js";
import { type ScenarioResult, zeroFigure } from "../harness/report.js";
import { apiRequests } from "../harness/requests.js";
import type { BenchSettings } from "../harness/settings.js";
import {
  approveGate,
  blockedRunCheck,
  createWorld,
  DEV,
  deliverTo,
  drained,
  openBlockedRunPrs,
  prepareRepository,
  settle,
  startPhaseGates,
  type World,
  waitUntilFinal,
} from "../harness/world.js";

/** Where the processes share their work: one redis-server, or a three-master Redis Cluster (REDIS_URL at a node). */
export type RedisTopology = "server" | "cluster";

export async function withRedis<T>(
  run: (redis: RedisServer, world: World) => Promise<T>,
  topology: RedisTopology = "server",
): Promise<T> {
  const redis = topology === "cluster" ? await startRedisCluster() : await startRedis();
  const world = await createWorld();
  try {
    return await run(redis, world);
  } finally {
    await world.close();
    await redis.stop();
  }
}

export async function startOnRedis(
  world: World,
  redis: RedisServer,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  try {
    return await startPhaseGates(world, { redisUrl: redis.url, env });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`the app did not start with REDIS_URL: ${message.split("\n")[0]}`);
  }
}

/**
 * Null when two app processes on one Redis act once on a delivery both
 * receive (the sign of a shared queue with de-duplication, SPEC §7), else
 * why scenarios 4 and 5 cannot show what they are for.
 */
export async function sharedQueue(): Promise<string | null> {
  const missing = redisUnavailable();
  if (missing) return missing;
  try {
    return await withRedis(async (redis, world) => {
      const apps = [await startOnRedis(world, redis), await startOnRedis(world, redis)];
      deliverTo(world, apps);
      await prepareRepository(world);
      // A PR opened quietly, then its `opened` delivery sent to both processes with one delivery id.
      const targets = world.relay.targets;
      world.relay.targets = [];
      let opened: Parameters<typeof world.relay.relayToAll>[0] | null = null;
      world.emu.state.onEvent((event) => {
        if (event.name === "pull_request" && event.action === "opened") opened = event;
      });
      const pr = world.emu.state.createPull(
        world.actors.repo(),
        { title: "Probe", labels: ["phase: run"], files: { "src/probe.ts": "export {};\n" } },
        world.emu.state.user(DEV),
      );
      world.relay.targets = targets;
      if (!opened) return "the probe's pull_request.opened event was not emitted";
      world.audit.reset();
      await world.relay.relayToAll(opened);
      await world.actors.waitForCheck(pr.number, {}, { timeoutMs: 60_000 });
      await drained(world, 3000, 60_000);
      const writes = world.audit.counts.checkWritesBySha.get(pr.pull?.headSha ?? "") ?? 0;
      return writes === 1
        ? null
        : `one delivery sent to two app processes on one Redis was acted on ${writes} times (${CHECK_NAME} writes): no shared, de-duplicated queue`;
    });
  } catch (error) {
    return error instanceof Error ? (error.message.split("\n")[0] ?? "error") : String(error);
  }
}

export function skipped(id: number, title: string, reason: string): ScenarioResult {
  return { id, title, skipped: reason, setup: {}, figures: [], seconds: 0 };
}

function headShas(world: World, prs: readonly number[]): string[] {
  return prs.map((n) => world.actors.issue(n).pull?.headSha ?? "");
}

/**
 * Two processes on one Redis; the one that got the gate's delivery is
 * SIGKILLed halfway through the flip. Scenario 4 on one redis-server, 7 on a
 * three-master Redis Cluster (REDIS_URL at one of its nodes).
 */
export async function twoProcesses(
  settings: BenchSettings,
  skip: string | null,
  topology: RedisTopology = "server",
): Promise<ScenarioResult> {
  const id = topology === "cluster" ? 9 : 4;
  const title = `two processes, one killed mid-flip${topology === "cluster" ? ", on a Redis Cluster" : ""}`;
  if (skip) return skipped(id, title, skip);
  const started = performance.now();
  return withRedis(async (redis, world) => {
    const apps = [await startOnRedis(world, redis), await startOnRedis(world, redis)];
    deliverTo(world, apps);
    const { walkGate } = await prepareRepository(world);
    const template = await blockedRunCheck(world);
    const all = [template.pr, ...openBlockedRunPrs(world, settings.killPrs - 1, template.check)];
    await settle(world);
    world.emu.requestLog.reset();
    world.audit.reset();
    const firstDelivery = world.relay.deliveries.length;
    const flipAt = performance.now();
    await approveGate(world, walkGate);
    await world.relay.idle();
    const gateDelivery = world.relay.deliveries
      .slice(firstDelivery)
      .find((d) => d.event === "issues" && d.action === "closed");
    const victim = apps[gateDelivery?.target ?? 0];
    const survivor = apps.find((a) => a !== victim);
    if (!victim || !survivor) throw new Error("two app processes expected");
    const half = Math.floor(all.length / 2);
    await world.actors.waitFor(() => world.audit.counts.checkWrites >= half, {
      what: `${half} check writes before the kill`,
      timeoutMs: 30 * 60_000,
      intervalMs: 20,
    });
    process.kill(victim.pid, "SIGKILL");
    const writesAtKill = world.audit.counts.checkWrites;
    deliverTo(world, [survivor]);
    const final = await waitUntilFinal(world, all, "success", {
      since: flipAt,
      stallMs: 60_000,
      timeoutMs: 30 * 60_000,
    });
    await drained(world, 3000, 60_000);
    const twice = world.audit.writtenTwice(headShas(world, all));
    const requests = apiRequests(world.emu.requestLog.entries);
    const floor = pacingFloorSeconds({ writes: all.length });
    return {
      id,
      title,
      setup: {
        openRunPrs: all.length,
        processes: 2,
        killedAfterCheckWrites: writesAtKill,
        ...(topology === "cluster" ? { redis: "3-master cluster" } : {}),
      },
      figures: [
        {
          name: "checks correct",
          value: `${all.length - final.missing.length}/${all.length}`,
          target: "all",
          met: final.missing.length === 0,
        },
        {
          name: "checks missing",
          value: final.missing.length,
          target: "0",
          met: final.missing.length === 0,
        },
        { name: "PRs written twice", value: twice, target: "0", met: twice === 0 },
        zeroFigure("secondary-limit 403s", requests.secondaryLimited),
        {
          name: "wall time until every check is final",
          value:
            final.missing.length === 0
              ? final.seconds
              : `stalled after ${final.seconds.toFixed(0)}`,
          unit: "s",
          floor,
        },
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        ...(topology === "cluster"
          ? [
              "Redis: a three-master Redis Cluster (redis-server --cluster-enabled yes), REDIS_URL at its first node.",
            ]
          : []),
        `Deliveries alternate between the two processes; the one that received the gate's issues.closed was SIGKILLed after ${writesAtKill} check writes. "Stalled" = no check write for 60 s with checks still missing.`,
      ],
    };
  }, topology);
}

/** A burst of pushes, the only process SIGKILLed as soon as all were acknowledged, a new one started on the same Redis. */
export async function restartDurability(
  settings: BenchSettings,
  skip: string | null,
): Promise<ScenarioResult> {
  const title = "restart durability";
  if (skip) return skipped(5, title, skip);
  const started = performance.now();
  return withRedis(async (redis, world) => {
    const first = await startOnRedis(world, redis);
    deliverTo(world, [first]);
    await prepareRepository(world);
    const template = await blockedRunCheck(world);
    const prs = [template.pr, ...openBlockedRunPrs(world, settings.restartPrs - 1, template.check)];
    await settle(world);
    world.emu.requestLog.reset();
    world.audit.reset();
    const before = world.relay.deliveries.length;
    const repo = world.actors.repo();
    const dev = world.emu.state.user(DEV);
    await openLoop(settings.rate, prs.length / settings.rate, (i) => {
      const pr = prs[i];
      if (pr !== undefined) world.emu.state.pushToPull(repo, pr, dev);
    });
    await world.relay.idle();
    process.kill(first.pid, "SIGKILL");
    const acked = world.relay.deliveries.slice(before);
    const writesBeforeKill = world.audit.counts.checkWrites;
    const second = await startOnRedis(world, redis);
    deliverTo(world, [second]);
    const restartedAt = performance.now();
    const final = await waitUntilFinal(world, prs, "failure", {
      since: restartedAt,
      stallMs: 60_000,
      timeoutMs: 15 * 60_000,
    });
    await drained(world, 3000, 60_000);
    const twice = world.audit.writtenTwice(headShas(world, prs));
    const non2xx = acked.filter((d) => d.status < 200 || d.status > 299).length;
    return {
      id: 5,
      title,
      setup: {
        prsPushed: prs.length,
        deliveries: acked.length,
        checkWritesBeforeKill: writesBeforeKill,
      },
      figures: [
        {
          name: "jobs done (check on every new head)",
          value: `${prs.length - final.missing.length}/${prs.length}`,
          target: "all",
          met: final.missing.length === 0,
        },
        { name: "PRs written twice", value: twice, target: "0", met: twice === 0 },
        { name: "deliveries not acknowledged 2xx", value: non2xx, target: "0", met: non2xx === 0 },
        {
          name: "time after restart until all final",
          value:
            final.missing.length === 0
              ? final.seconds
              : `stalled after ${final.seconds.toFixed(0)}`,
          unit: "s",
          floor: pacingFloorSeconds({ writes: prs.length - writesBeforeKill }),
        },
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        "The only process is SIGKILLed the moment every delivery of the burst has its 2xx; a new process starts on the same Redis and gets no redelivery (GitHub sends none).",
      ],
    };
  });
}
