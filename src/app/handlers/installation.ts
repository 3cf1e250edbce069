import type { RepoJob } from "../repo-job.js";
import { syncRepository } from "../sync-repository.js";

/** The app was installed on a repository: labels, milestones, gate issues, then a check on every open PR. */
export async function onInstalled(job: RepoJob): Promise<void> {
  await syncRepository(job, "installed");
}
