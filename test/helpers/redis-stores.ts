import { afterAll, beforeAll } from "vitest";
import { RedisStateStore } from "../../src/state/redis-store.js";
import { type RedisServer, startRedis } from "./redis-server.js";

/**
 * One redis-server for the calling describe block, and state stores on it:
 * `store(prefix)` is one process's client of the deployment whose keys start
 * with `prefix` (two calls with one prefix: two processes sharing a Redis).
 * Everything is closed after the block.
 */
export function useRedisStores(): { store: (prefix: string) => RedisStateStore } {
  let redis: RedisServer | undefined;
  const stores: RedisStateStore[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  }, 20_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await redis?.stop();
  });
  return {
    store: (prefix) => {
      if (!redis) throw new Error("redis-server is not running");
      const store = new RedisStateStore(redis.url, prefix);
      stores.push(store);
      return store;
    },
  };
}
