import type { IssueRecord, RepoRecord, UserRecord } from "../types.js";
import { filesAt, snapshotHead } from "./contents.js";
import { ApiError, nowIso, randomSha, type StateCore } from "./core.js";
import { emitIssue, emitRepo, recordIssueEvent } from "./events.js";
import { createIssueOrPull, type IssueInput, issue } from "./issues.js";

export interface PullInput extends IssueInput {
  head?: string;
  base?: string;
  draft?: boolean;
  headSha?: string;
  files?: Record<string, string | null>;
  /** Files the PR renames: new path → old path (the content moves with it). */
  renames?: Record<string, string>;
}

/** A push's changes to the PR: files set or removed, renames, and changes taken back out of it. */
export interface PushInput {
  headSha?: string;
  files?: Record<string, string | null>;
  renames?: Record<string, string>;
  /** Paths whose change the push reverts: they leave the PR's diff. */
  revert?: string[];
}

/** Moves `old` to `to` in the PR's changes, with the content the file has now. */
function applyRenames(
  repo: RepoRecord,
  baseRef: string,
  pull: { changes: Map<string, string | null>; renames?: Map<string, string> },
  renames: Record<string, string>,
): void {
  for (const [to, old] of Object.entries(renames)) {
    const content = pull.changes.get(old) ?? filesAt(repo, baseRef)?.get(old)?.content ?? "";
    pull.changes.set(old, null);
    if (!pull.changes.has(to)) pull.changes.set(to, content);
    pull.renames = pull.renames ?? new Map();
    pull.renames.set(to, old);
  }
}

export function createPull(
  s: StateCore,
  repo: RepoRecord,
  input: PullInput,
  sender: UserRecord,
): IssueRecord {
  const number = repo.nextNumber;
  const headRef = input.head ?? `feature/pr-${number}`;
  const baseRef = input.base ?? repo.default_branch;
  const changes = new Map(Object.entries(input.files ?? {}));
  const renamed: { changes: Map<string, string | null>; renames?: Map<string, string> } = {
    changes,
  };
  applyRenames(repo, baseRef, renamed, input.renames ?? {});
  const headSha = input.headSha ?? randomSha();
  snapshotHead(repo, baseRef, headRef, headSha, changes);
  return createIssueOrPull(s, repo, input, sender, {
    pullId: s.nextId(),
    headRef,
    headSha,
    baseRef,
    draft: input.draft ?? false,
    merged: false,
    changes,
    ...(renamed.renames ? { renames: renamed.renames } : {}),
    commits: [headSha],
  });
}

/** A new commit on a PR's head branch; sends `pull_request.synchronize`. */
export function pushToPull(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  sender: UserRecord,
  options: PushInput = {},
): IssueRecord {
  const target = issue(repo, number);
  if (!target.pull) throw new ApiError(404, "Not Found");
  const before = target.pull.headSha;
  for (const [path, content] of Object.entries(options.files ?? {}))
    target.pull.changes.set(path, content);
  applyRenames(repo, target.pull.baseRef, target.pull, options.renames ?? {});
  for (const path of options.revert ?? []) {
    target.pull.changes.delete(path);
    const old = target.pull.renames?.get(path);
    if (old !== undefined) {
      target.pull.renames?.delete(path);
      target.pull.changes.delete(old);
    }
  }
  target.pull.headSha = options.headSha ?? randomSha();
  target.pull.commits.push(target.pull.headSha);
  snapshotHead(
    repo,
    target.pull.baseRef,
    target.pull.headRef,
    target.pull.headSha,
    target.pull.changes,
  );
  target.updated_at = nowIso();
  emitIssue(s, repo, target, "synchronize", sender, { before, after: target.pull.headSha });
  return target;
}

/**
 * A PR joins the merge queue: GitHub builds a merge commit on a
 * `gh-readonly-queue/…` branch and sends `merge_group.checks_requested`.
 * Returns the merge group's head sha, where required checks must be reported.
 */
export function enqueueMergeGroup(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  sender: UserRecord,
): string {
  const target = issue(repo, number);
  if (!target.pull) throw new ApiError(404, "Not Found");
  const baseRef = target.pull.baseRef;
  const baseSha = repo.branches.get(baseRef) ?? "0".repeat(40);
  const headSha = randomSha();
  const headRef = `gh-readonly-queue/${baseRef}/pr-${number}-${target.pull.headSha}`;
  snapshotHead(repo, baseRef, headRef, headSha, target.pull.changes);
  const author = {
    name: sender.login,
    email: `${sender.id}+${sender.login}@users.noreply.github.com`,
  };
  emitRepo(s, repo, "merge_group", "checks_requested", sender, {
    merge_group: {
      head_sha: headSha,
      head_ref: `refs/heads/${headRef}`,
      base_sha: baseSha,
      base_ref: `refs/heads/${baseRef}`,
      head_commit: {
        id: headSha,
        tree_id: randomSha(),
        message: `Merge pull request #${number} from ${repo.full_name}/${target.pull.headRef}\n\n${target.title}`,
        timestamp: nowIso(),
        author,
        committer: author,
      },
    },
  });
  return headSha;
}

/**
 * Merges a PR (`PUT …/pulls/{n}/merge`): GitHub records `merged` then
 * `closed` and sends `pull_request.closed` with `merged: true`. The emulator
 * holds no rulesets, so nothing refuses the merge: a merge while the
 * `Phase gate` check fails is what an admin's bypass looks like on the record.
 */
export function mergePull(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  sender: UserRecord,
): IssueRecord {
  const target = issue(repo, number);
  if (!target.pull) throw new ApiError(404, "Not Found");
  if (target.pull.merged || target.state !== "open")
    throw new ApiError(405, "Pull Request is not mergeable");
  const now = nowIso();
  const sha = randomSha();
  target.pull.merged = true;
  target.pull.mergedBy = sender;
  target.pull.mergeCommitSha = sha;
  repo.branches.set(target.pull.baseRef, sha);
  target.state = "closed";
  target.state_reason = null;
  target.closed_by = sender;
  target.closed_at = now;
  target.updated_at = now;
  recordIssueEvent(s, repo, target, sender, { event: "merged", commit_id: sha });
  recordIssueEvent(s, repo, target, sender, { event: "closed", state_reason: "completed" });
  emitIssue(s, repo, target, "closed", sender, {});
  return target;
}
