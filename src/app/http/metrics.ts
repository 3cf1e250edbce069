import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CheckWrite } from "../../github/check-runs.js";
import type { RequestObserver } from "../../github/tuned-octokit.js";

/** How the webhook endpoint answered a delivery. */
export type DeliveryOutcome = "accepted" | "rejected" | "refused" | "failed";

/** What a job did about a PR's check (github/check-runs.ts `CheckWrite`). */
export type CheckWriteResult = CheckWrite;

/**
 * The app's Prometheus metrics, in a registry of their own (not prom-client's
 * global one) so tests can create as many as they like.
 */
export interface Metrics extends RequestObserver {
  readonly registry: Registry;
  delivery(event: string | string[] | undefined, outcome: DeliveryOutcome): void;
  /** A finished job: how long it ran, and how long it waited in the queue from its webhook to its start. */
  jobDone(job: string, outcome: "ok" | "failed", seconds: number, waitedSeconds: number): void;
  checkWrite(result: CheckWriteResult): void;
}

/**
 * Event names we label deliveries with. The header comes from whoever POSTs
 * (before the signature is checked), so anything else is counted as "other"
 * and cannot grow the number of series without bound.
 */
const KNOWN_EVENTS = new Set([
  "check_run",
  "check_suite",
  "installation",
  "installation_repositories",
  "installation_target",
  "issue_comment",
  "issues",
  "merge_group",
  "milestone",
  "ping",
  "pull_request",
  "push",
  "deployment_protection_rule",
  "github_app_authorization",
]);

export function deliveryEventLabel(header: string | string[] | undefined): string {
  const name = Array.isArray(header) ? header[0] : header;
  return name && KNOWN_EVENTS.has(name) ? name : "other";
}

export interface MetricsOptions {
  /** Jobs waiting or running in the in-process queue, read at scrape time. */
  queueDepth: () => number;
  /** Node.js process metrics (CPU, memory, event loop lag, …); default true. */
  processDefaults?: boolean;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.processDefaults !== false) collectDefaultMetrics({ register: registry });

  const deliveries = new Counter({
    name: "phase_gates_deliveries_total",
    help: "Webhook deliveries by event and how they were answered (accepted, rejected: bad signature or request, refused: shutting down, failed: server error).",
    labelNames: ["event", "outcome"] as const,
    registers: [registry],
  });
  const jobs = new Histogram({
    name: "phase_gates_job_duration_seconds",
    help: "Time a queued job took to run (waiting excluded), by job and outcome.",
    labelNames: ["job", "outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  // Where a late check waits: a job's own time is job_duration; this is the queue in front of it
  // (another installation's work, a hold, its repository's earlier jobs).
  const waits = new Histogram({
    name: "phase_gates_job_queue_wait_seconds",
    help: "Time a job waited from its webhook until it started (queue, holds, its repository's earlier jobs), by job.",
    labelNames: ["job"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  new Gauge({
    name: "phase_gates_queue_depth",
    help: "Jobs queued or running in this process.",
    registers: [registry],
    collect() {
      this.set(options.queueDepth());
    },
  });
  const requests = new Counter({
    name: "phase_gates_github_requests_total",
    help: "GitHub API requests made by jobs, by method and HTTP status (0: no response).",
    labelNames: ["method", "status"] as const,
    registers: [registry],
  });
  const remaining = new Gauge({
    name: "phase_gates_github_rate_limit_remaining",
    help: "Requests left in the current rate-limit window, as of the installation's last response (x-ratelimit-remaining).",
    labelNames: ["installation", "resource"] as const,
    registers: [registry],
  });
  const limited = new Counter({
    name: "phase_gates_github_rate_limited_total",
    help: "Times GitHub answered with a primary or secondary rate limit (each one waits before a retry).",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const checks = new Counter({
    name: "phase_gates_checks_total",
    help: "Phase gate checks evaluated, by result: created or updated (a write), unchanged (the write was skipped).",
    labelNames: ["result"] as const,
    registers: [registry],
  });

  return {
    registry,
    delivery: (event, outcome) => deliveries.inc({ event: deliveryEventLabel(event), outcome }),
    jobDone: (job, outcome, seconds, waitedSeconds) => {
      jobs.observe({ job, outcome }, seconds);
      waits.observe({ job }, Math.max(0, waitedSeconds));
    },
    githubResponse: ({ method, status, installationId, headers }) => {
      requests.inc({ method, status: String(status) });
      const left = Number(headers["x-ratelimit-remaining"]);
      if (headers["x-ratelimit-remaining"] !== undefined && Number.isFinite(left)) {
        remaining.set(
          {
            installation: String(installationId),
            resource: String(headers["x-ratelimit-resource"] ?? "core"),
          },
          left,
        );
      }
    },
    rateLimited: (kind) => limited.inc({ kind }),
    checkWrite: (result) => checks.inc({ result }),
  };
}
