import { createHash, randomBytes } from "node:crypto";
import {
  serializeCheckRun,
  serializeComment,
  serializeInstallation,
  serializeIssue,
  serializeLabel,
  serializeMilestone,
  serializePull,
  serializeRepo,
  serializeUser,
  type Urls,
} from "./serialize.js";
import type {
  AppRecord,
  CheckConclusion,
  CheckRunOutput,
  CheckRunRecord,
  CheckStatus,
  CommentRecord,
  DomainEvent,
  FileRecord,
  InstallationRecord,
  IssueEventRecord,
  IssueRecord,
  LabelRecord,
  MilestoneRecord,
  RepoRecord,
  StateReason,
  TeamRecord,
  UserRecord,
} from "./types.js";

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
  "installation",
];

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

export interface IssuePatch {
  title?: string;
  body?: string | null;
  state?: "open" | "closed";
  state_reason?: StateReason | null;
  labels?: string[];
  milestone?: number | null;
}

export interface CheckRunInput {
  name?: string;
  head_sha?: string;
  status?: CheckStatus;
  conclusion?: CheckConclusion | null;
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  external_id?: string;
  output?: Partial<CheckRunOutput> & { annotations?: unknown[] };
  actions?: unknown[];
}

type Listener = (event: DomainEvent) => void;

/** What an issue event says beyond who, when and on which issue (one variant per event). */
type IssueEventFields = IssueEventRecord extends infer E
  ? E extends IssueEventRecord
    ? Omit<E, "id" | "issueNumber" | "actor" | "created_at">
    : never
  : never;

/**
 * The emulator's GitHub: every mutation goes through here, whether a REST
 * call made it (acting as the app's bot) or an actor did (acting as a
 * person), and each one emits the webhook GitHub would send.
 */
export class EmulatorState {
  urls: Urls = { web: "http://127.0.0.1", api: "http://127.0.0.1/api/v3" };
  readonly users = new Map<string, UserRecord>();
  readonly repos = new Map<string, RepoRecord>();
  readonly installations = new Map<number, InstallationRecord>();
  readonly teams = new Map<string, TeamRecord>();
  /** Installation access token → installation id. */
  readonly tokens = new Map<string, number>();
  readonly app: AppRecord;
  readonly failRules: FailRule[] = [];
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

  // ── people ──────────────────────────────────────────────────────────────

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

  addCollaborator(repoName: string, login: string, roleName: string): void {
    this.user(login);
    this.repo(repoName).collaborators.set(login.toLowerCase(), roleName);
  }

  addTeamMember(org: string, slug: string, login: string): void {
    this.user(org, "Organization");
    this.user(login);
    const key = `${org}/${slug}`.toLowerCase();
    let team = this.teams.get(key);
    if (!team) {
      team = { org, slug, id: this.nextId(), members: new Set() };
      this.teams.set(key, team);
    }
    team.members.add(login.toLowerCase());
  }

  /** role_name of a person on a repository; owners of user repos are admins. */
  roleOf(repo: RepoRecord, login: string): string | null {
    if (repo.owner.type === "User" && repo.owner.login.toLowerCase() === login.toLowerCase())
      return "admin";
    return repo.collaborators.get(login.toLowerCase()) ?? null;
  }

  // ── repositories and installations ──────────────────────────────────────

