import { CONFIG_PATH } from "../../config/schema.js";
import { recheckOpenPulls } from "../evaluate-pull-request.js";
import type { RepoJob } from "../repo-job.js";

export interface PushEvent {
  ref: string;
  repository: { default_branch?: string };
  commits?: { added?: string[]; modified?: string[]; removed?: string[] }[];
  head_commit?: { added?: string[]; modified?: string[]; removed?: string[] } | null;
}

/** GitHub lists at most 20 commits in a push; a longer push may touch the config unseen. */
const PUSH_COMMIT_LIMIT = 20;

export function pushTouchesConfig(event: PushEvent): boolean {
  const branch = event.repository.default_branch;
  if (!branch || event.ref !== `refs/heads/${branch}`) return false;
  const commits = [...(event.commits ?? []), ...(event.head_commit ? [event.head_commit] : [])];
  if ((event.commits?.length ?? 0) >= PUSH_COMMIT_LIMIT) return true;
  return commits.some((c) =>
    [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])].includes(CONFIG_PATH),
  );
}

/**
 * The config changed on the default branch:
 * 1. the new config is loaded (revalidated by ETag, so this read is fresh);
 * 2. every open PR is re-checked against it (an invalid config fails them all, with every error).
 */
export async function onConfigPushed(job: RepoJob): Promise<void> {
  await recheckOpenPulls(job);
}
