import { parseClosingReferences } from "../../../src/core/closing-keywords.js";
import type { IssueRecord } from "../types.js";
import { answerProjects } from "./graphql-projects.js";
import { type Route, type RouteContext, repoOf } from "./helpers.js";

/** GraphQL nodes of the existing issues among `refs`, each once (as `closingIssuesReferences` lists them). */
function closingNodes(
  ctx: RouteContext,
  refs: readonly { owner: string; repo: string; number: number }[],
): { number: number; repository: { name: string; owner: { login: string } } }[] {
  const seen = new Set<string>();
  return refs.flatMap((ref) => {
    const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
    const target = ctx.state.findRepo(ref.owner, ref.repo);
    const issue = target?.issues.get(ref.number);
    if (seen.has(key) || !target || !issue || issue.pull) return [];
    seen.add(key);
    return [
      {
        number: issue.number,
        repository: { name: target.name, owner: { login: target.owner.login } },
      },
    ];
  });
}

/**
 * Every open PR's head commit with the latest run named `checkName` of the
 * app `appId` (`commits(last: 1) { … checkSuites(filterBy: { appId }) {
 * checkRuns(filterBy: { checkName, checkType: LATEST }) } }`), one page.
 */
function openPullsWithRuns(ctx: RouteContext, query: string, variables: Record<string, unknown>) {
  const repo = repoOf({
    ...ctx,
    params: { owner: String(variables.owner ?? ""), repo: String(variables.repo ?? "") },
  });
  const appId = Number(variables.appId);
  const checkName = /checkName:\s*"([^"]*)"/.exec(query)?.[1] ?? "";
  const enumName = (value: string | null) => (value === null ? null : value.toUpperCase());
  const nodes = [...repo.issues.values()]
    .filter((i) => i.pull && i.state === "open")
    .map((pr) => {
      const oid = pr.pull?.headSha ?? "";
      const latest = repo.checkRuns
        .filter((r) => r.head_sha === oid && r.app_id === appId && r.name === checkName)
        .sort((a, b) => b.id - a.id)[0];
      const runs = latest
        ? [
            {
              databaseId: latest.id,
              status: enumName(latest.status),
              conclusion: enumName(latest.conclusion),
              title: latest.output.title ?? null,
              summary: latest.output.summary ?? null,
              externalId: latest.external_id,
            },
          ]
        : [];
      return {
        headRefOid: oid,
        commits: {
          nodes: [
            {
              commit: {
                oid,
                checkSuites: { nodes: latest ? [{ checkRuns: { nodes: runs } }] : [] },
              },
            },
          ],
        },
      };
    });
  return {
    body: {
      data: {
        repository: { pullRequests: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } },
      },
    },
  };
}

export const graphqlRoutes: Route[] = [
  // GraphQL: only the queries the app asks (which issues a PR closes; its runs on open PRs' heads)
  {
    method: "POST",
    template: "/graphql",
    handler: (ctx) => {
      const { query = "", variables = {} } = (ctx.body ?? {}) as {
        query?: string;
        variables?: Record<string, unknown>;
      };
      const projects = answerProjects(ctx, query, variables);
      if (projects) return projects;
      if (query.includes("checkSuites")) return openPullsWithRuns(ctx, query, variables);
      if (!query.includes("closingIssuesReferences")) {
        return {
          body: {
            errors: [
              { type: "UNSUPPORTED", message: "the sandbox answers only closingIssuesReferences" },
            ],
          },
        };
      }
      const repo = repoOf({
        ...ctx,
        params: { owner: String(variables.owner ?? ""), repo: String(variables.repo ?? "") },
      });
      const host = new URL(ctx.state.urls.web).host;
      const closing = (pr: IssueRecord) => {
        const refs = [
          ...parseClosingReferences(pr.body, { owner: repo.owner.login, repo: repo.name }, host),
          ...(pr.pull?.linkedIssues ?? []),
        ];
        return closingNodes(ctx, refs);
      };
      if (variables.number === undefined) {
        // Every open PR at once (one page: the sandbox's repositories are small).
        const nodes = [...repo.issues.values()]
          .filter((i) => i.pull && i.state === "open")
          .map((pr) => ({ number: pr.number, closingIssuesReferences: { nodes: closing(pr) } }));
        return {
          body: {
            data: {
              repository: {
                pullRequests: { pageInfo: { hasNextPage: false, endCursor: null }, nodes },
              },
            },
          },
        };
      }
      const pr = repo.issues.get(Number(variables.number));
      if (!pr?.pull) return { body: { data: { repository: { pullRequest: null } } } };
      const nodes = closing(pr);
      return {
        body: { data: { repository: { pullRequest: { closingIssuesReferences: { nodes } } } } },
      };
    },
  },
];
