import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  type ApiRequest,
  type BudgetLimit,
  GITHUB_SECONDARY_LIMITS,
  type WindowEntry,
  windowWait,
} from "../core/request-cost.js";
import { type RedisClient, type RedisConnection, redisClient } from "../state/redis-connection.js";

export type { ApiRequest, BudgetLimit } from "../core/request-cost.js";

/**
 * The pacing of every request a job client sends, reads and writes alike:
 * `take` resolves when the request fits the installation's secondary limits
 * (core/request-cost.ts) and counts it. One budget per process (in memory)
 * or per deployment (Redis), shared by every client of an installation.
 */
export interface RequestBudget {
  take(installationId: number, request: ApiRequest): Promise<void>;
  /**
   * Lets no request of the installation through for `ms` (a longer hold
   * already in place stays): what GitHub asks after a rate limit, for every
   * request, not only the one that drew the 403.
   */
  hold(installationId: number, ms: number): Promise<void>;
  /**
   * When the installation's hold ends (ms since the epoch; 0 or a past time:
   * not held). The job queues ask it before starting a job of the
   * installation, so held work waits beside the queue, not in a worker.
   */
  heldUntil(installationId: number): Promise<number>;
  /**
   * Calls `listener` when a request of an installation starts waiting in
   * this process for room in its windows (`paced` true) and when that wait
   * is over (false). The in-process queue lends the worker slots of a paced
   * installation's jobs to other installations meanwhile: a job asleep on
   * its own installation's budget must not keep another installation's
   * first job waiting. Returns the way to stop listening.
   */
  watchPacing(listener: PacingListener): () => void;
  /** Stops the budget: waiting and later `take`s reject with RequestBudgetClosed. */
  close(): Promise<void>;
}

/** Time as the budget sees it; tests pass a fake one that sleeps by moving its hands. */
export interface BudgetClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: BudgetClock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
};

/**
 * A request that was not sent because its budget closed (shutdown). Named
 * `AbortError` because Octokit passes such an error through as it is, where
 * it would turn any other into a 500 that plugin-retry retries for 14 s.
 */
export class RequestBudgetClosed extends Error {
  override readonly name = "AbortError";

  constructor() {
    super("request budget closed: the request was not sent");
  }
}

export function isRequestBudgetClosed(error: unknown): error is RequestBudgetClosed {
  return error instanceof RequestBudgetClosed;
}

export type PacingListener = (installationId: number, paced: boolean) => void;

/**
 * The installations with a request asleep in this process's budget, told to
 * whoever watches: paced from the first of its requests that sleeps for room
 * until the last such one is admitted (its pools wait in lines of their own,
 * so several can sleep at once).
 */
class PacedInstallations {
  readonly #sleeping = new Map<number, number>();
  readonly #listeners = new Set<PacingListener>();

  watch(listener: PacingListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Runs one request's admission, counted asleep from the first time it
   * calls `sleeping` (before its first sleep) until it ends, however it ends.
   */
  async around(
    installationId: number,
    admit: (sleeping: () => void) => Promise<void>,
  ): Promise<void> {
    let asleep = false;
    try {
      await admit(() => {
        if (asleep) return;
        asleep = true;
        this.#mark(installationId, true);
      });
    } finally {
      if (asleep) this.#mark(installationId, false);
    }
  }

  /** One more (`true`) or one fewer (`false`) of the installation's requests asleep. */
  #mark(installationId: number, asleep: boolean): void {
    const before = this.#sleeping.get(installationId) ?? 0;
    const after = Math.max(0, before + (asleep ? 1 : -1));
    if (after === 0) this.#sleeping.delete(installationId);
    else this.#sleeping.set(installationId, after);
    if ((before === 0) !== (after === 0))
      for (const listener of this.#listeners) listener(installationId, after > 0);
  }
}

/**
 * Requests of one installation and pool wait in arrival order: a cheap GET
 * never overtakes a queued write of its pool, while a pool with room does not
 * wait behind a full one (GitHub counts points per endpoint).
 */
class FifoByLine {
  readonly #tails = new Map<string, Promise<unknown>>();

