import { serializeLabel, serializeMilestone } from "../serialize.js";
import type { LabelRecord, MilestoneRecord, RepoRecord, UserRecord } from "../types.js";
import { ApiError, nowIso, type StateCore } from "./core.js";
import { emitRepo, recordIssueEvent } from "./events.js";

// ── labels ────────────────────────────────────────────────────────────────

export function findLabel(repo: RepoRecord, name: string): LabelRecord | undefined {
  const key = name.toLowerCase();
  return repo.labels.find((l) => l.name.toLowerCase() === key);
}

export function createLabel(
  s: StateCore,
  repo: RepoRecord,
  input: { name: string; color?: string; description?: string | null },
  sender: UserRecord,
): LabelRecord {
  if (!input.name)
    throw new ApiError(422, "Validation Failed", [
      { resource: "Label", field: "name", code: "missing_field" },
    ]);
  if (findLabel(repo, input.name)) {
    throw new ApiError(422, "Validation Failed", [
      { resource: "Label", code: "already_exists", field: "name" },
    ]);
  }
  const label: LabelRecord = {
    id: s.nextId(),
    name: input.name,
    color: (input.color ?? "ededed").replace(/^#/, ""),
    description: input.description ?? null,
    default: false,
  };
  repo.labels.push(label);
  emitRepo(s, repo, "label", "created", sender, {
    label: serializeLabel(s.urls, repo, label),
  });
  return label;
}

export function updateLabel(
  s: StateCore,
  repo: RepoRecord,
  name: string,
  patch: { new_name?: string; color?: string; description?: string | null },
  sender: UserRecord,
): LabelRecord {
  const label = findLabel(repo, name);
  if (!label) throw new ApiError(404, "Not Found");
  const changes: Record<string, { from: unknown }> = {};
  if (patch.new_name !== undefined && patch.new_name !== label.name) {
    changes.name = { from: label.name };
    label.name = patch.new_name;
  }
  if (patch.color !== undefined && patch.color.replace(/^#/, "") !== label.color) {
    changes.color = { from: label.color };
    label.color = patch.color.replace(/^#/, "");
  }
  if (patch.description !== undefined && patch.description !== label.description) {
    changes.description = { from: label.description };
    label.description = patch.description;
  }
  emitRepo(s, repo, "label", "edited", sender, {
    label: serializeLabel(s.urls, repo, label),
    changes,
  });
  return label;
}

export function deleteLabel(
  s: StateCore,
  repo: RepoRecord,
  name: string,
  sender: UserRecord,
): void {
  const label = findLabel(repo, name);
  if (!label) throw new ApiError(404, "Not Found");
  for (const issue of repo.issues.values()) {
    if (!issue.labelIds.includes(label.id)) continue;
    issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
    // The label leaves every issue that had it, and the issue's record says who took it away.
    recordIssueEvent(s, repo, issue, sender, {
      event: "unlabeled",
      label: { name: label.name, color: label.color },
    });
  }
  repo.labels.splice(repo.labels.indexOf(label), 1);
  emitRepo(s, repo, "label", "deleted", sender, {
    label: serializeLabel(s.urls, repo, label),
  });
}

/** GitHub creates a label that does not exist yet when it is added to an issue. */
export function ensureLabel(
  s: StateCore,
  repo: RepoRecord,
  name: string,
  sender: UserRecord,
): LabelRecord {
  return findLabel(repo, name) ?? createLabel(s, repo, { name }, sender);
}

// ── milestones ────────────────────────────────────────────────────────────

export interface MilestoneInput {
  title: string;
  description?: string | null;
  state?: "open" | "closed";
  due_on?: string | null;
}

export function createMilestone(
  s: StateCore,
  repo: RepoRecord,
  input: MilestoneInput,
  sender: UserRecord,
): MilestoneRecord {
  if (!input.title)
    throw new ApiError(422, "Validation Failed", [
      { resource: "Milestone", field: "title", code: "missing_field" },
    ]);
  if (repo.milestones.some((m) => m.title === input.title)) {
    throw new ApiError(422, "Validation Failed", [
      { resource: "Milestone", code: "already_exists", field: "title" },
    ]);
  }
  const now = nowIso();
  const milestone: MilestoneRecord = {
    id: s.nextId(),
    number: repo.milestones.length + 1,
    title: input.title,
    description: input.description ?? null,
    state: input.state ?? "open",
    due_on: input.due_on ?? null,
    creator: sender,
    created_at: now,
    updated_at: now,
    closed_at: input.state === "closed" ? now : null,
  };
  repo.milestones.push(milestone);
  emitRepo(s, repo, "milestone", "created", sender, {
    milestone: serializeMilestone(s.urls, repo, milestone),
  });
  return milestone;
}

export function updateMilestone(
  s: StateCore,
  repo: RepoRecord,
  number: number,
  patch: Partial<MilestoneInput>,
  sender: UserRecord,
): MilestoneRecord {
  const milestone = repo.milestones.find((m) => m.number === number);
  if (!milestone) throw new ApiError(404, "Not Found");
  const changes: Record<string, { from: unknown }> = {};
  if (patch.title !== undefined && patch.title !== milestone.title) {
    changes.title = { from: milestone.title };
    milestone.title = patch.title;
  }
  if (patch.description !== undefined && patch.description !== milestone.description) {
    changes.description = { from: milestone.description };
    milestone.description = patch.description;
  }
  if (patch.due_on !== undefined && patch.due_on !== milestone.due_on) {
    changes.due_on = { from: milestone.due_on };
    milestone.due_on = patch.due_on;
  }
  let action = Object.keys(changes).length > 0 ? "edited" : null;
  if (patch.state !== undefined && patch.state !== milestone.state) {
    milestone.state = patch.state;
    milestone.closed_at = patch.state === "closed" ? nowIso() : null;
    action = patch.state === "closed" ? "closed" : "opened";
  }
  milestone.updated_at = nowIso();
  if (action) {
    emitRepo(s, repo, "milestone", action, sender, {
      milestone: serializeMilestone(s.urls, repo, milestone),
      ...(action === "edited" ? { changes } : {}),
    });
  }
  return milestone;
}

/** The milestone an issue names by number; GitHub answers 422 (not 404) for an unknown one. */
export function milestoneByNumber(repo: RepoRecord, number: number): MilestoneRecord {
  const milestone = repo.milestones.find((m) => m.number === number);
  if (!milestone) {
    throw new ApiError(422, "Validation Failed", [
      { value: number, resource: "Issue", field: "milestone", code: "invalid" },
    ]);
  }
  return milestone;
}
