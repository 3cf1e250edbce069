/**
 * GitHub's secondary rate limits, as documented in "Rate limits for the REST
 * API" (About secondary rate limits; Calculating points), modelled per actor
 * (an installation token, a user, the app's JWT) so the emulator can answer
 * 403 where GitHub would. Pure: time is passed in, nothing here does I/O.
 *
 * What GitHub documents and how it is read here:
 * - ≤ 100 concurrent requests, REST and GraphQL together.
 * - ≤ 900 points per minute to "a single endpoint" for REST (an endpoint:
 *   the method and the route template, `PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`),
 *   ≤ 2,000 per minute for GraphQL. GET/HEAD/OPTIONS cost 1,
 *   POST/PATCH/PUT/DELETE 5; a GraphQL query 1, a mutation 5. "Some
 *   endpoints have a different cost that is not shared publicly": not modelled.
 * - Content-creating requests: "generally" ≤ 80 per minute and ≤ 500 per
 *   hour. GitHub does not list them; here a request creates content when it
 *   is a POST or PUT to a path of plugin-throttling's "triggers notification"
 *   list (issues, comments, pull requests, reviews, releases, invitations…),
 *   the list the app's own notification pacing uses, so both sides agree; and
 *   the GraphQL mutations that create the same things. Check runs, labels,
 *   milestones, edits and closes notify nobody new and are not counted: the
 *   1,000-PR gate flip is then paced by points alone (180 writes/min).
 * - "Wait at least one second between" writes (GitHub's best practices; the
 *   Projects API's own pacing for its mutations): a GraphQL mutation less
 *   than `mutationGapMs` after the installation's previous one is refused.
 * - A 304 answer to a conditional request is free (refunded after sending).
 * - A request is in flight from admission to its answer. The emulator answers
 *   in well under a millisecond where GitHub takes 100 ms or more, so the
 *   concurrency limit bites here only for an app that really floods.
 * - Windows are rolling (the last 60 s / 3,600 s), not fixed clock minutes.
 * - A refused request costs nothing; GitHub does not say, and charging it
 *   would turn one early retry into a lock-out the docs do not describe.
 */

export interface LimitSettings {
  /** REST points per rolling minute (GitHub: 900). */
  pointsPerMinute: number;
  /** GraphQL points per rolling minute (GitHub: 2,000). */
  graphqlPointsPerMinute: number;
  /** Content-creating requests per rolling minute (GitHub: about 80). */
  contentPerMinute: number;
  /** Content-creating requests per rolling hour (GitHub: about 500). */
  contentPerHour: number;
  /** Requests in flight at once (GitHub: 100). */
  concurrent: number;
  /** Least time between two GraphQL mutations of an actor, ms (GitHub: one second). */
  mutationGapMs: number;
}

export const GITHUB_SECONDARY_LIMITS: Readonly<LimitSettings> = {
  pointsPerMinute: 900,
  graphqlPointsPerMinute: 2000,
  contentPerMinute: 80,
  contentPerHour: 500,
  concurrent: 100,
  mutationGapMs: 1000,
};

export type LimitReason =
  | "points"
  | "graphql-points"
  | "content-minute"
  | "content-hour"
  | "mutation-gap"
  | "concurrent";

export interface LimitedRequest {
  method: string;
  /** The REST path without the `/api/v3` prefix (`/repos/acme/rocket/issues`), or `/graphql`. */
  path: string;
  /** The GraphQL document, for `/graphql` (a mutation costs more than a query). */
  graphqlQuery?: string | null;
  /** The endpoint whose points it counts in: method and route template (default: method and path). */
  endpoint?: string;
}

export interface RequestCost {
  api: "rest" | "graphql";
  /** REST: the endpoint its points count against (GitHub's 900 a minute are per endpoint). */
  endpoint?: string;
  points: number;
  /** Counts against the content-creation limits. */
  content: boolean;
  /** A GraphQL mutation (one a second). */
  mutation?: boolean;
}

/** plugin-throttling's generated `triggers-notification-paths` (v11), as path patterns. */
const NOTIFYING_PATHS = [
  "/orgs/{}/invitations",
  "/orgs/{}/invitations/{}",
  "/orgs/{}/teams/{}/discussions",
  "/orgs/{}/teams/{}/discussions/{}/comments",
  "/repos/{}/{}/collaborators/{}",
  "/repos/{}/{}/commits/{}/comments",
  "/repos/{}/{}/issues",
  "/repos/{}/{}/issues/{}/comments",
  "/repos/{}/{}/issues/{}/sub_issue",
  "/repos/{}/{}/issues/{}/sub_issues/priority",
  "/repos/{}/{}/pulls",
  "/repos/{}/{}/pulls/{}/comments",
  "/repos/{}/{}/pulls/{}/comments/{}/replies",
  "/repos/{}/{}/pulls/{}/merge",
  "/repos/{}/{}/pulls/{}/requested_reviewers",
  "/repos/{}/{}/pulls/{}/reviews",
  "/repos/{}/{}/releases",
  "/teams/{}/discussions",
  "/teams/{}/discussions/{}/comments",
].map((p) => new RegExp(`^${p.replaceAll("{}", "[^/]+")}/?$`));

