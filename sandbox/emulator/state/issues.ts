import { serializeLabel, serializeMilestone } from "../serialize.js";
import type {
  IssueEventRecord,
  IssueRecord,
  MilestoneRecord,
  RepoRecord,
  StateReason,
  UserRecord,
} from "../types.js";
import { ApiError, nowIso, type StateCore } from "./core.js";
import { emitIssue, recordIssueEvent } from "./events.js";
import { ensureLabel, findLabel, milestoneByNumber } from "./labels-milestones.js";

export interface IssuePatch {
  title?: string;
  body?: string | null;
  state?: "open" | "closed";
  state_reason?: StateReason | null;
  labels?: string[];
  milestone?: number | null;
}

export interface IssueInput {
  title: string;
  body?: string | null;
  labels?: string[];
  milestone?: number | null;
}

export function issue(repo: RepoRecord, number: number): IssueRecord {
  const found = repo.issues.get(number);
  if (!found) throw new ApiError(404, "Not Found");
  return found;
}

export function createIssue(
  s: StateCore,
  repo: RepoRecord,
  input: IssueInput,
  sender: UserRecord,
): IssueRecord {
  return createIssueOrPull(s, repo, input, sender, null);
}

/** An issue, or with `pull` a pull request: GitHub numbers both in one sequence. */
export function createIssueOrPull(
  s: StateCore,
  repo: RepoRecord,
  input: IssueInput,
  sender: UserRecord,
  pull: IssueRecord["pull"],
): IssueRecord {
  if (!input.title)
    throw new ApiError(422, "Validation Failed", [
      { resource: "Issue", field: "title", code: "missing_field" },
    ]);
  const labelIds = (input.labels ?? []).map((name) => ensureLabel(s, repo, name, sender).id);
  const milestoneId = input.milestone == null ? null : milestoneByNumber(repo, input.milestone).id;
  const now = nowIso();
  const created: IssueRecord = {
    id: s.nextId(),
    number: repo.nextNumber,
    title: input.title,
    body: input.body ?? null,
    user: sender,
    labelIds: [...new Set(labelIds)],
    milestoneId,
    state: "open",
    state_reason: null,
    closed_by: null,
    closed_at: null,
    created_at: now,
    updated_at: now,
    locked: false,
    pull,
  };
  repo.nextNumber += 1;
  repo.issues.set(created.number, created);
  // Labels and a milestone given at creation are recorded as the creator's own events.
  for (const id of created.labelIds) {
    const label = repo.labels.find((l) => l.id === id);
    if (label) {
      recordIssueEvent(s, repo, created, sender, {
        event: "labeled",
        label: { name: label.name, color: label.color },
      });
    }
  }
  const milestone = repo.milestones.find((m) => m.id === milestoneId);
  if (milestone) {
    recordIssueEvent(s, repo, created, sender, {
      event: "milestoned",
      milestone: { title: milestone.title },
    });
  }
  emitIssue(s, repo, created, "opened", sender, {});
  return created;
}

/** PATCH semantics of GitHub's issues API, with one webhook per visible change. */
export function updateIssue(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  patch: IssuePatch,
  sender: UserRecord,
): IssueRecord {
  const target = issue(repo, number);
  const now = nowIso();
  const changes: Record<string, { from: unknown }> = {};
  if (patch.title !== undefined && patch.title !== target.title) {
    changes.title = { from: target.title };
    recordIssueEvent(s, repo, target, sender, {
      event: "renamed",
      rename: { from: target.title, to: patch.title },
    });
    target.title = patch.title;
  }
  if (patch.body !== undefined && patch.body !== target.body) {
    changes.body = { from: target.body ?? "" };
    target.body = patch.body;
  }
  if (Object.keys(changes).length > 0) {
    target.updated_at = now;
    emitIssue(s, repo, target, "edited", sender, { changes });
  }
  if (patch.labels !== undefined) setLabels(s, repo, number, patch.labels, sender);
  if (patch.milestone !== undefined) {
    const next = patch.milestone === null ? null : milestoneByNumber(repo, patch.milestone);
    moveToMilestone(s, repo, target, next, sender, now);
  }
  updateIssueState(s, repo, target, patch, sender, now);
  return target;
}

