/**
 * What a GitHub API request costs against GitHub's documented secondary rate
 * limits, and how long a request has to wait for them: the pure half of the
 * job client's pacing (github/request-budget.ts keeps the counts).
 *
 * GitHub's documentation ("Rate limits for the REST API" → "About secondary
 * rate limits" and "Calculating points for the secondary rate limit"):
 * - ≤ 900 points per minute for REST endpoints: GET, HEAD, OPTIONS cost 1,
 *   POST, PATCH, PUT, DELETE cost 5 ("most" requests: some endpoints have
 *   unpublished costs, the reason a 403 is still retried);
 * - ≤ 2,000 points per minute for the GraphQL endpoint: a query costs 1, a
 *   mutation 5 (these points are separate from GraphQL's primary-limit points);
 * - ≤ 80 content-generating requests per minute and ≤ 500 per hour;
 * - "wait at least one second between each request" that writes (GitHub's
 *   best practices for integrators, and the Projects API for its mutations):
 *   here every GraphQL mutation of an installation is one second (and a
 *   little: see the skew below) after the previous one;
 * - ≤ 100 concurrent requests (github/request-budget.ts caps concurrency).
 *
 * Decisions where the documentation leaves room, all on the safe side:
 * - GitHub counts the 900 points "to a single endpoint per minute". An
 *   endpoint's points are counted in its family's pool (`restEndpointFamily`:
 *   the method and the first segment of the path after the repository, e.g.
 *   every `GET /repos/{o}/{r}/pulls…` together): every endpoint belongs to
 *   one family, so no endpoint can pass 900 a minute, while a burst's check
 *   writes no longer wait for the PR and file reads of the same minute. (One
 *   pool for all REST, as before, made a burst of 100 pushes wait ~40 s for
 *   room its own endpoints still had.)
 * - A conditional request answered 304 does not count against the primary
 *   limit, but GitHub says nothing of the secondary one: it costs 1 point
 *   like any GET (the request is counted before its answer is known).
 * - The windows are a second longer than GitHub's minute and hour: a request
 *   is stamped when it leaves, GitHub counts it when it arrives.
 */

/** A request as the job client sends it: the method, its URL (absolute or a path) and its body. */
export interface ApiRequest {
  method: string;
  url: string;
  /** The request body, as sent (a JSON string) or as an object; read only for GraphQL. */
  body?: unknown;
}

/** One secondary limit: at most `capacity` units in any `windowMs` milliseconds. */
export interface BudgetLimit {
  /** Stable name, part of the Redis key that counts it. */
  readonly name: string;
  readonly windowMs: number;
  readonly capacity: number;
  /** What one request costs against this limit; 0 when it does not count. */
  cost(request: ApiRequest): number;
  /**
   * Which of the limit's pools a request counts in, each with its own
   * `capacity` (a name safe in a Redis key); absent: one pool for all.
   */
  pool?(request: ApiRequest): string;
}

/**
 * The pool of a REST request's endpoint: its method and the first segment
 * after the repository (`GET:pulls` for `/repos/o/r/pulls/7/files`), or the
 * first segment of other paths (`GET:orgs`); `/api/v3` (GitHub Enterprise
 * Server) is not part of it. Coarser than GitHub's endpoints, never finer.
 */