  run(line: string, admit: () => Promise<void>): Promise<void> {
    const previous = this.#tails.get(line) ?? Promise.resolve();
    // The previous request's failure is its caller's to handle, not a reason to stop this one.
    const next = previous.then(admit, admit);
    const tail = next.catch(() => undefined);
    this.#tails.set(line, tail);
    void tail.then(() => {
      if (this.#tails.get(line) === tail) this.#tails.delete(line);
    });
    return next;
  }
}

/** The line a request waits in: its installation and the pools it counts in. */
const lineOf = (installationId: number, charges: Charges): string =>
  `${installationId}|${charges.pools.join("|")}`;

/** Sleeps through `clock`, rejecting with RequestBudgetClosed when `signal` aborts. */
async function sleepUnlessClosed(clock: BudgetClock, ms: number, signal: AbortSignal) {
  if (signal.aborted) throw new RequestBudgetClosed();
  try {
    await clock.sleep(ms, signal);
  } catch (error) {
    if (signal.aborted) throw new RequestBudgetClosed();
    throw error;
  }
  if (signal.aborted) throw new RequestBudgetClosed();
}

/** Admissions between two sweeps of quiet installations. */
const SWEEP_EVERY = 1000;

export interface BudgetOptions {
  /** Default: GitHub's documented secondary limits (core/request-cost.ts). */
  limits?: readonly BudgetLimit[];
  clock?: BudgetClock;
}

/** Where a request counts for each limit: its cost and, for limits with pools, which pool. */
interface Charges {
  costs: readonly number[];
  /** Per limit: the pool's name, "" for a limit without pools. */
  pools: readonly string[];
}

function chargesOf(limits: readonly BudgetLimit[], request: ApiRequest): Charges {
  return {
    costs: limits.map((limit) => limit.cost(request)),
    pools: limits.map((limit) => limit.pool?.(request) ?? ""),
  };
}

/**
 * The budget of one process: a rolling window per limit (and pool) and
 * installation. Right when a single process talks to GitHub for an installation.
 */
export class InMemoryRequestBudget implements RequestBudget {
  readonly #limits: readonly BudgetLimit[];
  readonly #clock: BudgetClock;
  readonly #closed = new AbortController();
  readonly #fifo = new FifoByLine();
  readonly #pacing = new PacedInstallations();
  /** installation → the log of each limit's pool (`<limit index>:<pool>`), oldest first. */
  readonly #logs = new Map<number, Map<string, WindowEntry[]>>();
  /** installation → time before which nothing goes (a rate limit GitHub reported). */
  readonly #heldUntil = new Map<number, number>();
  #admitted = 0;

  constructor(options: BudgetOptions = {}) {
    this.#limits = options.limits ?? GITHUB_SECONDARY_LIMITS;
    this.#clock = options.clock ?? systemClock;
  }

  take(installationId: number, request: ApiRequest): Promise<void> {
    if (this.#closed.signal.aborted) return Promise.reject(new RequestBudgetClosed());
    const charges = chargesOf(this.#limits, request);
    return this.#fifo.run(lineOf(installationId, charges), () =>
      this.#pacing.around(installationId, (sleeping) =>
        this.#admit(installationId, charges, sleeping),
      ),
    );
  }

