/**
 * GitHub Projects (v2) through GraphQL, the only API projects have: read a
 * project's fields, create the app's fields, add items and set or clear their
 * single-select values. Every failure GitHub answers is a value the caller
 * reports (the dashboard, `doctor`); none is thrown past `applyProject…`,
 * so a project error never holds a check.
 */
import type {
  FieldToCreate,
  ItemWrite,
  ProjectFacts,
  ProjectFieldFacts,
  ProjectProblem,
  ResolvedField,
} from "../core/plan-project.js";
import type { IssueRef } from "../core/types.js";
import { type GitHub, httpStatus } from "./octokit.js";

export const PROJECT_QUERY = `query($owner: String!, $number: Int!) {
  organization(login: $owner) {
    projectV2(number: $number) {
      id
      title
      fields(first: 50) {
        nodes {
          ... on ProjectV2FieldCommon { id name dataType }
          ... on ProjectV2SingleSelectField { options { id name } }
        }
      }
    }
  }
}`;

export const CONTENT_QUERY = `query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    issueOrPullRequest(number: $number) {
      ... on Issue { id }
      ... on PullRequest { id }
    }
  }
}`;

export const CREATE_FIELD_MUTATION = `mutation($input: CreateProjectV2FieldInput!) {
  createProjectV2Field(input: $input) {
    projectV2Field {
      ... on ProjectV2FieldCommon { id name dataType }
      ... on ProjectV2SingleSelectField { options { id name } }
    }
  }
}`;

export const ADD_ITEM_MUTATION = `mutation($projectId: ID!, $contentId: ID!) {
  addProjectV2ItemById(input: { projectId: $projectId, contentId: $contentId }) {
    item { id }
  }
}`;

export const SET_VALUE_MUTATION = `mutation($projectId: ID!, $itemId: ID!, $fieldId: ID!, $optionId: String!) {
  updateProjectV2ItemFieldValue(
    input: { projectId: $projectId, itemId: $itemId, fieldId: $fieldId, value: { singleSelectOptionId: $optionId } }
  ) {
    projectV2Item { id }
  }
}`;

export const CLEAR_VALUE_MUTATION = `mutation($projectId: ID!, $itemId: ID!, $fieldId: ID!) {
  clearProjectV2ItemFieldValue(input: { projectId: $projectId, itemId: $itemId, fieldId: $fieldId }) {
    projectV2Item { id }
  }
}`;

/** Every GraphQL document this module sends (the contract tests validate them against GitHub's schema). */
export const PROJECT_DOCUMENTS = [
  PROJECT_QUERY,
  CONTENT_QUERY,
  CREATE_FIELD_MUTATION,
  ADD_ITEM_MUTATION,
  SET_VALUE_MUTATION,
  CLEAR_VALUE_MUTATION,
];

export interface ProjectRef {
  owner: string;
  number: number;
}

type GraphqlErrorEntry = { type?: string; message?: string };

function graphqlErrors(error: unknown): GraphqlErrorEntry[] {
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as GraphqlErrorEntry[]) : [];
}

const PERMISSION_FIX =
  'give the app the Organization permission "Projects: read and write" (organization_projects) and accept it in the installation';

/** GitHub's answer to a project request, as a problem the dashboard can show; null: not a known refusal. */
export function projectProblemOf(error: unknown, project: ProjectRef): ProjectProblem | null {
  const where = `${project.owner}/projects/${project.number}`;
  const types = graphqlErrors(error).map((e) => e.type ?? "");
  const messages = graphqlErrors(error)
    .map((e) => e.message ?? "")
    .join(" ");
  const status = httpStatus(error);
  if (types.includes("FORBIDDEN") || types.includes("INSUFFICIENT_SCOPES") || status === 403) {
    return {
      kind: "forbidden",
      message: `the app may not write ${where}: ${PERMISSION_FIX}`,
    };
  }
  if (types.includes("NOT_FOUND")) {
    const organization = /organization/i.test(messages);
    return {
      kind: "not-found",
      message: organization
        ? `"${project.owner}" is not an organisation the app can see: GitHub Apps can keep only organisation-owned projects (a user's project cannot be written by an app)`
        : `project ${project.number} does not exist in ${project.owner}, or the app cannot see it: check project.number, and ${PERMISSION_FIX}`,
    };
  }
  return null;
}

