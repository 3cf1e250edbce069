import type { IssueRef } from "../../core/types.js";
import { forgetAncestry, listDescendants } from "../../github/ancestry.js";
import { parentOfIssue } from "../../github/pull-requests.js";
import { space } from "../../state/store.js";
import { handler, type Receipt, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { recheckPullsClosingAny } from "./linked-elsewhere.js";

/** A sub-issue link made or undone (SPEC §2 "Parent issues"). */
export const SUB_ISSUE_EVENTS = [
  "sub_issues.sub_issue_added",
  "sub_issues.sub_issue_removed",
  "sub_issues.parent_issue_added",
  "sub_issues.parent_issue_removed",
] as const;

export interface SubIssueInput {
  change: "added" | "removed";
  /** GitHub's ids of the two issues: one link, whichever of its two deliveries this is. */
  link: { parentId: number; subIssueId: number };
  subIssue: IssueRef;
  parent: IssueRef;
  /** How many sub-issues the sub-issue has itself (`sub_issues_summary.total`), when the payload says. */
  subIssues?: number;
  sender: string;
}

/**
 * The last change of each link the app handled. One link change sends two
 * deliveries, `sub_issue_*` to the parent's repository and `parent_issue_*`
 * to the sub-issue's: the second finds its change already handled. A link
 * undone and made again alternates, so each real change is handled once.
 */
const LINK_CHANGES = space<"added" | "removed">("sub-issue-link", {
  limit: 20_000,
  ttlMs: 10 * 60_000,
});

/** The issue's ref from its API `url` (`…/repos/{o}/{r}/issues/{n}`). */
function refOf(issue: { url: string }): IssueRef | null {
  return parentOfIssue({ parent_issue_url: issue.url }) ?? null;
}

export const subIssuesRoute = route(SUB_ISSUE_EVENTS, (context): Receipt => {
  const { payload } = context;
  const subIssue = refOf(payload.sub_issue);
  const parent = refOf(payload.parent_issue);
  if (!subIssue || !parent) return { jobs: [] };
  const change = payload.action.endsWith("_added") ? "added" : "removed";
  const total = payload.sub_issue.sub_issues_summary?.total;
  const input: SubIssueInput = {
    change,
    link: { parentId: payload.parent_issue_id, subIssueId: payload.sub_issue_id },
    subIssue,
    parent,
    ...(total !== undefined ? { subIssues: total } : {}),
    sender: payload.sender?.login ?? "ghost",
  };
  const { parentId, subIssueId } = input.link;
  return {
    // The two deliveries of one change merge while both wait in one repository's queue.
    jobs: [
      {
        kind: "sub_issues",
        repo: context.repo(),
        input,
        coalesce: `sub-issue:${parentId}>${subIssueId}:${change}`,
      },
    ],
    activity: { sender: input.sender },
  };
});

/**
 * A sub-issue gained or lost its parent:
 * 1. the other delivery of the same change was handled (and finished) → nothing;
 * 2. the sub-issue and every issue below it: their remembered ancestry is dropped;
 * 3. the open PRs that close any of them, here and in the installation's other
 *    repositories, are re-checked. A removed parent can lower their phase:
 *    the sender must be an approver of every gate it skips, or the PRs stay
 *    at their phase floor (SPEC §2).
 */
async function runSubIssues(job: RepoJob, input: SubIssueInput): Promise<void> {
  const key = `${job.installationId ?? ""}:${input.link.parentId}>${input.link.subIssueId}`;
  if ((await job.store.get(LINK_CHANGES, key)) === input.change) {
    job.log.info({ link: key, change: input.change }, "skip: this link change was handled");
    return;
  }
  const below = await listDescendants(job.octokit, input.subIssue, input.subIssues);
  const issues = [input.subIssue, ...below];
  await forgetAncestry(job.store, issues);
  job.log.info(
    { subIssue: input.subIssue, parent: input.parent, change: input.change, below: below.length },
    "sub-issue link changed",
  );
  const lowering = { by: input.change === "removed" ? input.sender : null };
  await recheckPullsClosingAny(job, issues, lowering);
  // Only once done: if this failed, the other delivery does the work.
  await job.store.set(LINK_CHANGES, key, input.change);
}

export const subIssuesHandler = handler("sub_issues", runSubIssues);
