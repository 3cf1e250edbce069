import { getPull } from "../../github/pull-requests.js";
import { type CheckOptions, checkPullRequest } from "../evaluate-pull-request.js";
import { handler, type Receipt, route } from "../jobs/handler.js";
import type { RepoJob } from "../repo-job.js";
import { onItemMilestoneChanged } from "./milestone-sync.js";

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

/** PR actions after which the issues a repository's PRs close are read again. */
const LINK_CHANGING_PR_ACTIONS = new Set<string>(["opened", "reopened", "edited", "closed"]);

/** PR actions that can lower its phase: a label or milestone taken away, the body (closing references) edited. */
const LOWERING_PR_ACTIONS = new Set<string>(["unlabeled", "milestoned", "demilestoned", "edited"]);

export interface PullRequestInput {
  action: string;
  number: number;
  /** The sender of a change that can lower the PR's phase, else null (SPEC §2 phase floor). */
  loweringBy: string | null;
  /** The head before a push: where the phase floor was remembered. */
  previousSha?: string;
  opened: boolean;
  /** milestoned/demilestoned: the milestone set or removed, for the phase label sync. */
  milestone?: { title: string } | null;
}

/**
 * Waiting evaluations of one PR merge when nothing sets them apart: the
 * milestone events carry a label sync of their own, and a lowering is
 * credited to its sender only, so senders never merge with each other.
 */
function coalesceKey(input: PullRequestInput): string | undefined {
  if (input.milestone !== undefined) return undefined;
  return `pr#${input.number}:${input.loweringBy?.toLowerCase() ?? ""}`;
}

export const pullRequestRoute = route(
  [...PULL_REQUEST_EVENTS, "pull_request.closed"],
  (context): Receipt => {
    const { payload } = context;
    const repo = context.repo();
    const forget = LINK_CHANGING_PR_ACTIONS.has(payload.action)
      ? [{ links: "repository" as const, repo }]
      : [];
    const activity = { sender: payload.sender?.login };
    if (payload.action === "closed") return { jobs: [], activity, forget };
    const input: PullRequestInput = {
      action: payload.action,
      number: payload.pull_request.number,
      loweringBy: LOWERING_PR_ACTIONS.has(payload.action) ? (payload.sender?.login ?? null) : null,
      opened: payload.action === "opened",
      ...(payload.action === "synchronize" ? { previousSha: payload.before } : {}),
      ...(payload.action === "milestoned" || payload.action === "demilestoned"
        ? { milestone: payload.milestone ? { title: payload.milestone.title } : null }
        : {}),
    };
    const coalesce = coalesceKey(input);
    return {
      jobs: [{ kind: "pull_request", repo, input, ...(coalesce ? { coalesce } : {}) }],
      activity,
      forget,
    };
  },
);

/**
 * 1. A milestone set or removed: sync the PR's phase labels first
 *    (`sync.milestones`); the check runs even when that sync fails.
 * 2. Check the PR.
 * 3. Fail the job with the sync's error, if it had one.
 */
async function runPullRequest(job: RepoJob, input: PullRequestInput): Promise<void> {
  const syncError =
    (input.action === "milestoned" || input.action === "demilestoned") &&
    input.milestone !== undefined
      ? await onItemMilestoneChanged(job, {
          action: input.action,
          number: input.number,
          isPullRequest: true,
          milestone: input.milestone,
        }).then(
          () => null,
          (error: unknown) => error ?? new Error("label sync failed"),
        )
      : null;
  await onPullRequestChanged(job, input.number, {
    lowering: { by: input.loweringBy },
    ...(input.previousSha ? { previousSha: input.previousSha } : {}),
    opened: input.opened,
  });
  if (syncError) throw syncError;
}

export const pullRequestHandler = handler("pull_request", runPullRequest);

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
