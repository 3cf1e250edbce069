import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InMemoryPendingDeployments,
  type PendingDeployment,
  type PendingDeployments,
} from "../../../src/app/shared/pending-deployments.js";
import { RedisPendingDeployments } from "../../../src/app/shared/redis-pending-deployments.js";
import { REDIS_KINDS, type RedisUnderTest, redisUnavailable } from "../../helpers/redis-server.js";

const ROCKET = { owner: "acme", repo: "rocket" };

function request(runId: number, environment: string, at: string, repo = ROCKET): PendingDeployment {
  return {
    repo,
    environment,
    runId,
    callbackUrl: `https://api.github.com/repos/${repo.owner}/${repo.repo}/actions/runs/${runId}/deployment_protection_rule`,
    receivedAt: at,
  };
}

/** The stores' clock: the requests below were received the day before. */
const NOW = Date.parse("2026-11-26T10:00:00Z");

/** The same contract for every store: what the deployment handler relies on. */
function contract(name: string, make: (now: () => number) => PendingDeployments) {
  describe(name, () => {
    it("lists a repository's requests oldest first, and only that repository's", async () => {
      const store = make(() => NOW);
      await store.put(request(2, "production", "2026-11-25T10:00:02Z"));
      await store.put(request(1, "production", "2026-11-25T10:00:01Z"));
      await store.put(
        request(3, "production", "2026-11-25T10:00:00Z", { owner: "acme", repo: "other" }),
      );
      expect((await store.list({ owner: "ACME", repo: "Rocket" })).map((p) => p.runId)).toEqual([
        1, 2,
      ]);
    });

    it("keeps one request per run and environment: a redelivery replaces, another environment adds", async () => {
      const store = make(() => NOW);
      await store.put(request(1, "production", "2026-11-25T10:00:00Z"));
      await store.put(request(1, "Production", "2026-11-25T10:00:05Z"));
      await store.put(request(1, "staging", "2026-11-25T10:00:06Z"));
      const listed = await store.list(ROCKET);
      expect(listed.map((p) => [p.environment, p.receivedAt])).toEqual([
        ["Production", "2026-11-25T10:00:05Z"],
        ["staging", "2026-11-25T10:00:06Z"],
      ]);
    });

    it("keeps a decided answer with its request until removed", async () => {
      const store = make(() => NOW);
      const answered = {
        ...request(1, "production", "2026-11-25T10:00:00Z"),
        answer: { state: "approved" as const, comment: "Approved: ok" },
      };
      await store.put(answered);
      expect(await store.list(ROCKET)).toEqual([answered]);
      await store.remove(answered);
      expect(await store.list(ROCKET)).toEqual([]);
    });

    it("drops the requests GitHub no longer holds (30 days) when another is put: a repository's requests stay bounded", async () => {
      let now = NOW;
      const store = make(() => now);
      await store.put(request(1, "production", "2026-11-25T10:00:00Z"));
      await store.put(request(2, "production", "2026-12-20T10:00:00Z"));
      now = Date.parse("2026-12-25T10:00:01Z");
      expect((await store.list(ROCKET)).map((p) => p.runId)).toEqual([1, 2]);
      await store.put(request(3, "production", "2026-12-25T10:00:00Z"));
      expect((await store.list(ROCKET)).map((p) => p.runId)).toEqual([2, 3]);
    });
  });
}

contract("InMemoryPendingDeployments", (now) => new InMemoryPendingDeployments(now));

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[pending-deployments.test] skipping Redis: ${noRedis}\n`);

describe.skipIf(noRedis !== null).each(REDIS_KINDS)("on $name", (kind) => {
  let redis: RedisUnderTest;
  const stores: RedisPendingDeployments[] = [];
  let prefix = 0;
  beforeAll(async () => {
    redis = await kind.start();
  }, 30_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await redis?.stop();
  });

  const open = (at: string, now?: () => number) => {
    const store = new RedisPendingDeployments(redis.connection, at, now);
    stores.push(store);
    return store;
  };

  // Each test its own key prefix: the stores share one Redis.
  contract("RedisPendingDeployments", (now) => open(`test:${++prefix}`, now));

  it("keeps requests across a restart of the app (a new client)", async () => {
    const first = open("restart");
    await first.put(request(7, "production", "2026-11-25T10:00:00Z"));
    const second = open("restart");
    expect((await second.list(ROCKET)).map((p) => p.runId)).toEqual([7]);
  });
});
