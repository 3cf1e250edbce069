import { serializeUser } from "../serialize.js";
import type { RepoRecord, UserRecord } from "../types.js";
import { ApiError, nowIso, type StateCore } from "./core.js";
import { emitRepo } from "./events.js";

/**
 * A workflow run deploys to `environment`, which has the app's custom
 * protection rule: GitHub sends `deployment_protection_rule.requested` with
 * the URL the app answers at. Returns the run id.
 */
export function requestDeployment(
  s: StateCore,
  repo: RepoRecord,
  environment: string,
  sender: UserRecord,
): number {
  const runId = s.nextId();
  const at = nowIso();
  repo.deployments.push({
    runId,
    environment,
    requestedBy: sender.login,
    requestedAt: at,
    answers: [],
  });
  const sha = repo.branches.get(repo.default_branch) ?? "0".repeat(40);
  const api = `${s.urls.api}/repos/${repo.full_name}`;
  const deploymentId = s.nextId();
  emitRepo(s, repo, "deployment_protection_rule", "requested", sender, {
    environment,
    event: "workflow_dispatch",
    deployment_callback_url: `${api}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: {
      url: `${api}/deployments/${deploymentId}`,
      id: deploymentId,
      node_id: `DE_${deploymentId}`,
      sha,
      ref: repo.default_branch,
      task: "deploy",
      payload: {},
      original_environment: environment,
      environment,
      description: null,
      creator: serializeUser(s.urls, sender),
      created_at: at,
      updated_at: at,
      statuses_url: `${api}/deployments/${deploymentId}/statuses`,
      repository_url: api,
    },
    pull_requests: [],
  });
  return runId;
}

/** `POST …/actions/runs/{run_id}/deployment_protection_rule`: the app's answer, once. */
export function answerDeployment(
  repo: RepoRecord,
  runId: number,
  body: { environment_name?: unknown; state?: unknown; comment?: unknown },
  sender: UserRecord,
): void {
  const { state, environment_name: environment, comment } = body;
  if ((state !== "approved" && state !== "rejected") || typeof environment !== "string") {
    throw new ApiError(422, "Invalid request: environment_name and state are required.");
  }
  const request = repo.deployments.find(
    (d) => d.runId === runId && d.environment.toLowerCase() === environment.toLowerCase(),
  );
  if (!request) throw new ApiError(404, "Not Found");
  if (request.answers.length > 0) {
    throw new ApiError(422, "No pending deployment protection rule for this environment.");
  }
  request.answers.push({
    state,
    comment: typeof comment === "string" ? comment : "",
    by: sender.login,
    at: nowIso(),
  });
}
