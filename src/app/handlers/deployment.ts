import { formatConfigError } from "../../config/format-config-error.js";
import {
  type DeploymentDecision,
  decideDeployment,
  deploymentRule,
} from "../../core/deployment.js";
import { answerDeployment, callbackRunId } from "../../github/deployments.js";
import { httpStatus } from "../../github/octokit.js";
import { handler, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import type { PendingDeployment, PendingDeployments } from "../shared/pending-deployments.js";

/** The answer to a deployment to `environment` now, from the job's config and gates. */
export async function decideForEnvironment(
  job: RepoJob,
  environment: string,
): Promise<DeploymentDecision> {
  const loaded = await job.config();
  if (loaded.kind === "none") return decideDeployment({ kind: "none" }, environment, []);
  if (loaded.kind === "invalid") {
    const errors = loaded.errors.map(formatConfigError);
    return decideDeployment({ kind: "invalid", errors }, environment, []);
  }
  const { config } = loaded;
  const rule = deploymentRule(config, environment);
  const gates = rule ? await job.gatesBefore(config, rule.phaseIndex) : [];
  return decideDeployment({ kind: "ok", config }, environment, gates);
}

/**
 * Sends a decided answer. The answer is stored first and forgotten only once
 * GitHub took it: a POST that fails (after Octokit's own retries) is sent
 * again on the next gate change with the same answer, never a new one.
 */
async function send(
  job: RepoJob,
  store: PendingDeployments,
  pending: PendingDeployment,
  answer: NonNullable<PendingDeployment["answer"]>,
): Promise<void> {
  const kept = { ...pending, answer };
  await store.put(kept);
  try {
    await answerDeployment(job.octokit, job.repo, pending.runId, {
      environment: pending.environment,
      ...answer,
    });
  } catch (error) {
    // 422/404: GitHub no longer waits for this answer (already taken by an
    // attempt whose reply was lost, the run cancelled, or 30 days passed).
    // Sending it again could never succeed; anything else is tried again later.
    const status = httpStatus(error);
    if (status !== 422 && status !== 404) throw error;
    await store.remove(kept);
    job.log.warn(
      { environment: pending.environment, runId: pending.runId, status },
      "deployment no longer waits for an answer: forgotten",
    );
    return;
  }
  await store.remove(kept);
  job.log.info(
    { environment: pending.environment, runId: pending.runId, state: answer.state },
    "deployment answered",
  );
}

/** `deployment_protection_rule.requested`: answer now, or keep the request until a gate changes. */
export async function onDeploymentRequested(
  job: RepoJob,
  store: PendingDeployments,
  request: Omit<PendingDeployment, "repo" | "answer">,
): Promise<void> {
  const pending: PendingDeployment = { ...request, repo: job.repo };
  const decision = await decideForEnvironment(job, request.environment);
  if (decision.state === "waiting") {
    await store.put(pending);
    job.log.info(
      { environment: request.environment, runId: request.runId, why: decision.comment },
      "deployment waits for a gate",
    );
    return;
  }
  await send(job, store, pending, { state: decision.state, comment: decision.comment });
}

/**
 * After a gate changed: every deployment of the repository still waiting is
 * decided again, and those no longer waiting are answered, once each. One
 * failed answer does not stop the others; the failures are thrown together.
 */
export async function answerWaitingDeployments(
  job: RepoJob,
  store: PendingDeployments | undefined,
): Promise<void> {
  if (!store) return;
  const failures: unknown[] = [];
  for (const pending of await store.list(job.repo)) {
    try {
      const answer = pending.answer ?? (await decideForEnvironment(job, pending.environment));
      if (answer.state === "waiting") continue;
      await send(job, store, pending, { state: answer.state, comment: answer.comment });
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, "deployments not answered");
}

export type DeploymentInput = Omit<PendingDeployment, "repo" | "answer">;

export const deploymentRoute = route(["deployment_protection_rule.requested"], (context) => {
  const { environment, deployment_callback_url: callbackUrl } = context.payload;
  const runId = callbackUrl ? callbackRunId(callbackUrl) : null;
  // payloads.ts refuses a delivery without these; the check narrows the types.
  if (!environment || !callbackUrl || runId === null) return { jobs: [] };
  const input: DeploymentInput = {
    environment,
    callbackUrl,
    runId,
    receivedAt: new Date().toISOString(),
  };
  return { jobs: [{ kind: "deployment", repo: context.repo(), input }] };
});

export const deploymentHandler = handler("deployment", async (job, input: DeploymentInput) => {
  const store = job.settings.deployments;
  if (!store) throw new Error("no store for waiting deployments: cannot answer a deployment");
  await onDeploymentRequested(job, store, input);
});
