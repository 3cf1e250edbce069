import type { Logger } from "probot";
import { repoKey } from "../../github/octokit.js";
import type { JobData, JobOutcome, JobQueue, JobQueueEvents } from "./job.js";

export interface MemoryQueueOptions extends JobQueueEvents {
  /** How many delivery ids are remembered for de-duplication (oldest forgotten first). */
  seenLimit?: number;
  /** Jobs of different repositories running at once; one repository is always one at a time. */
  concurrency?: number;
  /** Merges two waiting jobs with the same `coalesce` key (app/jobs/coalesce.ts). */
  merge: (older: JobData, newer: JobData) => JobData;
}

interface Lane {
  waiting: JobData[];
  running: JobData | null;
}

/**
 * The default queue: no services needed (`npm start`, the demo, tests).
 * Webhooks are acknowledged at once and their API work runs here, one job at
 * a time per repository so two events can never race to create the same gate
 * issue or write two verdicts out of order; at most `concurrency`
 * repositories at once, so a burst across an org cannot open hundreds of
 * requests to GitHub together. A restart loses what is waiting: with
 * `REDIS_URL` the Redis queue keeps it (app/jobs/redis-queue.ts).
 */
export class InMemoryJobQueue implements JobQueue {
  readonly #lanes = new Map<string, Lane>();
  /** Repositories with waiting work and no running job, in the order they became ready. */
  readonly #ready: string[] = [];
  readonly #seen = new Set<string>();
  readonly #idleWaiters: (() => void)[] = [];
  #running = 0;
  #run: ((job: JobData) => Promise<void>) | null = null;
  #closed = false;

  constructor(
    private readonly log: Logger,
    private readonly options: MemoryQueueOptions,
  ) {}

  async push(job: JobData): Promise<boolean> {
    if (this.#closed) throw new Error("the job queue is closed: no new work is taken");
    if (!this.#remember(job.deliveryId)) {
      this.log.info({ delivery: job.deliveryId, kind: job.kind }, "skip: duplicate delivery");
      return false;
    }
    const key = repoKey(job.repo);
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { waiting: [], running: null };
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
      if (!lane.running && lane.waiting.length === 1) this.#ready.push(key);
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
  }

  /** False when the delivery id was seen before; remembers it otherwise. */
  #remember(deliveryId: string): boolean {
    if (!deliveryId) return true;
    if (this.#seen.has(deliveryId)) return false;
    if (this.#seen.size >= (this.options.seenLimit ?? 10_000)) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.add(deliveryId);
    return true;
  }

  #isIdle(): boolean {
    return this.#running === 0 && this.#ready.length === 0;
  }

  #pump(): void {
    const run = this.#run;
    if (!run) return;
    const limit = this.options.concurrency ?? 8;
    while (this.#running < limit && this.#ready.length > 0) {
      const key = this.#ready.shift() as string;
      const lane = this.#lanes.get(key);
      const job = lane?.waiting.shift();
      if (!lane || !job) continue;
      lane.running = job;
      this.#running += 1;
      void this.#runOne(run, job).finally(() => {
        lane.running = null;
        this.#running -= 1;
        if (lane.waiting.length > 0) this.#ready.push(key);
        else this.#lanes.delete(key);
        this.#pump();
        if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
    }
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
