import { type MilestonePlan, planMilestones } from "../core/plan-milestones.js";
import type { Config } from "../core/types.js";
import { isAlreadyExists } from "./labels.js";
import type { GitHub, RepoRef } from "./octokit.js";

export interface MilestoneSync {
  created: string[];
}

/**
 * `sync.milestones`: reads every milestone once (open and closed, so a
 * closed phase milestone is not created again) and creates the missing
 * phase milestones, open. Existing milestones are never edited: their due
 * dates are the teams' timeboxes. A second run on the same state writes nothing.
 */
export async function ensureMilestones(
  octokit: GitHub,
  repo: RepoRef,
  config: Config,
): Promise<MilestoneSync> {
  const existing = await octokit.paginate(octokit.rest.issues.listMilestones, {
    ...repo,
    state: "all",
    per_page: 100,
  });
  return applyMilestonePlan(octokit, repo, planMilestones(config, existing));
}

/** Writes a milestone plan: one POST per milestone to create, open. `planMilestones` plans nothing else. */
export async function applyMilestonePlan(
  octokit: GitHub,
  repo: RepoRef,
  plan: MilestonePlan,
): Promise<MilestoneSync> {
  const created: string[] = [];
  for (const spec of plan.create) {
    try {
      await octokit.rest.issues.createMilestone({ ...repo, ...spec, state: "open" });
      created.push(spec.title);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }
  return { created };
}
