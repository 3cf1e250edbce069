import { parseClosingReferences } from "../../../src/core/closing-keywords.js";
import { graphqlDocumentErrors } from "../descriptions.js";
import { ACTIONS_APP_ID } from "../serialize.js";
import type { CheckRunRecord, IssueRecord, RepoRecord, UserRecord } from "../types.js";
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
        number: pr.number,
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
  // GraphQL: documents valid against GitHub's schema; answered: which issues a PR closes, its runs on open PRs' heads, Projects (v2), and the audit's two
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
      const projects = answerProjects(ctx, query, variables);
      if (projects) return projects;
      // The audit's queries ask checkSuites too: they are told apart first.
      const audit = answerAuditQuery(ctx, query, variables);
      if (audit) return audit;
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

/** GraphQL's Actor: a bot's login has no `[bot]` there (REST adds it). */
function gqlActor(user: UserRecord | null) {
  if (!user) return null;
  return user.type === "Bot"
    ? { __typename: "Bot", login: user.login.replace(/\[bot\]$/, "") }
    : { __typename: "User", login: user.login };
}

/** A connection page from an opaque cursor (the offset, base64 as GitHub's cursors look). */
function page<T>(items: T[], first: number, after: unknown) {
  const start = typeof after === "string" ? Number(Buffer.from(after, "base64").toString()) : 0;
  const slice = items.slice(start, start + first);
  const end = start + slice.length;
  return {
    pageInfo: {
      hasNextPage: end < items.length,
      endCursor: slice.length > 0 ? Buffer.from(String(end)).toString("base64") : null,
    },
    nodes: slice,
  };
}

const upper = (v: string | null) => (v === null ? null : v.toUpperCase());

/** The check suites on one commit, as `checkSuites { nodes { app checkRuns(filterBy: {checkName}) } }`. */
function suitesOn(ctx: RouteContext, repo: RepoRecord, sha: string, checkName: string) {
  const runs = repo.checkRuns.filter((r) => r.head_sha === sha);
  const suites = new Map<number, CheckRunRecord[]>();
  for (const r of runs) suites.set(r.check_suite_id, [...(suites.get(r.check_suite_id) ?? []), r]);
  return [...suites.values()].map((inSuite) => {
    const appId = inSuite[0]?.app_id ?? 0;
    const app = ctx.state.app;
    return {
      appId,
      node: {
        app: {
          databaseId: appId,
          slug:
            appId === app.id
              ? app.slug
              : appId === ACTIONS_APP_ID
                ? "github-actions"
                : `app-${appId}`,
        },
        checkRuns: {
          nodes: inSuite
            .filter((r) => r.name === checkName)
            .sort((a, b) => b.id - a.id)
            .map((r) => ({
              databaseId: r.id,
              name: r.name,
              status: upper(r.status),
              conclusion: upper(r.conclusion),
              title: r.output.title,
              completedAt: r.completed_at,
              externalId: r.external_id,
              url: `${ctx.state.urls.web}/${repo.full_name}/runs/${r.id}`,
            })),
        },
      },
    };
  });
}

