import type { IssueRecord, RepoRecord, UserRecord } from "../types.js";
import { snapshotHead } from "./contents.js";
import { ApiError, nowIso, randomSha, type StateCore } from "./core.js";
import { emitIssue, emitRepo, recordIssueEvent } from "./events.js";
import { createIssueOrPull, type IssueInput, issue } from "./issues.js";

export interface PullInput extends IssueInput {
  head?: string;
  base?: string;
  draft?: boolean;
  headSha?: string;
  files?: Record<string, string | null>;
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
    commits: [headSha],
  });
}

/** A new commit on a PR's head branch; sends `pull_request.synchronize`. */
export function pushToPull(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  sender: UserRecord,
  options: { headSha?: string; files?: Record<string, string | null> } = {},
): IssueRecord {
  const target = issue(repo, number);
  if (!target.pull) throw new ApiError(404, "Not Found");
  const before = target.pull.headSha;
  for (const [path, content] of Object.entries(options.files ?? {}))
    target.pull.changes.set(path, content);
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