export function restEndpointFamily(request: ApiRequest): string {
  const segments = requestPath(request.url)
    .replace(/^\/api\/v3(?=\/|$)/, "")
    .split("/")
    .filter((s) => s !== "");
  const family = segments[0] === "repos" ? (segments[3] ?? "repository") : (segments[0] ?? "root");
  return `${request.method.toUpperCase()}:${family.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** See "stamped when it leaves" above. */
const SKEW_MS = 1_000;

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The path of a URL without origin, query or fragment: `/repos/o/r/issues`. */
export function requestPath(url: string): string {
  const withoutOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  const path = withoutOrigin.split(/[?#]/, 1)[0] ?? "";
  return path === "" ? "/" : path;
}

/** GitHub's GraphQL endpoint: `/graphql` on github.com, `/api/graphql` on GitHub Enterprise Server. */
export function isGraphql(request: ApiRequest): boolean {
  return (
    request.method.toUpperCase() === "POST" && /(^|\/)graphql\/?$/.test(requestPath(request.url))
  );
}

function graphqlDocument(body: unknown): string | null {
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const query = (parsed as { query?: unknown }).query;
  return typeof query === "string" ? query : null;
}

/**
 * Whether a GraphQL request may run a mutation. A body that cannot be read
 * is taken for one: over-counting slows a request, under-counting draws a 403.
 */
export function isGraphqlMutation(body: unknown): boolean {
  const document = graphqlDocument(body);
  if (document === null) return true;
  const withoutComments = document.replace(/#[^\n\r]*/g, "");
  return /(^|[\s}])mutation\b/.test(withoutComments);
}

/**
 * Requests that create content someone is notified of. GitHub publishes no
 * list; this is the one GitHub's OpenAPI description marks as triggering
 * notifications (Octokit's plugin-throttling ships it as
 * `triggers-notification-paths`), for the methods that create: issues,
 * comments, pull requests, reviews, review requests, merges, releases,
 * invitations, team discussions. Check runs, labels, milestones and edits of
 * an existing issue or comment notify nobody and are not on it, so a gate
 * flip of check runs is paced by points (180 writes a minute), not by this
 * limit (80).
 */
const CONTENT_ROUTES: readonly RegExp[] = [
  /\/orgs\/[^/]+\/invitations(\/[^/]+)?$/,
  /\/orgs\/[^/]+\/teams\/[^/]+\/discussions$/,
  /\/orgs\/[^/]+\/teams\/[^/]+\/discussions\/[^/]+\/comments$/,
  /\/repos\/[^/]+\/[^/]+\/collaborators\/[^/]+$/,
  /\/repos\/[^/]+\/[^/]+\/commits\/[^/]+\/comments$/,
  /\/repos\/[^/]+\/[^/]+\/issues$/,
  /\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/comments$/,
  /\/repos\/[^/]+\/[^/]+\/issues\/[^/]+\/sub_issues?$/,
  /\/repos\/[^/]+\/[^/]+\/pulls$/,
  /\/repos\/[^/]+\/[^/]+\/pulls\/[^/]+\/comments$/,
  /\/repos\/[^/]+\/[^/]+\/pulls\/[^/]+\/comments\/[^/]+\/replies$/,
  /\/repos\/[^/]+\/[^/]+\/pulls\/[^/]+\/merge$/,
  /\/repos\/[^/]+\/[^/]+\/pulls\/[^/]+\/requested_reviewers$/,
  /\/repos\/[^/]+\/[^/]+\/pulls\/[^/]+\/reviews$/,
  /\/repos\/[^/]+\/[^/]+\/releases$/,
  /\/teams\/[^/]+\/discussions$/,
  /\/teams\/[^/]+\/discussions\/[^/]+\/comments$/,
];

/** POST creates on every route above; PUT creates a merge and a collaborator invitation. */
const CREATING_METHODS = new Set(["POST", "PUT"]);

/**
 * GraphQL mutations that notify nobody: a project's items and fields (what
 * project-sync sends). Like check runs and labels, they are paced by points
 * and the second between mutations, not by the content limits (at 500 an
 * hour, a first sync of 1,000 items would take four hours).
 */
const QUIET_MUTATIONS = new Set([
  "addProjectV2ItemById",
  "updateProjectV2ItemFieldValue",
  "clearProjectV2ItemFieldValue",
  "createProjectV2Field",
]);

/**
 * Whether every field a mutation calls is a quiet one. The fields are read
 * as the names called with arguments (`name(`) after the operation's own
 * header; any other such name (a nested field with arguments included)
 * makes the mutation count as content-creating: the safe side.
 */
function isQuietMutation(body: unknown): boolean {
  const document = graphqlDocument(body);
  if (document === null) return false;
  const withoutComments = document.replace(/#[^\n\r]*/g, "");
  const header = /\bmutation\b\s*(\w+)?\s*(\([^)]*\))?/.exec(withoutComments);
  if (!header) return false;
  const rest = withoutComments.slice(header.index + header[0].length);
  const called = [...rest.matchAll(/(\w+)\s*\(/g)].map((m) => m[1] ?? "");
  return called.length > 0 && called.every((name) => QUIET_MUTATIONS.has(name));
}

/** Whether a request creates content (the 80-a-minute, 500-an-hour limit). GraphQL mutations may: see below. */
export function isContentCreating(request: ApiRequest): boolean {
  const method = request.method.toUpperCase();
  if (isGraphql(request)) return isGraphqlMutation(request.body) && !isQuietMutation(request.body);
  if (!CREATING_METHODS.has(method)) return false;
  const path = requestPath(request.url);
  return CONTENT_ROUTES.some((route) => route.test(path));
}

/** Points against the REST limit: 0 for GraphQL, which has its own. */
export function restPoints(request: ApiRequest): number {
  if (isGraphql(request)) return 0;
  return READ_METHODS.has(request.method.toUpperCase()) ? 1 : 5;
}

/** Points against the GraphQL limit: 0 for REST. */
export function graphqlPoints(request: ApiRequest): number {
  if (!isGraphql(request)) return 0;
  return isGraphqlMutation(request.body) ? 5 : 1;
}

const contentCost = (request: ApiRequest): number => (isContentCreating(request) ? 1 : 0);

/** 1 for a GraphQL mutation (the one-a-second pacing), 0 for anything else. */
export function graphqlMutationCost(request: ApiRequest): number {
  return isGraphql(request) && isGraphqlMutation(request.body) ? 1 : 0;
}

/**
 * The gap between two mutations of an installation: GitHub's second, and
 * 50 ms for the request before to be still in transit (a mutation is stamped
 * when it leaves, GitHub counts it when it arrives). Not the full second of
 * skew of the minute windows: that would double a first project sync.
 */
export const MUTATION_GAP_MS = 1_050;

/**
 * GitHub's documented secondary limits, per installation. A GraphQL mutation
 * is counted as content-creating (GitHub counts content created "through the
 * REST API and GraphQL API" alike) unless it only calls quiet mutations (the
 * project ones above). Every mutation waits for the gap after the previous.
 */
export const GITHUB_SECONDARY_LIMITS: readonly BudgetLimit[] = [
  {
    name: "rest-points",
    windowMs: MINUTE_MS + SKEW_MS,
    capacity: 900,
    cost: restPoints,
    pool: restEndpointFamily,
  },
  { name: "graphql-points", windowMs: MINUTE_MS + SKEW_MS, capacity: 2000, cost: graphqlPoints },
  { name: "content-minute", windowMs: MINUTE_MS + SKEW_MS, capacity: 80, cost: contentCost },
  { name: "content-hour", windowMs: HOUR_MS + SKEW_MS, capacity: 500, cost: contentCost },
  {
    name: "graphql-mutation-gap",
    windowMs: MUTATION_GAP_MS,
    capacity: 1,
    cost: graphqlMutationCost,
  },
];

/** A request counted in a window: when it was let through, and what it cost there. */
export interface WindowEntry {
  at: number;
  cost: number;
}

/**
 * How long a request costing `cost` must wait before it fits a rolling window
 * that already holds `entries` (oldest first): 0 when it fits now, else until
 * just enough of the oldest entries have left the window. An entry counts
 * while `at > now - windowMs`. A cost above the capacity is treated as the
 * capacity, so such a request waits for an empty window instead of forever.
 */
export function windowWait(
  entries: readonly WindowEntry[],
  now: number,
  limit: Pick<BudgetLimit, "windowMs" | "capacity">,
  cost: number,
): number {
  if (cost <= 0) return 0;
  const live = entries.filter((entry) => entry.at > now - limit.windowMs);
  const used = live.reduce((sum, entry) => sum + entry.cost, 0);
  const over = used + Math.min(cost, limit.capacity) - limit.capacity;
  if (over <= 0) return 0;
  let freed = 0;
  for (const entry of live) {
    freed += entry.cost;
    if (freed >= over) return entry.at + limit.windowMs - now;
  }
  // Unreachable: the live entries hold at least `over` units.
  return limit.windowMs;
}

/** What GitHub answered, as far as a rate limit shows in it. */
export interface LimitAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The body, needed only when the headers say nothing (a secondary limit without `retry-after`). */
  body?: string;
}

/**
 * How long GitHub asks every request of the installation to stay away after
 * this answer, or null when it is not a rate limit. GitHub's documentation:
 * on 403/429 honour `retry-after`; else, when `x-ratelimit-remaining` is 0,
 * wait until `x-ratelimit-reset`; else (a secondary limit) at least a minute.
 * `retry-after: 0` is read as a minute, as plugin-throttling reads it, so the
 * hold never ends before the retry it makes.
 */
export function rateLimitHoldMs(answer: LimitAnswer, now: number): number | null {
  if (answer.status !== 403 && answer.status !== 429) return null;
  const retryAfter = answer.headers["retry-after"];
  if (retryAfter !== undefined) return (Number(retryAfter) || 60) * 1000;
  if (answer.headers["x-ratelimit-remaining"] === "0") {
    const reset = Number(answer.headers["x-ratelimit-reset"]);
    // A second past the reset, as plugin-throttling retries.
    if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now) + 1000;
    return 60_000;
  }
  if (answer.status === 429 || /secondary rate limit/i.test(answer.body ?? "")) return 60_000;
  return null;
}

/**
 * Requests of an installation that may already be on their way when an
 * answer says how many are left: the job client's concurrency cap per
 * process (github/request-budget.ts ConcurrencyCap, 10). Work stops this far
 * from the end, so none of them draws a 403.
 */
export const PRIMARY_LIMIT_RESERVE = 10;

/**
 * The primary limit as any answer reports it (`x-ratelimit-limit`,
 * `-remaining`, `-reset`, each installation its own): once no more than
 * `reserve` requests are left, how long the installation waits, until a
 * second past the reset (GitHub's documentation: "wait until the time
 * specified by x-ratelimit-reset"), instead of sending requests that fail.
 * Null when the answer says nothing of it or enough is left.
 */
export function primaryLimitHoldMs(
  headers: Record<string, string | undefined>,
  now: number,
  reserve = PRIMARY_LIMIT_RESERVE,
): number | null {
  const remaining = Number(headers["x-ratelimit-remaining"] ?? Number.NaN);
  const reset = Number(headers["x-ratelimit-reset"] ?? Number.NaN);
  if (!Number.isFinite(remaining) || remaining > reserve) return null;
  if (!Number.isFinite(reset) || reset <= 0) return 60_000;
  return Math.max(0, reset * 1000 - now) + 1000;
}