/** `phase-gates audit`'s query of merged PRs (src/github/audit-reads.ts MERGED_PULLS_QUERY). */
function auditMergedPulls(ctx: RouteContext, repo: RepoRecord, variables: Record<string, unknown>) {
  const web = ctx.state.urls.web;
  const labelsOf = (i: IssueRecord) =>
    i.labelIds
      .flatMap((id) => repo.labels.find((l) => l.id === id)?.name ?? [])
      .map((name) => ({ name }));
  const milestoneOf = (i: IssueRecord) => {
    const m = repo.milestones.find((x) => x.id === i.milestoneId);
    return m ? { title: m.title } : null;
  };
  const host = new URL(web).host;
  const checkName =
    /checkName: "([^"]+)"/.exec(String((ctx.body as { query?: string }).query))?.[1] ?? "";
  const merged = [...repo.issues.values()]
    .filter((i) => i.pull?.merged)
    .sort((a, b) =>
      a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.number - a.number,
    );
  const nodes = merged.map((pr) => {
    const pull = pr.pull;
    const refs = [
      ...parseClosingReferences(pr.body, { owner: repo.owner.login, repo: repo.name }, host),
      ...(pull?.linkedIssues ?? []),
    ];
    const closing = closingNodes(ctx, refs).map((n) => {
      const target = ctx.state.findRepo(n.repository.owner.login, n.repository.name);
      const issue = target?.issues.get(n.number);
      return {
        ...n,
        url: `${web}/${target?.full_name ?? ""}/issues/${n.number}`,
        labels: {
          nodes:
            issue && target
              ? issue.labelIds
                  .flatMap((id) => target.labels.find((l) => l.id === id)?.name ?? [])
                  .map((name) => ({ name }))
              : [],
        },
        milestone:
          issue && target
            ? (target.milestones.find((m) => m.id === issue.milestoneId)?.title ?? null)
            : null,
      };
    });
    const suites = suitesOn(ctx, repo, pull?.headSha ?? "", checkName);
    return {
      number: pr.number,
      title: pr.title,
      url: `${web}/${repo.full_name}/pull/${pr.number}`,
      updatedAt: pr.updated_at,
      mergedAt: pr.closed_at,
      baseRefName: pull?.baseRef ?? repo.default_branch,
      headRefOid: pull?.headSha ?? "",
      author: gqlActor(pr.user),
      mergedBy: gqlActor(pull?.mergedBy ?? null),
      labels: { nodes: labelsOf(pr) },
      milestone: milestoneOf(pr),
      closingIssuesReferences: {
        nodes: closing.map((c) => ({
          ...c,
          milestone: c.milestone ? { title: c.milestone } : null,
        })),
      },
      commits: {
        nodes: [
          {
            commit: {
              oid: pull?.headSha ?? "",
              ours: {
                nodes: suites
                  .filter((s) => s.appId === Number(variables.appId))
                  .slice(0, 1)
                  .map((s) => s.node),
              },
              others: { nodes: suites.slice(0, 30).map((s) => s.node) },
            },
          },
        ],
      },
    };
  });
  return { repository: { pullRequests: page(nodes, 100, variables.cursor) } };
}

/** `phase-gates audit`'s query of gate-label events on issues (src/github/audit-reads.ts ISSUE_LABELS_QUERY). */
function auditIssueLabels(ctx: RouteContext, repo: RepoRecord, variables: Record<string, unknown>) {
  const since = String(variables.since ?? "");
  const issues = [...repo.issues.values()]
    .filter((i) => !i.pull && i.updated_at >= since)
    .sort((a, b) =>
      a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : b.number - a.number,
    )
    .map((i) => ({
      number: i.number,
      url: `${ctx.state.urls.web}/${repo.full_name}/issues/${i.number}`,
      timelineItems: {
        nodes: repo.issueEvents
          .filter(
            (e) => e.issueNumber === i.number && (e.event === "labeled" || e.event === "unlabeled"),
          )
          .slice(0, 100)
          .map((e) => ({
            __typename: e.event === "labeled" ? "LabeledEvent" : "UnlabeledEvent",
            createdAt: e.created_at,
            actor: gqlActor(e.actor),
            label: { name: "label" in e ? e.label.name : "" },
          })),
      },
    }));
  return { repository: { issues: page(issues, 100, variables.cursor) } };
}

/** The audit's two queries, answered when the query is one of them; null otherwise. */
export function answerAuditQuery(
  ctx: RouteContext,
  query: string,
  variables: Record<string, unknown>,
) {
  const kind = query.includes("pullRequests(states: MERGED")
    ? auditMergedPulls
    : query.includes("timelineItems(") && query.includes("LABELED_EVENT")
      ? auditIssueLabels
      : null;
  if (!kind) return null;
  const repo = repoOf({
    ...ctx,
    params: { owner: String(variables.owner ?? ""), repo: String(variables.repo ?? "") },
  });
  return { body: { data: kind(ctx, repo, variables) } };
}
