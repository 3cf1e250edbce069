import type { Logger } from "probot";

export interface Job {
  /** Work for one repository runs one job at a time, in arrival order. */
  key: string;
  /** `X-GitHub-Delivery`: the same delivery runs once, however often GitHub sends it. */
  deliveryId: string;
  name: string;
  run: () => Promise<void>;
}

/**
 * In-process queue: webhooks are acknowledged at once and their API work runs
 * here, serialized per repository so two events can never race to create the
 * same gate issue or write two verdicts out of order.
 */
export class WorkQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #seen = new Set<string>();
  readonly #pending = new Map<Promise<void>, Job>();
  readonly #seenLimit: number;

  readonly #onError: ((error: unknown, job: Job) => void) | undefined;
  readonly #onDone: ((job: Job, outcome: "ok" | "failed", ms: number) => void) | undefined;

  constructor(
    private readonly log: Logger,
    options: {
      seenLimit?: number;
      onError?: (error: unknown, job: Job) => void;
      /** Every finished job, for metrics. */
      onDone?: (job: Job, outcome: "ok" | "failed", ms: number) => void;
    } = {},
  ) {
    this.#seenLimit = options.seenLimit ?? 10_000;
    this.#onError = options.onError;
    this.#onDone = options.onDone;
  }

  /** Queues a job; returns false when the delivery was already taken. */
  push(job: Job): boolean {
    if (job.deliveryId) {
      if (this.#seen.has(job.deliveryId)) {
        this.log.info({ delivery: job.deliveryId, job: job.name }, "skip: duplicate delivery");
        return false;
      }
      if (this.#seen.size >= this.#seenLimit) {
        const oldest = this.#seen.values().next().value;
        if (oldest !== undefined) this.#seen.delete(oldest);
      }
      this.#seen.add(job.deliveryId);
    }
    const previous = this.#tails.get(job.key) ?? Promise.resolve();
    const done = previous.then(() => this.#runOne(job));
    this.#tails.set(job.key, done);
    this.#pending.set(done, job);
    void done.finally(() => {
      this.#pending.delete(done);
      if (this.#tails.get(job.key) === done) this.#tails.delete(job.key);
    });
    return true;
  }

  async #runOne(job: Job): Promise<void> {
    const started = Date.now();
    try {
      await job.run();
      this.log.debug(
        { delivery: job.deliveryId, job: job.name, ms: Date.now() - started },
        "job done",
      );
      this.#onDone?.(job, "ok", Date.now() - started);
    } catch (error) {
      // The one place unexpected errors land: logged with the delivery, never lost silently.
      this.log.error(
        { err: error, delivery: job.deliveryId, job: job.name, repo: job.key },
        "job failed",
      );
      this.#onDone?.(job, "failed", Date.now() - started);
      this.#onError?.(error, job);
    }
  }

  /** Resolves when every queued job (including ones queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.allSettled([...this.#pending.keys()]);
    }
  }

  get size(): number {
    return this.#pending.size;
  }

  /** The jobs queued or running, oldest first (what a shutdown would leave behind). */
  get pendingJobs(): Job[] {
    return [...this.#pending.values()];
  }
}
