import type { CommentRecord, RepoRecord, UserRecord } from "../types.js";
import { ApiError, nowIso, type StateCore, secondAfter } from "./core.js";
import { emitComment } from "./events.js";
import { issue } from "./issues.js";

export function createComment(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  body: string,
  sender: UserRecord,
): CommentRecord {
  const target = issue(repo, number);
  if (!body)
    throw new ApiError(422, "Validation Failed", [
      { resource: "IssueComment", field: "body", code: "missing_field" },
    ]);
  const now = nowIso();
  const created: CommentRecord = {
    id: s.nextId(),
    issueNumber: number,
    body,
    user: sender,
    created_at: now,
    updated_at: now,
  };
  repo.comments.push(created);
  emitComment(s, repo, target, created, "created", sender, {});
  return created;
}

export function comment(repo: RepoRecord, id: number): CommentRecord {
  const found = repo.comments.find((c) => c.id === id);
  if (!found) throw new ApiError(404, "Not Found");
  return found;
}

export function updateComment(
  s: StateCore,
  repo: RepoRecord,
  id: number,
  body: string,
  sender: UserRecord,
): CommentRecord {
  const target = comment(repo, id);
  if (target.body === body) return target;
  const from = target.body;
  target.body = body;
  // Apps tell an edited comment by updated_at !== created_at, and GitHub's
  // timestamps have second precision: an edit within the creation second must
  // still read as later, so it moves on by one second.
  const now = nowIso();
  target.updated_at = now > target.created_at ? now : secondAfter(target.created_at);
  emitComment(s, repo, issue(repo, target.issueNumber), target, "edited", sender, {
    changes: { body: { from } },
  });
  return target;
}

export function deleteComment(
  s: StateCore,
  repo: RepoRecord,
  id: number,
  sender: UserRecord,
): void {
  const target = comment(repo, id);
  repo.comments.splice(repo.comments.indexOf(target), 1);
  emitComment(s, repo, issue(repo, target.issueNumber), target, "deleted", sender, {});
}
