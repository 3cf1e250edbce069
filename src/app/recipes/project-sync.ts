/**
 * Keeps the configured GitHub Project (v2) in step with phases and gates
 * (SPEC §5 "Projects"):
 * 1. read the project's fields once (kept in the store), creating the app's
 *    missing fields; problems are kept for the dashboard and `doctor`;
 * 2. per item, plan against what the app last wrote (the store), so a steady
 *    state makes no request at all;
 * 3. apply: add the item, set or clear its values; remember what was written.
 * A project error is reported, never thrown: it must not hold a check.
 */

import { gatePhaseIndex } from "../../core/gates.js";
import { inheritedClaims, itemPhaseClaims } from "../../core/phases.js";
import {
  type DesiredItem,
  gateOptionName,
  type ItemWrite,
  type KnownItem,
  type ProjectProblem,
  planProjectFields,
  planProjectItem,
  type ResolvedField,
} from "../../core/plan-project.js";
import type { Config, GateStateName, IssueRef } from "../../core/types.js";
import { repoKey } from "../../github/octokit.js";
import {
  applyItemWrites,
  contentIdOf,
  createProjectField,
  type ProjectRef,
  projectProblemOf,
  readProject,
} from "../../github/projects.js";
import { linkedIssueFacts } from "../../github/pull-requests.js";
import { space } from "../../state/store.js";
import type { RepoJob } from "../jobs/repo-job.js";

/** The project as the app can use it, or why it cannot. */
export type ProjectState =
  | {
      ok: true;
      projectId: string;
      phase: ResolvedField | null;
      gate: ResolvedField | null;
      problems: ProjectProblem[];
    }
  | { ok: false; problems: ProjectProblem[] };

/** A project's fields as last read (a person fixing a field is seen within the TTL). */
const PROJECT_FIELDS = space<ProjectState>("project-fields", { limit: 1_000, ttlMs: 600_000 });

/** What the app last wrote on each item, by project and issue: a steady state reads nothing. */
const PROJECT_ITEMS = space<KnownItem>("project-item", { limit: 50_000, ttlMs: 30 * 86_400_000 });

/** Which item is which issue, for putting back a person's edit (`projects_v2_item.edited`). */
export const PROJECT_ITEM_OWNERS = space<{
  project: ProjectRef & { field: string };
  projectId: string;
  fields: { phase: ResolvedField | null; gate: ResolvedField | null };
  ref: IssueRef;
  known: KnownItem;
}>("project-item-owner", { limit: 50_000, ttlMs: 30 * 86_400_000 });

/** The project problems of a repository, as its last sync saw them (the dashboard, `doctor`). */
export const PROJECT_STATUS = space<{ problems: ProjectProblem[] }>("project-status", {
  limit: 10_000,
  ttlMs: 86_400_000,
});

export interface ProjectItemSpec {
  ref: IssueRef;
  desired: DesiredItem;
  /** The issue's or PR's GraphQL node id when the caller has it (payload, list): no query for it. */
  nodeId?: string | undefined;
}

export interface ProjectSyncResult {
  /** Items written (added, set or cleared). */
  written: number;
  problems: ProjectProblem[];
}

function projectOf(config: Config, job: RepoJob): (ProjectRef & { field: string }) | null {
  if (!config.project) return null;
  return {
    owner: config.project.owner ?? job.repo.owner,
    number: config.project.number,
    field: config.project.field,
  };
}

const projectKey = (p: ProjectRef & { field: string }) =>
  `${p.owner}/${p.number}:${p.field}`.toLowerCase();
