import { Redis } from "ioredis";
import { DEFAULT_DELIVERY_WINDOW_MS } from "../../src/app/jobs/job.js";

/**
 * Every kind of key the app writes in Redis, with what keeps it from growing:
 * a TTL no longer than `maxTtlMs`, or, for keys without one, a bound named in
 * `bound` (and checked by `check` where a number says it). ARCHITECTURE.md
 * "Redis keys" is the same table in words. A key of no kind here is a key
 * nobody accounted for: the audit reports it.
 */
export interface RedisKeyKind {
  name: string;
  pattern: RegExp;
  /** The longest TTL a key of this kind may carry; null: it has none, `bound` bounds it. */
  maxTtlMs: number | null;
  /** Why a key without a TTL does not grow without end. */
  bound?: string;
  /**
   * Work in flight: such keys exist only while a job waits or runs, and are
   * gone once every queue drained (the audit's `drained` asks for that).
   */
  inFlight?: boolean;
  /** The bound, checked on one key now: a problem, or null. */
  check?: (client: Redis, key: string) => Promise<string | null>;
}

export interface KeyPrefixes {
  /** The queue's prefix (`pg`); on a cluster its keys start with `{pg}`. */
  queue?: string;
  state?: string;
  budget?: string;
  deployments?: string;
  /** The delivery window the app runs with (DELIVERY_DEDUP_WINDOW_MS). */
  deliveryWindowMs?: number;
  /** The queue's repository lock TTL (RedisQueueOptions.lockMs). */
  lockMs?: number;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/** BullMQ trims its event stream to about this many entries (`streams.events.maxLen`), approximately (`~`). */
export const BULL_EVENTS_MAX = 10_000;
/** Failed tickets BullMQ keeps (redis-queue.ts `removeOnFail`). */
export const BULL_FAILED_KEPT = 1000;

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The app's key kinds under these prefixes (the production ones by default). */
export function redisKeyKinds(prefixes: KeyPrefixes = {}): RedisKeyKind[] {
  const q = literal(prefixes.queue ?? "pg");
  /** The queue's scripted keys: `<p>` on one server, `{<p>}` on a cluster. */
  const slot = `(?:${q}|\\{${q}\\})`;
  const bull = `^${slot}:bull:drain`;
  const state = literal(prefixes.state ?? "phase-gates:state");
  const budget = literal(prefixes.budget ?? "phase-gates:budget");
  const deployments = literal(prefixes.deployments ?? "phase-gates:deployments");
  const size = (command: "scard" | "zcard" | "xlen", max: number, what: string) => {
    return async (client: Redis, key: string) => {
      const n = await client[command](key);
      return n > max ? `${key}: ${n} ${what}, more than ${max}` : null;
    };
  };
  return [
    {
      name: "delivery ids",
      pattern: new RegExp(`^${q}:delivery:.+$`),
      maxTtlMs: prefixes.deliveryWindowMs ?? DEFAULT_DELIVERY_WINDOW_MS,
    },
    {
      name: "queue: turn counters",
      pattern: new RegExp(`^${slot}:q:turn:[^:]+$`),
      maxTtlMs: HOUR_MS,
    },
    {
      name: "queue: ticket flags",
      pattern: new RegExp(`^${slot}:q:.+:ticket$`),
      maxTtlMs: HOUR_MS,
    },
    {
      name: "queue: repository locks",
      pattern: new RegExp(`^${slot}:q:.+:lock$`),
      maxTtlMs: prefixes.lockMs ?? 10_000,
    },
    {
      name: "queue: items",
      pattern: new RegExp(`^${slot}:q:item:[0-9a-f-]+$`),
      maxTtlMs: null,
      bound: "one per job waiting or running; deleted when it ran",
      inFlight: true,
    },
    {
      name: "queue: repositories with work",
      pattern: new RegExp(`^${slot}:q:repos$`),
      maxTtlMs: null,
      bound: "repositories with a job waiting; a drained repository leaves it",
      inFlight: true,
    },
    {
      name: "queue: a repository's lists",
      pattern: new RegExp(`^${slot}:q:.+:(wait|active|coalesce)$`),
      maxTtlMs: null,
      bound: "the repository's jobs waiting or running (coalesced: one per PR and kind)",
      inFlight: true,
    },
    {
      name: "BullMQ: queue settings, id counter, priority counter",
      pattern: new RegExp(`${bull}:(meta|id|pc)$`),
      maxTtlMs: null,
      bound: "one key each",
    },
    {
      name: "BullMQ: event stream",
      pattern: new RegExp(`${bull}:events$`),
      maxTtlMs: null,
      bound: `trimmed by BullMQ to about ${BULL_EVENTS_MAX} entries`,
      // BullMQ trims with `~`: whole stream nodes, so a little over the mark.
      check: size("xlen", BULL_EVENTS_MAX + 1000, "events"),
    },
    {
      name: "BullMQ: failed tickets",
      pattern: new RegExp(`${bull}:failed$`),
      maxTtlMs: null,
      bound: `the last ${BULL_FAILED_KEPT} (removeOnFail)`,
      check: size("zcard", BULL_FAILED_KEPT, "failed tickets"),
    },
    {
      name: "BullMQ: completed tickets",
      pattern: new RegExp(`${bull}:completed$`),
      maxTtlMs: null,
      bound: "none kept (removeOnComplete)",
      check: size("zcard", 0, "completed tickets"),
    },
    {
      name: "BullMQ: tickets",
      pattern: new RegExp(`${bull}:\\d+$`),
      maxTtlMs: null,
      bound: `at most two per repository with work, plus the last ${BULL_FAILED_KEPT} failed`,
    },
    {
      name: "BullMQ: ticket and stalled-check locks",
      pattern: new RegExp(`${bull}:(\\d+:lock|stalled-check)$`),
      maxTtlMs: HOUR_MS,
    },
    {
      name: "BullMQ: waiting, running and delayed tickets, de-duplication",
      pattern: new RegExp(
        `${bull}:(wait|paused|active|prioritized|delayed|marker|stalled|limiter|de:.+|dn:.+|\\d+:logs)$`,
      ),
      maxTtlMs: null,
      // `dn:<repo>`: the ticket added while the repository's ticket runs (keepLastIfActive).
      bound: "tickets of repositories with work (at most two each)",
      inFlight: true,
    },
    {
      name: "the store",
      pattern: new RegExp(`^${state}:[^:]+:.+$`),
      // The longest space (project-item); a space without a TTL of its own gets 7 days.
      maxTtlMs: 30 * DAY_MS,
    },
    {
      // Per limit, and per endpoint pool for REST points (`:rest-points:GET:pulls`).
      name: "request budget: windows and holds",
      pattern: new RegExp(`^${budget}:\\{\\d+\\}:[a-z-]+(?::[A-Z]+:[A-Za-z0-9_.-]+)?$`),
      // The longest window (content-hour, plus the clock skew it allows); a hold ends with a primary window.
      maxTtlMs: HOUR_MS + 60_000,
    },
    {
      name: "pending deployments",
      pattern: new RegExp(`^${deployments}:.+$`),
      maxTtlMs: 31 * DAY_MS,
      check: async (client, key) => {
        const stale = Object.values(await client.hgetall(key)).filter(
          (value) =>
            Date.parse((JSON.parse(value) as { receivedAt: string }).receivedAt) <
            Date.now() - 30 * DAY_MS,
        );
        return stale.length > 0 ? `${key}: ${stale.length} requests GitHub no longer holds` : null;
      },
    },
  ];
}

export interface KeyAudit {
  /** Keys by kind name ("unaccounted" for none). */
  counts: Map<string, number>;
  /** Keys of no kind, TTLs too long or missing, bounds exceeded, in-flight keys after a drain. */
  problems: string[];
}

/**
 * SCANs every key of every master and holds each to its kind: what the soak
 * and the tests run after a workload. `drained`: every queue is idle, so no
 * in-flight key may be left.
 */
export async function auditRedisKeys(
  nodes: readonly string[],
  kinds: readonly RedisKeyKind[] = redisKeyKinds(),
  options: {
    drained?: boolean;
    /** What a key is counted as (default its kind's name), e.g. a store key by its space. */
    countAs?: (key: string, kind: string) => string;
  } = {},
): Promise<KeyAudit> {
  const counts = new Map<string, number>();
  const problems: string[] = [];
  for (const url of nodes) {
    const client = new Redis(url);
    try {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "COUNT", 1000);
        cursor = next;
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.pttl(key);
        const ttls = ((await pipeline.exec()) ?? []).map(([, ttl]) => Number(ttl));
        for (const [i, key] of keys.entries()) {
          const ttl = ttls[i] ?? -1;
          // -2: expired between SCAN and PTTL.
          if (ttl === -2) continue;
          const kind = kinds.find((k) => k.pattern.test(key));
          const counted = options.countAs
            ? options.countAs(key, kind?.name ?? "unaccounted")
            : (kind?.name ?? "unaccounted");
          counts.set(counted, (counts.get(counted) ?? 0) + 1);
          if (!kind) {
            problems.push(`${key}: no kind of key the app accounts for (TTL ${ttl} ms)`);
            continue;
          }
          if (kind.maxTtlMs === null) {
            // Bounded by count; a TTL as well does no harm.
          } else if (ttl === -1) problems.push(`${key}: no TTL (${kind.name})`);
          else if (ttl > kind.maxTtlMs) {
            problems.push(`${key}: TTL ${ttl} ms, more than ${kind.maxTtlMs} ms (${kind.name})`);
          }
          if (options.drained && kind.inFlight) {
            problems.push(`${key}: left after every queue drained (${kind.name})`);
          }
          const exceeded = await kind.check?.(client, key);
          if (exceeded) problems.push(exceeded);
        }
      } while (cursor !== "0");
    } finally {
      client.disconnect();
    }
  }
  return { counts, problems: problems.sort() };
}

/** "kind n, kind n" by count, most first: what a report prints. */
export function formatKeyCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
}
