import { type ConfigError, type ConfigSource, parseConfigSources } from "../config/parse-config.js";
import { CONFIG_PATH, type Config } from "../config/schema.js";
import { type StateStore, space } from "../state/store.js";
import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

export type LoadedConfig =
  | { kind: "none" }
  | { kind: "invalid"; errors: ConfigError[]; sources: string[] }
  | { kind: "ok"; config: Config; sources: string[] };

interface CachedFile {
  etag: string;
  text: string;
}

/**
 * Config reads are revalidated with `If-None-Match`: a 304 costs no rate
 * limit, and an event storm on a busy repo would otherwise re-download the
 * same file for every delivery.
 */
export const CONFIG_FILES = space<CachedFile>("config-file", { limit: 5_000 });

const EXTENDS =
  /^(?:([a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38})\/)?([-_.\w\d]+)(?::([-_./\w\d]+\.ya?ml))?$/i;

interface FileLocation extends RepoRef {
  path: string;
}

async function readFile(
  octokit: GitHub,
  store: StateStore,
  at: FileLocation,
): Promise<string | null> {
  const key = `${at.owner}/${at.repo}:${at.path}`.toLowerCase();
  const cached = await store.get(CONFIG_FILES, key);
  try {
    // No `ref`: the contents API reads the default branch, so a PR cannot weaken its own gate.
    const response = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: at.owner,
      repo: at.repo,
      path: at.path,
      mediaType: { format: "raw" },
      headers: cached ? { "if-none-match": cached.etag } : {},
    });
    const text = typeof response.data === "string" ? response.data : null;
    if (text === null) return null; // a directory or a submodule, not a file
    const etag = response.headers.etag;
    if (etag) await store.set(CONFIG_FILES, key, { etag, text });
    return text;
  } catch (error) {
    const status = httpStatus(error);
    if (status === 304 && cached) return cached.text;
    if (status === 404) {
      await store.delete(CONFIG_FILES, key);
      return null;
    }
    throw error;
  }
}

function label(at: FileLocation, home: RepoRef): string {
  const same =
    at.owner.toLowerCase() === home.owner.toLowerCase() &&
    at.repo.toLowerCase() === home.repo.toLowerCase();
  return same ? at.path : `${at.owner}/${at.repo}:${at.path}`;
}

/** `_extends: repo` or `_extends: owner/repo:path.yml`, as Probot's context.config reads it. */
function extendsTarget(text: string): { target: string; line: number; column: number } | null {
  const m = /^_extends:\s*["']?([^"'\s#]+)["']?\s*(?:#.*)?$/m.exec(text);
  if (!m?.[1]) return null;
  const line = text.slice(0, m.index).split("\n").length;
  return { target: m[1], line, column: m[0].indexOf(m[1]) + 1 };
}

/**
 * The repository's `.github/phase-gates.yml` from its default branch, with the
 * owner's `.github` repository as fallback and `_extends` followed — the same
 * lookup as Probot's `context.config`, done here so every error keeps its file,
 * line and column.
 */
export async function loadConfig(
  octokit: GitHub,
  repo: RepoRef,
  store: StateStore,
): Promise<LoadedConfig> {
  const sources: ConfigSource[] = [];
  let at: FileLocation = { ...repo, path: CONFIG_PATH };
  let text = await readFile(octokit, store, at);
  if (text === null && repo.repo !== ".github") {
    at = { owner: repo.owner, repo: ".github", path: CONFIG_PATH };
    text = await readFile(octokit, store, at);
  }
  if (text === null) return { kind: "none" };
  sources.push({ path: label(at, repo), text });

  const visited = new Set([`${at.owner}/${at.repo}:${at.path}`.toLowerCase()]);
  for (let ext = extendsTarget(text); ext !== null; ) {
    const { target, line, column } = ext;
    const m = EXTENDS.exec(target);
    const file = sources[sources.length - 1]?.path ?? CONFIG_PATH;
    const fail = (message: string): LoadedConfig => ({
      kind: "invalid",
      errors: [{ file, keyPath: "_extends", line, column, message }],
      sources: sources.map((s) => s.path),
    });
    if (!m?.[2]) {
      return fail(`"${target}" is not "repo" or "owner/repo:path.yml"`);
    }
    const next: FileLocation = { owner: m[1] ?? repo.owner, repo: m[2], path: m[3] ?? CONFIG_PATH };
    // The config names who may approve; a file in someone else's account could
    // widen that at will, so only repositories of the same owner are trusted.
    if (next.owner.toLowerCase() !== repo.owner.toLowerCase()) {
      return fail(
        `"${target}" is in another account (${next.owner}); _extends may only name repositories of ${repo.owner}, whose owners already control this repository's gates`,
      );
    }
    const key = `${next.owner}/${next.repo}:${next.path}`.toLowerCase();
    if (visited.has(key)) {
      return fail(`"${target}" extends a file already in the chain (a loop)`);
    }
    visited.add(key);
    const nextText = await readFile(octokit, store, next);
    if (nextText === null) {
      return fail(`"${target}" does not exist or the app cannot read it`);
    }
    sources.push({ path: label(next, repo), text: nextText });
    ext = extendsTarget(nextText);
  }

  const result = parseConfigSources(sources);
  const names = sources.map((s) => s.path);
  return result.ok
    ? { kind: "ok", config: result.config, sources: names }
    : { kind: "invalid", errors: result.errors, sources: names };
}
