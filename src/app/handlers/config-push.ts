import { CONFIG_PATH } from "../../config/schema.js";
import { forgetEnforcement } from "../../github/enforcement.js";
import { listInstallationRepositories } from "../../github/installation.js";
import type { RepoRef } from "../../github/octokit.js";
import { repoKey } from "../../github/octokit.js";
import { handler, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { syncRepository } from "../recipes/sync-repository.js";
import { answerWaitingDeployments } from "./deployment.js";

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
  await job.forgetConfig();
  // A team that adds the config often sets up the ruleset too: the dashboard reads the rules again.
  await forgetEnforcement(job.store, job.repo);
  await syncAndAnswerDeployments(job);
}

/** A new config can change which deployments wait (an environment listed or not, a fixed error). */
async function syncAndAnswerDeployments(job: RepoJob): Promise<void> {
  const synced = await syncRepository(job, "config-pushed").then(
    () => null,
    (error: unknown) => error ?? new Error("sync failed"),
  );
  await answerWaitingDeployments(job, job.settings.deployments);
  if (synced) throw synced;
}

/** The other repositories of the installation, of the same owner: they may inherit the owner's `.github` config. */
export async function inheritingCandidates(job: RepoJob): Promise<RepoRef[]> {
  const owner = job.repo.owner.toLowerCase();
  return (await listInstallationRepositories(job.octokit)).filter(
    (r) => r.owner.toLowerCase() === owner && r.repo.toLowerCase() !== ".github",
  );
}

/**
 * The owner's `.github/phase-gates.yml` changed: a repository that reads it
 * (no file of its own, or `_extends` to it) is synced and its PRs re-checked;
 * one with a config of its own is left alone. With no config anywhere now,
 * only checks the app left behind are turned green.
 */
export async function onOrgConfigPushed(job: RepoJob): Promise<void> {
  await job.forgetConfig();
  await forgetEnforcement(job.store, job.repo);
  const loaded = await job.config();
  const org = `${job.repo.owner}/.github:`.toLowerCase();
  const inherits =
    loaded.kind !== "none" && loaded.sources.some((s) => s.toLowerCase().startsWith(org));
  if (loaded.kind === "none") {
    await syncRepository(job, "installed");
    return;
  }
  if (!inherits) {
    job.log.info("skip: the repository has its own config");
    return;
  }
  await syncAndAnswerDeployments(job);
}

/** A push to the default branch that touches the config; other pushes are not our business. */
export const pushRoute = route(["push"], (context) => {
  if (!pushTouchesConfig(context.payload)) return { jobs: [] };
  return { jobs: [{ kind: "config_push", repo: context.repo(), input: {} }] };
});

/**
 * The config changed: sync this repository. The owner's `.github` config is
 * inherited: every repository of the installation that reads it is re-synced,
 * each in its own job.
 */
export const configPushHandler = handler("config_push", async (job) => {
  await onConfigPushed(job);
  if (job.repo.repo.toLowerCase() !== ".github") return;
  for (const other of await inheritingCandidates(job)) {
    await job.enqueue({
      kind: "org_config",
      repo: other,
      input: {},
      deliverySuffix: `:${repoKey(other)}`,
    });
  }
});

export const orgConfigHandler = handler("org_config", (job) => onOrgConfigPushed(job));