  async #admit(
    installationId: number,
    { costs, pools }: Charges,
    sleeping: () => void,
  ): Promise<void> {
    for (;;) {
      if (this.#closed.signal.aborted) throw new RequestBudgetClosed();
      const now = this.#clock.now();
      const logs = this.#prune(installationId, now);
      const logOf = (i: number): WindowEntry[] => {
        const key = `${i}:${pools[i] ?? ""}`;
        let log = logs.get(key);
        if (!log) {
          log = [];
          logs.set(key, log);
        }
        return log;
      };
      const held = (this.#heldUntil.get(installationId) ?? now) - now;
      if (held <= 0) this.#heldUntil.delete(installationId);
      const wait = Math.max(
        held,
        ...this.#limits.map((limit, i) =>
          (costs[i] ?? 0) > 0 ? windowWait(logOf(i), now, limit, costs[i] ?? 0) : 0,
        ),
      );
      if (wait === 0) {
        costs.forEach((cost, i) => {
          if (cost > 0) logOf(i).push({ at: now, cost });
        });
        if (++this.#admitted % SWEEP_EVERY === 0) this.#sweep(now);
        return;
      }
      sleeping();
      await sleepUnlessClosed(this.#clock, wait, this.#closed.signal);
    }
  }

  /** Drops what left the windows (and emptied pools), so an installation's memory is bounded by its limits. */
  #prune(installationId: number, now: number): Map<string, WindowEntry[]> {
    const logs = this.#logs.get(installationId) ?? new Map<string, WindowEntry[]>();
    this.#logs.set(installationId, logs);
    for (const [key, log] of logs) {
      const limit = this.#limits[Number(key.slice(0, key.indexOf(":")))];
      const firstLive = limit ? log.findIndex((entry) => entry.at > now - limit.windowMs) : -1;
      log.splice(0, firstLive === -1 ? log.length : firstLive);
      if (log.length === 0) logs.delete(key);
    }
    return logs;
  }

  async hold(installationId: number, ms: number): Promise<void> {
    const until = this.#clock.now() + ms;
    if (until > (this.#heldUntil.get(installationId) ?? 0))
      this.#heldUntil.set(installationId, until);
  }

  async heldUntil(installationId: number): Promise<number> {
    return this.#heldUntil.get(installationId) ?? 0;
  }

  watchPacing(listener: PacingListener): () => void {
    return this.#pacing.watch(listener);
  }

  /** Forgets installations whose windows emptied, so a long-lived process does not keep every org it ever served. */
  #sweep(now: number): void {
    for (const installationId of [...this.#logs.keys()]) {
      if (this.#prune(installationId, now).size === 0) this.#logs.delete(installationId);
    }
  }

  /** Installations with requests still inside a window (for tests). */
  get trackedInstallations(): number {
    return this.#logs.size;
  }

  async close(): Promise<void> {
    this.#closed.abort();
  }
}

/** `now` from ARGV[1], or Redis's clock when ARGV[1] is empty. */
const NOW_LUA = `
local now = tonumber(ARGV[1])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`;

/**
 * KEYS[1]: the hold key; ARGV: now (as above), ms. Keeps the later of the
 * held time and now + ms; the key expires with the hold.
 */
const HOLD_SCRIPT = `
${NOW_LUA}
local ms = math.ceil(tonumber(ARGV[2]))
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > held then
  redis.call('SET', KEYS[1], string.format('%.0f', now + ms), 'PX', ms)
end
return 0
`;

/**
 * Atomically: drop what left each window, and either count the request in
 * every window it costs something in (→ 0) or count nothing and answer how
 * many milliseconds until it fits (→ > 0). The same rule as core's
 * windowWait, in Lua so that every process sees one count.
 *
 * KEYS[i]: the sorted set of limit i (member `<id>:<cost>`, score = time);
 * the last key: the time before which nothing goes (RedisRequestBudget.hold).
 * ARGV: now ("" = Redis's own clock, one clock for every process), member id,
 * then per limit: window ms, capacity, cost.
 */
const TAKE_SCRIPT = `
${NOW_LUA}
local id = ARGV[2]
local limits = #KEYS - 1
local wait = math.max(0, tonumber(redis.call('GET', KEYS[#KEYS]) or '0') - now)
for i = 1, limits do
  local base = 2 + (i - 1) * 3
  local window = tonumber(ARGV[base + 1])
  local capacity = tonumber(ARGV[base + 2])
  local cost = math.min(tonumber(ARGV[base + 3]), capacity)
  if cost > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', string.format('%.0f', now - window))
    local entries = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES')
    local used = 0
    for j = 1, #entries, 2 do
      used = used + tonumber(string.match(entries[j], ':(%d+)$'))
    end
    local over = used + cost - capacity
    if over > 0 then
      local freed = 0
      for j = 1, #entries, 2 do
        freed = freed + tonumber(string.match(entries[j], ':(%d+)$'))
        if freed >= over then
          wait = math.max(wait, tonumber(entries[j + 1]) + window - now)
          break
        end
      end
    end
  end
end
if wait > 0 then
  return wait
end
for i = 1, limits do
  local base = 2 + (i - 1) * 3
  local window = tonumber(ARGV[base + 1])
  local cost = math.min(tonumber(ARGV[base + 3]), tonumber(ARGV[base + 2]))
  if cost > 0 then
    redis.call('ZADD', KEYS[i], string.format('%.0f', now), id .. ':' .. cost)
    redis.call('PEXPIRE', KEYS[i], window)
  end
end
return 0
`;

interface BudgetCommands {
  phaseGatesTakeBudget(...args: (string | number)[]): Promise<number>;
  phaseGatesHoldBudget(key: string, now: string, ms: number): Promise<number>;
}

export interface RedisBudgetOptions extends BudgetOptions {
  /** Prefix of the budget's keys (default `phase-gates:budget`). */
  keyPrefix?: string;
}

/**
 * The budget of every process connected to one Redis (`REDIS_URL`): the
 * windows are sorted sets per installation, limit and pool, checked and counted by
 * one Lua script, so N processes together stay inside one installation's
 * limits. Arrival order holds within a process; across processes the first
 * to ask when the window has room wins. Without a `clock`, time is Redis's
 * own, so processes on machines whose clocks disagree still count alike.
 */
export class RedisRequestBudget implements RequestBudget {
  readonly #client: RedisClient & BudgetCommands;
  readonly #limits: readonly BudgetLimit[];
  readonly #clock: BudgetClock;
  readonly #useServerTime: boolean;
  readonly #prefix: string;
  readonly #closed = new AbortController();
  readonly #fifo = new FifoByLine();
  readonly #pacing = new PacedInstallations();
  /** Makes each counted request a distinct member of the sorted sets. */
  readonly #process = randomUUID();
  #counter = 0;

  constructor(connection: RedisConnection, options: RedisBudgetOptions = {}) {
    this.#limits = options.limits ?? GITHUB_SECONDARY_LIMITS;
    this.#clock = options.clock ?? systemClock;
    this.#useServerTime = options.clock === undefined;
    this.#prefix = options.keyPrefix ?? "phase-gates:budget";
    const client = redisClient(connection, {
      connectionName: "phase-gates-budget",
      lazyConnect: true,
    });
    client.defineCommand("phaseGatesTakeBudget", {
      numberOfKeys: this.#limits.length + 1,
      lua: TAKE_SCRIPT,
    });
    client.defineCommand("phaseGatesHoldBudget", { numberOfKeys: 1, lua: HOLD_SCRIPT });
    this.#client = client as RedisClient & BudgetCommands;
  }

  /**
   * `{<installation>}` is a hash tag: one installation's keys live in one
   * slot of a Redis Cluster. A limit with pools has a key per pool.
   */
  #keys(installationId: number, pools: readonly string[]): string[] {
    return [
      ...this.#limits.map((limit, i) => {
        const pool = pools[i] ? `:${pools[i]}` : "";
        return `${this.#prefix}:{${installationId}}:${limit.name}${pool}`;
      }),
      this.#holdKey(installationId),
    ];
  }

  #holdKey(installationId: number): string {
    return `${this.#prefix}:{${installationId}}:hold`;
  }

  #now(): string {
    return this.#useServerTime ? "" : String(Math.floor(this.#clock.now()));
  }

