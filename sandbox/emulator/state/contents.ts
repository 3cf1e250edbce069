import type { FileRecord, RepoRecord, UserRecord } from "../types.js";
import { blobSha, nowIso, randomSha, type StateCore } from "./core.js";
import { emitRepo } from "./events.js";

export function filesAt(
  repo: RepoRecord,
  ref: string | undefined,
): Map<string, FileRecord> | undefined {
  const key = (ref ?? repo.default_branch).replace(/^refs\/heads\//, "");
  return repo.refs.get(key);
}

/** The files of `headRef` at `headSha`: `baseRef`'s with `changes` applied (null deletes). */
export function snapshotHead(
  repo: RepoRecord,
  baseRef: string,
  headRef: string,
  headSha: string,
  changes: Map<string, string | null>,
): void {
  const files = new Map(filesAt(repo, baseRef) ?? []);
  for (const [path, content] of changes) {
    if (content === null) files.delete(path);
    else files.set(path, { content, sha: blobSha(content) });
  }
  repo.refs.set(headRef, files);
  repo.refs.set(headSha, files);
  repo.branches.set(headRef, headSha);
}

/** Commits file changes to a branch; sends `push`. Returns the new head sha. */
export function commitFiles(
  s: StateCore,
  repo: RepoRecord,
  branch: string,
  changes: Record<string, string | null>,
  sender: UserRecord,
  message = "Update files",
): string {
  const before = repo.branches.get(branch) ?? "0".repeat(40);
  const previous = repo.refs.get(branch) ?? filesAt(repo, repo.default_branch) ?? new Map();
  const files = new Map(previous);
  const added: string[] = [];
  const modified: string[] = [];
  const removed: string[] = [];
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) {
      if (files.delete(path)) removed.push(path);
      continue;
    }
    (files.has(path) ? modified : added).push(path);
    files.set(path, { content, sha: blobSha(content) });
  }
  const after = randomSha();
  repo.refs.set(branch, files);
  repo.refs.set(after, files);
  repo.branches.set(branch, after);
  const author = {
    name: sender.login,
    email: `${sender.id}+${sender.login}@users.noreply.github.com`,
    username: sender.login,
  };
  const commit = {
    id: after,
    tree_id: randomSha(),
    distinct: true,
    message,
    timestamp: nowIso(),
    url: `${s.urls.web}/${repo.full_name}/commit/${after}`,
    author,
    committer: author,
    added,
    removed,
    modified,
  };
  emitRepo(s, repo, "push", null, sender, {
    ref: `refs/heads/${branch}`,
    before,
    after,
    created: before === "0".repeat(40),
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${s.urls.web}/${repo.full_name}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: [commit],
    head_commit: commit,
    pusher: { name: sender.login, email: author.email },
  });
  return after;
}
