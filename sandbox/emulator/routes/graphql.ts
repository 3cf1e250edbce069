import { parseClosingReferences } from "../../../src/core/closing-keywords.js";
import { graphqlDocumentErrors } from "../descriptions.js";
import type { IssueRecord } from "../types.js";
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

export const graphqlRoutes: Route[] = [
  // GraphQL: documents valid against GitHub's schema; answered: which issues a PR closes
  {
    method: "POST",
    template: "/graphql",
    handler: (ctx) => {
      const { query = "", variables = {} } = (ctx.body ?? {}) as {
        query?: string;
        variables?: Record<string, unknown>;
      };
      // GitHub answers a document it cannot run with 200 and `errors`, no `data`.
      const errors = graphqlDocumentErrors(query, variables, ctx.state.graphqlLacks);
      if (errors.length > 0) return { body: { errors } };
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
