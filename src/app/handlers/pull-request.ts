import { getPull } from "../../github/pull-requests.js";
import { type CheckOptions, checkPullRequest } from "../evaluate-pull-request.js";
import type { RepoJob } from "../repo-job.js";

/** Every PR event that can change the PR's phase or head (SPEC §4). */
export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.milestoned",
  "pull_request.demilestoned",
  "pull_request.edited",
  "pull_request.ready_for_review",
] as const;

/**
 * 1. Read the PR as it is now (events can arrive late or out of order).
 * 2. Skip a PR that is no longer open.
 * 3. Check it, including the config it proposes, if it changes one.
 */
export async function onPullRequestChanged(
  job: RepoJob,
  number: number,
  change: Pick<CheckOptions, "lowering" | "previousSha" | "opened"> = {},
): Promise<void> {
  const pr = await getPull(job.octokit, job.repo, number);
  if (pr.state !== "open") {
    job.log.info({ pr: number }, "skip: pull request is not open");
    return;
  }
  await checkPullRequest(job, pr, { ...change, inspectConfigChange: true });
}
