import type { Config } from "../config/schema.js";
import { DECISION_LABELS, gateIssueBody } from "../core/gate-text.js";
import { type IssueComment, type IssueData, labelNames } from "./gate-issues.js";
import { addLabel, removeLabel } from "./labels.js";
import type { GitHub, RepoRef } from "./octokit.js";

/**
 * Creates the gate issue of every gate that has none (open or closed; an
 * issue someone below approver labelled does not count as one).
 * Runs inside the per-repository queue, so two events cannot both create one.
 */
export async function ensureGateIssues(
  octokit: GitHub,
  repo: RepoRef,
  config: Config,
  hasGateIssue: (phaseIndex: number) => Promise<boolean>,
): Promise<number[]> {
  const created: number[] = [];
  for (const [i, phase] of config.phases.entries()) {
    if (!phase.gate) continue;
    if (await hasGateIssue(i)) continue;
    const { data } = await octokit.rest.issues.create({
      ...repo,
      title: phase.gate.title,
      body: gateIssueBody(config, i),
      labels: [phase.gate.label],
    });
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

/**
 * Creates the comment carrying `marker`, or updates it when its text changed;
 * never a second copy. Only a comment by this app (`appLogin`) is ours: anyone
 * can paste a marker into a comment of their own.
 */
export async function upsertMarkedComment(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  comments: readonly IssueComment[],
  appLogin: string,
  marker: string,
  body: string,
): Promise<"created" | "updated" | "unchanged"> {
  const existing = comments.find(
    (c) => c.author.toLowerCase() === appLogin.toLowerCase() && c.body.includes(marker),
  );
  if (!existing) {
    await comment(octokit, repo, number, body);
    return "created";
  }
  if (existing.body.trim() === body.trim()) return "unchanged";
  await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
  return "updated";
}

/**
 * Sets the display label of a gate's decision (`gate: approved` / `gate: stopped`,
 * or neither while pending). Removes one a person added that does not match.
 */
export async function setDecisionLabel(
  octokit: GitHub,
  repo: RepoRef,
  issue: Pick<IssueData, "number" | "labels">,
  decision: "approved" | "stopped" | null,
): Promise<void> {
  const have = new Set(labelNames(issue.labels).map((l) => l.toLowerCase()));
  const want = decision ? DECISION_LABELS[decision] : null;
  for (const label of Object.values(DECISION_LABELS)) {
    if (label !== want && have.has(label.toLowerCase()))
      await removeLabel(octokit, repo, issue.number, label);
  }
  if (want && !have.has(want.toLowerCase())) {
    await addLabel(octokit, repo, issue.number, want);
  }
}
