import type { Logger } from "probot";
import { repoKey } from "../../github/octokit.js";
import {
  deliveryWindowMs,
  type JobData,
  type JobOutcome,
  type JobQueue,
  type JobQueueEvents,
} from "./job.js";

export interface MemoryQueueOptions extends JobQueueEvents {
  /** At most this many delivery ids are remembered (oldest forgotten first), whatever the window. */
  seenLimit?: number;
  /** How long a delivery id is remembered (default `DELIVERY_DEDUP_WINDOW_MS`, else an hour). */
  deliveryWindowMs?: number;
  /**
   * Jobs of different repositories running at once, not counting those of an
   * installation whose requests wait for its budget (`holds.watchPacing`);
   * one repository is always one at a time.
   */
  concurrency?: number;
  /** Merges two waiting jobs with the same `coalesce` key (app/jobs/coalesce.ts). */
  merge: (older: JobData, newer: JobData) => JobData;
}

interface Lane {
  waiting: JobData[];
  running: JobData | null;
  /** The installation whose turn the lane takes (`installationKey`). */
  tenant: string;
}

/** One installation's share of the queue: its repositories ready to run, in their turn. */
interface Tenant {
  ready: string[];
  /** A hold GitHub asked for: no job of the installation starts before this time. */
  heldUntil: number;
}

/** Jobs without an installation (none today in practice) share one turn. */
const installationKey = (job: JobData): string =>
  job.installationId === null ? "-" : String(job.installationId);

/**
 * The default queue: no services needed (`npm start`, the demo, tests).
 * Webhooks are acknowledged at once and their API work runs here, one job at
 * a time per repository so two events can never race to create the same gate
 * issue or write two verdicts out of order; at most `concurrency`
 * repositories at once, so a burst across an org cannot open hundreds of
 * requests to GitHub together. A restart loses what is waiting: with
 * `REDIS_URL` the Redis queue keeps it (app/jobs/redis-queue.ts).
 *
 * Fairness: a free slot goes to the next installation in turn that has a
 * ready repository (round-robin over installations), and within it to the
 * repository that waited longest since its last job (round-robin over
 * repositories: a repository goes to the back of its installation's line
 * after each job). An installation that GitHub asked to wait (`holds`) is
 * skipped until its hold ends; its jobs stay queued and take no slot.
 *
 * Pacing: a running job whose installation's requests wait for room in the
 * budget (its minute's points spent) holds no slot while it waits: it would
 * otherwise keep every other installation's jobs behind a wait only its own
 * installation owes (8 jobs of a config fan-out asleep on their budget held
 * every slot for 45 s while another installation's PRs queued). Meanwhile
 * the installation starts no new job, so its jobs in flight stay within
 * `concurrency`; they take their slots back when the wait is over, running
 * beside the other installation's jobs that started meanwhile.
 */
export class InMemoryJobQueue implements JobQueue {
  readonly #lanes = new Map<string, Lane>();
  /** installation → its repositories with waiting work and no running job, in their turn. */
  readonly #tenants = new Map<string, Tenant>();
  /** Installations with ready repositories, in their turn (the next one first). */
  readonly #turns: string[] = [];
  /** Timers that end holds, so a held installation's turn comes back by itself. */
  readonly #holdTimers = new Set<NodeJS.Timeout>();
  /** Delivery ids by when they were first seen, oldest first. */
  readonly #seen = new Map<string, number>();
  readonly #deliveryWindowMs: number;
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;
  /** installation → its jobs running now: what a paced installation lends. */
  readonly #runningBy = new Map<string, number>();
  /** Installations whose requests wait for room in their budget (holds.watchPacing). */
  readonly #paced = new Set<string>();
  readonly #stopWatching: () => void;
  #run: ((job: JobData) => Promise<void>) | null = null;
  #closed = false;

  constructor(
    private readonly log: Logger,
    private readonly options: MemoryQueueOptions,
  ) {
    this.#deliveryWindowMs = options.deliveryWindowMs ?? deliveryWindowMs();
    this.#stopWatching =
      options.holds?.watchPacing?.((installationId, paced) => {
        const tenantKey = String(installationId);
        if (paced) this.#paced.add(tenantKey);
        else this.#paced.delete(tenantKey);
        this.#pump();
      }) ?? (() => undefined);
  }

  async push(job: JobData): Promise<boolean> {
    if (this.#closed) throw new Error("the job queue is closed: no new work is taken");
    if (!this.#remember(job.deliveryId)) {
      this.log.info({ delivery: job.deliveryId, kind: job.kind }, "skip: duplicate delivery");
      return false;
    }
    const key = repoKey(job.repo);
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { waiting: [], running: null, tenant: installationKey(job) };
      this.#lanes.set(key, lane);
    }
    const twin = job.coalesce
      ? lane.waiting.findIndex((w) => w.coalesce === job.coalesce && w.kind === job.kind)
      : -1;
    const older = twin >= 0 ? lane.waiting[twin] : undefined;
    if (older) {
      lane.waiting[twin] = this.options.merge(older, job);
      this.log.debug(
        { delivery: job.deliveryId, into: older.deliveryId, kind: job.kind },
        "coalesced with a waiting job",
      );
    } else {
      lane.waiting.push(job);
      if (!lane.running && lane.waiting.length === 1) this.#makeReady(lane.tenant, key);
    }
    this.#pump();
    return true;
  }

