import { serializeIssue, serializeRepo } from "../serialize.js";
import type { IssueRecord, RepoRecord, UserRecord } from "../types.js";
import { ApiError, nowIso, type StateCore } from "./core.js";
import { emitRepo } from "./events.js";
import { issue } from "./issues.js";

/** GitHub's limits on sub-issues: 100 per parent, 8 levels of nesting. */
export const MAX_SUB_ISSUES = 100;
export const MAX_NESTING = 8;

/** An issue and its repository, found by GitHub's issue id (what `sub_issue_id` is). */
export interface Located {
  repo: RepoRecord;
  issue: IssueRecord;
}

export function issueById(s: StateCore, id: number): Located {
  for (const repo of s.repos.values()) {
    for (const found of repo.issues.values()) {
      if (found.id === id) return { repo, issue: found };
    }
  }
  throw new ApiError(404, "Not Found");
}

/** An issue's parent, or null (GitHub answers `GET …/parent` with 404 then). */
export function parentOf(s: StateCore, child: IssueRecord): Located | null {
  if (!child.parent) return null;
  const repo = s.repo(child.parent.repo);
  return { repo, issue: issue(repo, child.parent.number) };
}

function invalid(message: string): ApiError {
  return new ApiError(422, "Validation Failed", [
    { resource: "Issue", field: "sub_issue_id", code: "invalid", message },
  ]);
}

/** Levels above an issue: 0 for a top-level one. Stops on a loop (only the back door makes one). */
function levelsAbove(s: StateCore, start: IssueRecord): number {
  let levels = 0;
  const seen = new Set<IssueRecord>([start]);
  for (let at = parentOf(s, start); at && !seen.has(at.issue); at = parentOf(s, at.issue)) {
    seen.add(at.issue);
    levels += 1;
  }
  return levels;
}

/** Levels of the tree an issue heads: 1 for an issue with no sub-issues. */
function height(start: IssueRecord, seen = new Set<IssueRecord>()): number {
  if (seen.has(start)) return 0;
  seen.add(start);
  return 1 + Math.max(0, ...(start.subIssues ?? []).map((c) => height(c, seen)));
}

function isBelow(candidate: IssueRecord, top: IssueRecord): boolean {
  const stack = [...(top.subIssues ?? [])];
  const seen = new Set<IssueRecord>();
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (next === candidate) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(next.subIssues ?? []));
  }
  return false;
}

/**
 * The two webhooks GitHub sends for one link change: `sub_issue_*` to the
 * parent's repository, `parent_issue_*` to the sub-issue's.
 */
function emitLink(
  s: StateCore,
  parent: Located,
  child: Located,
  change: "added" | "removed",
  sender: UserRecord,
): void {
  const parentIssue = serializeIssue(s.urls, parent.repo, parent.issue);
  const subIssue = serializeIssue(s.urls, child.repo, child.issue);
  emitRepo(s, parent.repo, "sub_issues", `sub_issue_${change}`, sender, {
    sub_issue_id: child.issue.id,
    sub_issue: subIssue,
    sub_issue_repo: serializeRepo(s.urls, child.repo),
    parent_issue_id: parent.issue.id,
    parent_issue: parentIssue,
  });
  emitRepo(s, child.repo, "sub_issues", `parent_issue_${change}`, sender, {
    parent_issue_id: parent.issue.id,
    parent_issue: parentIssue,
    parent_issue_repo: serializeRepo(s.urls, parent.repo),
    sub_issue_id: child.issue.id,
    sub_issue: subIssue,
  });
}

function unlink(parent: Located, child: Located): void {
  parent.issue.subIssues = (parent.issue.subIssues ?? []).filter((i) => i !== child.issue);
  child.issue.parent = null;
  const now = nowIso();
  parent.issue.updated_at = now;
  child.issue.updated_at = now;
}

function link(parent: Located, child: Located): void {
  parent.issue.subIssues = [...(parent.issue.subIssues ?? []), child.issue];
  child.issue.parent = { repo: parent.repo.full_name, number: parent.issue.number };
  const now = nowIso();
  parent.issue.updated_at = now;
  child.issue.updated_at = now;
}

/**
 * `POST …/issues/{n}/sub_issues` with `sub_issue_id`: as GitHub checks it
 * (same owner, an issue not a PR, no second parent unless `replace_parent`,
 * no loop, at most 100 sub-issues and 8 levels), then two webhooks.
 */
export function addSubIssue(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  subIssueId: number,
  sender: UserRecord,
  options: { replaceParent?: boolean } = {},
): IssueRecord {
  const parent: Located = { repo, issue: issue(repo, number) };
  const child = issueById(s, subIssueId);
  if (parent.issue.pull || child.issue.pull) throw invalid("Pull requests cannot be sub-issues");
  if (child.repo.owner.id !== repo.owner.id)
    throw invalid("Sub-issues must belong to the same owner as the parent");
  if (child.issue === parent.issue || isBelow(parent.issue, child.issue))
    throw invalid("An issue cannot be a sub-issue of itself or of its own sub-issues");
  if ((parent.issue.subIssues ?? []).length >= MAX_SUB_ISSUES)
    throw invalid(`An issue can have at most ${MAX_SUB_ISSUES} sub-issues`);
  if (levelsAbove(s, parent.issue) + 1 + height(child.issue) > MAX_NESTING)
    throw invalid(`Sub-issues can be nested at most ${MAX_NESTING} levels`);
  const previous = parentOf(s, child.issue);
  if (previous?.issue === parent.issue) throw invalid("The issue is already a sub-issue of it");
  if (previous && !options.replaceParent) throw invalid("The issue already has a parent issue");
  if (previous) {
    unlink(previous, child);
    emitLink(s, previous, child, "removed", sender);
  }
  link(parent, child);
  emitLink(s, parent, child, "added", sender);
  return parent.issue;
}

/** `DELETE …/issues/{n}/sub_issue` with `sub_issue_id`: the link undone, two webhooks. */
export function removeSubIssue(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  subIssueId: number,
  sender: UserRecord,
): IssueRecord {
  const parent: Located = { repo, issue: issue(repo, number) };
  const child = issueById(s, subIssueId);
  if (parentOf(s, child.issue)?.issue !== parent.issue) throw new ApiError(404, "Not Found");
  unlink(parent, child);
  emitLink(s, parent, child, "removed", sender);
  return parent.issue;
}

/**
 * TEST-ONLY back door: links `child` under `parent` with none of GitHub's
 * checks and no webhook, so tests can build what GitHub refuses (a loop, a
 * chain deeper than 8 levels) and see that the app still finishes.
 */
export function forceParent(s: StateCore, child: Located, parent: Located): void {
  const previous = parentOf(s, child.issue);
  if (previous) unlink(previous, child);
  link(parent, child);
}
