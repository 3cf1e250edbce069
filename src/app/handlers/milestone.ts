import { handler, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { refreshReportsAfter } from "../recipes/refresh-reports.js";

export const MILESTONE_EVENTS = [
  "milestone.created",
  "milestone.edited",
  "milestone.deleted",
  "milestone.closed",
  "milestone.opened",
] as const;

/** A milestone changed (a due date is a phase's timebox): the reports are regenerated after the jobs already waiting. */
export async function onMilestoneChanged(job: RepoJob): Promise<void> {
  await refreshReportsAfter(job);
}

export const milestoneRoute = route(MILESTONE_EVENTS, (context) => ({
  jobs: [{ kind: "milestone", repo: context.repo(), input: {} }],
}));

export const milestoneHandler = handler("milestone", (job) => onMilestoneChanged(job));
