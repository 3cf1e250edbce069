import type { ExistingComment, GateIssueSpec, MarkedComment } from "../core/plan-issues.js";
import type { Plan } from "../core/reconcile.js";
import { addLabel, removeLabel } from "./labels.js";
import type { GitHub, RepoRef } from "./octokit.js";

/**
 * Opens the planned gate issues; returns their numbers.
 * Runs inside the per-repository queue, so two events cannot both create one.
 */
export async function applyGateIssuePlan(
  octokit: GitHub,
  repo: RepoRef,
  plan: Plan<GateIssueSpec, unknown>,
): Promise<number[]> {
  const created: number[] = [];
  for (const { title, body, labels } of plan.create) {
    const { data } = await octokit.rest.issues.create({ ...repo, title, body, labels });
    created.push(data.number);
  }
  return created;
}

export async function closeIssue(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  reason: "completed" | "not_planned",
): Promise<void> {
  await octokit.rest.issues.update({
    ...repo,
    issue_number: number,
    state: "closed",
    state_reason: reason,
  });
}

export async function reopenIssue(octokit: GitHub, repo: RepoRef, number: number): Promise<void> {
  await octokit.rest.issues.update({ ...repo, issue_number: number, state: "open" });
}

export async function comment(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  body: string,
): Promise<void> {
  await octokit.rest.issues.createComment({ ...repo, issue_number: number, body });
}

/** Writes a marked-comment plan on issue `number`: the new comment, or the edit of the existing one. */
export async function applyCommentPlan(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  plan: Plan<MarkedComment, ExistingComment>,
): Promise<"created" | "updated" | "unchanged"> {
  for (const { body } of plan.create) await comment(octokit, repo, number, body);
  for (const { desired, actual } of plan.update) {
    await octokit.rest.issues.updateComment({ ...repo, comment_id: actual.id, body: desired.body });
  }
  return plan.create.length > 0 ? "created" : plan.update.length > 0 ? "updated" : "unchanged";
}

/** Writes a gate's decision-label plan: the label that no longer fits comes off first. */
export async function applyDecisionLabelPlan(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  plan: Plan<string, string>,
): Promise<void> {
  for (const label of plan.remove) await removeLabel(octokit, repo, number, label);
  for (const label of plan.create) await addLabel(octokit, repo, number, label);
}
