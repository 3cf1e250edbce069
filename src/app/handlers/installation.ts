import { recheckOpenPulls } from "../evaluate-pull-request.js";
import type { RepoJob } from "../repo-job.js";

/**
 * The app was installed on a repository:
 * 1. load its config (none → nothing to do, no writes);
 * 2. check every open PR, so the required check exists from the start.
 */
export async function onInstalled(job: RepoJob): Promise<void> {
  const loaded = await job.config();
  if (loaded.kind === "none") {
    job.log.info("skip: no .github/phase-gates.yml");
    return;
  }
  await recheckOpenPulls(job);
}
