import { nodeId, serializeUser } from "../serialize.js";
import type { IssueRecord, RepoRecord, UserRecord } from "../types.js";
import { ApiError, nowIso, type StateCore } from "./core.js";

/**
 * GitHub Projects (v2) as the app meets them: organisation projects with
 * fields (single select with options, or another type), items pointing at
 * issues and PRs, and single-select values. GraphQL only (routes/graphql-projects.ts).
 */
export interface ProjectOptionRecord {
  id: string;
  name: string;
  color: string;
  description: string;
}

export interface ProjectFieldRecord {
  id: string;
  name: string;
  dataType: string;
  options: ProjectOptionRecord[] | null;
}

export interface ProjectItemRecord {
  id: string;
  databaseId: number;
  contentId: string;
  /** field id → option id */
  values: Map<string, string>;
}

export interface ProjectRecord {
  id: string;
  number: number;
  owner: UserRecord;
  title: string;
  fields: ProjectFieldRecord[];
  items: ProjectItemRecord[];
  /** Whether the app's installation accepted "Projects: read and write" (organization_projects). */
  appAccess: boolean;
}

const projects = new WeakMap<StateCore, ProjectRecord[]>();

function all(state: StateCore): ProjectRecord[] {
  let list = projects.get(state);
  if (!list) {
    list = [];
    projects.set(state, list);
  }
  return list;
}

export interface ProjectInput {
  title?: string;
  /** Default: the next number in the organisation. */
  number?: number;
  fields?: { name: string; dataType?: string; options?: string[] }[];
  /** Default true: the installation accepted organization_projects. */
  appAccess?: boolean;
}

/** An organisation's project with GitHub's default fields (Title, Status) and any given. */
export function createProject(
  state: StateCore,
  ownerLogin: string,
  input: ProjectInput = {},
): ProjectRecord {
  const owner = state.user(ownerLogin);
  const mine = all(state).filter((p) => p.owner.login.toLowerCase() === owner.login.toLowerCase());
  const number = input.number ?? mine.length + 1;
  const project: ProjectRecord = {
    id: nodeId("PVT", state.nextId()),
    number,
    owner,
    title: input.title ?? `Project ${number}`,
    fields: [],
    items: [],
    appAccess: input.appAccess ?? true,
  };
  addField(state, project, { name: "Title", dataType: "TITLE" });
  addField(state, project, {
    name: "Status",
    dataType: "SINGLE_SELECT",
    options: ["Todo", "In Progress", "Done"],
  });
  for (const field of input.fields ?? []) addField(state, project, field);
  all(state).push(project);
  return project;
}

function addField(
  state: StateCore,
  project: ProjectRecord,
  field: { name: string; dataType?: string; options?: string[] },
): ProjectFieldRecord {
  const dataType = field.dataType ?? "SINGLE_SELECT";
  const record: ProjectFieldRecord = {
    id: nodeId(dataType === "SINGLE_SELECT" ? "PVTSSF" : "PVTF", state.nextId()),
    name: field.name,
    dataType,
    options:
      dataType === "SINGLE_SELECT"
        ? (field.options ?? []).map((name) => ({
            id: randomOptionId(state),
            name,
            color: "GRAY",
            description: "",
          }))
        : null,
  };
  project.fields.push(record);
  return record;
}

/** GitHub's option ids are short hex strings. */
function randomOptionId(state: StateCore): string {
  return (state.nextId() * 2654435761).toString(16).slice(-8);
}

export function findProject(
  state: StateCore,
  ownerLogin: string,
  number: number,
): ProjectRecord | undefined {
  return all(state).find(
    (p) => p.owner.login.toLowerCase() === ownerLogin.toLowerCase() && p.number === number,
  );
}

export function projectById(state: StateCore, id: string): ProjectRecord | undefined {
  return all(state).find((p) => p.id === id);
}

/** As GitHub: a PR's node id is its PullRequest's, in the issues API and the pulls API alike. */
export function issueNodeId(issue: IssueRecord): string {
  return issue.pull ? nodeId("PR", issue.pull.pullId) : nodeId("I", issue.id);
}

/** The issue or PR a node id names. */
export function contentOf(
  state: StateCore,
  contentId: string,
): { repo: RepoRecord; issue: IssueRecord } | null {
  for (const repo of state.repos.values()) {
    for (const issue of repo.issues.values()) {
      if (issueNodeId(issue) === contentId) return { repo, issue };
    }
  }
  return null;
}

