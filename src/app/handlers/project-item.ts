import { handler, type Receipt, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { putProjectItemBack } from "../recipes/project-sync.js";

/** What a `project_item` job needs of a `projects_v2_item.edited` delivery. */
export interface ProjectItemInput {
  itemId: string;
  /** The field a person changed; null when the payload does not say. */
  fieldId: string | null;
  sender: string;
}

/**
 * A person changed a field of a project item (organisation projects only).
 * The job runs in the organisation's `.github` queue: the payload names no
 * repository, and the item's own repository is known only from the store.
 */
export const projectItemRoute = route(["projects_v2_item.edited"], (context): Receipt => {
  const { payload } = context;
  const org = payload.organization?.login;
  const itemId = payload.projects_v2_item.node_id;
  if (!org || !itemId) return { jobs: [] };
  const changes = (payload as { changes?: { field_value?: { field_node_id?: string } } }).changes;
  const input: ProjectItemInput = {
    itemId,
    fieldId: changes?.field_value?.field_node_id ?? null,
    sender: payload.sender.login,
  };
  return { jobs: [{ kind: "project_item", repo: { owner: org, repo: ".github" }, input }] };
});

/**
 * 1. the app's own write → nothing (never loop on our writes);
 * 2. an item the app keeps, on one of its fields → write back what labels,
 *    milestones and gates say (the app's last write).
 */
async function runProjectItem(job: RepoJob, input: ProjectItemInput): Promise<void> {
  if (input.sender.toLowerCase() === job.settings.appLogin.toLowerCase()) {
    job.log.info({ item: input.itemId }, "skip: the app's own project write");
    return;
  }
  if (!(await putProjectItemBack(job, input.itemId, input.fieldId)))
    job.log.info({ item: input.itemId }, "skip: not an item or field the app keeps");
}

export const projectItemHandler = handler("project_item", runProjectItem);
