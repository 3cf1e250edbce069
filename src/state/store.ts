/**
 * What the app remembers between jobs, in one place passed to every job
 * (`RepoJob.store`), never in module-level maps: with several processes a
 * per-process cache is wrong (one worker would skip a write another has
 * since overwritten), so with `REDIS_URL` the same interface is backed by
 * Redis and every process sees one truth.
 *
 * Each kind of entry is a `StateSpace`: a name, how long an entry lives, and
 * how many a process keeps in memory. Values are plain JSON data.
 */
export interface StateSpace<Value> {
  readonly name: string;
  /** How long an entry lives (absent: until evicted, or a week in Redis). */
  readonly ttlMs?: number;
  /** Entries kept in memory before the least recently used is dropped. */
  readonly limit?: number;
  /** Phantom: ties the value type to the space. */
  readonly _value?: Value;
}

export interface StateStore {
  get<V>(space: StateSpace<V>, key: string): Promise<V | undefined>;
  set<V>(space: StateSpace<V>, key: string, value: V): Promise<void>;
  /**
   * Sets the entry only when none is held (one atomic step, across processes
   * with Redis): true when this call set it. What lets N processes agree that
   * one of them, and only one, does something (e.g. a dashboard refresh).
   */
  add<V>(space: StateSpace<V>, key: string, value: V): Promise<boolean>;
  delete<V>(space: StateSpace<V>, key: string): Promise<void>;
  /** Releases connections (Redis); the in-memory store has none. */
  close(): Promise<void>;
}

export function space<Value>(
  name: string,
  options: { ttlMs?: number; limit?: number } = {},
): StateSpace<Value> {
  return { name, ...options };
}
