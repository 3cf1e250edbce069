import { parseClosingReferences } from "../../src/core/closing-keywords.js";
import {
  serializeApp,
  serializeCheckRun,
  serializeComment,
  serializeContentFile,
  serializeInstallation,
  serializeIssue,
  serializeIssueEvent,
  serializeLabel,
  serializeMilestone,
  serializePull,
  serializePullCommit,
  serializeRepo,
  serializeUser,
} from "./serialize.js";
import {
  ApiError,
  type CheckRunInput,
  type EmulatorState,
  type IssuePatch,
} from "./state/index.js";
import type { IssueRecord, RepoRecord, StateReason, UserRecord } from "./types.js";

export interface RouteContext {
  state: EmulatorState;
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  auth:
    | { kind: "app" }
    | { kind: "installation"; installationId: number }
    | { kind: "user"; login: string }
    | { kind: "none" };
}

export interface RouteResult {
  status?: number;
  body?: unknown;
  /** Raw text body (contents with the raw media type). */
  text?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  template: string;
  handler: (ctx: RouteContext) => RouteResult;
}

// ── helpers ─────────────────────────────────────────────────────────────

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

function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new ApiError(404, "Not Found");
  return value;
}

function intParam(ctx: RouteContext, name: string): number {
  const value = Number(param(ctx, name));
  if (!Number.isInteger(value)) throw new ApiError(404, "Not Found");
  return value;
}

/** The repository in the URL, if the caller may see it (installation tokens see only their repos). */
function repoOf(ctx: RouteContext): RepoRecord {
  const repo = ctx.state.findRepo(param(ctx, "owner"), param(ctx, "repo"));
  if (!repo) throw new ApiError(404, "Not Found");
  if (ctx.auth.kind === "installation") {
    const installation = ctx.state.installations.get(ctx.auth.installationId);
    if (!installation?.repos.some((r) => r.toLowerCase() === repo.full_name.toLowerCase())) {
      throw new ApiError(404, "Not Found");
    }
  }
  if (repo.private && ctx.auth.kind === "none") throw new ApiError(404, "Not Found");
  return repo;
}

/** Who a write acts as: an installation token acts as the app's bot user. */
function actor(ctx: RouteContext): UserRecord {
  switch (ctx.auth.kind) {
    case "installation":
      return ctx.state.bot;
    case "user":
      return ctx.state.user(ctx.auth.login);
    case "app":
      throw new ApiError(
        403,
        "A JSON web token could not be decoded: use an installation token for this endpoint",
      );
    default:
      throw new ApiError(401, "Requires authentication");
  }
}

function requireApp(ctx: RouteContext): void {
  if (ctx.auth.kind !== "app") {
    throw new ApiError(401, "A JSON web token could not be decoded");
  }
}

function bodyObject(ctx: RouteContext): Record<string, unknown> {
  return typeof ctx.body === "object" && ctx.body !== null && !Array.isArray(ctx.body)
    ? (ctx.body as Record<string, unknown>)
    : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((v) =>
    typeof v === "string" ? v : String((v as { name?: unknown }).name ?? ""),
  );
}

/** Labels in a body: `{ labels: [...] }`, a bare array, or `{ labels: [{ name }] }`. */
function labelNames(ctx: RouteContext): string[] {
  if (Array.isArray(ctx.body)) return strings(ctx.body) ?? [];
  return strings(bodyObject(ctx).labels) ?? [];
}

function openClosed(value: unknown): "open" | "closed" | undefined {
  return value === "open" || value === "closed" ? value : undefined;
}

function milestoneValue(value: unknown): number | null | undefined {
  if (value === null) return null;
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** Keys whose value is undefined become absent (exactOptionalPropertyTypes: absent ≠ undefined). */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

function withDefined<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Defined<T>;
}