export function createProjectField(
  state: StateCore,
  project: ProjectRecord,
  input: { name: string; dataType: string; options: Omit<ProjectOptionRecord, "id">[] },
): ProjectFieldRecord {
  if (project.fields.some((f) => f.name.toLowerCase() === input.name.toLowerCase())) {
    throw new ApiError(422, `Name has already been taken`);
  }
  const field = addField(state, project, { name: input.name, dataType: input.dataType });
  field.options =
    input.dataType === "SINGLE_SELECT"
      ? input.options.map((o) => ({ ...o, id: randomOptionId(state) }))
      : null;
  return field;
}

/** Adds an item (GitHub returns the existing one when the content is already there). */
export function addProjectItem(
  state: StateCore,
  project: ProjectRecord,
  contentId: string,
  sender: UserRecord,
): ProjectItemRecord {
  const existing = project.items.find((i) => i.contentId === contentId);
  if (existing) return existing;
  if (!contentOf(state, contentId)) throw new ApiError(404, "Could not resolve to a node");
  const item: ProjectItemRecord = {
    id: nodeId("PVTI", state.nextId()),
    databaseId: state.nextId(),
    contentId,
    values: new Map(),
  };
  project.items.push(item);
  emitItem(state, project, item, "created", sender, null);
  return item;
}

/** Sets (option id) or clears (null) one single-select value, as the app or a person. */
export function setProjectItemValue(
  state: StateCore,
  project: ProjectRecord,
  itemId: string,
  fieldId: string,
  optionId: string | null,
  sender: UserRecord,
): ProjectItemRecord {
  const item = project.items.find((i) => i.id === itemId);
  if (!item) throw new ApiError(404, "Could not resolve to a ProjectV2Item");
  const field = project.fields.find((f) => f.id === fieldId);
  if (!field) throw new ApiError(404, "Could not resolve to a ProjectV2Field");
  if (optionId === null) item.values.delete(fieldId);
  else {
    if (!field.options?.some((o) => o.id === optionId))
      throw new ApiError(422, "The single select option Id does not belong to the field");
    item.values.set(fieldId, optionId);
  }
  emitItem(state, project, item, "edited", sender, field);
  return item;
}

/** A person changes an item's single-select field by option name (tests and the demo). */
export function editProjectItem(
  state: StateCore,
  project: ProjectRecord,
  ref: { repo: RepoRecord; number: number },
  fieldName: string,
  optionName: string | null,
  login: string,
): void {
  const issue = ref.repo.issues.get(ref.number);
  const item = issue && project.items.find((i) => i.contentId === issueNodeId(issue));
  const field = project.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
  if (!item || !field) throw new Error(`no item #${ref.number} or field "${fieldName}"`);
  const option = optionName === null ? null : field.options?.find((o) => o.name === optionName);
  if (option === undefined) throw new Error(`no option "${optionName}" in "${fieldName}"`);
  setProjectItemValue(state, project, item.id, field.id, option?.id ?? null, state.user(login));
}

/** What an item shows in a single-select field (by the content's repository and number). */
export function projectItemValue(
  project: ProjectRecord,
  issue: IssueRecord,
  fieldName: string,
): string | null | undefined {
  const item = project.items.find((i) => i.contentId === issueNodeId(issue));
  if (!item) return undefined;
  const field = project.fields.find((f) => f.name.toLowerCase() === fieldName.toLowerCase());
  const optionId = field ? item.values.get(field.id) : undefined;
  return field?.options?.find((o) => o.id === optionId)?.name ?? null;
}

function emitItem(
  state: StateCore,
  project: ProjectRecord,
  item: ProjectItemRecord,
  action: "created" | "edited",
  sender: UserRecord,
  field: ProjectFieldRecord | null,
): void {
  const installation = [...state.installations.values()].find(
    (i) => i.account.login.toLowerCase() === project.owner.login.toLowerCase(),
  );
  const content = contentOf(state, item.contentId);
  state.emit({
    name: "projects_v2_item",
    action,
    repo: null,
    sender,
    installationId: installation?.id ?? null,
    fields: {
      projects_v2_item: {
        id: item.databaseId,
        node_id: item.id,
        project_node_id: project.id,
        content_node_id: item.contentId,
        content_type: content?.issue.pull ? "PullRequest" : "Issue",
        creator: serializeUser(state.urls, sender),
        created_at: nowIso(),
        updated_at: nowIso(),
        archived_at: null,
      },
      ...(field
        ? {
            changes: {
              field_value: {
                field_node_id: field.id,
                field_type: field.dataType.toLowerCase(),
              },
            },
          }
        : {}),
      organization: { login: project.owner.login, id: project.owner.id },
      sender: serializeUser(state.urls, sender),
    },
  });
}
