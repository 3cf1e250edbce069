import { type RedisClient, type RedisConnection, redisClient } from "./redis-connection.js";
import type { StateSpace, StateStore } from "./store.js";

/** Entries without a TTL of their own still leave Redis eventually. */
const DEFAULT_TTL_MS = 7 * 24 * 3600_000;

/**
 * The store shared by every process of one deployment (`REDIS_URL`): the
 * last verdict written on a head SHA, config ETags and the rest are one
 * truth, so a process never skips a write another has since overwritten.
 * Keys: `<prefix>:<space>:<key>`, JSON values, a TTL on every key. Every
 * command touches one key, so on a Redis Cluster the entries spread over
 * every slot (no hash tag needed).
 */
export class RedisStateStore implements StateStore {
  readonly #redis: RedisClient;

  constructor(
    connection: RedisConnection,
    private readonly prefix = "phase-gates:state",
  ) {
    this.#redis = redisClient(connection, {
      connectionName: "phase-gates-state",
      maxRetriesPerRequest: 2,
    });
  }

  #key(space: StateSpace<unknown>, key: string): string {
    return `${this.prefix}:${space.name}:${key}`;
  }

  async get<V>(space: StateSpace<V>, key: string): Promise<V | undefined> {
    const text = await this.#redis.get(this.#key(space, key));
    return text === null ? undefined : (JSON.parse(text) as V);
  }

  async set<V>(space: StateSpace<V>, key: string, value: V): Promise<void> {
    await this.#redis.set(
      this.#key(space, key),
      JSON.stringify(value),
      "PX",
      space.ttlMs ?? DEFAULT_TTL_MS,
    );
  }

  async add<V>(space: StateSpace<V>, key: string, value: V): Promise<boolean> {
    const answer = await this.#redis.set(
      this.#key(space, key),
      JSON.stringify(value),
      "PX",
      space.ttlMs ?? DEFAULT_TTL_MS,
      "NX",
    );
    return answer === "OK";
  }

  async delete<V>(space: StateSpace<V>, key: string): Promise<void> {
    await this.#redis.del(this.#key(space, key));
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
