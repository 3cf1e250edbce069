import { type ConfigError, parseConfigText } from "../config/parse-config.js";
import { CONFIG_PATH } from "../config/schema.js";
import { type StateStore, space } from "../state/store.js";
import type { CheckAnnotation } from "./check-runs.js";
import type { GitHub, RepoRef } from "./octokit.js";
import { readPullFiles } from "./pull-files.js";

/**
 * Errors in the config a PR proposes, per head SHA: `[]` when the PR does not
 * change `.github/phase-gates.yml` or its version is valid. A head SHA's files
 * never change, so one look per SHA is enough for this process.
 */
export const PULL_REQUEST_CONFIG = space<ConfigError[]>("pull-request-config", { limit: 20_000 });

const key = (repo: RepoRef, sha: string) => `${repo.owner}/${repo.repo}@${sha}`.toLowerCase();

export function knownPullRequestConfigErrors(
  store: StateStore,
  repo: RepoRef,
  headSha: string,
): Promise<ConfigError[] | undefined> {
  return store.get(PULL_REQUEST_CONFIG, key(repo, headSha));
}

/**
 * Validates the config a PR proposes: the PR's own version never governs its
 * gate (the default branch's does), but a broken version must not merge
 * silently, so its errors fail the check and are annotated on the file.
 */
export async function pullRequestConfigErrors(
  octokit: GitHub,
  repo: RepoRef,
  pr: { number: number; headSha: string },
  store: StateStore,
): Promise<ConfigError[]> {
  const known = await knownPullRequestConfigErrors(store, repo, pr.headSha);
  if (known) return known;
  // The same list as the phase by `paths`: one read per head SHA for both.
  const files = await readPullFiles(octokit, repo, pr, store);
  // The gate verdict must not hang on this extra look: a PR whose files cannot be
  // listed (gone, or an API without the route) is checked on its gates alone, uncached.
  if (files === null) return [];
  const changed = files.files.find((f) => f.filename === CONFIG_PATH && !f.removed);
  let errors: ConfigError[] = [];
  if (changed) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...repo,
      path: CONFIG_PATH,
      ref: pr.headSha,
      mediaType: { format: "raw" },
    });
    const result = parseConfigText({
      path: CONFIG_PATH,
      text: typeof data === "string" ? data : "",
    });
    errors = result.ok ? [] : result.errors;
  }
  await store.set(PULL_REQUEST_CONFIG, key(repo, pr.headSha), errors);
  return errors;
}

/** Check-run annotations on the changed file, one per error (GitHub takes 50 per request). */
/**
 * At most this many errors are annotated (4 requests of 50): a hostile file
 * with thousands of errors must not cost thousands of writes. The summary
 * still lists them.
 */
export const MAX_ANNOTATIONS = 200;

export function configAnnotations(errors: readonly ConfigError[]): CheckAnnotation[] {
  return errors.slice(0, MAX_ANNOTATIONS).map((e) => ({
    path: CONFIG_PATH,
    start_line: e.line,
    end_line: e.line,
    start_column: e.column,
    end_column: e.column,
    annotation_level: "failure" as const,
    title: `phase-gates: ${e.keyPath || "config"}`,
    message: e.message,
  }));
}