/** GitHub's page/per_page pagination with a Link header Octokit's paginate follows. */
export function paginate<T>(
  ctx: RouteContext,
  items: T[],
  requestPath: string,
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page") ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(ctx.query);
    q.set("per_page", String(perPage));
    q.set("page", String(p));
    return `<${ctx.state.urls.api}${requestPath}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < last) links.push(link(page + 1, "next"));
  if (page < last) links.push(link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return { page: slice, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}

function paged<T>(ctx: RouteContext, items: T[], path: string): RouteResult {
  const { page, headers } = paginate(ctx, items, path);
  return { body: page, headers };
}

function repoPath(repo: RepoRecord, rest: string): string {
  return `/repos/${repo.full_name}${rest}`;
}

/** Legacy permission scale of the permission endpoint: maintain shows as write, triage as read. */
function legacyPermission(role: string): string {
  switch (role) {
    case "admin":
      return "admin";
    case "maintain":
    case "write":
      return "write";
    case "triage":
    case "read":
      return "read";
    default:
      return "none";
  }
}

function permissionFlags(role: string): {
  admin: boolean;
  maintain: boolean;
  push: boolean;
  triage: boolean;
  pull: boolean;
} {
  const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(role);
  return {
    admin: rank >= 5,
    maintain: rank >= 4,
    push: rank >= 3,
    triage: rank >= 2,
    pull: rank >= 1,
  };
}

function sortIssues(ctx: RouteContext, items: IssueRecord[]): IssueRecord[] {
  const sort = ctx.query.get("sort") ?? "created";
  const direction = ctx.query.get("direction") ?? "desc";
  const key = (i: IssueRecord): string | number =>
    sort === "updated" ? i.updated_at : sort === "comments" ? 0 : i.created_at;
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const cmp = ka < kb ? -1 : ka > kb ? 1 : a.number - b.number;
    return direction === "asc" ? cmp : -cmp;
  });
}

// ── routes ──────────────────────────────────────────────────────────────

const R = "/repos/{owner}/{repo}";

export const routes: Route[] = [
  // GraphQL: only the query the app asks (which issues a PR closes)
  {
    method: "POST",
    template: "/graphql",
    handler: (ctx) => {
      const { query = "", variables = {} } = (ctx.body ?? {}) as {
        query?: string;
        variables?: Record<string, unknown>;
      };
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
  // App and installations (JWT)
  {
    method: "GET",
    template: "/app",
    handler: (ctx) => {
      requireApp(ctx);
      return { body: serializeApp(ctx.state.urls, ctx.state.app) };
    },
  },
  {
    method: "GET",
    template: "/apps/{app_slug}",
    handler: (ctx) => {
      // Public on GitHub: any caller may look an app up by its slug.
      if (param(ctx, "app_slug").toLowerCase() !== ctx.state.app.slug.toLowerCase()) {
        throw new ApiError(404, "Not Found");
      }
      return { body: serializeApp(ctx.state.urls, ctx.state.app) };
    },
  },
  {
    method: "GET",
    template: "/app/installations",
    handler: (ctx) => {
      requireApp(ctx);
      const all = [...ctx.state.installations.values()].map((i) =>
        serializeInstallation(ctx.state.urls, ctx.state.app, i),
      );
      return paged(ctx, all, "/app/installations");
    },
  },
  {
    method: "GET",
    template: "/app/installations/{installation_id}",
    handler: (ctx) => {
      requireApp(ctx);
      const installation = ctx.state.installations.get(intParam(ctx, "installation_id"));
      if (!installation) throw new ApiError(404, "Not Found");
      return { body: serializeInstallation(ctx.state.urls, ctx.state.app, installation) };
    },
  },
  {
    method: "POST",
    template: "/app/installations/{installation_id}/access_tokens",
    handler: (ctx) => {
      requireApp(ctx);
      const id = intParam(ctx, "installation_id");
      const token = ctx.state.issueTokenFor(id);
      const installation = ctx.state.installations.get(id);
      const repositories = (installation?.repos ?? []).map((name) =>
        serializeRepo(ctx.state.urls, ctx.state.repo(name)),
      );
      return {
        status: 201,
        body: {
          ...token,
          permissions: serializeInstallation(ctx.state.urls, ctx.state.app, installation ?? never())
            .permissions,
          repository_selection: "selected",
          repositories,
        },
      };
    },
  },
  {
    method: "GET",
    template: `${R}/installation`,
    handler: (ctx) => {
      const repo = ctx.state.findRepo(param(ctx, "owner"), param(ctx, "repo"));
      const installation = repo ? ctx.state.installationFor(repo) : undefined;
      if (!installation) throw new ApiError(404, "Not Found");
      return { body: serializeInstallation(ctx.state.urls, ctx.state.app, installation) };
    },
  },
  {
    method: "GET",
    template: "/installation/repositories",
    handler: (ctx) => {
      if (ctx.auth.kind !== "installation") throw new ApiError(401, "Requires authentication");
      const installation = ctx.state.installations.get(ctx.auth.installationId);
      const repos = (installation?.repos ?? []).map((name) =>
        serializeRepo(ctx.state.urls, ctx.state.repo(name)),
      );
      const { page, headers } = paginate(ctx, repos, "/installation/repositories");
      return {
        body: { total_count: repos.length, repository_selection: "selected", repositories: page },
        headers,
      };
    },
  },

  // Repository
  {
    method: "GET",
    template: R,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return {
        body: { ...serializeRepo(ctx.state.urls, repo), permissions: permissionFlags("write") },
      };
    },
  },
  {
    method: "GET",
    template: `${R}/contents/{path}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const path = param(ctx, "path").replace(/^\/+/, "");
      const ref = ctx.query.get("ref") ?? repo.default_branch;
      const file = ctx.state.filesAt(repo, ref)?.get(path);
      if (!file) throw new ApiError(404, "Not Found");
      const accept = String(ctx.headers.accept ?? "");
      if (/\.raw\b/.test(accept) || accept.includes("vnd.github.raw")) {
        return {
          text: file.content,
          headers: { "content-type": "text/plain; charset=utf-8", etag: `"${file.sha}"` },
        };
      }
      return {
        body: serializeContentFile(ctx.state.urls, repo, path, ref, file),
        headers: { etag: `W/"${file.sha}-json"` },
      };
    },
  },

  // Issues (pull requests included, as on GitHub)
  {
    method: "GET",
    template: `${R}/issues`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const labels = (ctx.query.get("labels") ?? "")
        .split(",")
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean);
      const milestone = ctx.query.get("milestone");
      const creator = ctx.query.get("creator");
      const since = ctx.query.get("since");
      const items = [...repo.issues.values()].filter((issue) => {
        if (state !== "all" && issue.state !== state) return false;
        const names = issue.labelIds.map((id) =>
          repo.labels.find((l) => l.id === id)?.name.toLowerCase(),
        );
        if (!labels.every((l) => names.includes(l))) return false;
        if (milestone === "none" && issue.milestoneId !== null) return false;
        if (milestone === "*" && issue.milestoneId === null) return false;
        if (milestone && /^\d+$/.test(milestone)) {
          const m = repo.milestones.find((x) => x.number === Number(milestone));
          if (!m || issue.milestoneId !== m.id) return false;
        }
        if (creator && issue.user.login.toLowerCase() !== creator.toLowerCase()) return false;
        if (since && issue.updated_at < since) return false;
        return true;
      });
      return paged(
        ctx,
        sortIssues(ctx, items).map((i) => serializeIssue(ctx.state.urls, repo, i)),
        repoPath(repo, "/issues"),
      );
    },
  },
  {
    method: "POST",
    template: `${R}/issues`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const issue = ctx.state.createIssue(
        repo,
        withDefined({
          title: str(b.title) ?? "",
          body: str(b.body),
          labels: strings(b.labels),
          milestone: milestoneValue(b.milestone),
        }),
        actor(ctx),
      );
      return { status: 201, body: serializeIssue(ctx.state.urls, repo, issue) };
    },
  },
  // The repository's issue events, newest first, each with its issue (before `/issues/{n}`).
  {
    method: "GET",
    template: `${R}/issues/events`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const events = [...repo.issueEvents].reverse().map((e) => ({
        ...serializeIssueEvent(ctx.state.urls, repo, ctx.state.app, e),
        issue: serializeIssue(ctx.state.urls, repo, ctx.state.issue(repo, e.issueNumber)),
      }));
      return paged(ctx, events, repoPath(repo, "/issues/events"));
    },
  },
  {
    method: "GET",
    template: `${R}/issues/{issue_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return {
        body: serializeIssue(
          ctx.state.urls,
          repo,
          ctx.state.issue(repo, intParam(ctx, "issue_number")),
        ),
      };
    },
  },
  {
    method: "PATCH",
    template: `${R}/issues/{issue_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const stateValue = str(b.state);
      const reason = str(b.state_reason);
      const patch: IssuePatch = withDefined({
        title: str(b.title),
        body: b.body === null ? null : str(b.body),
        state: openClosed(stateValue),
        state_reason: reason ? (reason as StateReason) : b.state_reason === null ? null : undefined,
        labels: strings(b.labels),
        milestone: milestoneValue(b.milestone),
      });
      const issue = ctx.state.updateIssue(repo, intParam(ctx, "issue_number"), patch, actor(ctx));
      return { body: serializeIssue(ctx.state.urls, repo, issue) };
    },
  },

  // Issue labels
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "issue_number"));
      return paged(
        ctx,
        serializeIssue(ctx.state.urls, repo, issue).labels,
        repoPath(repo, `/issues/${issue.number}/labels`),
      );
    },
  },
  {
    method: "POST",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.addLabels(
        repo,
        intParam(ctx, "issue_number"),
        labelNames(ctx),
        actor(ctx),
      );
      return { body: serializeIssue(ctx.state.urls, repo, issue).labels };
    },
  },
  {
    method: "PUT",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.setLabels(
        repo,
        intParam(ctx, "issue_number"),
        labelNames(ctx),
        actor(ctx),
      );
      return { body: serializeIssue(ctx.state.urls, repo, issue).labels };
    },
  },
  {
    method: "DELETE",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.setLabels(repo, intParam(ctx, "issue_number"), [], actor(ctx));
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    template: `${R}/issues/{issue_number}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.removeLabel(
        repo,
        intParam(ctx, "issue_number"),
        param(ctx, "name"),
        actor(ctx),
      );
      return { body: serializeIssue(ctx.state.urls, repo, issue).labels };
    },
  },

  // Issue events: who labeled, closed, reopened, milestoned or renamed, oldest first.
  // The ETag and If-None-Match → 304 come from the server, as for every GET.
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/events`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const number = intParam(ctx, "issue_number");
      const events = ctx.state
        .issueEvents(repo, number)
        .map((e) => serializeIssueEvent(ctx.state.urls, repo, ctx.state.app, e));
      return paged(ctx, events, repoPath(repo, `/issues/${number}/events`));
    },
  },

  // Comments
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/comments`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "issue_number"));
      const since = ctx.query.get("since");
      const comments = repo.comments
        .filter((c) => c.issueNumber === issue.number && (!since || c.updated_at >= since))
        .map((c) => serializeComment(ctx.state.urls, repo, c));
      return paged(ctx, comments, repoPath(repo, `/issues/${issue.number}/comments`));
    },
  },
  {
    method: "POST",
    template: `${R}/issues/{issue_number}/comments`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const comment = ctx.state.createComment(
        repo,
        intParam(ctx, "issue_number"),
        str(bodyObject(ctx).body) ?? "",
        actor(ctx),
      );
      return { status: 201, body: serializeComment(ctx.state.urls, repo, comment) };
    },
  },
  {
    method: "GET",
    template: `${R}/issues/comments/{comment_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return {
        body: serializeComment(
          ctx.state.urls,
          repo,
          ctx.state.comment(repo, intParam(ctx, "comment_id")),
        ),
      };
    },
  },
  {
    method: "PATCH",
    template: `${R}/issues/comments/{comment_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const comment = ctx.state.updateComment(
        repo,
        intParam(ctx, "comment_id"),
        str(bodyObject(ctx).body) ?? "",
        actor(ctx),
      );
      return { body: serializeComment(ctx.state.urls, repo, comment) };
    },
  },
  {
    method: "DELETE",
    template: `${R}/issues/comments/{comment_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.deleteComment(repo, intParam(ctx, "comment_id"), actor(ctx));
      return { status: 204 };
    },
  },

  // Repository labels
  {
    method: "GET",
    template: `${R}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return paged(
        ctx,
        repo.labels.map((l) => serializeLabel(ctx.state.urls, repo, l)),
        repoPath(repo, "/labels"),
      );
    },
  },
  {
    method: "POST",
    template: `${R}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const label = ctx.state.createLabel(
        repo,
        withDefined({
          name: str(b.name) ?? "",
          color: str(b.color),
          description: str(b.description),
        }),
        actor(ctx),
      );
      return { status: 201, body: serializeLabel(ctx.state.urls, repo, label) };
    },
  },
  {
    method: "GET",
    template: `${R}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const label = ctx.state.findLabel(repo, param(ctx, "name"));
      if (!label) throw new ApiError(404, "Not Found");
      return { body: serializeLabel(ctx.state.urls, repo, label) };
    },
  },
  {
    method: "PATCH",
    template: `${R}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const label = ctx.state.updateLabel(
        repo,
        param(ctx, "name"),
        withDefined({
          new_name: str(b.new_name),
          color: str(b.color),
          description: b.description === null ? null : str(b.description),
        }),
        actor(ctx),
      );
      return { body: serializeLabel(ctx.state.urls, repo, label) };
    },
  },
  {
    method: "DELETE",
    template: `${R}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.deleteLabel(repo, param(ctx, "name"), actor(ctx));
      return { status: 204 };
    },
  },

  // Milestones
  {
    method: "GET",
    template: `${R}/milestones`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const direction = ctx.query.get("direction") ?? "asc";
      const items = repo.milestones
        .filter((m) => state === "all" || m.state === state)
        .sort((a, b) => (direction === "asc" ? a.number - b.number : b.number - a.number))
        .map((m) => serializeMilestone(ctx.state.urls, repo, m));
      return paged(ctx, items, repoPath(repo, "/milestones"));
    },
  },
  {
    method: "POST",
    template: `${R}/milestones`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const stateValue = str(b.state);
      const milestone = ctx.state.createMilestone(
        repo,
        withDefined({
          title: str(b.title) ?? "",
          description: str(b.description),
          state: openClosed(stateValue),
          due_on: str(b.due_on),
        }),
        actor(ctx),
      );
      return { status: 201, body: serializeMilestone(ctx.state.urls, repo, milestone) };
    },
  },
  {
    method: "GET",
    template: `${R}/milestones/{milestone_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const milestone = repo.milestones.find((m) => m.number === intParam(ctx, "milestone_number"));
      if (!milestone) throw new ApiError(404, "Not Found");
      return { body: serializeMilestone(ctx.state.urls, repo, milestone) };
    },
  },
  {
    method: "PATCH",
    template: `${R}/milestones/{milestone_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const stateValue = str(b.state);
      const milestone = ctx.state.updateMilestone(
        repo,
        intParam(ctx, "milestone_number"),
        withDefined({
          title: str(b.title),
          description: b.description === null ? null : str(b.description),
          state: openClosed(stateValue),
          due_on: b.due_on === null ? null : str(b.due_on),
        }),
        actor(ctx),
      );
      return { body: serializeMilestone(ctx.state.urls, repo, milestone) };
    },
  },

  // Pull requests
  {
    method: "GET",
    template: `${R}/pulls`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const base = ctx.query.get("base");
      const head = ctx.query.get("head");
      const items = [...repo.issues.values()].filter((i) => {
        if (!i.pull) return false;
        if (state !== "all" && i.state !== state) return false;
        if (base && i.pull.baseRef !== base) return false;
        if (head && `${repo.owner.login}:${i.pull.headRef}` !== head) return false;
        return true;
      });
      return paged(
        ctx,
        sortIssues(ctx, items).map((i) => serializePull(ctx.state.urls, repo, i)),
        repoPath(repo, "/pulls"),
      );
    },
  },
  {
    method: "GET",
    template: `${R}/pulls/{pull_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "pull_number"));
      if (!issue.pull) throw new ApiError(404, "Not Found");
      return { body: serializePull(ctx.state.urls, repo, issue) };
    },
  },
  {
    method: "GET",
    template: `${R}/pulls/{pull_number}/commits`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "pull_number"));
      if (!issue.pull) throw new ApiError(404, "Not Found");
      const commits = issue.pull.commits.map((sha, i, all) =>
        serializePullCommit(ctx.state.urls, repo, issue, sha, all[i - 1] ?? null),
      );
      return paged(ctx, commits, repoPath(repo, `/pulls/${issue.number}/commits`));
    },
  },
  {
    method: "GET",
    template: `${R}/pulls/{pull_number}/files`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "pull_number"));
      if (!issue.pull) throw new ApiError(404, "Not Found");
      const baseFiles = ctx.state.filesAt(repo, issue.pull.baseRef);
      const headSha = issue.pull.headSha;
      const api = ctx.state.urls.api;
      const files = [...issue.pull.changes].map(([filename, content]) => {
        const lines = content === null ? 0 : content.split("\n").length;
        const before = baseFiles?.get(filename);
        const status = content === null ? "removed" : before ? "modified" : "added";
        return {
          sha:
            content === null
              ? null
              : (ctx.state.filesAt(repo, headSha)?.get(filename)?.sha ?? null),
          filename,
          status,
          additions: lines,
          deletions: content === null ? (before?.content.split("\n").length ?? 0) : 0,
          changes: lines,
          blob_url: `${ctx.state.urls.web}/${repo.full_name}/blob/${headSha}/${filename}`,
          raw_url: `${ctx.state.urls.web}/${repo.full_name}/raw/${headSha}/${filename}`,
          contents_url: `${api}/repos/${repo.full_name}/contents/${encodeURIComponent(filename)}?ref=${headSha}`,
          patch:
            content === null
              ? ""
              : `@@ -0,0 +1,${lines} @@\n${content
                  .split("\n")
                  .map((l) => `+${l}`)
                  .join("\n")}`,
        };
      });
      return paged(ctx, files, repoPath(repo, `/pulls/${issue.number}/files`));
    },
  },

  // Custom deployment protection rules: the app's answer to a waiting deployment
  {
    method: "POST",
    template: `${R}/actions/runs/{run_id}/deployment_protection_rule`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.answerDeployment(repo, intParam(ctx, "run_id"), bodyObject(ctx), actor(ctx));
      return { status: 204 };
    },
  },

  // Check runs
  {
    method: "POST",
    template: `${R}/check-runs`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = ctx.state.createCheckRun(repo, bodyObject(ctx) as CheckRunInput, actor(ctx));
      return { status: 201, body: serializeCheckRun(ctx.state.urls, repo, ctx.state.app, run) };
    },
  },
  {
    method: "GET",
    template: `${R}/check-runs/{check_run_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = ctx.state.checkRun(repo, intParam(ctx, "check_run_id"));
      return { body: serializeCheckRun(ctx.state.urls, repo, ctx.state.app, run) };
    },
  },
  {
    method: "PATCH",
    template: `${R}/check-runs/{check_run_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = ctx.state.updateCheckRun(
        repo,
        intParam(ctx, "check_run_id"),
        bodyObject(ctx) as CheckRunInput,
        actor(ctx),
      );
      return { body: serializeCheckRun(ctx.state.urls, repo, ctx.state.app, run) };
    },
  },
  {
    method: "GET",
    template: `${R}/commits/{ref}/check-runs`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const ref = param(ctx, "ref").replace(/^refs\/heads\//, "");
      const sha = repo.branches.get(ref) ?? ref;
      const name = ctx.query.get("check_name");
      const status = ctx.query.get("status");
      const appId = ctx.query.get("app_id");
      const filter = ctx.query.get("filter") ?? "latest";
      let runs = repo.checkRuns
        .filter((r) => r.head_sha === sha)
        .filter((r) => !name || r.name === name)
        .filter((r) => !status || r.status === status)
        .filter((r) => !appId || String(r.app_id) === appId)
        .sort((a, b) => b.id - a.id);
      if (filter === "latest") {
        const seen = new Set<string>();
        runs = runs.filter((r) => {
          const key = `${r.app_id}:${r.name}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      }
      const all = runs.map((r) => serializeCheckRun(ctx.state.urls, repo, ctx.state.app, r));
      const { page, headers } = paginate(
        ctx,
        all,
        repoPath(repo, `/commits/${param(ctx, "ref")}/check-runs`),
      );
      return { body: { total_count: all.length, check_runs: page }, headers };
    },
  },

  // People
  {
    method: "GET",
    template: `${R}/collaborators/{username}/permission`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const login = param(ctx, "username");
      const known = ctx.state.users.get(login.toLowerCase());
      if (!known) throw new ApiError(404, "Not Found");
      // Anyone can read a public repository; a private one gives outsiders nothing.
      const role = ctx.state.roleOf(repo, login) ?? (repo.private ? "none" : "read");
      return {
        body: {
          permission: legacyPermission(role),
          role_name: role,
          user: {
            ...serializeUser(ctx.state.urls, known),
            permissions: permissionFlags(role),
            role_name: role,
          },
        },
      };
    },
  },
  {
    method: "GET",
    template: "/orgs/{org}/teams/{team_slug}/memberships/{username}",
    handler: (ctx) => {
      const key = `${param(ctx, "org")}/${param(ctx, "team_slug")}`.toLowerCase();
      const team = ctx.state.teams.get(key);
      const login = param(ctx, "username");
      if (!team?.members.has(login.toLowerCase())) throw new ApiError(404, "Not Found");
      return {
        body: {
          url: `${ctx.state.urls.api}/organizations/${team.id}/team/${team.id}/memberships/${login}`,
          role: "member",
          state: "active",
        },
      };
    },
  },
];

function never(): never {
  throw new ApiError(404, "Not Found");
}

/** Finds the route for a request path (below /api/v3); `{path}` takes the rest of the URL. */
export function matchRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | null {
  const segments = pathname.split("/").filter((s, i) => i > 0 || s !== "");
  for (const route of routes) {
    if (route.method !== method) continue;
    const parts = route.template.split("/").filter((s, i) => i > 0 || s !== "");
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? "";
      const segment = segments[i];
      if (segment === undefined) {
        ok = false;
        break;
      }
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (name === "path" && i === parts.length - 1) {
        params[name] = segments.slice(i).map(safeDecode).join("/");
        i = segments.length;
        break;
      }
      if (name) params[name] = safeDecode(segment);
      else if (part !== segment) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (!route.template.endsWith("{path}") && parts.length !== segments.length) continue;
    return { route, params };
  }
  return null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
