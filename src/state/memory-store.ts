import type { StateSpace, StateStore } from "./store.js";

const DEFAULT_LIMIT = 10_000;

interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * The store of one process (the default, and every test's): a least-recently
 * used map per space, entries expiring after the space's TTL. Values are
 * copied in and out through JSON so callers can never share a mutable object
 * with the store — what works here works the same against Redis.
 */
export class MemoryStateStore implements StateStore {
  readonly #spaces = new Map<string, Map<string, Entry>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get<V>(space: StateSpace<V>, key: string): Promise<V | undefined> {
    const entries = this.#spaces.get(space.name);
    const entry = entries?.get(key);
    if (!entries || !entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      entries.delete(key);
      return undefined;
    }
    // Re-inserting keeps the map in least-recently-used order.
    entries.delete(key);
    entries.set(key, entry);
    return JSON.parse(entry.value as string) as V;
  }

  async add<V>(space: StateSpace<V>, key: string, value: V): Promise<boolean> {
    if ((await this.get(space, key)) !== undefined) return false;
    await this.set(space, key, value);
    return true;
  }

  async set<V>(space: StateSpace<V>, key: string, value: V): Promise<void> {
    let entries = this.#spaces.get(space.name);
    if (!entries) {
      entries = new Map();
      this.#spaces.set(space.name, entries);
    }
    entries.delete(key);
    const limit = space.limit ?? DEFAULT_LIMIT;
    while (entries.size >= limit) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    entries.set(key, {
      value: JSON.stringify(value),
      expiresAt: space.ttlMs === undefined ? Number.POSITIVE_INFINITY : this.now() + space.ttlMs,
    });
  }

  async delete<V>(space: StateSpace<V>, key: string): Promise<void> {
    this.#spaces.get(space.name)?.delete(key);
  }

  async close(): Promise<void> {}

  /** Entries held (tests, and the RSS benchmark). */
  size(): number {
    let n = 0;
    for (const entries of this.#spaces.values()) n += entries.size;
    return n;
  }
}
