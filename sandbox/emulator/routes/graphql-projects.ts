import { ApiError } from "../state/index.js";
import {
  addProjectItem,
  createProjectField,
  findProject,
  issueNodeId,
  type ProjectFieldRecord,
  type ProjectRecord,
  projectById,
  setProjectItemValue,
} from "../state/projects.js";
import { actor, type RouteContext, type RouteResult, repoOf } from "./helpers.js";

type Variables = Record<string, unknown>;

/** GitHub's GraphQL error entry: a 200 with `errors` (and `data` where the query got that far). */
function failure(type: string, message: string, path: string[], data: unknown = null): RouteResult {
  return { body: { data, errors: [{ type, path, locations: [{ line: 2, column: 3 }], message }] } };
}

function serializeField(field: ProjectFieldRecord) {
  return {
    id: field.id,
    name: field.name,
    dataType: field.dataType,
    ...(field.options ? { options: field.options.map((o) => ({ id: o.id, name: o.name })) } : {}),
  };
}

/** An app needs the installation's organization_projects permission for every project call. */
function forbidden(ctx: RouteContext, project: ProjectRecord | undefined): boolean {
  return ctx.auth.kind === "installation" && project !== undefined && !project.appAccess;
}

const FORBIDDEN_MESSAGE = "Resource not accessible by integration";

function readProject(ctx: RouteContext, variables: Variables): RouteResult {
  const login = String(variables.owner ?? "");
  const owner = [...ctx.state.users.values()].find(
    (u) => u.login.toLowerCase() === login.toLowerCase(),
  );
  if (owner?.type !== "Organization") {
    return failure(
      "NOT_FOUND",
      `Could not resolve to an Organization with the login of '${login}'.`,
      ["organization"],
      { organization: null },
    );
  }
  const project = findProject(ctx.state, login, Number(variables.number));
  if (forbidden(ctx, project)) {
    return failure("FORBIDDEN", FORBIDDEN_MESSAGE, ["organization", "projectV2"], {
      organization: { projectV2: null },
    });
  }
  if (!project) {
    return failure(
      "NOT_FOUND",
      `Could not resolve to a ProjectV2 with the number ${String(variables.number)}.`,
      ["organization", "projectV2"],
      { organization: { projectV2: null } },
    );
  }
  return {
    body: {
      data: {
        organization: {
          projectV2: {
            id: project.id,
            title: project.title,
            fields: { nodes: project.fields.map(serializeField) },
          },
        },
      },
    },
  };
}

function readContent(ctx: RouteContext, variables: Variables): RouteResult {
  const repo = repoOf({
    ...ctx,
    params: { owner: String(variables.owner ?? ""), repo: String(variables.repo ?? "") },
  });
  const issue = repo.issues.get(Number(variables.number));
  return {
    body: {
      data: {
        repository: { issueOrPullRequest: issue ? { id: issueNodeId(issue) } : null },
      },
    },
  };
}

type Input = Record<string, unknown>;

/** The mutations the app sends, each on a project the caller may write. */
function mutate(ctx: RouteContext, query: string, variables: Variables): RouteResult {
  const input = (variables.input ?? variables) as Input;
  const name =
    /createProjectV2Field|addProjectV2ItemById|updateProjectV2ItemFieldValue|clearProjectV2ItemFieldValue/.exec(
      query,
    )?.[0];
  const project = projectById(ctx.state, String(input.projectId ?? ""));
  if (!name) return failure("UNSUPPORTED", "the sandbox does not answer this mutation", []);
  if (!project)
    return failure(
      "NOT_FOUND",
      `Could not resolve to a node with the global id of '${String(input.projectId)}'`,
      [name],
      { [name]: null },
    );
  if (forbidden(ctx, project))
    return failure("FORBIDDEN", FORBIDDEN_MESSAGE, [name], { [name]: null });
  const sender = actor(ctx);
  try {
    switch (name) {
      case "createProjectV2Field": {
        const field = createProjectField(ctx.state, project, {
          name: String(input.name),
          dataType: String(input.dataType),
          options:
            (input.singleSelectOptions as { name: string; color: string; description: string }[]) ??
            [],
        });
        return {
          body: { data: { createProjectV2Field: { projectV2Field: serializeField(field) } } },
        };
      }
      case "addProjectV2ItemById": {
        const item = addProjectItem(ctx.state, project, String(input.contentId), sender);
        return { body: { data: { addProjectV2ItemById: { item: { id: item.id } } } } };
      }
      default: {
        const value = (input.value ?? {}) as { singleSelectOptionId?: string };
        const optionId =
          name === "updateProjectV2ItemFieldValue"
            ? String(value.singleSelectOptionId ?? input.optionId ?? "")
            : null;
        const item = setProjectItemValue(
          ctx.state,
          project,
          String(input.itemId),
          String(input.fieldId),
          optionId,
          sender,
        );
        return { body: { data: { [name]: { projectV2Item: { id: item.id } } } } };
      }
    }
  } catch (error) {
    if (error instanceof ApiError)
      return failure(error.status === 404 ? "NOT_FOUND" : "UNPROCESSABLE", error.message, [name], {
        [name]: null,
      });
    throw error;
  }
}

/**
 * The Projects (v2) documents the app sends (src/github/projects.ts), told
 * apart by the fields they ask; null: not a projects document.
 */
export function answerProjects(
  ctx: RouteContext,
  query: string,
  variables: Variables,
): RouteResult | null {
  if (/^\s*mutation\b/.test(query) && /ProjectV2/.test(query)) {
    // Mutations the app sends inline their input from variables; normalise to `input`.
    return mutate(ctx, query, variables.input ? variables : { input: variables });
  }
  if (query.includes("projectV2(")) return readProject(ctx, variables);
  if (query.includes("issueOrPullRequest(")) return readContent(ctx, variables);
  return null;
}