const refKey = (ref: IssueRef) => `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();

/** The project's usable fields, from the store or read (and completed) now. */
async function projectState(
  job: RepoJob,
  config: Config,
  project: ProjectRef & { field: string },
): Promise<ProjectState> {
  const cached = await job.store.get(PROJECT_FIELDS, projectKey(project));
  if (cached) return cached;
  const read = await readProject(job.octokit, project);
  let state: ProjectState;
  if (!read.ok) {
    state = { ok: false, problems: [read.problem] };
  } else {
    const fields = planProjectFields(config, project.field, read.project);
    state = {
      ok: true,
      projectId: read.project.id,
      phase: fields.phase,
      gate: fields.gate,
      problems: fields.problems,
    };
    for (const field of fields.create) {
      state[field.role] = await createOrFindField(job, config, project, read.project.id, field);
    }
  }
  await job.store.set(PROJECT_FIELDS, projectKey(project), state);
  return state;
}

/**
 * Creates one of the app's fields; when GitHub refuses it, reads the project
 * again: another repository of the same project (a job beside this one, or
 * another process) may have created it since the project was read, and then
 * that field is the one to use. Any other refusal is thrown as it came.
 */
async function createOrFindField(
  job: RepoJob,
  config: Config,
  project: ProjectRef & { field: string },
  projectId: string,
  field: ReturnType<typeof planProjectFields>["create"][number],
): Promise<ResolvedField> {
  try {
    const created = await createProjectField(job.octokit, projectId, field);
    job.log.info({ project: projectKey(project), field: field.name }, "project field created");
    return created;
  } catch (error) {
    const again = await readProject(job.octokit, project);
    const found = again.ok
      ? planProjectFields(config, project.field, again.project)[field.role]
      : null;
    if (!found) throw error;
    job.log.info(
      { project: projectKey(project), field: field.name },
      "project field created meanwhile by another job: used",
    );
    return found;
  }
}

/** Why an unexpected answer stopped the sync, as a problem to show. */
function problemOf(error: unknown, project: ProjectRef): ProjectProblem {
  return (
    projectProblemOf(error, project) ?? {
      kind: "error",
      message: `GitHub refused a project write: ${error instanceof Error ? error.message : String(error)}`,
    }
  );
}

/**
 * Brings `items` to what they should show in the repository's project.
 * Null: no project configured.
 */
export async function syncProjectItems(
  job: RepoJob,
  config: Config,
  items: readonly ProjectItemSpec[],
): Promise<ProjectSyncResult | null> {
  const project = projectOf(config, job);
  if (!project) return null;
  const result: ProjectSyncResult = { written: 0, problems: [] };
  try {
    const state = await projectState(job, config, project);
    result.problems = state.problems;
    if (state.ok) {
      for (const item of items) {
        if (await syncItem(job, project, state, item)) result.written++;
      }
    }
  } catch (error) {
    job.log.warn({ err: error, project: projectKey(project) }, "project not kept in step");
    result.problems = [...result.problems, problemOf(error, project)];
    // The field ids may be what GitHub refused (a field deleted since): read them again next time.
    await job.store.delete(PROJECT_FIELDS, projectKey(project));
  }
  await recordProblems(job, result.problems);
  return result;
}

async function recordProblems(job: RepoJob, problems: ProjectProblem[]): Promise<void> {
  const key = repoKey(job.repo);
  const before = await job.store.get(PROJECT_STATUS, key);
  if (JSON.stringify(before?.problems ?? []) === JSON.stringify(problems)) return;
  await job.store.set(PROJECT_STATUS, key, { problems });
}

async function syncItem(
  job: RepoJob,
  project: ProjectRef & { field: string },
  state: Extract<ProjectState, { ok: true }>,
  item: ProjectItemSpec,
): Promise<boolean> {
  const key = `${state.projectId}:${refKey(item.ref)}`;
  const known = await job.store.get(PROJECT_ITEMS, key);
  const writes = planProjectItem(item.desired, known);
  if (writes.length === 0) return false;
  const itemId = await applyItemWrites(
    job.octokit,
    {
      projectId: state.projectId,
      itemId: known?.itemId ?? null,
      contentId: () =>
        item.nodeId ? Promise.resolve(item.nodeId) : contentIdOf(job.octokit, item.ref),
      fields: { phase: state.phase, gate: state.gate },
    },
    writes,
  );
  if (!itemId) return false;
  const written: KnownItem = {
    itemId,
    phase: state.phase ? item.desired.phase : (known?.phase ?? null),
    ...(item.desired.gate !== undefined
      ? { gate: state.gate ? item.desired.gate : (known?.gate ?? null) }
      : {}),
  };
  await job.store.set(PROJECT_ITEMS, key, written);
  await job.store.set(PROJECT_ITEM_OWNERS, itemId, {
    project,
    projectId: state.projectId,
    fields: { phase: state.phase, gate: state.gate },
    ref: item.ref,
    known: written,
  });
  job.log.info(
    { project: projectKey(project), item: refKey(item.ref), writes: writes.map((w) => w.kind) },
    "project item written",
  );
  return true;
}

/**
 * A person changed one of the app's fields on an item the app keeps: write
 * back what the app last wrote (labels, milestones and gates are the truth).
 * The next sync of the item corrects it further if its phase has moved since.
 */
export async function putProjectItemBack(
  job: RepoJob,
  itemId: string,
  fieldId: string | null,
): Promise<boolean> {
  const owner = await job.store.get(PROJECT_ITEM_OWNERS, itemId);
  if (!owner) return false;
  const state = owner.fields;
  const roles = (["phase", "gate"] as const).filter(
    (role) =>
      state[role] !== null &&
      (role === "phase" || owner.known.gate !== undefined) &&
      (fieldId === null || state[role]?.id === fieldId),
  );
  if (roles.length === 0) return false;
  const writes = roles.map((role): ItemWrite => {
    const value = role === "phase" ? owner.known.phase : (owner.known.gate ?? null);
    return value ? { kind: "set", role, value } : { kind: "clear", role };
  });
  await applyItemWrites(
    job.octokit,
    {
      projectId: owner.projectId,
      itemId,
      contentId: () => Promise.resolve(null),
      fields: owner.fields,
    },
    writes,
  );
  job.log.info({ item: refKey(owner.ref) }, "project item put back");
  return true;
}

/** One PR's item: its phase as the check decided it. */
export async function syncPullIntoProject(
  job: RepoJob,
  config: Config,
  pr: { number: number; nodeId?: string | undefined },
  phaseIndex: number | null,
): Promise<void> {
  const phase = phaseIndex === null ? null : (config.phases[phaseIndex]?.name ?? null);
  await syncProjectItems(job, config, [
    { ref: { ...job.repo, number: pr.number }, desired: { phase }, nodeId: pr.nodeId },
  ]);
}

/**
 * One issue's item: the phase of its own labels and milestone, else (with
 * `parentIssues`) its nearest ancestor's, walked as a PR's linked issue is
 * (the ancestry kept in the store: a steady state reads nothing). A gate
 * issue is kept with its gate (refresh-reports.ts), not here.
 */
export async function syncIssueIntoProject(
  job: RepoJob,
  issue: {
    number: number;
    labels?: ({ name?: string } | null)[] | undefined;
    milestone?: string | null;
    node_id?: string | undefined;
    html_url?: string | undefined;
    parent_issue_url?: string | null | undefined;
  },
): Promise<void> {
  const loaded = await job.config();
  if (loaded.kind !== "ok" || !loaded.config.project) return;
  const { config } = loaded;
  const labels = (issue.labels ?? []).flatMap((l) => (l?.name ? [l.name] : []));
  if (labels.some((l) => gatePhaseIndex(config, l) >= 0)) return;
  const own = { labels, milestone: issue.milestone ?? null };
  let claims = itemPhaseClaims(config, own);
  if (claims.length === 0 && config.parentIssues && issue.html_url) {
    const ref = { ...job.repo, number: issue.number };
    const facts = linkedIssueFacts(ref, {
      html_url: issue.html_url,
      labels,
      milestone: own.milestone === null ? null : { title: own.milestone },
      ...(issue.parent_issue_url !== undefined ? { parent_issue_url: issue.parent_issue_url } : {}),
    });
    if (facts.readable)
      claims = inheritedClaims(config, await job.ancestry.of(config, facts))?.claims ?? [];
  }
  const at = claims.length === 0 ? null : Math.max(...claims.map((c) => c.phaseIndex));
  const phase = at === null ? null : (config.phases[at]?.name ?? null);
  await syncProjectItems(job, config, [
    { ref: { ...job.repo, number: issue.number }, desired: { phase }, nodeId: issue.node_id },
  ]);
}

/** The gate issues' items: the phase each gate ends, and the gate's state. */
export function gateItems(
  job: RepoJob,
  config: Config,
  gates: readonly ({ state: GateStateName } | null)[],
  issues: readonly ({ number: number; node_id?: string | undefined } | null)[],
): ProjectItemSpec[] {
  return config.phases.flatMap((phase, i) => {
    const status = gates[i];
    const issue = issues[i];
    if (!status || !issue) return [];
    return [
      {
        ref: { ...job.repo, number: issue.number },
        desired: { phase: phase.name, gate: gateOptionName(status.state) },
        nodeId: issue.node_id,
      },
    ];
  });
}