const CONTENT_MUTATIONS =
  /\b(createIssue|addComment|createPullRequest|addPullRequestReview|addPullRequestReviewComment|createDiscussion|addDiscussionComment|createCommitOnBranch)\b/;

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isGraphqlMutation(query: string | null | undefined): boolean {
  return typeof query === "string" && /^\s*(#[^\n]*\n\s*)*mutation\b/.test(query);
}

/** What one request costs against the secondary limits. */
export function requestCost(request: LimitedRequest): RequestCost {
  const method = request.method.toUpperCase();
  if (request.path === "/graphql") {
    const mutation = isGraphqlMutation(request.graphqlQuery);
    return {
      api: "graphql",
      points: mutation ? 5 : 1,
      content: mutation && CONTENT_MUTATIONS.test(request.graphqlQuery ?? ""),
      mutation,
    };
  }
  const path = request.path.split("?")[0] ?? request.path;
  return {
    api: "rest",
    endpoint: request.endpoint ?? `${method} ${path}`,
    points: READ_METHODS.has(method) ? 1 : 5,
    content: (method === "POST" || method === "PUT") && NOTIFYING_PATHS.some((p) => p.test(path)),
  };
}

interface Charge {
  at: number;
  cost: RequestCost;
}

interface Account {
  /** Admitted requests of the last hour, oldest first. */
  charges: Charge[];
  inFlight: number;
}

export interface Ticket {
  subject: string;
  charge: Charge;
  /** Holds a concurrency slot (false when the limits were off at admission). */
  counted: boolean;
}

export type Admission =
  | { ok: true; ticket: Ticket }
  | { ok: false; reason: LimitReason; retryAfterSeconds: number };

export interface Usage {
  points: number;
  graphqlPoints: number;
  contentLastMinute: number;
  contentLastHour: number;
  inFlight: number;
}

export interface LimitStats {
  admitted: number;
  /** Requests refused, by the limit they hit. */
  refused: Record<LimitReason, number>;
  /** 304 answers, whose points were given back. */
  notModified: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * Seconds until the charges matching `counts` within `windowMs` leave room
 * for `need` more under `limit`: the time the oldest ones take to age out.
 */
export function secondsUntilRoom(
  charges: readonly Charge[],
  now: number,
  windowMs: number,
  limit: number,
  need: number,
  weight: (charge: Charge) => number,
): number {
  const inWindow = charges.filter((c) => c.at > now - windowMs && weight(c) > 0);
  let used = inWindow.reduce((n, c) => n + weight(c), 0);
  for (const charge of inWindow) {
    if (used + need <= limit) break;
    used -= weight(charge);
    if (used + need <= limit) return Math.max(1, Math.ceil((charge.at + windowMs - now) / 1000));
  }
  // A single request larger than the limit never fits; say a full window.
  return used + need <= limit ? 0 : Math.ceil(windowMs / 1000);
}

/** The secondary limits of every actor the emulator has seen; off until enabled. */
export class SecondaryLimits {
  private settings: LimitSettings | null = null;
  private readonly accounts = new Map<string, Account>();
  private readonly counters: LimitStats = {
    admitted: 0,
    refused: {
      points: 0,
      "graphql-points": 0,
      "content-minute": 0,
      "content-hour": 0,
      "mutation-gap": 0,
      concurrent: 0,
    },
    notModified: 0,
  };

  constructor(settings?: Partial<LimitSettings> | null) {
    if (settings) this.enable(settings);
  }

  get enabled(): boolean {
    return this.settings !== null;
  }

  /** Turns the limits on: GitHub's documented values unless overridden. Clears every account. */
  enable(settings: Partial<LimitSettings> = {}): void {
    this.settings = { ...GITHUB_SECONDARY_LIMITS, ...settings };
    this.accounts.clear();
  }

  disable(): void {
    this.settings = null;
    this.accounts.clear();
  }

  /** Call before serving a request: refuses it (say 403 with `retry-after`) or charges it. */
  admit(subject: string, request: LimitedRequest, now: number): Admission {
    const settings = this.settings;
    const cost = requestCost(request);
    const charge = { at: now, cost };
    if (!settings) return { ok: true, ticket: { subject, charge, counted: false } };
    const account = this.account(subject);
    account.charges = account.charges.filter((c) => c.at > now - HOUR);
    const refuse = (reason: LimitReason, retryAfterSeconds: number): Admission => {
      this.counters.refused[reason] += 1;
      return { ok: false, reason, retryAfterSeconds: Math.max(1, retryAfterSeconds) };
    };
    if (account.inFlight >= settings.concurrent) return refuse("concurrent", 1);
    const points = (c: Charge): number =>
      c.cost.api === cost.api && c.cost.endpoint === cost.endpoint ? c.cost.points : 0;
    const pointLimit =
      cost.api === "rest" ? settings.pointsPerMinute : settings.graphqlPointsPerMinute;
    const pointsWait = secondsUntilRoom(
      account.charges,
      now,
      MINUTE,
      pointLimit,
      cost.points,
      points,
    );
    if (pointsWait > 0)
      return refuse(cost.api === "rest" ? "points" : "graphql-points", pointsWait);
    if (cost.mutation) {
      const last = account.charges.findLast((c) => c.cost.mutation);
      if (last && now - last.at < settings.mutationGapMs)
        return refuse("mutation-gap", Math.ceil((last.at + settings.mutationGapMs - now) / 1000));
    }
    if (cost.content) {
      const content = (c: Charge): number => (c.cost.content ? 1 : 0);
      const minuteWait = secondsUntilRoom(
        account.charges,
        now,
        MINUTE,
        settings.contentPerMinute,
        1,
        content,
      );
      if (minuteWait > 0) return refuse("content-minute", minuteWait);
      const hourWait = secondsUntilRoom(
        account.charges,
        now,
        HOUR,
        settings.contentPerHour,
        1,
        content,
      );
      if (hourWait > 0) return refuse("content-hour", hourWait);
    }
    account.charges.push(charge);
    account.inFlight += 1;
    this.counters.admitted += 1;
    return { ok: true, ticket: { subject, charge, counted: true } };
  }

  /** Call once the answer is sent: frees the request's concurrency slot; a 304 costs nothing. */
  finish(ticket: Ticket, status: number): void {
    const account = this.accounts.get(ticket.subject);
    if (!account || !ticket.counted) return;
    ticket.counted = false;
    account.inFlight = Math.max(0, account.inFlight - 1);
    const index = account.charges.indexOf(ticket.charge);
    if (status === 304 && index >= 0) {
      account.charges.splice(index, 1);
      this.counters.notModified += 1;
    }
  }

  /** What `subject` has used in the windows ending at `now` (REST points: every endpoint's together). */
  usage(subject: string, now: number): Usage {
    const account = this.accounts.get(subject);
    const charges = account?.charges ?? [];
    const lastMinute = charges.filter((c) => c.at > now - MINUTE);
    const sum = (list: Charge[], f: (c: Charge) => number): number =>
      list.reduce((n, c) => n + f(c), 0);
    return {
      points: sum(lastMinute, (c) => (c.cost.api === "rest" ? c.cost.points : 0)),
      graphqlPoints: sum(lastMinute, (c) => (c.cost.api === "graphql" ? c.cost.points : 0)),
      contentLastMinute: sum(lastMinute, (c) => (c.cost.content ? 1 : 0)),
      contentLastHour: sum(
        charges.filter((c) => c.at > now - HOUR),
        (c) => (c.cost.content ? 1 : 0),
      ),
      inFlight: account?.inFlight ?? 0,
    };
  }

  stats(): LimitStats {
    return structuredClone(this.counters);
  }

  private account(subject: string): Account {
    let account = this.accounts.get(subject);
    if (!account) {
      account = { charges: [], inFlight: 0 };
      this.accounts.set(subject, account);
    }
    return account;
  }
}

/** Who a request is counted against: GitHub counts per installation token, user or app. */
export function limitSubject(
  auth:
    | { kind: "installation"; installationId: number }
    | { kind: "user"; login: string }
    | { kind: "app" }
    | { kind: "none" },
): string {
  switch (auth.kind) {
    case "installation":
      return `installation:${auth.installationId}`;
    case "user":
      return `user:${auth.login}`;
    case "app":
      return "app";
    case "none":
      return "anonymous";
  }
}

/** The `query` of a GraphQL request body, or null when it has none. */
export function graphqlQueryOf(raw: string): string | null {
  try {
    const body = JSON.parse(raw) as { query?: unknown } | null;
    return typeof body?.query === "string" ? body.query : null;
  } catch {
    // Not JSON: the GraphQL route answers 400 itself; for the limits it is no mutation.
    return null;
  }
}

/** The body GitHub answers a request over a secondary limit with (plugin-throttling matches "secondary rate"). */
export function secondaryLimitBody(): Record<string, string> {
  return {
    message: "You have exceeded a secondary rate limit.",
    documentation_url:
      "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
  };
}

/**
 * The shortest time `writes` writes and `contentCreating` content-creating
 * requests can take under the limits, in seconds: writes at 180 per minute
 * (900 points / 5), content at 80 per minute, whichever is longer. Reads are
 * left out: a job that needs none should not pay for them in its floor.
 */
export function pacingFloorSeconds(
  counts: { writes: number; contentCreating?: number },
  limits: Pick<LimitSettings, "pointsPerMinute" | "contentPerMinute"> = GITHUB_SECONDARY_LIMITS,
): number {
  const writesPerMinute = limits.pointsPerMinute / 5;
  const byWrites = (counts.writes / writesPerMinute) * 60;
  const byContent = ((counts.contentCreating ?? 0) / limits.contentPerMinute) * 60;
  return Math.max(byWrites, byContent);
}
