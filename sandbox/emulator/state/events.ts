import {
  serializeCheckRun,
  serializeComment,
  serializeIssue,
  serializePull,
  serializeRepo,
  serializeUser,
} from "../serialize.js";
import type {
  CheckRunRecord,
  CommentRecord,
  IssueEventRecord,
  IssueRecord,
  RepoRecord,
  UserRecord,
} from "../types.js";
import { nowIso, type StateCore } from "./core.js";

/** What an issue event says beyond who, when and on which issue (one variant per event). */
export type IssueEventFields = IssueEventRecord extends infer E
  ? E extends IssueEventRecord
    ? Omit<E, "id" | "issueNumber" | "actor" | "created_at">
    : never
  : never;

/**
 * Appends to the events record. Called before the matching webhook is
 * emitted, so an app that reads the record on that webhook finds the event.
 */
export function recordIssueEvent(
  s: StateCore,
  repo: RepoRecord,
  issue: IssueRecord,
  actor: UserRecord,
  fields: IssueEventFields,
): IssueEventRecord {
  const record: IssueEventRecord = {
    id: s.nextId(),
    issueNumber: issue.number,
    actor,
    created_at: nowIso(),
    ...fields,
  };
  repo.issueEvents.push(record);
  return record;
}

/** A repository's webhook, to the installation that covers the repository (if any). */
export function emitRepo(
  s: StateCore,
  repo: RepoRecord,
  name: string,
  action: string | null,
  sender: UserRecord,
  fields: Record<string, unknown>,
): void {
  const installation = s.installationFor(repo);
  s.emit({
    name,
    action,
    repo,
    sender,
    installationId: installation?.id ?? null,
    fields: {
      ...fields,
      repository: serializeRepo(s.urls, repo),
      sender: serializeUser(s.urls, sender),
    },
  });
}

/** `pull_request` for a PR, `issues` for an issue, as GitHub tells them apart. */
export function emitIssue(
  s: StateCore,
  repo: RepoRecord,
  issue: IssueRecord,
  action: string,
  sender: UserRecord,
  fields: Record<string, unknown>,
): void {
  if (issue.pull) {
    emitRepo(s, repo, "pull_request", action, sender, {
      number: issue.number,
      pull_request: serializePull(s.urls, repo, issue),
      ...fields,
    });
  } else {
    emitRepo(s, repo, "issues", action, sender, {
      issue: serializeIssue(s.urls, repo, issue),
      ...fields,
    });
  }
}

export function emitComment(
  s: StateCore,
  repo: RepoRecord,
  issue: IssueRecord,
  comment: CommentRecord,
  action: string,
  sender: UserRecord,
  fields: Record<string, unknown>,
): void {
  emitRepo(s, repo, "issue_comment", action, sender, {
    issue: serializeIssue(s.urls, repo, issue),
    comment: serializeComment(s.urls, repo, comment),
    ...fields,
  });
}

export function emitCheckRun(
  s: StateCore,
  repo: RepoRecord,
  run: CheckRunRecord,
  action: string,
  sender: UserRecord,
): void {
  const checkRun = serializeCheckRun(s.urls, repo, s.app, run);
  emitRepo(s, repo, "check_run", action, sender, {
    check_run: {
      ...checkRun,
      check_suite: {
        id: run.check_suite_id,
        node_id: `CS_${run.check_suite_id}`,
        head_branch: null,
        head_sha: run.head_sha,
        status: run.status,
        conclusion: run.conclusion,
        url: `${s.urls.api}/repos/${repo.full_name}/check-suites/${run.check_suite_id}`,
        before: null,
        after: run.head_sha,
        pull_requests: checkRun.pull_requests,
        app: checkRun.app,
        created_at: run.created_at,
        updated_at: run.created_at,
      },
    },
  });
}
