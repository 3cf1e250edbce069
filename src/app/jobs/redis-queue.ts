import { createHash, randomUUID } from "node:crypto";
import { type ConnectionOptions, DelayedError, type Job, Queue, Worker } from "bullmq";
import type { Logger } from "probot";
import { repoKey } from "../../github/octokit.js";
import {
  type RedisClient,
  type RedisConnection,
  redisClient,
} from "../../state/redis-connection.js";
import {
  deliveryWindowMs,
  type JobData,
  type JobOutcome,
  type JobQueue,
  type JobQueueEvents,
} from "./job.js";

export interface RedisQueueOptions extends JobQueueEvents {
  /** `REDIS_URL`, or the Redis Cluster it points at (state/redis-connection.ts). */
  connection: RedisConnection;
  /** Namespace of every key (default `pg`); tests use a random one so they share a server. */
  prefix?: string;
  /** Repositories one process works on at once; one repository is always one job at a time. */
  concurrency?: number;
  /** Merges two waiting jobs with the same `coalesce` key (app/jobs/coalesce.ts). */
  merge: (older: JobData, newer: JobData) => JobData;
  log: Logger;
  /**
   * How long a dead process keeps a repository (and its BullMQ job) before
   * another process takes over: the repository lock's TTL and BullMQ's
   * `lockDuration`; the stalled check runs every half of it. Default 10 s, so
   * a SIGKILLed replica's work resumes within about 15 s. A live holder renews
   * its locks long before they expire.
   */
  lockMs?: number;
  /**
   * How long a delivery id is remembered across processes (default
   * `DELIVERY_DEDUP_WINDOW_MS`, else an hour: app/jobs/job.ts says why).
   */
  deliveryWindowMs?: number;
}

/** BullMQ job data: which repository to drain. The work items live in the repository's list. */
interface DrainTicket {
  repo: string;
  /** The installation whose turn the ticket takes (`-`: none); absent in tickets of older versions. */
  tenant?: string;
}

/** BullMQ's lowest priority (the largest number it takes). */
const MAX_PRIORITY = 2 ** 21 - 1;
/** How long a repository's "ticket waiting" flag and an installation's turn counter outlive a crash. */
const TURN_TTL_SECONDS = 3600;
/** Jobs a ticket runs before its repository goes to the back of its installation's line. */
const SLICE_JOBS = 1;

const tenantOf = (job: JobData): string =>
  job.installationId === null ? "-" : String(job.installationId);

const QUEUE_NAME = "drain";
/** A job is started at most this often (a crash mid-job counts): a job that kills every worker that runs it must not kill them forever. */
const MAX_STARTS = 3;
/** A lock holder's repository is retried this soon (plus jitter): locks are only contended after a crash or a lost lock. */
const LOCKED_RETRY_MS = 100;
/** How often `idle()` asks Redis whether jobs this process queued were finished elsewhere. */
const IDLE_POLL_MS = 50;
/** The same without a waiter: keeps `pending()` true and the map small in a long-running process. */
const FORGET_POLL_MS = 1000;

/** Queues an item unless a waiting twin (same coalesce field) exists, which it returns instead. */
const PUSH = `
local field = ARGV[4]
if field ~= "" then
  local twin = redis.call("HGET", KEYS[2], field)
  if twin then
    local found = redis.call("HMGET", ARGV[1] .. twin, "data", "v")
    if found[1] then return {"twin", twin, found[1], found[2]} end
    redis.call("HDEL", KEYS[2], field)
  end
end
redis.call("HSET", ARGV[1] .. ARGV[2], "data", ARGV[3], "v", 1, "field", field, "starts", 0)
redis.call("RPUSH", KEYS[1], ARGV[2])
redis.call("SADD", KEYS[3], ARGV[5])
if field ~= "" then redis.call("HSET", KEYS[2], field, ARGV[2]) end
return {"new", ARGV[2]}
`;

/** Replaces a twin's data with the merge, only if it is still waiting and nobody merged into it meanwhile. */
const MERGE = `
if redis.call("HGET", KEYS[1], ARGV[3]) ~= ARGV[2] then return 0 end
local item = ARGV[1] .. ARGV[2]
if redis.call("HGET", item, "v") ~= ARGV[4] then return 0 end
redis.call("HSET", item, "data", ARGV[5], "v", tonumber(ARGV[4]) + 1)
return 1
`;

