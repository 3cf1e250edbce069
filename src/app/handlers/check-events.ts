import { CHECK_NAME } from "../../core/render-check.js";
import { getPull, listOpenPulls, type PullFacts } from "../../github/pull-requests.js";
import { handler, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { checkPullRequest } from "../recipes/evaluate-pull-request.js";

/**
 * A re-run from the GitHub UI, or a new check suite:
 * 1. find the open PRs whose head is this SHA (the payload lists them, except
 *    for PRs from forks, which are searched in the open PRs);
 * 2. check each one; a re-run the user asked for always gets a new completed run.
 */
export async function onCheckRequested(
  job: RepoJob,
  headSha: string,
  pullNumbers: readonly number[],
  request: { rerun: boolean } = { rerun: false },
): Promise<void> {
  let pulls: PullFacts[];
  if (pullNumbers.length > 0) {
    pulls = await Promise.all(pullNumbers.map((n) => getPull(job.octokit, job.repo, n)));
  } else {
    pulls = (await listOpenPulls(job.octokit, job.repo)).filter((pr) => pr.headSha === headSha);
  }
  for (const pr of pulls.filter((p) => p.state === "open" && p.headSha === headSha)) {
    await checkPullRequest(job, pr, { fresh: request.rerun });
  }
}

/** `refs/heads/gh-readonly-queue/main/pr-42-<sha>` → 42. */
export function mergeGroupPullNumber(headRef: string): number | null {
  const m = /\/pr-(\d+)-[0-9a-f]+$/.exec(headRef);
  return m?.[1] ? Number(m[1]) : null;
}

/**
 * A merge queue asks for the required check on its temporary commit:
 * 1. find the queued PR from the group's ref;
 * 2. evaluate it against the gates as they are now, and write the check on
 *    the group's head SHA (else the queue stalls waiting for it).
 */
export async function onMergeGroup(job: RepoJob, headSha: string, headRef: string): Promise<void> {
  const number = mergeGroupPullNumber(headRef);
  if (number === null) {
    job.log.warn({ headRef }, "merge group ref names no PR; cannot evaluate");
    return;
  }
  const pr = await getPull(job.octokit, job.repo, number);
  await checkPullRequest(job, pr, { headSha });
}

export interface CheckRequestedInput {
  headSha: string;
  pullNumbers: number[];
  rerun: boolean;
}

/** A re-run of our check, or a new or re-requested check suite. */
export const checkRequestedRoute = route(
  ["check_run.rerequested", "check_suite.requested", "check_suite.rerequested"],
  (context) => {
    const { payload } = context;
    const repo = context.repo();
    if ("check_run" in payload) {
      const run = payload.check_run;
      if (run.name !== CHECK_NAME) return { jobs: [] };
      const input: CheckRequestedInput = {
        headSha: run.head_sha,
        pullNumbers: run.pull_requests.map((p) => p.number),
        rerun: true,
      };
      return { jobs: [{ kind: "check_requested", repo, input }] };
    }
    const suite = payload.check_suite;
    const input: CheckRequestedInput = {
      headSha: suite.head_sha,
      pullNumbers: suite.pull_requests.map((p) => p.number),
      rerun: payload.action === "rerequested",
    };
    return { jobs: [{ kind: "check_requested", repo, input }] };
  },
);

export const checkRequestedHandler = handler("check_requested", (job, input: CheckRequestedInput) =>
  onCheckRequested(job, input.headSha, input.pullNumbers, { rerun: input.rerun }),
);

export interface MergeGroupInput {
  headSha: string;
  headRef: string;
}

export const mergeGroupRoute = route(["merge_group.checks_requested"], (context) => {
  const group = context.payload.merge_group;
  const input: MergeGroupInput = { headSha: group.head_sha, headRef: group.head_ref };
  return { jobs: [{ kind: "merge_group", repo: context.repo(), input }] };
});

export const mergeGroupHandler = handler("merge_group", (job, input: MergeGroupInput) =>
  onMergeGroup(job, input.headSha, input.headRef),
);