export type ProjectRead =
  | { ok: true; project: ProjectFacts }
  | { ok: false; problem: ProjectProblem };

interface ProjectResult {
  organization: {
    projectV2: {
      id: string;
      title: string;
      fields: { nodes: (Partial<ProjectFieldFacts> | null)[] };
    } | null;
  } | null;
}

function toField(node: Partial<ProjectFieldFacts> | null | undefined): ProjectFieldFacts[] {
  if (!node?.id || !node.name || !node.dataType) return [];
  return [{ id: node.id, name: node.name, dataType: node.dataType, options: node.options ?? null }];
}

/** The project and its fields (one query). */
export async function readProject(octokit: GitHub, project: ProjectRef): Promise<ProjectRead> {
  try {
    const data = await octokit.graphql<ProjectResult>(PROJECT_QUERY, {
      owner: project.owner,
      number: project.number,
    });
    const found = data.organization?.projectV2;
    if (!found) {
      return {
        ok: false,
        problem: projectProblemOf(
          { errors: [{ type: "NOT_FOUND", message: "project" }] },
          project,
        ) ?? {
          kind: "error",
          message: "not found",
        },
      };
    }
    return {
      ok: true,
      project: {
        id: found.id,
        title: found.title,
        fields: found.fields.nodes.flatMap(toField),
      },
    };
  } catch (error) {
    const problem = projectProblemOf(error, project);
    if (problem) return { ok: false, problem };
    throw error;
  }
}

interface CreatedField {
  createProjectV2Field: { projectV2Field: Partial<ProjectFieldFacts> | null };
}

/** Creates a single-select field the app keeps; its option ids come back with it. */
export async function createProjectField(
  octokit: GitHub,
  projectId: string,
  field: FieldToCreate,
): Promise<ResolvedField> {
  const data = await octokit.graphql<CreatedField>(CREATE_FIELD_MUTATION, {
    input: {
      projectId,
      dataType: "SINGLE_SELECT",
      name: field.name,
      singleSelectOptions: field.options,
    },
  });
  const [created] = toField(data.createProjectV2Field.projectV2Field);
  if (!created?.options) throw new Error(`GitHub created no single select field "${field.name}"`);
  return {
    id: created.id,
    name: created.name,
    optionIds: Object.fromEntries(created.options.map((o) => [o.name, o.id])),
  };
}

interface ContentResult {
  repository: { issueOrPullRequest: { id?: string } | null } | null;
}

/** The GraphQL node id of an issue or PR (what a project item points at). */
export async function contentIdOf(octokit: GitHub, ref: IssueRef): Promise<string | null> {
  const data = await octokit.graphql<ContentResult>(CONTENT_QUERY, {
    owner: ref.owner,
    repo: ref.repo,
    number: ref.number,
  });
  return data.repository?.issueOrPullRequest?.id ?? null;
}

export interface ItemTarget {
  projectId: string;
  /** The item, once added (null before the first write). */
  itemId: string | null;
  contentId: () => Promise<string | null>;
  fields: { phase: ResolvedField | null; gate: ResolvedField | null };
}

/**
 * Applies one item's writes in order and returns the item's id (null: the
 * content is gone). A value whose field or option is missing is skipped: the
 * problem is already reported with the fields.
 */
export async function applyItemWrites(
  octokit: GitHub,
  target: ItemTarget,
  writes: readonly ItemWrite[],
): Promise<string | null> {
  let itemId = target.itemId;
  for (const write of writes) {
    if (write.kind === "add") {
      const contentId = await target.contentId();
      if (!contentId) return null;
      const data = await octokit.graphql<{ addProjectV2ItemById: { item: { id: string } } }>(
        ADD_ITEM_MUTATION,
        { projectId: target.projectId, contentId },
      );
      itemId = data.addProjectV2ItemById.item.id;
      continue;
    }
    const field = target.fields[write.role];
    if (!field || !itemId) continue;
    if (write.kind === "clear") {
      await octokit.graphql(CLEAR_VALUE_MUTATION, {
        projectId: target.projectId,
        itemId,
        fieldId: field.id,
      });
      continue;
    }
    const optionId = field.optionIds[write.value];
    if (!optionId) continue;
    await octokit.graphql(SET_VALUE_MUTATION, {
      projectId: target.projectId,
      itemId,
      fieldId: field.id,
      optionId,
    });
  }
  return itemId;
}