/**
 * The lock holder's next item: one a dead holder left in "active" first, else
 * the oldest waiting one, moved to "active" and no longer open to coalescing.
 */
const TAKE = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return {"lost"} end
local id = redis.call("LINDEX", KEYS[3], 0)
if not id then
  id = redis.call("LMOVE", KEYS[2], KEYS[3], "LEFT", "RIGHT")
  if not id then
    redis.call("SREM", KEYS[5], ARGV[3])
    return {"empty"}
  end
end
local item = ARGV[2] .. id
local field = redis.call("HGET", item, "field")
if field and field ~= "" and redis.call("HGET", KEYS[4], field) == id then
  redis.call("HDEL", KEYS[4], field)
end
local data = redis.call("HGET", item, "data")
if not data then
  redis.call("LREM", KEYS[3], 1, id)
  return {"missing", id}
end
local starts = redis.call("HINCRBY", item, "starts", 1)
return {"run", id, data, starts}
`;

const FINISH = `
redis.call("LREM", KEYS[1], 1, ARGV[2])
redis.call("DEL", ARGV[1] .. ARGV[2])
return 1
`;

const RENEW = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0
`;

const RELEASE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
`;

const sha1 = (text: string): string => createHash("sha1").update(text).digest("hex");
const SCRIPTS = { PUSH, MERGE, TAKE, FINISH, RENEW, RELEASE };
type ScriptName = keyof typeof SCRIPTS;
const SHAS = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, lua]) => [name, sha1(lua)]),
) as Record<ScriptName, string>;

/**
 * The queue when `REDIS_URL` is set: several app processes share the work,
 * and work outlives any one of them. Same guarantees as InMemoryJobQueue.
 *
 * Design. BullMQ's open-source edition has no per-group ordering, so the
 * jobs themselves are not BullMQ jobs:
 * - A job is an item: `<p>:q:item:<uuid>` (a hash: JSON `data`, version `v`,
 *   its coalesce `field`, `starts`), its id RPUSHed on the repository's list
 *   `<p>:q:<repo>:wait`; `<p>:q:repos` is the set of repositories with items.
 * - A BullMQ job is only a ticket "drain <repo>", deduplicated per repository
 *   with `keepLastIfActive`: while a ticket waits, pushes add none; while one
 *   runs, a push leaves BullMQ a note and it adds one more ticket when the
 *   running one ends. So at most two tickets per repository exist.
 * - A ticket's processor takes the repository lock `<p>:q:<repo>:lock`
 *   (SET NX PX lockMs, renewed every lockMs/3, released by compare-and-delete)
 *   and drains: TAKE moves the oldest id to `<p>:q:<repo>:active` (LMOVE),
 *   runs it, FINISH deletes it; until TAKE finds both lists empty. Only the
 *   holder takes items, so a repository's jobs run one at a time, in RPUSH
 *   (arrival) order, whichever process runs them. A ticket that finds the
 *   lock held (a dead holder's lock not yet expired, or a lost lock) moves
 *   itself to delayed and tries again ~100 ms later.
 *
 * Why no item is stranded: push RPUSHes the item first and adds the ticket
 * second. If the holder's "both lists empty" came before the RPUSH, the
 * holder's ticket is still active when the new ticket is added, so BullMQ
 * keeps it and starts it when the holder's ends (or the add came after that
 * end and is a ticket of its own); the new ticket then drains the item. If it
 * came after, the holder drains it itself. A process that dies between the
 * two steps has not answered the webhook; its item is picked up by the next
 * push for that repository or by the sweep every `start()` makes over
 * `<p>:q:repos`.
 *
 * Why a dead process loses nothing: its ticket stays active in BullMQ with a
 * lock of `lockMs`; the stalled check (every lockMs/2, any live worker) puts
 * it back in wait (`maxStalledCount` 10: a drain is safe to restart), its
 * repository lock expires, and the next holder re-runs the item the dead one
 * left in "active" before taking new ones: at least once, and handlers are
 * idempotent (they read, diff and write only what changed). An item started
 * MAX_STARTS times (it killed each worker) is dropped and reported failed.
 *
 * Coalescing: PUSH finds a waiting twin through `<p>:q:<repo>:coalesce`
 * (`kind`+`coalesce` → item id; TAKE removes the entry when it moves the item
 * to "active"), the process merges in JS with `merge(older, newer)` and MERGE
 * writes it only if the twin is still waiting and its version unchanged;
 * otherwise it starts over, so it never merges into a taken item and never
 * loses a concurrent merge.
 *
 * Errors: a job that throws is logged with its delivery id and reported
 * through onError and onDone("failed"), once: it is not retried (handlers
 * already retry GitHub's 5xx and rate limits). A ticket that throws (Redis
 * failed mid-drain) is retried by BullMQ 3 times with backoff, then the
 * repository waits for its next push or the next start's sweep.
 *
 * Fairness between installations, with BullMQ's open-source priorities (no
 * Pro groups): a ticket's priority is its installation's turn, the number of
 * its installation's tickets waiting when it was added (`<p>:q:turn:<inst>`,
 * counted up when a repository's ticket is added and down when it starts;
 * `<p>:q:<repo>:ticket` says one is waiting). An installation's first ticket
 * has priority 1, its 500th priority 500: a free worker takes the oldest
 * ticket of the best turn, so the tickets of 500 repositories of A and the
 * one of B are taken A, B, A, A, … — B's first job never waits behind A's
 * fan-out. A ticket runs SLICE_JOBS job(s) and, when its repository has more,
 * adds a new ticket (at the back of its installation's line) and ends: one
 * busy repository does not keep its installation's other repositories
 * waiting either. The counts are only an order: a crash that leaves one off
 * by one skews a turn, never loses a job, and they expire within an hour.
 *
 * Holds: before it takes the repository, a ticket asks `holds` (the request
 * budget) whether its installation is held (a `retry-after`, an exhausted
 * primary limit); if so it moves itself to BullMQ's delayed set until the
 * hold ends and frees its worker for other installations.
 *
 * Redis Cluster: every key a script touches (the repositories' lists,
 * locks and coalesce hashes, `repos`, the items, whose names the scripts
 * build from a prefix) carries one hash tag, `{<p>}`, so the queue lives in
 * one slot; BullMQ's prefix carries the same, `{<p>}:bull` (BullMQ asks for
 * a tagged prefix on a cluster). Delivery ids (one key per command) carry none and spread. On
 * one server the names stay untagged, as before (an upgrade finds the work an
 * older version queued). Redis 6.2 or later (LMOVE).
 */
export class RedisJobQueue implements JobQueue {
  readonly #redis: RedisClient;
  readonly #queue: Queue<DrainTicket>;
  readonly #prefix: string;
  /** `<p>`, or `{<p>}` on a cluster: what every key a script touches starts with. */
  readonly #slot: string;
  /** Cluster clients handed to BullMQ (it does not close a client it was given). */
  readonly #bullClients: RedisClient[] = [];
  readonly #lockMs: number;
  readonly #deliveryWindowMs: number;
  readonly #log: Logger;
  #worker: Worker<DrainTicket> | null = null;
  #run: ((job: JobData) => Promise<void>) | null = null;
  /** Items this process queued (or merged into) and has not seen finish, by item id. */
  readonly #queued = new Map<string, JobData>();
  /** Items running in this process, by item id. */
  readonly #running = new Map<string, JobData>();
  readonly #idleWaiters: (() => void)[] = [];
  #watchTimer: NodeJS.Timeout | null = null;
  #watchFast = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #closedDone = false;

  constructor(private readonly options: RedisQueueOptions) {
    this.#prefix = options.prefix ?? "pg";
    this.#slot = isCluster(options.connection) ? `{${this.#prefix}}` : this.#prefix;
    this.#lockMs = options.lockMs ?? 10_000;
    this.#deliveryWindowMs = options.deliveryWindowMs ?? deliveryWindowMs();
    this.#log = options.log;
    this.#redis = redisClient(options.connection, {
      connectionName: "phase-gates-jobs",
      // A push fails within seconds when Redis is down, so the webhook answers 5xx instead of hanging.
      maxRetriesPerRequest: 3,
    });
    this.#redis.on("error", (error: Error) => {
      this.#log.warn({ err: { message: error.message } }, "job queue: redis error");
    });
    this.#queue = new Queue<DrainTicket>(QUEUE_NAME, {
      connection: this.#bullConnection("phase-gates-jobs-queue", false),
      prefix: `${this.#slot}:bull`,
    });
    this.#queue.on("error", (error: Error) => {
      this.#log.warn({ err: { message: error.message } }, "job queue: bullmq queue error");
    });
  }

  async push(job: JobData): Promise<boolean> {
    if (this.#closed) throw new Error("the job queue is closed: no new work is taken");
    const deliveryKey = `${this.#prefix}:delivery:${job.deliveryId}`;
    if (job.deliveryId) {
      const fresh = await this.#redis.set(deliveryKey, "1", "PX", this.#deliveryWindowMs, "NX");
      if (fresh !== "OK") {
        this.#log.info({ delivery: job.deliveryId, kind: job.kind }, "skip: duplicate delivery");
        return false;
      }
    }
    let queued: { id: string; data: JobData; isNew: boolean };
    try {
      queued = await this.#enqueue(job);
    } catch (error) {
      // Nothing was queued: forget the delivery so GitHub's redelivery is not skipped as a duplicate.
      if (job.deliveryId) {
        await this.#redis.del(deliveryKey).catch((cleanup: unknown) => {
          this.#log.error(
            { err: cleanup, delivery: job.deliveryId },
            "job queue: could not forget a delivery that was not queued",
          );
        });
      }
      throw error;
    }
    this.#queued.set(queued.id, queued.data);
    this.#watchQueued();
    if (queued.isNew) await this.#addTicket(repoKey(job.repo), tenantOf(job));
    return true;
  }

  start(run: (job: JobData) => Promise<void>): void {
    if (this.#worker || this.#closed) return;
    this.#run = run;
    this.#worker = new Worker<DrainTicket>(
      QUEUE_NAME,
      (ticket, token) => this.#drain(ticket, token),
      {
        connection: this.#bullConnection("phase-gates-jobs-worker", true),
        prefix: `${this.#slot}:bull`,
        concurrency: this.options.concurrency ?? 8,
        lockDuration: this.#lockMs,
        stalledInterval: Math.max(Math.floor(this.#lockMs / 2), 100),
        maxStalledCount: 10,
        // How long an idle worker blocks waiting for a ticket: bounds how long close() waits for it.
        drainDelay: 1,
      },
    );
    this.#worker.on("error", (error: Error) => {
      this.#log.error({ err: error }, "job queue: bullmq worker error");
    });
    this.#worker.on("stalled", (ticketId: string) => {
      this.#log.warn(
        { ticket: ticketId },
        "job queue: a repository's drain stalled (its process died or froze); it is resumed",
      );
    });
    this.#worker.on("failed", (ticket, error: Error) => {
      this.#log.error(
        { err: error, repo: ticket?.data.repo, attempts: ticket?.attemptsMade },
        "job queue: draining a repository failed",
      );
    });
    void this.#sweep().catch((error: unknown) => {
      this.#log.error({ err: error }, "job queue: could not look for repositories left waiting");
    });
  }

  /**
   * Resolves when every job this process queued (or merged into) has finished
   * in whichever process ran it, and no job runs here: what a test or a
   * shutdown waits for. Jobs other processes queued are theirs to wait for.
   * After close() it resolves at once.
   */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#watchQueued();
    });
  }

  /** Jobs this process queued and has not seen finish (checked every second), and the ones running here. */
  pending(): JobData[] {
    const jobs = new Map(this.#queued);
    for (const [id, job] of this.#running) jobs.set(id, job);
    return [...jobs.values()].sort((a, b) => a.receivedAt - b.receivedAt);
  }

  /**
   * Stops taking tickets; a running job finishes, and its repository's ticket
   * is handed back to Redis for another process (or the next start) with the
   * rest of that repository's items. Then idle() resolves for good: what this
   * process queued and did not run is no longer its to wait for.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await this.#worker?.close();
    await this.#queue.close();
    this.#closedDone = true;
    if (this.#watchTimer) clearTimeout(this.#watchTimer);
    this.#settleIdle();
    await Promise.all([this.#redis, ...this.#bullClients].map((client) => client.quit()));
  }

  /**
   * BullMQ's connection: options of its own on one server; on a cluster, a
   * cluster client (BullMQ makes a blocking twin of a worker's, which must
   * retry forever: `maxRetriesPerRequest: null`).
   */
  #bullConnection(connectionName: string, blocking: boolean): ConnectionOptions {
    const connection = this.options.connection;
    if (typeof connection === "string") return { url: connection, connectionName };
    if (connection.kind === "server") return { url: connection.url, connectionName };
    const client = redisClient(connection, {
      connectionName,
      ...(blocking ? { maxRetriesPerRequest: null } : {}),
    });
    this.#bullClients.push(client);
    return client;
  }

  async #enqueue(job: JobData): Promise<{ id: string; data: JobData; isNew: boolean }> {
    const repo = repoKey(job.repo);
    const field = job.coalesce ? `${job.kind}\n${job.coalesce}` : "";
    const id = randomUUID();
    // A conflict means another push merged into the twin or a worker took it: each retry sees progress.
    for (let attempt = 0; ; attempt++) {
      // After that many lost races, queue it on its own: one more evaluation beats a push that never ends.
      const coalesceField = attempt < 20 ? field : "";
      const answer = await this.#script(
        "PUSH",
        [this.#key(repo, "wait"), this.#key(repo, "coalesce"), this.#reposKey()],
        [this.#itemPrefix(), id, JSON.stringify(job), coalesceField, repo],
      );
      const [kind, twin, older, version] = answer as string[];
      if (kind === "new") return { id, data: job, isNew: true };
      if (!twin || !older || !version) throw new Error(`job queue: unexpected PUSH answer ${kind}`);
      const olderJob = JSON.parse(older) as JobData;
      const merged = this.options.merge(olderJob, job);
      const wrote = await this.#script(
        "MERGE",
        [this.#key(repo, "coalesce")],
        [this.#itemPrefix(), twin, field, version, JSON.stringify(merged)],
      );
      if (wrote === 1) {
        this.#log.debug(
          { delivery: job.deliveryId, into: olderJob.deliveryId, kind: job.kind },
          "coalesced with a waiting job",
        );
        return { id: twin, data: merged, isNew: false };
      }
    }
  }

  async #addTicket(repo: string, tenant: string | undefined): Promise<void> {
    await this.#queue.add(QUEUE_NAME, tenant === undefined ? { repo } : { repo, tenant }, {
      priority: await this.#turn(repo, tenant),
      deduplication: { id: repo, keepLastIfActive: true },
      attempts: 3,
      backoff: { type: "exponential", delay: 500 },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    });
  }

  /**
   * The ticket's place in its installation's line: one more than the
   * installation's waiting tickets when the repository has none waiting
   * (else the same turn: BullMQ keeps the waiting ticket anyway).
   */
  async #turn(repo: string, tenant: string | undefined): Promise<number> {
    if (tenant === undefined) return 1;
    const turnKey = this.#turnKey(tenant);
    const flagged = await this.#redis.set(
      this.#key(repo, "ticket"),
      "1",
      "EX",
      TURN_TTL_SECONDS,
      "NX",
    );
    const turn =
      flagged === "OK"
        ? await this.#moveTurn(turnKey, 1)
        : Number(await this.#redis.get(turnKey)) || 1;
    return Math.min(Math.max(turn, 1), MAX_PRIORITY);
  }

  /** The repository's waiting ticket has started: its installation has one fewer waiting. */
  async #turnTaken(repo: string, tenant: string | undefined): Promise<void> {
    if (tenant === undefined) return;
    if ((await this.#redis.del(this.#key(repo, "ticket"))) !== 1) return;
    const turnKey = this.#turnKey(tenant);
    if ((await this.#moveTurn(turnKey, -1)) < 0)
      await this.#redis.set(turnKey, "0", "EX", TURN_TTL_SECONDS);
  }

  /**
   * Counts an installation's turn up or down and renews its TTL in one step:
   * a counter that expired comes back as a new key, and a crash between two
   * commands would leave it without a TTL for good.
   */
  async #moveTurn(turnKey: string, by: 1 | -1): Promise<number> {
    const answers = await this.#redis
      .multi()
      .incrby(turnKey, by)
      .expire(turnKey, TURN_TTL_SECONDS)
      .exec();
    const [error, count] = answers?.[0] ?? [null, null];
    if (error) throw error;
    return Number(count);
  }

  /** A ticket for every repository with items: what a crash between RPUSH and the ticket left. */
  async #sweep(): Promise<void> {
    const repos = await this.#redis.smembers(this.#reposKey());
    for (const repo of repos) await this.#addTicket(repo, undefined);
  }

  /** When the ticket's installation may start work again (0: now). */
  async #heldUntil(tenant: string | undefined): Promise<number> {
    const holds = this.options.holds;
    if (!holds || tenant === undefined || tenant === "-") return 0;
    try {
      return await holds.heldUntil(Number(tenant));
    } catch (error) {
      this.#log.warn({ err: error }, "job queue: could not read the installation's hold");
      return 0;
    }
  }

  async #drain(ticket: Job<DrainTicket>, token: string | undefined): Promise<void> {
    const { repo, tenant } = ticket.data;
    await this.#turnTaken(repo, tenant);
    const heldUntil = await this.#heldUntil(tenant);
    if (heldUntil > Date.now()) {
      await ticket.moveToDelayed(heldUntil, token);
      throw new DelayedError();
    }
    const lockKey = this.#key(repo, "lock");
    const lockToken = randomUUID();
    const locked = await this.#redis.set(lockKey, lockToken, "PX", this.#lockMs, "NX");
    if (locked !== "OK") {
      await ticket.moveToDelayed(Date.now() + LOCKED_RETRY_MS + Math.random() * 100, token);
      throw new DelayedError();
    }
    const renewal = setInterval(
      () => {
        this.#script("RENEW", [lockKey], [lockToken, String(this.#lockMs)]).catch(
          (error: unknown) => {
            this.#log.warn({ err: error, repo }, "job queue: could not renew a repository lock");
          },
        );
      },
      Math.max(Math.floor(this.#lockMs / 3), 50),
    );
    let handBack = false;
    let handOn = false;
    let ran = 0;
    /** The installation of the repository's jobs (a swept ticket does not name it). */
    let turnOf = tenant;
    try {
      for (;;) {
        if (this.#closed) {
          handBack = true;
          break;
        }
        const taken = (await this.#script(
          "TAKE",
          [
            lockKey,
            this.#key(repo, "wait"),
            this.#key(repo, "active"),
            this.#key(repo, "coalesce"),
            this.#reposKey(),
          ],
          [lockToken, this.#itemPrefix(), repo],
        )) as string[];
        const [state, id, data, starts] = taken;
        if (state === "empty") break;
        if (state === "lost") {
          this.#log.warn({ repo }, "job queue: lost a repository lock; retrying the repository");
          handBack = true;
          break;
        }
        if (state !== "run" || !id || !data) continue;
        const job = JSON.parse(data) as JobData;
        turnOf = tenantOf(job);
        if (Number(starts) > MAX_STARTS) await this.#giveUp(repo, id, job, Number(starts));
        else await this.#runItem(repo, id, job);
        if (++ran >= SLICE_JOBS && (await this.#redis.llen(this.#key(repo, "wait"))) > 0) {
          handOn = true;
          break;
        }
      }
    } finally {
      clearInterval(renewal);
      await this.#script("RELEASE", [lockKey], [lockToken]);
    }
    // Released first: the new ticket may start at once in any process.
    if (handOn) await this.#addTicket(repo, turnOf);
    if (handBack) {
      await ticket.moveToDelayed(Date.now() + (this.#closed ? 0 : LOCKED_RETRY_MS), token);
      throw new DelayedError();
    }
  }

  async #runItem(repo: string, id: string, job: JobData): Promise<void> {
    const run = this.#run;
    if (!run) throw new Error("job queue: a ticket ran before start()");
    this.#running.set(id, job);
    const started = Date.now();
    let outcome: JobOutcome = "ok";
    try {
      await run(job);
      this.#log.debug(
        { delivery: job.deliveryId, kind: job.kind, ms: Date.now() - started },
        "job done",
      );
    } catch (error) {
      // The one place unexpected errors land: logged with the delivery, never lost silently.
      outcome = "failed";
      this.#log.error({ err: error, delivery: job.deliveryId, kind: job.kind, repo }, "job failed");
      this.options.onError?.(error, job);
    }
    try {
      await this.#script("FINISH", [this.#key(repo, "active")], [this.#itemPrefix(), id]);
    } finally {
      this.#running.delete(id);
      this.#queued.delete(id);
    }
    this.options.onDone?.(job, outcome, Date.now() - started);
    this.#settleIdle();
  }

  async #giveUp(repo: string, id: string, job: JobData, starts: number): Promise<void> {
    const error = new Error(
      `job queue: dropped after ${starts - 1} starts that never finished (each took its worker down)`,
    );
    this.#log.error({ err: error, delivery: job.deliveryId, kind: job.kind, repo }, "job failed");
    this.options.onError?.(error, job);
    await this.#script("FINISH", [this.#key(repo, "active")], [this.#itemPrefix(), id]);
    this.#queued.delete(id);
    this.options.onDone?.(job, "failed", 0);
    this.#settleIdle();
  }

  #isIdle(): boolean {
    return this.#closedDone || (this.#queued.size === 0 && this.#running.size === 0);
  }

  #settleIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /**
   * Jobs this process queued may finish in another process: their items
   * disappear from Redis, and this is how this process learns it (polling:
   * no pub/sub connection per process for what only idle() and pending() need).
   */
  #watchQueued(): void {
    if (this.#closedDone) return;
    const fast = this.#idleWaiters.length > 0;
    if (this.#watchTimer) {
      if (this.#watchFast || !fast) return;
      clearTimeout(this.#watchTimer);
    }
    if (![...this.#queued.keys()].some((id) => !this.#running.has(id))) {
      this.#watchTimer = null;
      return;
    }
    this.#watchFast = fast;
    this.#watchTimer = setTimeout(
      () => {
        void this.#forgetFinished()
          .catch((error: unknown) => {
            this.#log.warn({ err: error }, "job queue: could not check for finished jobs");
          })
          .finally(() => {
            this.#watchTimer = null;
            this.#settleIdle();
            this.#watchQueued();
          });
      },
      fast ? IDLE_POLL_MS : FORGET_POLL_MS,
    );
    this.#watchTimer.unref();
  }

  async #forgetFinished(): Promise<void> {
    if (this.#closedDone) return;
    const ids = [...this.#queued.keys()].filter((id) => !this.#running.has(id));
    if (ids.length === 0) return;
    const pipeline = this.#redis.pipeline();
    for (const id of ids) pipeline.exists(`${this.#itemPrefix()}${id}`);
    const answers = (await pipeline.exec()) ?? [];
    answers.forEach(([error, exists], i) => {
      const id = ids[i];
      if (!error && exists === 0 && id) this.#queued.delete(id);
    });
  }

  async #script(name: ScriptName, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#redis.evalsha(SHAS[name], keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await this.#redis.eval(SCRIPTS[name], keys.length, ...keys, ...args);
    }
  }

  #key(repo: string, what: "wait" | "active" | "coalesce" | "lock" | "ticket"): string {
    return `${this.#slot}:q:${repo}:${what}`;
  }

  #turnKey(tenant: string): string {
    return `${this.#slot}:q:turn:${tenant}`;
  }

  #itemPrefix(): string {
    return `${this.#slot}:q:item:`;
  }

  #reposKey(): string {
    return `${this.#slot}:q:repos`;
  }
}

const isCluster = (connection: RedisConnection): boolean =>
  typeof connection !== "string" && connection.kind === "cluster";