  async hold(installationId: number, ms: number): Promise<void> {
    if (ms <= 0) return;
    await this.#client.phaseGatesHoldBudget(this.#holdKey(installationId), this.#now(), ms);
  }

  take(installationId: number, request: ApiRequest): Promise<void> {
    if (this.#closed.signal.aborted) return Promise.reject(new RequestBudgetClosed());
    const charges = chargesOf(this.#limits, request);
    return this.#fifo.run(lineOf(installationId, charges), () =>
      this.#pacing.around(installationId, (sleeping) =>
        this.#admit(installationId, charges, sleeping),
      ),
    );
  }

  /** The hold key's time; the queue compares it with its own clock (the hold's length is Redis's). */
  async heldUntil(installationId: number): Promise<number> {
    return Number(await this.#client.get(this.#holdKey(installationId))) || 0;
  }

  watchPacing(listener: PacingListener): () => void {
    return this.#pacing.watch(listener);
  }

  async #admit(
    installationId: number,
    { costs, pools }: Charges,
    sleeping: () => void,
  ): Promise<void> {
    const keys = this.#keys(installationId, pools);
    const member = `${this.#process}-${++this.#counter}`;
    // Whole milliseconds, so that every score and wait is one (Redis answers a script with an integer).
    const perLimit = this.#limits.flatMap((limit, i) => [
      Math.ceil(limit.windowMs),
      limit.capacity,
      costs[i] ?? 0,
    ]);
    for (;;) {
      if (this.#closed.signal.aborted) throw new RequestBudgetClosed();
      const wait = Number(
        await this.#client.phaseGatesTakeBudget(...keys, this.#now(), member, ...perLimit),
      );
      if (wait <= 0) return;
      sleeping();
      await sleepUnlessClosed(this.#clock, wait, this.#closed.signal);
    }
  }

  async close(): Promise<void> {
    this.#closed.abort();
    if (this.#client.status === "ready") await this.#client.quit();
    else this.#client.disconnect();
  }
}

/** The budget for this deployment: shared through Redis when `REDIS_URL` is set, else this process's own. */
export function requestBudgetFor(redis: RedisConnection | undefined): RequestBudget {
  return redis ? new RedisRequestBudget(redis) : new InMemoryRequestBudget();
}

/**
 * At most `max` requests in flight per installation in this process, the
 * rest waiting in arrival order. GitHub allows 100 concurrent requests; the
 * budget's windows let a minute's requests go at once (180 writes), so
 * without a cap a flip would send them together. The cap is per process:
 * ten processes at the default 10 stay at GitHub's 100.
 */
export class ConcurrencyCap {
  readonly #max: number;
  readonly #running = new Map<number, number>();
  readonly #waiting = new Map<number, (() => void)[]>();

  constructor(max = 10) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be ≥ 1, got ${max}`);
    this.#max = max;
  }

  /** Resolves with the function that frees the slot (calling it twice frees it once). */
  async acquire(installationId: number): Promise<() => void> {
    const running = this.#running.get(installationId) ?? 0;
    if (running < this.#max) {
      this.#running.set(installationId, running + 1);
    } else {
      const queue = this.#waiting.get(installationId) ?? [];
      this.#waiting.set(installationId, queue);
      // The slot is handed over by `release` without ever being free, so no newcomer can take it.
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release(installationId);
    };
  }

  #release(installationId: number): void {
    const queue = this.#waiting.get(installationId);
    const next = queue?.shift();
    if (queue?.length === 0) this.#waiting.delete(installationId);
    if (next) {
      next();
      return;
    }
    const running = (this.#running.get(installationId) ?? 1) - 1;
    if (running === 0) this.#running.delete(installationId);
    else this.#running.set(installationId, running);
  }

  /** Requests in flight for an installation (for tests and metrics). */
  inFlight(installationId: number): number {
    return this.#running.get(installationId) ?? 0;
  }
}
