import type { RepoRef } from "../../github/octokit.js";

/**
 * What a queued job is: plain, JSON-serialisable data. A job never holds a
 * Probot `Context` or a client, so it can wait in Redis, survive a restart
 * and run in whichever process takes it; the worker builds its own
 * installation client from `installationId` (app/jobs/worker.ts).
 */
export interface JobData<Input = unknown> {
  /** Which handler runs it (app/jobs/dispatch.ts). */
  kind: JobKind;
  /**
   * `X-GitHub-Delivery`, plus a suffix for each job one delivery fans out to
   * (`:reports`, `:acme/api`): the same id runs once, however often GitHub
   * sends it and however many processes receive it.
   */
  deliveryId: string;
  /** The installation whose token the job uses; null only for events without one. */
  installationId: number | null;
  repo: RepoRef;
  input: Input;
  /**
   * Jobs with the same key that are still waiting are merged into one
   * (`mergeInputs`): ten events for one PR within a second are one evaluation.
   * Absent: never merged.
   */
  coalesce?: string;
  /** When the webhook arrived (ms since epoch): logs and queue-latency metrics. */
  receivedAt: number;
}

export const JOB_KINDS = [
  "pull_request",
  "issue",
  "issue_comment",
  "check_requested",
  "merge_group",
  "deployment",
  "milestone",
  "config_push",
  "org_config",
  "installation",
  "reports",
  "linked_elsewhere",
  "project_item",
  "sub_issues",
] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A job as a handler asks for it; the queue adds the delivery, installation and time. */
export interface JobSpec<Input = unknown> {
  kind: JobKind;
  repo: RepoRef;
  input: Input;
  /** Appended to the delivery id when one delivery queues several jobs. */
  deliverySuffix?: string;
  coalesce?: string;
}

export type JobOutcome = "ok" | "failed";

/**
 * Until when an installation sends no request (a 403/429 with `retry-after`,
 * an exhausted primary limit): the request budget knows
 * (github/request-budget.ts). The queues start no job of a held installation
 * before then; its jobs wait beside the queue, not in a worker slot.
 */
export interface InstallationHolds {
  /** The time (ms since the epoch) the installation's hold ends; at or before now: not held. */
  heldUntil(installationId: number): Promise<number>;
  /**
   * Tells when an installation's requests in this process start (`paced`
   * true) and stop waiting for room in its budget; returns the way to stop
   * listening. The in-process queue does not count a paced installation's
   * running jobs against its concurrency (they only sleep on their own
   * installation's budget, so their slots go to other installations) and
   * starts no new job of it until the wait is over.
   */
  watchPacing?(listener: (installationId: number, paced: boolean) => void): () => void;
}

/**
 * How long a delivery id is remembered, so a delivery that comes twice runs
 * once: an hour. Duplicates come close together (a proxy or load balancer
 * retrying, two processes handed one delivery); GitHub itself never
 * redelivers, only a person pressing "Redeliver" (within 3 days), and jobs are
 * idempotent (a PR is evaluated as it is when the job runs; writes happen only
 * on a difference), so a late duplicate costs a few reads, never a wrong or
 * repeated write. Redis holds rate × window ids (50 deliveries/s: 180,000,
 * about 30 MB at ~160 B each), where a week held 30 million (about 5 GB).
 */
export const DEFAULT_DELIVERY_WINDOW_MS = 3600_000;

/** `DELIVERY_DEDUP_WINDOW_MS` (ms, > 0), else the default hour. */
export function deliveryWindowMs(raw = process.env.DELIVERY_DEDUP_WINDOW_MS): number {
  const ms = Number(raw);
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : DEFAULT_DELIVERY_WINDOW_MS;
}

export interface JobQueueEvents {
  /** A job threw: logged by the queue; tests collect these. */
  onError?: (error: unknown, job: JobData) => void;
  /** Every finished job, for metrics. */
  onDone?: (job: JobData, outcome: JobOutcome, ms: number) => void;
  /** Installations that must not start work yet (default: none is ever held). */
  holds?: InstallationHolds;
}

/**
 * Where webhooks leave their work and workers take it. Guarantees, for both
 * implementations (in-process, and BullMQ on Redis):
 * - jobs of one repository run one at a time, in arrival order;
 * - ready work is taken round-robin across installations, and within one
 *   installation across repositories: one organisation's thousand jobs never
 *   keep another's first job waiting behind them;
 * - a held installation (`holds`) starts no job until its hold ends, and
 *   takes no worker slot meanwhile;
 * - a delivery id runs once within the de-duplication window
 *   (`deliveryWindowMs`: a duplicate `push` in it answers false);
 * - waiting jobs with the same `coalesce` key merge into one;
 * - `idle` resolves when nothing is waiting or running in this process.
 */
export interface JobQueue {
  /** Queues a job; false when its delivery id was already taken (nothing queued). */
  push(job: JobData): Promise<boolean>;
  /** Starts running jobs with `run`; jobs pushed before `start` wait for it. */
  start(run: (job: JobData) => Promise<void>): void;
  /** Resolves when every job this process queued or took (including ones queued meanwhile) has finished. */
  idle(): Promise<void>;
  /** The jobs waiting or running in this process, oldest first (what a shutdown would leave behind). */
  pending(): JobData[];
  /** Stops taking new jobs; running ones finish (graceful shutdown), then connections close. */
  close(): Promise<void>;
}