function moveToMilestone(
  s: StateCore,
  repo: RepoRecord,
  target: IssueRecord,
  next: MilestoneRecord | null,
  sender: UserRecord,
  now: string,
): void {
  const previous = repo.milestones.find((m) => m.id === target.milestoneId) ?? null;
  if ((next?.id ?? null) === target.milestoneId) return;
  target.milestoneId = next?.id ?? null;
  target.updated_at = now;
  // Moving between milestones leaves both a demilestoned and a milestoned event.
  if (previous) {
    recordIssueEvent(s, repo, target, sender, {
      event: "demilestoned",
      milestone: { title: previous.title },
    });
  }
  if (next) {
    recordIssueEvent(s, repo, target, sender, {
      event: "milestoned",
      milestone: { title: next.title },
    });
  }
  if (previous && !next) {
    emitIssue(s, repo, target, "demilestoned", sender, {
      milestone: serializeMilestone(s.urls, repo, previous),
    });
  }
  if (next) {
    emitIssue(s, repo, target, "milestoned", sender, {
      milestone: serializeMilestone(s.urls, repo, next),
    });
  }
}

function updateIssueState(
  s: StateCore,
  repo: RepoRecord,
  target: IssueRecord,
  patch: IssuePatch,
  sender: UserRecord,
  now: string,
): void {
  if (patch.state === "closed" && target.state === "open") {
    target.state = "closed";
    target.state_reason = patch.state_reason ?? "completed";
    target.closed_by = sender;
    target.closed_at = now;
    target.updated_at = now;
    recordIssueEvent(s, repo, target, sender, {
      event: "closed",
      state_reason: target.state_reason,
    });
    emitIssue(s, repo, target, "closed", sender, {});
  } else if (patch.state === "open" && target.state === "closed") {
    target.state = "open";
    target.state_reason = "reopened";
    target.closed_by = null;
    target.closed_at = null;
    target.updated_at = now;
    recordIssueEvent(s, repo, target, sender, { event: "reopened", state_reason: "reopened" });
    emitIssue(s, repo, target, "reopened", sender, {});
  } else if (
    patch.state_reason !== undefined &&
    target.state === "closed" &&
    patch.state_reason !== target.state_reason
  ) {
    // Changing the reason of a closed issue: GitHub records it without a webhook action of its own.
    target.state_reason = patch.state_reason;
    target.updated_at = now;
  }
}

export function addLabels(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  names: string[],
  sender: UserRecord,
): IssueRecord {
  const target = issue(repo, number);
  for (const name of names) {
    const label = ensureLabel(s, repo, name, sender);
    if (target.labelIds.includes(label.id)) continue;
    target.labelIds.push(label.id);
    target.updated_at = nowIso();
    recordIssueEvent(s, repo, target, sender, {
      event: "labeled",
      label: { name: label.name, color: label.color },
    });
    emitIssue(s, repo, target, "labeled", sender, {
      label: serializeLabel(s.urls, repo, label),
    });
  }
  return target;
}

export function setLabels(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  names: string[],
  sender: UserRecord,
): IssueRecord {
  const target = issue(repo, number);
  const wanted = names.map((n) => ensureLabel(s, repo, n, sender));
  for (const id of [...target.labelIds]) {
    if (wanted.some((l) => l.id === id)) continue;
    const label = repo.labels.find((l) => l.id === id);
    if (label) removeLabel(s, repo, number, label.name, sender);
  }
  addLabels(
    s,
    repo,
    number,
    wanted.map((l) => l.name),
    sender,
  );
  return target;
}

export function removeLabel(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  name: string,
  sender: UserRecord,
): IssueRecord {
  const target = issue(repo, number);
  const label = findLabel(repo, name);
  if (!label || !target.labelIds.includes(label.id))
    throw new ApiError(404, "Label does not exist");
  target.labelIds = target.labelIds.filter((id) => id !== label.id);
  target.updated_at = nowIso();
  recordIssueEvent(s, repo, target, sender, {
    event: "unlabeled",
    label: { name: label.name, color: label.color },
  });
  emitIssue(s, repo, target, "unlabeled", sender, {
    label: serializeLabel(s.urls, repo, label),
  });
  return target;
}

/** An issue's (or PR's) events record, oldest first; 404 when there is no such issue. */
export function issueEvents(repo: RepoRecord, number: number): IssueEventRecord[] {
  issue(repo, number);
  return repo.issueEvents.filter((e) => e.issueNumber === number);
}
