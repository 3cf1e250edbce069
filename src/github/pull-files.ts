import { GITHUB_FILES_LISTED_MAX } from "../core/changed-paths.js";
import type { ChangedFile, ChangedFiles } from "../core/types.js";
import { type StateStore, space } from "../state/store.js";
import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

/**
 * A PR head's changed files as GitHub lists them, per repository, PR and head
 * SHA: a head's files never change, so they are read once (all pages of
 * `GET /pulls/{n}/files`) and shared by every job and process: the phase by
 * `paths` and the check of a config the PR proposes read the same list.
 * A few hundred bytes for most PRs, up to ~200 KB for 3,000 files.
 */
export const PULL_FILES = space<ChangedFiles>("pull-files", {
  limit: 2_000,
  ttlMs: 7 * 24 * 3600_000,
});

const key = (repo: RepoRef, pr: { number: number; headSha: string }) =>
  `${repo.owner}/${repo.repo}#${pr.number}@${pr.headSha}`.toLowerCase();

/** The files the store already has for this head, without asking GitHub. */
export function knownPullFiles(
  store: StateStore,
  repo: RepoRef,
  pr: { number: number; headSha: string },
): Promise<ChangedFiles | undefined> {
  return store.get(PULL_FILES, key(repo, pr));
}

/**
 * The PR head's changed files: the store's, else GitHub's list (100 a page).
 * GitHub stops at 3,000 files; a list that long is compared with the PR's
 * `changed_files` (one more request), so a PR that changes more is known to
 * be listed in part. Null when GitHub will not list them (the PR is gone, or
 * the app may not read it): nothing is kept, the next evaluation asks again.
 */
export async function readPullFiles(
  octokit: GitHub,
  repo: RepoRef,
  pr: { number: number; headSha: string },
  store: StateStore,
): Promise<ChangedFiles | null> {
  const known = await knownPullFiles(store, repo, pr);
  if (known) return known;
  let listed: { filename: string; status: string; previous_filename?: string }[];
  try {
    listed = await octokit.paginate(octokit.rest.pulls.listFiles, {
      ...repo,
      pull_number: pr.number,
      per_page: 100,
    });
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404 || status === 403) return null;
    throw error;
  }
  const files = listed.map(
    (f): ChangedFile => ({
      filename: f.filename,
      ...(f.previous_filename ? { previousFilename: f.previous_filename } : {}),
      ...(f.status === "removed" ? { removed: true as const } : {}),
    }),
  );
  let changedFiles = files.length;
  if (files.length >= GITHUB_FILES_LISTED_MAX) {
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pr.number });
    changedFiles = Math.max(files.length, data.changed_files);
  }
  const result: ChangedFiles = { files, changedFiles };
  await store.set(PULL_FILES, key(repo, pr), result);
  return result;
}
