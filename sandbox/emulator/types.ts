/**
 * In-memory records of the GitHub emulator. They hold what GitHub stores;
 * `serialize.ts` turns them into GitHub's REST shapes.
 */

export type UserType = "User" | "Bot" | "Organization";

export interface UserRecord {
  login: string;
  id: number;
  type: UserType;
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string | null;
  default: boolean;
}

export interface MilestoneRecord {
  id: number;
  number: number;
  title: string;
  description: string | null;
  state: "open" | "closed";
  due_on: string | null;
  creator: UserRecord;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export type StateReason = "completed" | "not_planned" | "reopened" | "duplicate";

export interface PullData {
  headRef: string;
  headSha: string;
  baseRef: string;
  draft: boolean;
  merged: boolean;
  /** Set when merged (`PUT …/pulls/{n}/merge`). */
  mergedBy?: UserRecord | null;
  mergeCommitSha?: string | null;
  /** Files the PR changes: path → new content (null = removed). */
  changes: Map<string, string | null>;
  /**
   * Renames among `changes`: new path → old path (the old path is in
   * `changes` as removed). GitHub lists each as one `renamed` entry with
   * `previous_filename`.
   */
  renames?: Map<string, string>;
  /** The PR's commits, oldest first: the head is the last. */
  commits: string[];
  /** Issues linked in the PR's "Development" sidebar (not in its body). */
  linkedIssues?: { owner: string; repo: string; number: number }[];
}

export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: UserRecord;
  /** Label ids, in the order they were added. */
  labelIds: number[];
  milestoneId: number | null;
  state: "open" | "closed";
  state_reason: StateReason | null;
  closed_by: UserRecord | null;
  closed_at: string | null;
  created_at: string;
  updated_at: string;
  locked: boolean;
  /** Set when the issue is a pull request. */
  pull: (PullData & { pullId: number }) | null;
  /** Its parent through sub-issues: the parent's repository (full name) and number. */
  parent?: { repo: string; number: number } | null;
  /** Its sub-issues, in order (GitHub's priority). */
  subIssues?: IssueRecord[];
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  user: UserRecord;
  created_at: string;
  updated_at: string;
}

interface IssueEventBase {
  id: number;
  /** The issue or pull request the event belongs to. */
  issueNumber: number;
  actor: UserRecord;
  created_at: string;
}

/**
 * One entry of an issue's events record (`GET …/issues/{n}/events`): what
 * GitHub keeps of who changed an issue or PR, and when. Labels and milestones
 * are kept as they were at the time, as GitHub does.
 */
export type IssueEventRecord = IssueEventBase &
  (
    | { event: "labeled" | "unlabeled"; label: { name: string; color: string } }
    | { event: "closed"; state_reason: StateReason }
    | { event: "reopened"; state_reason: "reopened" }
    | { event: "milestoned" | "demilestoned"; milestone: { title: string } }
    | { event: "renamed"; rename: { from: string; to: string } }
    | { event: "merged"; commit_id: string }
  );

export type IssueEventKind = IssueEventRecord["event"];

export interface CheckRunOutput {
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: unknown[];
}

export type CheckStatus =
  | "queued"
  | "in_progress"
  | "completed"
  | "waiting"
  | "requested"
  | "pending";
export type CheckConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required";

export interface CheckRunRecord {
  id: number;
  name: string;
  head_sha: string;
  status: CheckStatus;
  conclusion: CheckConclusion | null;
  started_at: string | null;
  completed_at: string | null;
  details_url: string | null;
  external_id: string | null;
  output: CheckRunOutput;
  actions: unknown[];
  app_id: number;
  check_suite_id: number;
  created_at: string;
}

export interface FileRecord {
  content: string;
  sha: string;
}

export interface RepoRecord {
  id: number;
  owner: UserRecord;
  name: string;
  full_name: string;
  private: boolean;
  default_branch: string;
  created_at: string;
  /** Branch name or commit sha → files at that ref. */
  refs: Map<string, Map<string, FileRecord>>;
  /** Branch name → head commit sha. */
  branches: Map<string, string>;
  issues: Map<number, IssueRecord>;
  nextNumber: number;
  labels: LabelRecord[];
  milestones: MilestoneRecord[];
  comments: CommentRecord[];
  /** Issue events of all issues and PRs, oldest first. */
  issueEvents: IssueEventRecord[];
  checkRuns: CheckRunRecord[];
  /** Deployments a workflow run asked to make through a custom protection rule, oldest first. */
  deployments: DeploymentRequestRecord[];
  /** Lower-cased login → role_name (admin | maintain | write | triage | read). */
  collaborators: Map<string, string>;
  /** Rulesets that apply to the repository, its own and its organisation's (state/rules.ts). */
  rulesets?: RulesetRecord[];
  /** Classic branch protection: branch name → the status checks it requires. */
  protection?: Map<string, BranchProtectionRecord>;
  /** Deployment environments by lower-cased name. */
  environments?: Map<string, EnvironmentRecord>;
}

/** A branch ruleset (Settings → Rules → Rulesets), as GitHub keeps it. */
export interface RulesetRecord {
  id: number;
  name: string;
  sourceType: "Repository" | "Organization";
  /** `owner/repo` or `org`. */
  source: string;
  enforcement: "active" | "disabled" | "evaluate";
  /** `ref_name` conditions: `~DEFAULT_BRANCH`, `~ALL`, `refs/heads/<glob>`. */
  include: string[];
  exclude: string[];
  rules: Array<{ type: string; parameters?: Record<string, unknown> }>;
  created_at: string;
  updated_at: string;
}

export interface BranchProtectionRecord {
  checks: Array<{ context: string; app_id: number | null }>;
  strict: boolean;
}

export interface EnvironmentRecord {
  id: number;
  name: string;
  created_at: string;
  /** Custom deployment protection rules: the apps whose answer a deployment waits for. */
  customRules: Array<{ id: number; appId: number; enabled: boolean }>;
}

/** A deployment waiting on a custom deployment protection rule, and the answers it got. */
export interface DeploymentRequestRecord {
  runId: number;
  environment: string;
  requestedBy: string;
  requestedAt: string;
  /** Every answer GitHub accepted (one, or none while waiting): a second is refused with 422. */
  answers: Array<{ state: "approved" | "rejected"; comment: string; by: string; at: string }>;
}

export interface InstallationRecord {
  id: number;
  account: UserRecord;
  /** Full names of the repositories the installation can reach. */
  repos: string[];
  created_at: string;
  /** What the owner accepted, when it differs from what the app asks (an owner who never accepted an update). */
  permissions?: Record<string, string>;
  events?: string[];
}

export interface TeamRecord {
  org: string;
  slug: string;
  id: number;
  /** Lower-cased logins. */
  members: Set<string>;
}

export interface AppRecord {
  id: number;
  slug: string;
  name: string;
  owner: UserRecord;
  bot: UserRecord;
  events: string[];
  /** What the app asks for (app.yml's default_permissions). */
  permissions: Record<string, string>;
  created_at: string;
}

/** A webhook GitHub would send, with the parts that are specific to it. */
export interface DomainEvent {
  name: string;
  action: string | null;
  repo: RepoRecord | null;
  sender: UserRecord;
  installationId: number | null;
  /** Serialized payload fields (issue, pull_request, label, changes, …), snapshotted at event time. */
  fields: Record<string, unknown>;
}