  start(run: (job: JobData) => Promise<void>): void {
    this.#run = run;
    this.#pump();
  }

  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  pending(): JobData[] {
    const jobs: JobData[] = [];
    for (const lane of this.#lanes.values()) {
      if (lane.running) jobs.push(lane.running);
      jobs.push(...lane.waiting);
    }
    return jobs.sort((a, b) => a.receivedAt - b.receivedAt);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
    this.#stopWatching();
    for (const timer of this.#holdTimers) clearTimeout(timer);
    this.#holdTimers.clear();
  }

  /** A repository has work and nothing running: it joins its installation's line, the installation its turn. */
  #makeReady(tenantKey: string, repo: string): void {
    const tenant = this.#tenant(tenantKey);
    tenant.ready.push(repo);
    if (tenant.ready.length === 1 && !this.#turns.includes(tenantKey)) this.#turns.push(tenantKey);
  }

  #tenant(tenantKey: string): Tenant {
    let tenant = this.#tenants.get(tenantKey);
    if (!tenant) {
      tenant = { ready: [], heldUntil: 0 };
      this.#tenants.set(tenantKey, tenant);
    }
    return tenant;
  }

  /** The next repository in turn, from the next installation in turn that is neither held nor paced. */
  #next(now: number): string | undefined {
    for (let tried = 0; tried < this.#turns.length; tried++) {
      const tenantKey = this.#turns.shift() as string;
      const tenant = this.#tenants.get(tenantKey);
      const free = tenant && tenant.heldUntil <= now && !this.#paced.has(tenantKey);
      const repo = free ? tenant.ready.shift() : undefined;
      if (tenant && tenant.ready.length > 0) this.#turns.push(tenantKey);
      else if (!tenant || tenant.heldUntil <= now) this.#tenants.delete(tenantKey);
      if (repo) return repo;
    }
    return undefined;
  }

  /** GitHub asked the installation to wait: its jobs start again when the hold ends. */
  #hold(tenantKey: string, until: number): void {
    const tenant = this.#tenant(tenantKey);
    tenant.heldUntil = Math.max(tenant.heldUntil, until);
    const timer = setTimeout(
      () => {
        this.#holdTimers.delete(timer);
        this.#pump();
      },
      Math.max(0, until - Date.now()) + 1,
    );
    timer.unref();
    this.#holdTimers.add(timer);
  }

  /** False when the delivery id was seen within the window; remembers it otherwise. */
  #remember(deliveryId: string): boolean {
    if (!deliveryId) return true;
    const now = Date.now();
    for (const [id, seenAt] of this.#seen) {
      if (seenAt > now - this.#deliveryWindowMs) break;
      this.#seen.delete(id);
    }
    if (this.#seen.has(deliveryId)) return false;
    if (this.#seen.size >= (this.options.seenLimit ?? 10_000)) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(deliveryId, now);
    return true;
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#turns.length === 0;
  }

  /** Running jobs that hold a slot: those of paced installations lend theirs. */
  #occupied(): number {
    let lent = 0;
    for (const tenantKey of this.#paced) lent += this.#runningBy.get(tenantKey) ?? 0;
    return this.#running - lent;
  }

  #pump(): void {
    const run = this.#run;
    if (!run) return;
    const limit = this.options.concurrency ?? 8;
    const now = Date.now();
    while (this.#occupied() < limit) {
      const key = this.#next(now);
      if (key === undefined) break;
      const lane = this.#lanes.get(key);
      const job = lane?.waiting.shift();
      if (!lane || !job) continue;
      lane.running = job;
      this.#running += 1;
      this.#runningBy.set(lane.tenant, (this.#runningBy.get(lane.tenant) ?? 0) + 1);
      void this.#start(run, lane, job).finally(() => {
        lane.running = null;
        this.#running -= 1;
        const left = (this.#runningBy.get(lane.tenant) ?? 1) - 1;
        if (left > 0) this.#runningBy.set(lane.tenant, left);
        else this.#runningBy.delete(lane.tenant);
        if (lane.waiting.length > 0) this.#makeReady(lane.tenant, key);
        else this.#lanes.delete(key);
        this.#pump();
        if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
    }
  }

  /**
   * Runs the job unless its installation is held: then the job goes back to
   * the head of its repository's line, untouched, and the slot is freed.
   */
  async #start(run: (job: JobData) => Promise<void>, lane: Lane, job: JobData): Promise<void> {
    const holds = this.options.holds;
    if (holds && job.installationId !== null) {
      const until = await holds.heldUntil(job.installationId).catch((error: unknown) => {
        this.log.warn({ err: error }, "job queue: could not read the installation's hold");
        return 0;
      });
      if (until > Date.now()) {
        lane.waiting.unshift(job);
        this.#hold(lane.tenant, until);
        return;
      }
    }
    await this.#runOne(run, job);
  }

  async #runOne(run: (job: JobData) => Promise<void>, job: JobData): Promise<void> {
    const started = Date.now();
    let outcome: JobOutcome = "ok";
    try {
      await run(job);
      this.log.debug(
        { delivery: job.deliveryId, kind: job.kind, ms: Date.now() - started },
        "job done",
      );
    } catch (error) {
      // The one place unexpected errors land: logged with the delivery, never lost silently.
      outcome = "failed";
      this.log.error(
        { err: error, delivery: job.deliveryId, kind: job.kind, repo: repoKey(job.repo) },
        "job failed",
      );
      this.options.onError?.(error, job);
    }
    this.options.onDone?.(job, outcome, Date.now() - started);
  }
}
