import { CONFIG_PATH } from "../../config/schema.js";
import type { RepoJob } from "../repo-job.js";
import { syncRepository } from "../sync-repository.js";

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
 * The config changed on the default branch: the new config (revalidated by
 * ETag, so this read is fresh) is synced — labels, milestones, gate issues —
 * and every open PR re-checked against it; an invalid one fails them all,
 * listing every error, and changes nothing else.
 */
export async function onConfigPushed(job: RepoJob): Promise<void> {
  await syncRepository(job, "config-pushed");
}
