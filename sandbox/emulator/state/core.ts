import { createHash, randomBytes } from "node:crypto";
import type { Urls } from "../serialize.js";
import type {
  AppRecord,
  DomainEvent,
  InstallationRecord,
  RepoRecord,
  TeamRecord,
  UserRecord,
} from "../types.js";

/** Thrown by mutators; the server turns it into GitHub's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

/** Events the app subscribes to (app.yml, SPEC §6); GitHub delivers nothing else. */
export const DEFAULT_APP_EVENTS = [
  "pull_request",
  "issues",
  "issue_comment",
  "milestone",
  "push",
  "check_run",
  "check_suite",
  "merge_group",
  "deployment_protection_rule",
  "sub_issues",
  "installation",
];

/** What the app asks for (app.yml, SPEC §6): an installation accepts it unless told otherwise. */
export const DEFAULT_APP_PERMISSIONS: Record<string, string> = {
  checks: "write",
  issues: "write",
  pull_requests: "read",
  contents: "read",
  metadata: "read",
  members: "read",
  merge_queues: "read",
  deployments: "write",
  actions: "read",
};

export function nowIso(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}

/** The ISO timestamp one second after `iso`, at GitHub's second precision. */
export function secondAfter(iso: string): string {
  return `${new Date(Date.parse(iso) + 1000).toISOString().slice(0, 19)}Z`;
}

/** Git's blob sha, so shas look and behave like GitHub's. */
export function blobSha(content: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest("hex");
}

export function randomSha(): string {
  return randomBytes(20).toString("hex");
}

export interface FailRule {
  /** "METHOD /template", e.g. "PATCH /repos/{owner}/{repo}/check-runs/{id}". */
  route: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  times: number;
}

type Listener = (event: DomainEvent) => void;

/**
 * What every resource module of the state works on: the records, ids,
 * people, repository look-ups, injected failures and the event listeners.
 * The per-resource modules (issues, labels, checks, …) are functions of it;
 * EmulatorState (./index.ts) puts them together as methods.
 */
export class StateCore {
  urls: Urls = { web: "http://127.0.0.1", api: "http://127.0.0.1/api/v3" };
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly teams = new Map<string, TeamRecord>();
  /** Installation access token → installation id. */
  readonly tokens = new Map<string, number>();
  readonly app: AppRecord;
  readonly failRules: FailRule[] = [];
  /** GraphQL fields this GitHub lacks, e.g. "PullRequest.closingIssuesReferences" (an older GHES). */
  graphqlLacks: string[] = [];
  private seq = 1000;
  private readonly listeners: Listener[] = [];

  constructor(options: { appId?: number; slug?: string; events?: string[] } = {}) {
    const slug = options.slug ?? "phase-gates";
    const owner = this.user("phase-gates-dev");
    this.app = {
      id: options.appId ?? 4242,
      slug,
      name: slug,
      owner,
      bot: this.user(`${slug}[bot]`),
      events: options.events ?? DEFAULT_APP_EVENTS,
      permissions: DEFAULT_APP_PERMISSIONS,
      created_at: nowIso(),
    };
  }

  nextId(): number {
    this.seq += 1;
    return this.seq;
  }

  onEvent(listener: Listener): void {
    this.listeners.push(listener);
  }

  emit(event: DomainEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /**
   * Makes the next `times` requests to `route` ("METHOD /template") answer
   * `status` — a 500, or a 403 secondary rate limit with `retry-after`.
   */
  failNext(
    route: string,
    status: number,
    options: { headers?: Record<string, string>; body?: unknown; times?: number } = {},
  ): void {
    this.failRules.push({
      route,
      status,
      headers: options.headers ?? {},
      body: options.body ?? {
        message: status === 403 ? "You have exceeded a secondary rate limit." : "Server Error",
      },
      times: options.times ?? 1,
    });
  }

  /** Consumes a matching fail rule, if any. */
  takeFailure(route: string): FailRule | null {
    const rule = this.failRules.find((r) => r.route === route && r.times > 0);
    if (!rule) return null;
    rule.times -= 1;
    if (rule.times <= 0) this.failRules.splice(this.failRules.indexOf(rule), 1);
    return rule;
  }

  user(login: string, type?: UserRecord["type"]): UserRecord {
    const key = login.toLowerCase();
    const existing = this.users.get(key);
    if (existing) {
      if (type) existing.type = type;
      return existing;
    }
    const user: UserRecord = {
      login,
      id: this.nextId(),
      type: type ?? (login.endsWith("[bot]") ? "Bot" : "User"),
    };
    this.users.set(key, user);
    return user;
  }

  get bot(): UserRecord {
    return this.app.bot;
  }

  findRepo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repo(fullName: string): RepoRecord {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new ApiError(404, "Not Found");
    return repo;
  }

  installationFor(repo: RepoRecord): InstallationRecord | undefined {
    return [...this.installations.values()].find((i) =>
      i.repos.some((r) => r.toLowerCase() === repo.full_name.toLowerCase()),
    );
  }
}
