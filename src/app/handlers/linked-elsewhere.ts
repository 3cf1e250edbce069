import { pullsClosingAny } from "../../core/affected.js";
import type { IssueRef } from "../../core/types.js";
import { listInstallationRepositories } from "../../github/installation.js";
import type { RepoRef } from "../../github/octokit.js";
import { repoKey } from "../../github/octokit.js";
import {
  closingReferences,
  getPull,
  listOpenPulls,
  type PullFacts,
} from "../../github/pull-requests.js";
import { handler } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import {
  checkPullRequest,
  type Lowering,
  recheckOpenPulls,
} from "../recipes/evaluate-pull-request.js";

/** Issue actions that can change the phase of the PRs that close the issue. */
export const LINKED_PHASE_ACTIONS = new Set([
  "labeled",
  "unlabeled",
  "milestoned",
  "demilestoned",
  "deleted",
  "transferred",
]);

export interface PullsElsewhere {
  repo: RepoRef;
  numbers: number[];
}

/**
 * The open PRs in the installation's other repositories that close `issue`
 * (`Closes acme/api#12`): a linked issue's phase counts across repositories,
 * so its change must re-check them too. Read through the link index.
 */
export async function pullsElsewhereClosing(
  job: RepoJob,
  installationId: number,
  issue: IssueRef | readonly IssueRef[],
): Promise<PullsElsewhere[]> {
  const issues = Array.isArray(issue) ? issue : [issue as IssueRef];
  const { links } = job;
  const here = `${job.repo.owner}/${job.repo.repo}`.toLowerCase();
  const repos = await links.repositories(installationId, () =>
    listInstallationRepositories(job.octokit),
  );
  const found: PullsElsewhere[] = [];
  for (const repo of repos) {
    if (`${repo.owner}/${repo.repo}`.toLowerCase() === here) continue;
    const pulls = await links.pullLinks(repo, async () =>
      (await listOpenPulls(job.octokit, repo)).map((pr) => ({
        number: pr.number,
        refs: closingReferences(repo, pr.body),
      })),
    );
    const numbers = pullsClosingAny(issues, pulls);
    if (numbers.length > 0) found.push({ repo, numbers });
  }
  return found;
}

/** Re-checks the given PRs of this job's repository that are still open. */
export async function recheckPulls(
  job: RepoJob,
  numbers: readonly number[],
  lowering: Lowering,
): Promise<void> {
  for (const number of numbers) {
    const pr = await getPull(job.octokit, job.repo, number);
    if (pr.state !== "open") continue;
    await checkPullRequest(job, pr, { lowering });
  }
}

/**
 * The open PRs that close any of `issues`, re-checked: this repository's now
 * (when its config counts linked and parent issues), the installation's other
 * repositories' each in a job of its own (SPEC §2 "Parent issues": a change
 * above a sub-issue reaches every PR that closes it).
 */
export async function recheckPullsClosingAny(
  job: RepoJob,
  issues: readonly IssueRef[],
  lowering: Lowering,
): Promise<void> {
  if (issues.length === 0) return;
  const loaded = await job.config();
  if (loaded.kind === "ok" && loaded.config.linkedIssues && loaded.config.parentIssues) {
    const refs = (pr: PullFacts) => closingReferences(job.repo, pr.body);
    const closes = (pr: PullFacts) =>
      pullsClosingAny(issues, [{ number: pr.number, refs: refs(pr) }]).length > 0;
    await recheckOpenPulls(job, closes, lowering);
  }
  if (job.installationId === null) return;
  for (const { repo, numbers } of await pullsElsewhereClosing(job, job.installationId, issues)) {
    await job.enqueue({
      kind: "linked_elsewhere",
      repo,
      input: { numbers, lowering },
      // Apart from the issue's own fan-out of the same delivery (handlers/gate-issue.ts).
      deliverySuffix: `:below:${repoKey(repo)}`,
    });
  }
}

export interface LinkedElsewhereInput {
  numbers: number[];
  lowering: Lowering;
}

export const linkedElsewhereHandler = handler(
  "linked_elsewhere",
  (job, input: LinkedElsewhereInput) => recheckPulls(job, input.numbers, input.lowering),
);
