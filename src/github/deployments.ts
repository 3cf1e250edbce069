import type { GitHub, RepoRef } from "./octokit.js";

/** The workflow run of a `deployment_callback_url` (`…/actions/runs/{run_id}/deployment_protection_rule`). */
export const CALLBACK_PATH =
  /\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

export function callbackRunId(url: string): number | null {
  const match = CALLBACK_PATH.exec(new URL(url, "https://invalid.example").pathname);
  const id = Number(match?.[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * Answers a custom deployment protection rule. The request is addressed by
 * run id on the job's own API host, not to the payload's URL as given, so
 * the installation token never goes anywhere but GitHub.
 */
export async function answerDeployment(
  octokit: GitHub,
  repo: RepoRef,
  runId: number,
  answer: { environment: string; state: "approved" | "rejected"; comment: string },
): Promise<void> {
  await octokit.request(
    "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule",
    {
      owner: repo.owner,
      repo: repo.repo,
      run_id: runId,
      environment_name: answer.environment,
      state: answer.state,
      comment: answer.comment,
    },
  );
}
