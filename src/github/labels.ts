import { type ExistingLabel, type LabelPlan, planLabels } from "../core/plan-labels.js";
import {
  type Demilestoned,
  type ItemLabelPlan,
  type ItemPhaseState,
  planItemPhaseLabels,
} from "../core/plan-milestones.js";
import type { Config } from "../core/types.js";
import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

export interface LabelSync {
  created: string[];
  updated: string[];
}

/** A 422 whose validation error says the thing exists: another writer was faster, and that is fine. */
export function isAlreadyExists(error: unknown): boolean {
  if (httpStatus(error) !== 422) return false;
  const data = (error as { response?: { data?: { errors?: { code?: string }[] } } }).response?.data;
  return (data?.errors ?? []).some((e) => e.code === "already_exists");
}

export async function listLabels(octokit: GitHub, repo: RepoRef): Promise<ExistingLabel[]> {
  const labels = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, {
    ...repo,
    per_page: 100,
  });
  return labels.map((l) => ({ name: l.name, color: l.color, description: l.description }));
}

/**
 * `sync.labels`: reads the repository's labels once, then creates the
 * missing phase, gate and decision labels and repairs colour/description
 * drift. Nothing is deleted or renamed; a second run on the same state
 * writes nothing.
 */
export async function ensureLabels(
  octokit: GitHub,
  repo: RepoRef,
  config: Config,
): Promise<LabelSync> {
  return applyLabelPlan(octokit, repo, planLabels(config, await listLabels(octokit, repo)));
}

/**
 * Writes a repository label plan: one POST per label to create, one PATCH per
 * label to repair. `planLabels` never plans a removal (a person's label may be in use).
 */
export async function applyLabelPlan(
  octokit: GitHub,
  repo: RepoRef,
  plan: LabelPlan,
): Promise<LabelSync> {
  const result: LabelSync = { created: [], updated: [] };
  for (const spec of plan.create) {
    try {
      await octokit.rest.issues.createLabel({ ...repo, ...spec });
      result.created.push(spec.name);
    } catch (error) {
      // Created by someone else since our read: the next sync repairs its colour if needed.
      if (!isAlreadyExists(error)) throw error;
    }
  }
  for (const { desired, actual } of plan.update) {
    // Addressed and kept under the person's spelling: no `new_name`.
    await octokit.rest.issues.updateLabel({
      ...repo,
      name: actual.name,
      color: desired.color,
      description: desired.description,
    });
    result.updated.push(actual.name);
  }
  return result;
}

/** The labels written on one issue or PR. */
export interface ItemLabelChanges {
  add: string[];
  remove: string[];
}

/** Writes an item label plan: one POST with every label to add, one DELETE per label to remove. */
export async function applyItemLabelPlan(
  octokit: GitHub,
  repo: RepoRef,
  issueNumber: number,
  plan: ItemLabelPlan,
): Promise<ItemLabelChanges> {
  if (plan.create.length > 0) {
    await octokit.rest.issues.addLabels({
      ...repo,
      issue_number: issueNumber,
      labels: plan.create,
    });
  }
  for (const name of plan.remove) await removeLabel(octokit, repo, issueNumber, name);
  return { add: plan.create, remove: plan.remove };
}

/**
 * Milestone → phase label on one issue or PR: plans on the state passed in
 * (read it fresh) and writes only the difference. Returns what it wrote.
 */
export async function syncItemPhaseLabels(
  octokit: GitHub,
  repo: RepoRef,
  config: Config,
  item: ItemPhaseState & { number: number },
  demilestoned?: Demilestoned,
): Promise<ItemLabelChanges> {
  return applyItemLabelPlan(
    octokit,
    repo,
    item.number,
    planItemPhaseLabels(config, item, demilestoned),
  );
}

export async function addLabel(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  label: string,
): Promise<void> {
  await octokit.rest.issues.addLabels({ ...repo, issue_number: number, labels: [label] });
}

/** Removes a label from an issue or PR; one already gone (404) is the state wanted. */
export async function removeLabel(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  label: string,
): Promise<void> {
  try {
    await octokit.rest.issues.removeLabel({ ...repo, issue_number: number, name: label });
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
  }
}
