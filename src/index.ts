import type { ApplicationFunction } from "probot";
import { createMetrics } from "./app/http/metrics.js";
import { guardWebhooks, opsRoutes } from "./app/http/ops-routes.js";
import { createRedisProbe } from "./app/http/redis-probe.js";
import { Shutdown } from "./app/http/shutdown.js";
import { RedisJobQueue } from "./app/jobs/redis-queue.js";
import { createPhaseGatesApp, type PhaseGatesApp } from "./app/register-handlers.js";
import { RedisPendingDeployments } from "./app/shared/redis-pending-deployments.js";
import { requestBudgetFor } from "./github/request-budget.js";
import { describeTarget, redisTargetFromEnv } from "./state/redis-connection.js";
import { RedisStateStore } from "./state/redis-store.js";

/** Default time queued work gets after SIGTERM (see Shutdown). */
const DRAIN_DEADLINE_MS = 8000;

function drainDeadline(): number {
  const ms = Number(process.env.SHUTDOWN_DEADLINE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DRAIN_DEADLINE_MS;
}

/**
 * Probot entry (`npm start` runs it through lib/start.js). In production an unsigned
 * webhook endpoint would let anyone forge gate approvals, so the app refuses
 * to start without `WEBHOOK_SECRET` (Probot would silently use "development").
 */
const app: ApplicationFunction = async (probot, options) => {
  if (process.env.NODE_ENV === "production" && !process.env.WEBHOOK_SECRET) {
    throw new Error(
      "WEBHOOK_SECRET is required when NODE_ENV=production: set it to the webhook secret of your GitHub App.",
    );
  }
  let phaseGates: PhaseGatesApp | null = null;
  const metrics = createMetrics({ queueDepth: () => phaseGates?.pendingJobs().length ?? 0 });
  const log = probot.log.child({ name: "ops" });
  // With REDIS_URL (or REDIS_CLUSTER_NODES), every process shares one queue and
  // one state: jobs survive a restart, a process that dies hands its job to
  // another, and what one process wrote the others know. Deployments waiting
  // for a gate are kept there too. One server or a Redis Cluster, asked once.
  const topology = await redisTargetFromEnv();
  if (topology.kind === "guessed") {
    log.warn(
      { reason: topology.reason },
      "redis: could not ask whether REDIS_URL is a cluster node; using it as one server (set REDIS_CLUSTER_NODES for a cluster)",
    );
  }
  const target = topology.kind === "none" ? undefined : topology.target;
  if (target) log.info(`redis: ${describeTarget(target)}`);
  const deployments = target ? new RedisPendingDeployments(target) : undefined;
  const store = target ? new RedisStateStore(target) : undefined;
  const budget = requestBudgetFor(target);
  phaseGates = createPhaseGatesApp({
    metrics,
    ...(deployments ? { pendingDeployments: deployments } : {}),
    ...(store ? { store } : {}),
    budget,
    ...(target
      ? { queue: (log, events) => new RedisJobQueue({ connection: target, log, ...events }) }
      : {}),
  });
  await phaseGates.app(probot, options);

  const redis = target ? createRedisProbe(target, log) : null;
  const shutdown = new Shutdown({
    log,
    work: phaseGates,
    deadlineMs: drainDeadline(),
    beforeExit: async () => {
      await Promise.all([redis?.close(), deployments?.close(), store?.close(), budget.close()]);
    },
    exit: (code) => process.exit(code),
  });
  guardWebhooks(probot, { metrics, refusing: () => shutdown.draining });
  options.addHandler(
    opsRoutes(metrics, { draining: () => shutdown.draining, redis: redis?.reachable ?? null }),
  );
  // Probot's `run` handles SIGINT only when given a function, and `probot run` not at all.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => void shutdown.begin(signal));
  }
};

export default app;
