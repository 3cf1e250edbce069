import type { Logger } from "probot";
import type { JobData } from "../jobs/job.js";

export interface Drainable {
  /** Resolves when every queued job has finished. */
  idle: () => Promise<void>;
  pendingJobs: () => JobData[];
  /**
   * Stops taking jobs and resolves once the running ones have finished; with
   * Redis, jobs not started stay queued for another process (default: `idle`).
   */
  close?: () => Promise<void>;
  /** Drop work that the next event redoes anyway (the reports), so the deadline goes to checks. */
  beginDrain?: () => void;
}

export interface ShutdownOptions {
  log: Logger;
  work: Drainable;
  /**
   * How long queued work may take after the signal. Docker and Kubernetes
   * send SIGKILL 10 s after SIGTERM by default; 8 s leaves time to log what
   * is left and exit on our own terms.
   */
  deadlineMs: number;
  /** Last words before exit (close connections); its errors are logged, not thrown. */
  beforeExit?: () => Promise<void> | void;
  exit: (code: number) => void;
}

/**
 * Graceful stop on SIGTERM/SIGINT. GitHub never redelivers a webhook we
 * answered, so queued work must finish before the process goes: stop taking
 * deliveries (the webhook guard answers 503 while `draining`), wait for the
 * queue, exit 0 — or exit 1 after logging every job the deadline cut off.
 */
export class Shutdown {
  #draining = false;

  constructor(private readonly options: ShutdownOptions) {}

  get draining(): boolean {
    return this.#draining;
  }

  /** Idempotent: `npm start` under a process-group signal delivers it twice (npm forwards it too). */
  async begin(signal: string): Promise<void> {
    const { log, work, deadlineMs } = this.options;
    if (this.#draining) {
      log.info({ signal }, "shutdown: already draining");
      return;
    }
    this.#draining = true;
    work.beginDrain?.();
    log.info(
      { signal, queued: work.pendingJobs().length, deadlineMs },
      "shutdown: refusing new deliveries, finishing queued work",
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), deadlineMs);
    });
    const drained = await Promise.race([
      (work.close ? work.close() : work.idle()).then(() => true as const),
      deadline,
    ]);
    clearTimeout(timer);
    try {
      await this.options.beforeExit?.();
    } catch (error) {
      log.warn({ err: error }, "shutdown: closing connections failed");
    }
    if (drained) {
      log.info({ signal }, "shutdown: queue drained, exiting");
      this.options.exit(0);
      return;
    }
    const left = work.pendingJobs();
    log.error(
      {
        signal,
        left: left.map((j) => ({
          delivery: j.deliveryId,
          kind: j.kind,
          repo: `${j.repo.owner}/${j.repo.repo}`,
        })),
      },
      `shutdown: ${left.length} job(s) unfinished after ${deadlineMs} ms; their deliveries need a redelivery`,
    );
    this.options.exit(1);
  }
}
