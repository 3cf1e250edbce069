import { randomUUID } from "node:crypto";
import pino from "pino";
import type { Logger } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeJobs } from "../../src/app/jobs/coalesce.js";
import { DEFAULT_DELIVERY_WINDOW_MS, type JobData } from "../../src/app/jobs/job.js";
import { RedisJobQueue } from "../../src/app/jobs/redis-queue.js";
import { ReportPacer, systemClock } from "../../src/app/jobs/report-pacer.js";
import { LinkIndex } from "../../src/app/shared/link-index.js";
import { RedisPendingDeployments } from "../../src/app/shared/redis-pending-deployments.js";
import { RedisRequestBudget } from "../../src/github/request-budget.js";
import { redisClient } from "../../src/state/redis-connection.js";
import { RedisStateStore } from "../../src/state/redis-store.js";
import { space } from "../../src/state/store.js";
import { auditRedisKeys, redisKeyKinds } from "../helpers/redis-keys.js";
import { REDIS_KINDS, type RedisUnderTest, redisUnavailable } from "../helpers/redis-server.js";

// Redis memory stays flat under steady load only if every key the app writes
// expires or is bounded: the app's Redis pieces, with production prefixes and
// defaults, run a workload, then every key is held to its kind
// (test/helpers/redis-keys.ts, ARCHITECTURE.md "Redis keys").

const log = pino({ level: "silent" }) as unknown as Logger;
const LOCK_MS = 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[redis-keys.test] skipping: ${noRedis}\n`);

/** A PR event's job: one per delivery, coalescing per PR as the app's do. */
function prJob(installationId: number, repo: string, pr: number, deliveryId: string): JobData {
  return {
    kind: "pull_request",
    deliveryId,
    installationId,
    repo: { owner: `org-${installationId}`, repo },
    input: { pr },
    coalesce: `pr#${pr}:`,
    receivedAt: Date.now(),
  };
}

describe.skipIf(noRedis !== null).each(REDIS_KINDS)("on $name", (kind) => {
  let redis: RedisUnderTest;
  beforeAll(async () => {
    redis = await kind.start();
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it("leaves every key with a TTL within its kind's, or bounded by count, after jobs ran through the queue, store, budget, pacer, link index and deployments", {
    timeout: 60_000,
  }, async () => {
    const budget = new RedisRequestBudget(redis.connection);
    const store = new RedisStateStore(redis.connection);
    const deployments = new RedisPendingDeployments(redis.connection);
    const pacer = new ReportPacer(systemClock, 200, store);
    const links = new LinkIndex(store);
    // A space without a TTL of its own, as the per-head check record is.
    const perHead = space<{ id: number }>("check-run", { limit: 20_000 });
    const failures: string[] = [];
    const queue = new RedisJobQueue({
      connection: redis.connection,
      lockMs: LOCK_MS,
      merge: mergeJobs,
      log,
      holds: budget,
      onError: (error, job) => failures.push(`${job.deliveryId}: ${String(error)}`),
    });
    let ran = 0;
    /** Keys of no kind, or out of bounds, while work is in flight (looked at once, mid-run). */
    let midRun: string[] | null = null;
    queue.start(async (job) => {
      ran += 1;
      if (ran === 5) {
        // A push while this repository's ticket runs: BullMQ keeps the next ticket aside (`dn:`).
        await queue.push(prJob(job.installationId ?? 0, job.repo.repo, 99, `mid-run-${ran}`));
        midRun = (await auditRedisKeys(redis.nodes, redisKeyKinds({ lockMs: LOCK_MS }))).problems;
      }
      const { pr } = job.input as { pr: number };
      const installation = job.installationId ?? 0;
      await budget.take(installation, { method: "GET", url: "/repos/o/r/pulls" });
      await budget.take(installation, { method: "POST", url: "/repos/o/r/issues/1/comments" });
      await store.set(perHead, `${job.repo.repo}@${randomUUID()}`, { id: pr });
      await links.pullLinks(job.repo, async () => [{ number: pr, refs: [] }]);
      await pacer.activity(`${job.repo.owner}/${job.repo.repo}`, () => {});
      if (pr === 13) throw new Error("a job that fails");
      await deployments.put({
        repo: job.repo,
        environment: "production",
        runId: pr,
        callbackUrl: "https://example.invalid/",
        receivedAt: new Date().toISOString(),
      });
    });
    // Installation 2 is held (a retry-after): its tickets wait in BullMQ's delayed set.
    await budget.hold(2, 300);
    let deliveries = 0;
    for (let round = 0; round < 3; round++) {
      for (const installation of [1, 2, 3]) {
        for (const repo of ["rocket", "probe"]) {
          for (const pr of [11, 12, 13]) {
            const id = `delivery-${++deliveries}`;
            expect(await queue.push(prJob(installation, repo, pr, id))).toBe(true);
            // A duplicate delivery: skipped, its id kept for the window.
            if (pr === 12) expect(await queue.push(prJob(installation, repo, pr, id))).toBe(false);
          }
        }
      }
    }
    await queue.idle();
    // The pacer's timers (200 ms) run their refreshes, then the keys are looked at.
    await sleep(400);
    expect(ran).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    await queue.close();
    await Promise.all([budget.close(), store.close(), deployments.close()]);

    const audit = await auditRedisKeys(redis.nodes, redisKeyKinds({ lockMs: LOCK_MS }), {
      drained: true,
    });
    expect(midRun).toEqual([]);
    expect(audit.problems).toEqual([]);
    // The workload wrote every kind it stands for.
    expect(Object.fromEntries(audit.counts)).toMatchObject({
      "delivery ids": deliveries + 1,
      "queue: turn counters": 3,
      "the store": expect.any(Number),
      "request budget: windows and holds": expect.any(Number),
      "pending deployments": 6,
    });
    expect([...audit.counts.keys()].some((name) => name.startsWith("BullMQ"))).toBe(true);
  });

  it("keeps a delivery id for the window (an hour by default), then it expires", {
    timeout: 30_000,
  }, async () => {
    const client = redisClient(redis.connection, { connectionName: "test" });
    const queues = [undefined, 300].map(
      (deliveryWindowMs) =>
        new RedisJobQueue({
          connection: redis.connection,
          prefix: `window-${deliveryWindowMs ?? "default"}`,
          merge: mergeJobs,
          log,
          ...(deliveryWindowMs ? { deliveryWindowMs } : {}),
        }),
    );
    try {
      const [byDefault, short] = queues;
      if (!byDefault || !short) throw new Error("two queues");
      await byDefault.push(prJob(1, "rocket", 1, "d-default"));
      await short.push(prJob(1, "rocket", 1, "d-short"));
      const hour = await client.pttl("window-default:delivery:d-default");
      expect(hour).toBeGreaterThan(DEFAULT_DELIVERY_WINDOW_MS - 60_000);
      expect(hour).toBeLessThanOrEqual(DEFAULT_DELIVERY_WINDOW_MS);
      expect(await client.pttl("window-300:delivery:d-short")).toBeLessThanOrEqual(300);
      await sleep(400);
      expect(await client.exists("window-300:delivery:d-short")).toBe(0);
      expect(await short.push(prJob(1, "rocket", 1, "d-short"))).toBe(true);
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
      await client.quit();
    }
  });
});