  createRepo(
    fullName: string,
    options: { private?: boolean; ownerType?: UserRecord["type"] } = {},
  ): RepoRecord {
    const existing = this.repos.get(fullName.toLowerCase());
    if (existing) return existing;
    const [ownerLogin, name] = fullName.split("/");
    if (!ownerLogin || !name) throw new Error(`repository names are "owner/name", got ${fullName}`);
    const owner = this.user(ownerLogin, options.ownerType ?? "Organization");
    const sha = randomSha();
    const files = new Map<string, FileRecord>();
    const readme = `# ${name}\n`;
    files.set("README.md", { content: readme, sha: blobSha(readme) });
    const repo: RepoRecord = {
      id: this.nextId(),
      owner,
      name,
      full_name: `${owner.login}/${name}`,
      private: options.private ?? false,
      default_branch: "main",
      created_at: nowIso(),
      refs: new Map([
        ["main", files],
        [sha, files],
      ]),
      branches: new Map([["main", sha]]),
      issues: new Map(),
      nextNumber: 1,
      labels: [],
      milestones: [],
      comments: [],
      issueEvents: [],
      checkRuns: [],
      deployments: [],
      collaborators: new Map(),
    };
    this.repos.set(repo.full_name.toLowerCase(), repo);
    return repo;
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

  /** Installs the app on repositories of one account; sends `installation.created`. */
  install(repoNames: string[], sender: UserRecord): InstallationRecord {
    const repos = repoNames.map((n) => this.createRepo(n));
    const account = repos[0]?.owner ?? this.user(sender.login);
    let installation = [...this.installations.values()].find((i) => i.account.id === account.id);
    const created = !installation;
    if (!installation) {
      installation = { id: this.nextId(), account, repos: [], created_at: nowIso() };
      this.installations.set(installation.id, installation);
    }
    for (const repo of repos) {
      if (!installation.repos.includes(repo.full_name)) installation.repos.push(repo.full_name);
    }
    const minimalRepos = repos.map((r) => ({
      id: r.id,
      node_id: serializeRepo(this.urls, r).node_id,
      name: r.name,
      full_name: r.full_name,
      private: r.private,
    }));
    this.emit({
      name: created ? "installation" : "installation_repositories",
      action: created ? "created" : "added",
      repo: null,
      sender,
      installationId: installation.id,
      fields: {
        installation: serializeInstallation(this.urls, this.app, installation),
        sender: serializeUser(this.urls, sender),
        ...(created
          ? { repositories: minimalRepos, requester: null }
          : {
              repositories_added: minimalRepos,
              repositories_removed: [],
              repository_selection: "selected",
            }),
      },
    });
    return installation;
  }

  issueTokenFor(installationId: number): { token: string; expires_at: string } {
    if (!this.installations.has(installationId)) throw new ApiError(404, "Not Found");
    const token = `ghs_${randomBytes(18).toString("base64url")}`;
    this.tokens.set(token, installationId);
    return {
      token,
      expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
    };
  }

  // ── files and commits ───────────────────────────────────────────────────

  filesAt(repo: RepoRecord, ref: string | undefined): Map<string, FileRecord> | undefined {
    const key = (ref ?? repo.default_branch).replace(/^refs\/heads\//, "");
    return repo.refs.get(key);
  }

  /** Commits file changes to a branch; sends `push`. Returns the new head sha. */
  commitFiles(
    repo: RepoRecord,
    branch: string,
    changes: Record<string, string | null>,
    sender: UserRecord,
    message = "Update files",
  ): string {
    const before = repo.branches.get(branch) ?? "0".repeat(40);
    const previous = repo.refs.get(branch) ?? this.filesAt(repo, repo.default_branch) ?? new Map();
    const files = new Map(previous);
    const added: string[] = [];
    const modified: string[] = [];
    const removed: string[] = [];
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) {
        if (files.delete(path)) removed.push(path);
        continue;
      }
      (files.has(path) ? modified : added).push(path);
      files.set(path, { content, sha: blobSha(content) });
    }
    const after = randomSha();
    repo.refs.set(branch, files);
    repo.refs.set(after, files);
    repo.branches.set(branch, after);
    const author = {
      name: sender.login,
      email: `${sender.id}+${sender.login}@users.noreply.github.com`,
      username: sender.login,
    };
    const commit = {
      id: after,
      tree_id: randomSha(),
      distinct: true,
      message,
      timestamp: nowIso(),
      url: `${this.urls.web}/${repo.full_name}/commit/${after}`,
      author,
      committer: author,
      added,
      removed,
      modified,
    };
    this.emitRepo(repo, "push", null, sender, {
      ref: `refs/heads/${branch}`,
      before,
      after,
      created: before === "0".repeat(40),
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `${this.urls.web}/${repo.full_name}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits: [commit],
      head_commit: commit,
      pusher: { name: sender.login, email: author.email },
    });
    return after;
  }

  // ── labels ──────────────────────────────────────────────────────────────

  findLabel(repo: RepoRecord, name: string): LabelRecord | undefined {
    const key = name.toLowerCase();
    return repo.labels.find((l) => l.name.toLowerCase() === key);
  }

  createLabel(
    repo: RepoRecord,
    input: { name: string; color?: string; description?: string | null },
    sender: UserRecord,
  ): LabelRecord {
    if (!input.name)
      throw new ApiError(422, "Validation Failed", [
        { resource: "Label", field: "name", code: "missing_field" },
      ]);
    if (this.findLabel(repo, input.name)) {
      throw new ApiError(422, "Validation Failed", [
        { resource: "Label", code: "already_exists", field: "name" },
      ]);
    }
    const label: LabelRecord = {
      id: this.nextId(),
      name: input.name,
      color: (input.color ?? "ededed").replace(/^#/, ""),
      description: input.description ?? null,
      default: false,
    };
    repo.labels.push(label);
    this.emitRepo(repo, "label", "created", sender, {
      label: serializeLabel(this.urls, repo, label),
    });
    return label;
  }

  updateLabel(
    repo: RepoRecord,
    name: string,
    patch: { new_name?: string; color?: string; description?: string | null },
    sender: UserRecord,
  ): LabelRecord {
    const label = this.findLabel(repo, name);
    if (!label) throw new ApiError(404, "Not Found");
    const changes: Record<string, { from: unknown }> = {};
    if (patch.new_name !== undefined && patch.new_name !== label.name) {
      changes.name = { from: label.name };
      label.name = patch.new_name;
    }
    if (patch.color !== undefined && patch.color.replace(/^#/, "") !== label.color) {
      changes.color = { from: label.color };
      label.color = patch.color.replace(/^#/, "");
    }
    if (patch.description !== undefined && patch.description !== label.description) {
      changes.description = { from: label.description };
      label.description = patch.description;
    }
    this.emitRepo(repo, "label", "edited", sender, {
      label: serializeLabel(this.urls, repo, label),
      changes,
    });
    return label;
  }

  deleteLabel(repo: RepoRecord, name: string, sender: UserRecord): void {
    const label = this.findLabel(repo, name);
    if (!label) throw new ApiError(404, "Not Found");
    for (const issue of repo.issues.values()) {
      if (!issue.labelIds.includes(label.id)) continue;
      issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
      // The label leaves every issue that had it, and the issue's record says who took it away.
      this.recordIssueEvent(repo, issue, sender, {
        event: "unlabeled",
        label: { name: label.name, color: label.color },
      });
    }
    repo.labels.splice(repo.labels.indexOf(label), 1);
    this.emitRepo(repo, "label", "deleted", sender, {
      label: serializeLabel(this.urls, repo, label),
    });
  }

  /** GitHub creates a label that does not exist yet when it is added to an issue. */
  private ensureLabel(repo: RepoRecord, name: string, sender: UserRecord): LabelRecord {
    return this.findLabel(repo, name) ?? this.createLabel(repo, { name }, sender);
  }

  // ── milestones ──────────────────────────────────────────────────────────

  createMilestone(
    repo: RepoRecord,
    input: {
      title: string;
      description?: string | null;
      state?: "open" | "closed";
      due_on?: string | null;
    },
    sender: UserRecord,
  ): MilestoneRecord {
    if (!input.title)
      throw new ApiError(422, "Validation Failed", [
        { resource: "Milestone", field: "title", code: "missing_field" },
      ]);
    if (repo.milestones.some((m) => m.title === input.title)) {
      throw new ApiError(422, "Validation Failed", [
        { resource: "Milestone", code: "already_exists", field: "title" },
      ]);
    }
    const now = nowIso();
    const milestone: MilestoneRecord = {
      id: this.nextId(),
      number: repo.milestones.length + 1,
      title: input.title,
      description: input.description ?? null,
      state: input.state ?? "open",
      due_on: input.due_on ?? null,
      creator: sender,
      created_at: now,
      updated_at: now,
      closed_at: input.state === "closed" ? now : null,
    };
    repo.milestones.push(milestone);
    this.emitRepo(repo, "milestone", "created", sender, {
      milestone: serializeMilestone(this.urls, repo, milestone),
    });
    return milestone;
  }

  updateMilestone(
    repo: RepoRecord,
    number: number,
    patch: {
      title?: string;
      description?: string | null;
      state?: "open" | "closed";
      due_on?: string | null;
    },
    sender: UserRecord,
  ): MilestoneRecord {
    const milestone = repo.milestones.find((m) => m.number === number);
    if (!milestone) throw new ApiError(404, "Not Found");
    const changes: Record<string, { from: unknown }> = {};
    if (patch.title !== undefined && patch.title !== milestone.title) {
      changes.title = { from: milestone.title };
      milestone.title = patch.title;
    }
    if (patch.description !== undefined && patch.description !== milestone.description) {
      changes.description = { from: milestone.description };
      milestone.description = patch.description;
    }
    if (patch.due_on !== undefined && patch.due_on !== milestone.due_on) {
      changes.due_on = { from: milestone.due_on };
      milestone.due_on = patch.due_on;
    }
    let action = Object.keys(changes).length > 0 ? "edited" : null;
    if (patch.state !== undefined && patch.state !== milestone.state) {
      milestone.state = patch.state;
      milestone.closed_at = patch.state === "closed" ? nowIso() : null;
      action = patch.state === "closed" ? "closed" : "opened";
    }
    milestone.updated_at = nowIso();
    if (action) {
      this.emitRepo(repo, "milestone", action, sender, {
        milestone: serializeMilestone(this.urls, repo, milestone),
        ...(action === "edited" ? { changes } : {}),
      });
    }
    return milestone;
  }

  // ── issues and pull requests ────────────────────────────────────────────

  issue(repo: RepoRecord, number: number): IssueRecord {
    const issue = repo.issues.get(number);
    if (!issue) throw new ApiError(404, "Not Found");
    return issue;
  }

  createIssue(
    repo: RepoRecord,
    input: { title: string; body?: string | null; labels?: string[]; milestone?: number | null },
    sender: UserRecord,
  ): IssueRecord {
    return this.createIssueOrPull(repo, input, sender, null);
  }

  createPull(
    repo: RepoRecord,
    input: {
      title: string;
      body?: string | null;
      labels?: string[];
      milestone?: number | null;
      head?: string;
      base?: string;
      draft?: boolean;
      headSha?: string;
      files?: Record<string, string | null>;
    },
    sender: UserRecord,
  ): IssueRecord {
    const number = repo.nextNumber;
    const headRef = input.head ?? `feature/pr-${number}`;
    const baseRef = input.base ?? repo.default_branch;
    const changes = new Map(Object.entries(input.files ?? {}));
    const headSha = input.headSha ?? randomSha();
    this.snapshotHead(repo, baseRef, headRef, headSha, changes);
    return this.createIssueOrPull(repo, input, sender, {
      pullId: this.nextId(),
      headRef,
      headSha,
      baseRef,
      draft: input.draft ?? false,
      merged: false,
      changes,
      commits: [headSha],
    });
  }

  private snapshotHead(
    repo: RepoRecord,
    baseRef: string,
    headRef: string,
    headSha: string,
    changes: Map<string, string | null>,
  ): void {
    const files = new Map(this.filesAt(repo, baseRef) ?? []);
    for (const [path, content] of changes) {
      if (content === null) files.delete(path);
      else files.set(path, { content, sha: blobSha(content) });
    }
    repo.refs.set(headRef, files);
    repo.refs.set(headSha, files);
    repo.branches.set(headRef, headSha);
  }

  private createIssueOrPull(
    repo: RepoRecord,
    input: { title: string; body?: string | null; labels?: string[]; milestone?: number | null },
    sender: UserRecord,
    pull: IssueRecord["pull"],
  ): IssueRecord {
    if (!input.title)
      throw new ApiError(422, "Validation Failed", [
        { resource: "Issue", field: "title", code: "missing_field" },
      ]);
    const labelIds = (input.labels ?? []).map((name) => this.ensureLabel(repo, name, sender).id);
    const milestoneId =
      input.milestone == null ? null : this.milestoneByNumber(repo, input.milestone).id;
    const now = nowIso();
    const issue: IssueRecord = {
      id: this.nextId(),
      number: repo.nextNumber,
      title: input.title,
      body: input.body ?? null,
      user: sender,
      labelIds: [...new Set(labelIds)],
      milestoneId,
      state: "open",
      state_reason: null,
      closed_by: null,
      closed_at: null,
      created_at: now,
      updated_at: now,
      locked: false,
      pull,
    };
    repo.nextNumber += 1;
    repo.issues.set(issue.number, issue);
    // Labels and a milestone given at creation are recorded as the creator's own events.
    for (const id of issue.labelIds) {
      const label = repo.labels.find((l) => l.id === id);
      if (label) {
        this.recordIssueEvent(repo, issue, sender, {
          event: "labeled",
          label: { name: label.name, color: label.color },
        });
      }
    }
    const milestone = repo.milestones.find((m) => m.id === milestoneId);
    if (milestone) {
      this.recordIssueEvent(repo, issue, sender, {
        event: "milestoned",
        milestone: { title: milestone.title },
      });
    }
    this.emitIssue(repo, issue, "opened", sender, {});
    return issue;
  }

  private milestoneByNumber(repo: RepoRecord, number: number): MilestoneRecord {
    const milestone = repo.milestones.find((m) => m.number === number);
    if (!milestone) {
      throw new ApiError(422, "Validation Failed", [
        { value: number, resource: "Issue", field: "milestone", code: "invalid" },
      ]);
    }
    return milestone;
  }

  /** PATCH semantics of GitHub's issues API, with one webhook per visible change. */
  updateIssue(
    repo: RepoRecord,
    number: number,
    patch: IssuePatch,
    sender: UserRecord,
  ): IssueRecord {
    const issue = this.issue(repo, number);
    const now = nowIso();
    const changes: Record<string, { from: unknown }> = {};
    if (patch.title !== undefined && patch.title !== issue.title) {
      changes.title = { from: issue.title };
      this.recordIssueEvent(repo, issue, sender, {
        event: "renamed",
        rename: { from: issue.title, to: patch.title },
      });
      issue.title = patch.title;
    }
    if (patch.body !== undefined && patch.body !== issue.body) {
      changes.body = { from: issue.body ?? "" };
      issue.body = patch.body;
    }
    if (Object.keys(changes).length > 0) {
      issue.updated_at = now;
      this.emitIssue(repo, issue, "edited", sender, { changes });
    }
    if (patch.labels !== undefined) this.setLabels(repo, number, patch.labels, sender);
    if (patch.milestone !== undefined) {
      const next = patch.milestone === null ? null : this.milestoneByNumber(repo, patch.milestone);
      const previous = repo.milestones.find((m) => m.id === issue.milestoneId) ?? null;
      if ((next?.id ?? null) !== issue.milestoneId) {
        issue.milestoneId = next?.id ?? null;
        issue.updated_at = now;
        // Moving between milestones leaves both a demilestoned and a milestoned event.
        if (previous) {
          this.recordIssueEvent(repo, issue, sender, {
            event: "demilestoned",
            milestone: { title: previous.title },
          });
        }
        if (next) {
          this.recordIssueEvent(repo, issue, sender, {
            event: "milestoned",
            milestone: { title: next.title },
          });
        }
        if (previous && !next) {
          this.emitIssue(repo, issue, "demilestoned", sender, {
            milestone: serializeMilestone(this.urls, repo, previous),
          });
        }
        if (next) {
          this.emitIssue(repo, issue, "milestoned", sender, {
            milestone: serializeMilestone(this.urls, repo, next),
          });
        }
      }
    }
    if (patch.state === "closed" && issue.state === "open") {
      issue.state = "closed";
      issue.state_reason = patch.state_reason ?? "completed";
      issue.closed_by = sender;
      issue.closed_at = now;
      issue.updated_at = now;
      this.recordIssueEvent(repo, issue, sender, {
        event: "closed",
        state_reason: issue.state_reason,
      });
      this.emitIssue(repo, issue, "closed", sender, {});
    } else if (patch.state === "open" && issue.state === "closed") {
      issue.state = "open";
      issue.state_reason = "reopened";
      issue.closed_by = null;
      issue.closed_at = null;
      issue.updated_at = now;
      this.recordIssueEvent(repo, issue, sender, { event: "reopened", state_reason: "reopened" });
      this.emitIssue(repo, issue, "reopened", sender, {});
    } else if (
      patch.state_reason !== undefined &&
      issue.state === "closed" &&
      patch.state_reason !== issue.state_reason
    ) {
      // Changing the reason of a closed issue: GitHub records it without a webhook action of its own.
      issue.state_reason = patch.state_reason;
      issue.updated_at = now;
    }
    return issue;
  }

  addLabels(repo: RepoRecord, number: number, names: string[], sender: UserRecord): IssueRecord {
    const issue = this.issue(repo, number);
    for (const name of names) {
      const label = this.ensureLabel(repo, name, sender);
      if (issue.labelIds.includes(label.id)) continue;
      issue.labelIds.push(label.id);
      issue.updated_at = nowIso();
      this.recordIssueEvent(repo, issue, sender, {
        event: "labeled",
        label: { name: label.name, color: label.color },
      });
      this.emitIssue(repo, issue, "labeled", sender, {
        label: serializeLabel(this.urls, repo, label),
      });
    }
    return issue;
  }

  setLabels(repo: RepoRecord, number: number, names: string[], sender: UserRecord): IssueRecord {
    const issue = this.issue(repo, number);
    const wanted = names.map((n) => this.ensureLabel(repo, n, sender));
    for (const id of [...issue.labelIds]) {
      if (wanted.some((l) => l.id === id)) continue;
      const label = repo.labels.find((l) => l.id === id);
      if (label) this.removeLabel(repo, number, label.name, sender);
    }
    this.addLabels(
      repo,
      number,
      wanted.map((l) => l.name),
      sender,
    );
    return issue;
  }

  removeLabel(repo: RepoRecord, number: number, name: string, sender: UserRecord): IssueRecord {
    const issue = this.issue(repo, number);
    const label = this.findLabel(repo, name);
    if (!label || !issue.labelIds.includes(label.id))
      throw new ApiError(404, "Label does not exist");
    issue.labelIds = issue.labelIds.filter((id) => id !== label.id);
    issue.updated_at = nowIso();
    this.recordIssueEvent(repo, issue, sender, {
      event: "unlabeled",
      label: { name: label.name, color: label.color },
    });
    this.emitIssue(repo, issue, "unlabeled", sender, {
      label: serializeLabel(this.urls, repo, label),
    });
    return issue;
  }

  /** An issue's (or PR's) events record, oldest first; 404 when there is no such issue. */
  issueEvents(repo: RepoRecord, number: number): IssueEventRecord[] {
    this.issue(repo, number);
    return repo.issueEvents.filter((e) => e.issueNumber === number);
  }

  /**
   * Appends to the events record. Called before the matching webhook is
   * emitted, so an app that reads the record on that webhook finds the event.
   */
  private recordIssueEvent(
    repo: RepoRecord,
    issue: IssueRecord,
    actor: UserRecord,
    fields: IssueEventFields,
  ): IssueEventRecord {
    const record: IssueEventRecord = {
      id: this.nextId(),
      issueNumber: issue.number,
      actor,
      created_at: nowIso(),
      ...fields,
    };
    repo.issueEvents.push(record);
    return record;
  }

  /** A new commit on a PR's head branch; sends `pull_request.synchronize`. */
  pushToPull(
    repo: RepoRecord,
    number: number,
    sender: UserRecord,
    options: { headSha?: string; files?: Record<string, string | null> } = {},
  ): IssueRecord {
    const issue = this.issue(repo, number);
    if (!issue.pull) throw new ApiError(404, "Not Found");
    const before = issue.pull.headSha;
    for (const [path, content] of Object.entries(options.files ?? {}))
      issue.pull.changes.set(path, content);
    issue.pull.headSha = options.headSha ?? randomSha();
    issue.pull.commits.push(issue.pull.headSha);
    this.snapshotHead(
      repo,
      issue.pull.baseRef,
      issue.pull.headRef,
      issue.pull.headSha,
      issue.pull.changes,
    );
    issue.updated_at = nowIso();
    this.emitIssue(repo, issue, "synchronize", sender, { before, after: issue.pull.headSha });
    return issue;
  }

  // ── comments ────────────────────────────────────────────────────────────

  createComment(repo: RepoRecord, number: number, body: string, sender: UserRecord): CommentRecord {
    const issue = this.issue(repo, number);
    if (!body)
      throw new ApiError(422, "Validation Failed", [
        { resource: "IssueComment", field: "body", code: "missing_field" },
      ]);
    const now = nowIso();
    const comment: CommentRecord = {
      id: this.nextId(),
      issueNumber: number,
      body,
      user: sender,
      created_at: now,
      updated_at: now,
    };
    repo.comments.push(comment);
    this.emitComment(repo, issue, comment, "created", sender, {});
    return comment;
  }

  comment(repo: RepoRecord, id: number): CommentRecord {
    const comment = repo.comments.find((c) => c.id === id);
    if (!comment) throw new ApiError(404, "Not Found");
    return comment;
  }

  updateComment(repo: RepoRecord, id: number, body: string, sender: UserRecord): CommentRecord {
    const comment = this.comment(repo, id);
    if (comment.body === body) return comment;
    const from = comment.body;
    comment.body = body;
    // Apps tell an edited comment by updated_at !== created_at, and GitHub's
    // timestamps have second precision: an edit within the creation second must
    // still read as later, so it moves on by one second.
    const now = nowIso();
    comment.updated_at = now > comment.created_at ? now : secondAfter(comment.created_at);
    this.emitComment(repo, this.issue(repo, comment.issueNumber), comment, "edited", sender, {
      changes: { body: { from } },
    });
    return comment;
  }

  deleteComment(repo: RepoRecord, id: number, sender: UserRecord): void {
    const comment = this.comment(repo, id);
    repo.comments.splice(repo.comments.indexOf(comment), 1);
    this.emitComment(repo, this.issue(repo, comment.issueNumber), comment, "deleted", sender, {});
  }

  // ── check runs ──────────────────────────────────────────────────────────

  checkRun(repo: RepoRecord, id: number): CheckRunRecord {
    const run = repo.checkRuns.find((r) => r.id === id);
    if (!run) throw new ApiError(404, "Not Found");
    return run;
  }

  createCheckRun(repo: RepoRecord, input: CheckRunInput, sender: UserRecord): CheckRunRecord {
    if (!input.name || !input.head_sha) {
      throw new ApiError(422, 'Invalid request.\n\n"name" and "head_sha" are required.');
    }
    const now = nowIso();
    const existingSuite = repo.checkRuns.find(
      (r) => r.head_sha === input.head_sha && r.app_id === this.app.id,
    );
    const run: CheckRunRecord = {
      id: this.nextId(),
      name: input.name,
      head_sha: input.head_sha,
      status: "queued",
      conclusion: null,
      started_at: input.started_at ?? now,
      completed_at: null,
      details_url: input.details_url ?? null,
      external_id: input.external_id ?? null,
      output: { title: null, summary: null, text: null, annotations: [] },
      actions: [],
      app_id: this.app.id,
      check_suite_id: existingSuite?.check_suite_id ?? this.nextId(),
      created_at: now,
    };
    this.applyCheckRun(run, input);
    repo.checkRuns.push(run);
    this.emitCheckRun(repo, run, "created", sender);
    if (run.status === "completed") this.emitCheckRun(repo, run, "completed", sender);
    return run;
  }

  updateCheckRun(
    repo: RepoRecord,
    id: number,
    input: CheckRunInput,
    sender: UserRecord,
  ): CheckRunRecord {
    const run = this.checkRun(repo, id);
    const wasCompleted = run.status === "completed";
    this.applyCheckRun(run, input);
    // GitHub sends `completed` again when a completed run gets a new conclusion or output.
    const completes =
      input.conclusion != null ||
      input.output !== undefined ||
      (input.status === "completed" && !wasCompleted);
    if (run.status === "completed" && completes) this.emitCheckRun(repo, run, "completed", sender);
    return run;
  }

  private applyCheckRun(run: CheckRunRecord, input: CheckRunInput): void {
    if (input.name !== undefined) run.name = input.name;
    if (input.details_url !== undefined) run.details_url = input.details_url;
    if (input.external_id !== undefined) run.external_id = input.external_id;
    if (input.started_at !== undefined) run.started_at = input.started_at;
    if (input.status !== undefined) run.status = input.status;
    if (input.conclusion !== undefined && input.conclusion !== null) {
      run.conclusion = input.conclusion;
      run.status = "completed";
    }
    if (run.status === "completed") {
      run.completed_at = input.completed_at ?? run.completed_at ?? nowIso();
    }
    if (input.output) {
      if (input.output.title !== undefined) run.output.title = input.output.title;
      if (input.output.summary !== undefined) run.output.summary = input.output.summary;
      if (input.output.text !== undefined) run.output.text = input.output.text;
      // GitHub appends annotations across updates.
      if (input.output.annotations) run.output.annotations.push(...input.output.annotations);
    }
    if (input.actions !== undefined) run.actions = input.actions;
  }

  /** A person clicks "Re-run" on a check: `check_run.rerequested` goes to the app that owns it. */
  rerequestCheckRun(repo: RepoRecord, id: number, sender: UserRecord): CheckRunRecord {
    const run = this.checkRun(repo, id);
    this.emitCheckRun(repo, run, "rerequested", sender);
    return run;
  }

  /**
   * A PR joins the merge queue: GitHub builds a merge commit on a
   * `gh-readonly-queue/…` branch and sends `merge_group.checks_requested`.
   * Returns the merge group's head sha, where required checks must be reported.
   */
  enqueueMergeGroup(repo: RepoRecord, number: number, sender: UserRecord): string {
    const issue = this.issue(repo, number);
    if (!issue.pull) throw new ApiError(404, "Not Found");
    const baseRef = issue.pull.baseRef;
    const baseSha = repo.branches.get(baseRef) ?? "0".repeat(40);
    const headSha = randomSha();
    const headRef = `gh-readonly-queue/${baseRef}/pr-${number}-${issue.pull.headSha}`;
    this.snapshotHead(repo, baseRef, headRef, headSha, issue.pull.changes);
    const author = {
      name: sender.login,
      email: `${sender.id}+${sender.login}@users.noreply.github.com`,
    };
    this.emitRepo(repo, "merge_group", "checks_requested", sender, {
      merge_group: {
        head_sha: headSha,
        head_ref: `refs/heads/${headRef}`,
        base_sha: baseSha,
        base_ref: `refs/heads/${baseRef}`,
        head_commit: {
          id: headSha,
          tree_id: randomSha(),
          message: `Merge pull request #${number} from ${repo.full_name}/${issue.pull.headRef}\n\n${issue.title}`,
          timestamp: nowIso(),
          author,
          committer: author,
        },
      },
    });
    return headSha;
  }

  /**
   * A workflow run deploys to `environment`, which has the app's custom
   * protection rule: GitHub sends `deployment_protection_rule.requested` with
   * the URL the app answers at. Returns the run id.
   */
  requestDeployment(repo: RepoRecord, environment: string, sender: UserRecord): number {
    const runId = this.nextId();
    const at = nowIso();
    repo.deployments.push({
      runId,
      environment,
      requestedBy: sender.login,
      requestedAt: at,
      answers: [],
    });
    const sha = repo.branches.get(repo.default_branch) ?? "0".repeat(40);
    const api = `${this.urls.api}/repos/${repo.full_name}`;
    const deploymentId = this.nextId();
    this.emitRepo(repo, "deployment_protection_rule", "requested", sender, {
      environment,
      event: "workflow_dispatch",
      deployment_callback_url: `${api}/actions/runs/${runId}/deployment_protection_rule`,
      deployment: {
        url: `${api}/deployments/${deploymentId}`,
        id: deploymentId,
        node_id: `DE_${deploymentId}`,
        sha,
        ref: repo.default_branch,
        task: "deploy",
        payload: {},
        original_environment: environment,
        environment,
        description: null,
        creator: serializeUser(this.urls, sender),
        created_at: at,
        updated_at: at,
        statuses_url: `${api}/deployments/${deploymentId}/statuses`,
        repository_url: api,
      },
      pull_requests: [],
    });
    return runId;
  }

  /** `POST …/actions/runs/{run_id}/deployment_protection_rule`: the app's answer, once. */
  answerDeployment(
    repo: RepoRecord,
    runId: number,
    body: { environment_name?: unknown; state?: unknown; comment?: unknown },
    sender: UserRecord,
  ): void {
    const { state, environment_name: environment, comment } = body;
    if ((state !== "approved" && state !== "rejected") || typeof environment !== "string") {
      throw new ApiError(422, "Invalid request: environment_name and state are required.");
    }
    const request = repo.deployments.find(
      (d) => d.runId === runId && d.environment.toLowerCase() === environment.toLowerCase(),
    );
    if (!request) throw new ApiError(404, "Not Found");
    if (request.answers.length > 0) {
      throw new ApiError(422, "No pending deployment protection rule for this environment.");
    }
    request.answers.push({
      state,
      comment: typeof comment === "string" ? comment : "",
      by: sender.login,
      at: nowIso(),
    });
  }

  // ── events ──────────────────────────────────────────────────────────────

  emit(event: DomainEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private emitRepo(
    repo: RepoRecord,
    name: string,
    action: string | null,
    sender: UserRecord,
    fields: Record<string, unknown>,
  ): void {
    const installation = this.installationFor(repo);
    this.emit({
      name,
      action,
      repo,
      sender,
      installationId: installation?.id ?? null,
      fields: {
        ...fields,
        repository: serializeRepo(this.urls, repo),
        sender: serializeUser(this.urls, sender),
      },
    });
  }

  private emitIssue(
    repo: RepoRecord,
    issue: IssueRecord,
    action: string,
    sender: UserRecord,
    fields: Record<string, unknown>,
  ): void {
    if (issue.pull) {
      this.emitRepo(repo, "pull_request", action, sender, {
        number: issue.number,
        pull_request: serializePull(this.urls, repo, issue),
        ...fields,
      });
    } else {
      this.emitRepo(repo, "issues", action, sender, {
        issue: serializeIssue(this.urls, repo, issue),
        ...fields,
      });
    }
  }

  private emitComment(
    repo: RepoRecord,
    issue: IssueRecord,
    comment: CommentRecord,
    action: string,
    sender: UserRecord,
    fields: Record<string, unknown>,
  ): void {
    this.emitRepo(repo, "issue_comment", action, sender, {
      issue: serializeIssue(this.urls, repo, issue),
      comment: serializeComment(this.urls, repo, comment),
      ...fields,
    });
  }

  private emitCheckRun(
    repo: RepoRecord,
    run: CheckRunRecord,
    action: string,
    sender: UserRecord,
  ): void {
    const checkRun = serializeCheckRun(this.urls, repo, this.app, run);
    this.emitRepo(repo, "check_run", action, sender, {
      check_run: {
        ...checkRun,
        check_suite: {
          id: run.check_suite_id,
          node_id: `CS_${run.check_suite_id}`,
          head_branch: null,
          head_sha: run.head_sha,
          status: run.status,
          conclusion: run.conclusion,
          url: `${this.urls.api}/repos/${repo.full_name}/check-suites/${run.check_suite_id}`,
          before: null,
          after: run.head_sha,
          pull_requests: checkRun.pull_requests,
          app: checkRun.app,
          created_at: run.created_at,
          updated_at: run.created_at,
        },
      },
    });
  }
}
