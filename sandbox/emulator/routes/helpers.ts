import { ApiError, type EmulatorState } from "../state/index.js";
import type { IssueRecord, RepoRecord, UserRecord } from "../types.js";

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

/** Every repository route starts here. */
export const R = "/repos/{owner}/{repo}";

export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new ApiError(404, "Not Found");
  return value;
}

export function intParam(ctx: RouteContext, name: string): number {
  const value = Number(param(ctx, name));
  if (!Number.isInteger(value)) throw new ApiError(404, "Not Found");
  return value;
}

/** The repository in the URL, if the caller may see it (installation tokens see only their repos). */
export function repoOf(ctx: RouteContext): RepoRecord {
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
export function actor(ctx: RouteContext): UserRecord {
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

export function requireApp(ctx: RouteContext): void {
  if (ctx.auth.kind !== "app") {
    throw new ApiError(401, "A JSON web token could not be decoded");
  }
}

export function bodyObject(ctx: RouteContext): Record<string, unknown> {
  return typeof ctx.body === "object" && ctx.body !== null && !Array.isArray(ctx.body)
    ? (ctx.body as Record<string, unknown>)
    : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((v) =>
    typeof v === "string" ? v : String((v as { name?: unknown }).name ?? ""),
  );
}

/** Labels in a body: `{ labels: [...] }`, a bare array, or `{ labels: [{ name }] }`. */
export function labelNames(ctx: RouteContext): string[] {
  if (Array.isArray(ctx.body)) return strings(ctx.body) ?? [];
  return strings(bodyObject(ctx).labels) ?? [];
}

export function openClosed(value: unknown): "open" | "closed" | undefined {
  return value === "open" || value === "closed" ? value : undefined;
}

export function milestoneValue(value: unknown): number | null | undefined {
  if (value === null) return null;
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** Keys whose value is undefined become absent (exactOptionalPropertyTypes: absent ≠ undefined). */
export type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

export function withDefined<T extends object>(value: T): Defined<T> {
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

export function paged<T>(ctx: RouteContext, items: T[], path: string): RouteResult {
  const { page, headers } = paginate(ctx, items, path);
  return { body: page, headers };
}

export function repoPath(repo: RepoRecord, rest: string): string {
  return `/repos/${repo.full_name}${rest}`;
}
export function sortIssues(ctx: RouteContext, items: IssueRecord[]): IssueRecord[] {
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
