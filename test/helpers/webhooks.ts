import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };

/** The repository every integration test plays on. */
export const OWNER = "acme";
export const REPO = "rocket";
export const INSTALLATION_ID = 4242;
export const APP_ID = 777;
export const API = "https://api.github.com";
export const WEB = "https://github.com";

type Json = Record<string, unknown>;

interface ExampleGroup {
  name: string;
  examples: Json[];
}

/** A deep copy of a real GitHub payload for `event.action`, preferring one sent to an app installation. */
function example(event: string, action?: string): Json {
  const group = (examples as unknown as ExampleGroup[]).find((g) => g.name === event);
  if (!group) throw new Error(`no webhook examples for ${event}`);
  const matching = group.examples.filter((e) => action === undefined || e.action === action);
  const pick =
    matching.find((e) => "installation" in e) ??
    matching[0] ??
    group.examples.find((e) => "installation" in e) ??
    group.examples[0];
  if (!pick) throw new Error(`no webhook example for ${event}.${action}`);
  const copy = structuredClone(pick);
  if (action !== undefined) copy.action = action;
  return copy;
}

export function user(login: string, type: "User" | "Bot" = "User"): Json {
  return {
    login,
    id: Math.abs(hash(login)),
    node_id: `U_${login}`,
    type,
    site_admin: false,
    html_url: `${WEB}/${login}`,
  };
}

function hash(s: string): number {
  let h = 7;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h || 1;
}

export function label(name: string): Json {
  return {
    id: Math.abs(hash(name)),
    node_id: `LA_${hash(name)}`,
    url: `${API}/repos/${OWNER}/${REPO}/labels/${encodeURIComponent(name)}`,
    name,
    color: "ededed",
    default: false,
    description: null,
  };
}

export function milestone(title: string, number = 1): Json {
  return {
    url: `${API}/repos/${OWNER}/${REPO}/milestones/${number}`,
    html_url: `${WEB}/${OWNER}/${REPO}/milestone/${number}`,
    id: number,
    node_id: `MI_${number}`,
    number,
    title,
    description: null,
    state: "open",
    open_issues: 0,
    closed_issues: 0,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    due_on: null,
    closed_at: null,
    creator: user("lead"),
  };
}

function withRepo(payload: Json): Json {
  const repository = (payload.repository ?? {}) as Json;
  payload.repository = {
    ...repository,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: { ...(repository.owner as Json), login: OWNER },
    default_branch: "main",
    html_url: `${WEB}/${OWNER}/${REPO}`,
  };
  payload.installation = {
    id: INSTALLATION_ID,
    node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==",
  };
  return payload;
}

export interface PullSpec {
  number: number;
  labels?: string[];
  milestone?: string | null;
  body?: string | null;
  headSha?: string;
  state?: "open" | "closed";
  by?: string;
  /** `updated_at`: which of two payloads of one PR is the newer (default: the example's). */
  updatedAt?: string;
}

/** A REST pull request object as `GET /pulls/{n}` returns it (the webhook example's shape). */
export function pullObject(spec: PullSpec): Json {
  const pr = (example("pull_request", "opened").pull_request ?? {}) as Json;
  const head = pr.head as Json;
  return {
    ...pr,
    number: spec.number,
    state: spec.state ?? "open",
    html_url: `${WEB}/${OWNER}/${REPO}/pull/${spec.number}`,
    body: spec.body ?? null,
    labels: (spec.labels ?? []).map(label),
    milestone: spec.milestone ? milestone(spec.milestone) : null,
    head: { ...head, sha: spec.headSha ?? `sha${spec.number}`, ref: `feature-${spec.number}` },
    user: user(spec.by ?? "dev"),
    draft: false,
    ...(spec.updatedAt ? { updated_at: spec.updatedAt } : {}),
  };
}

export function pullRequestEvent(action: string, spec: PullSpec, extra: Json = {}): Json {
  const payload = withRepo(
    example(
      "pull_request",
      action === "milestoned" || action === "demilestoned" || action === "edited"
        ? "opened"
        : action,
    ),
  );
  payload.action = action;
  payload.number = spec.number;
  payload.pull_request = pullObject(spec);
  payload.sender = user(spec.by ?? "dev");
  return { ...payload, ...extra };
}

export interface IssueSpec {
  number: number;
  title?: string;
  body?: string | null;
  labels?: string[];
  milestone?: string | null;
  state?: "open" | "closed";
  stateReason?: "completed" | "not_planned" | "reopened" | null;
  closedBy?: string | null | undefined;
  closedAt?: string | null;
  comments?: number;
  by?: string;
  createdAt?: string;
}

/** A REST issue object, from the real webhook example's issue shape. */
export function issueObject(spec: IssueSpec): Json {
  const issue = (example("issues", "opened").issue ?? {}) as Json;
  return {
    ...issue,
    number: spec.number,
    html_url: `${WEB}/${OWNER}/${REPO}/issues/${spec.number}`,
    title: spec.title ?? `Issue ${spec.number}`,
    body: spec.body ?? null,
    labels: (spec.labels ?? []).map(label),
    milestone: spec.milestone ? milestone(spec.milestone) : null,
    state: spec.state ?? "open",
    state_reason: spec.stateReason ?? null,
    closed_at: spec.state === "closed" ? (spec.closedAt ?? "2026-11-20T12:00:00Z") : null,
    comments: spec.comments ?? 0,
    created_at: spec.createdAt ?? "2026-11-01T00:00:00Z",
    user: user(spec.by ?? "lead"),
    ...(spec.closedBy !== undefined
      ? {
          closed_by: spec.closedBy
            ? user(spec.closedBy, spec.closedBy.endsWith("[bot]") ? "Bot" : "User")
            : null,
        }
      : {}),
  };
}

export function issueEvent(
  action: string,
  spec: IssueSpec,
  extra: { sender?: string; label?: string } = {},
): Json {
  const base =
    action === "closed"
      ? "reopened"
      : [
            "opened",
            "edited",
            "labeled",
            "unlabeled",
            "milestoned",
            "demilestoned",
            "reopened",
            "deleted",
            "transferred",
          ].includes(action)
        ? action
        : "edited";
  const payload = withRepo(example("issues", base));
  payload.action = action;
  const issue = issueObject(spec);
  delete issue.closed_by; // webhook issues do not carry closed_by; the sender is the actor
  payload.issue = issue;
  const sender = extra.sender ?? spec.by ?? "lead";
  payload.sender = user(sender, sender.endsWith("[bot]") ? "Bot" : "User");
  if (extra.label) payload.label = label(extra.label);
  return payload;
}

export function commentObject(
  id: number,
  body: string,
  by: string,
  createdAt = "2026-11-20T10:00:00Z",
  updatedAt = createdAt,
): Json {
  const comment = (example("issue_comment", "created").comment ?? {}) as Json;
  return {
    ...comment,
    id,
    body,
    user: user(by, by.endsWith("[bot]") ? "Bot" : "User"),
    created_at: createdAt,
    updated_at: updatedAt,
    html_url: `${WEB}/${OWNER}/${REPO}/issues/1#issuecomment-${id}`,
  };
}

export function issueCommentEvent(
  action: "created" | "edited" | "deleted",
  issue: IssueSpec,
  comment: { id: number; body: string; by: string },
): Json {
  const payload = withRepo(example("issue_comment", action));
  const issueJson = issueObject(issue);
  delete issueJson.closed_by;
  payload.issue = issueJson;
  payload.comment = commentObject(comment.id, comment.body, comment.by);
  payload.sender = user(comment.by);
  return payload;
}

export function pushEvent(
  files: { modified?: string[]; added?: string[]; removed?: string[] },
  ref = "refs/heads/main",
): Json {
  const payload = withRepo(example("push"));
  payload.ref = ref;
  const commit = {
    ...((payload.head_commit ?? {}) as Json),
    added: files.added ?? [],
    removed: files.removed ?? [],
    modified: files.modified ?? [],
  };
  payload.commits = [commit];
  payload.head_commit = commit;
  return payload;
}

export function checkRunRerequestedEvent(
  headSha: string,
  prNumbers: number[],
  name = "Phase gate",
): Json {
  const payload = withRepo(example("check_run", "rerequested"));
  const run = payload.check_run as Json;
  payload.check_run = {
    ...run,
    name,
    head_sha: headSha,
    pull_requests: prNumbers.map((number) => ({
      number,
      id: number,
      url: `${API}/repos/${OWNER}/${REPO}/pulls/${number}`,
      head: { ref: "x", sha: headSha, repo: {} },
      base: { ref: "main", sha: "base", repo: {} },
    })),
  };
  return payload;
}

export function checkSuiteEvent(
  action: "requested" | "rerequested",
  headSha: string,
  prNumbers: number[],
): Json {
  const payload = withRepo(example("check_suite", action));
  const suite = payload.check_suite as Json;
  payload.check_suite = {
    ...suite,
    head_sha: headSha,
    pull_requests: prNumbers.map((number) => ({
      number,
      id: number,
      url: "",
      head: { ref: "x", sha: headSha, repo: {} },
      base: { ref: "main", sha: "base", repo: {} },
    })),
  };
  return payload;
}

export function mergeGroupEvent(prNumber: number, headSha: string): Json {
  const payload = withRepo(example("merge_group", "checks_requested"));
  const group = payload.merge_group as Json;
  payload.merge_group = {
    ...group,
    head_sha: headSha,
    head_ref: `refs/heads/gh-readonly-queue/main/pr-${prNumber}-${"a".repeat(40)}`,
  };
  return payload;
}

export function installationCreatedEvent(repos: string[]): Json {
  const payload = example("installation", "created");
  payload.installation = {
    ...(payload.installation as Json),
    id: INSTALLATION_ID,
    account: { ...((payload.installation as Json).account as Json), login: OWNER },
  };
  payload.repositories = repos.map((name, i) => ({
    id: 1000 + i,
    node_id: `R_${i}`,
    name,
    full_name: `${OWNER}/${name}`,
    private: false,
  }));
  return payload;
}

export function installationRepositoriesAddedEvent(repos: string[]): Json {
  const payload = example("installation_repositories", "added");
  payload.installation = {
    ...(payload.installation as Json),
    id: INSTALLATION_ID,
    account: { ...((payload.installation as Json).account as Json), login: OWNER },
  };
  payload.repositories_added = repos.map((name, i) => ({
    id: 1000 + i,
    node_id: `R_${i}`,
    name,
    full_name: `${OWNER}/${name}`,
    private: false,
  }));
  return payload;
}

/** `milestone.<action>` (e.g. `edited` when its due date, the phase's timebox, changed). */
export function milestoneEvent(
  action: "created" | "edited" | "closed" | "opened" | "deleted",
  title: string,
  number: number,
  dueOn: string | null,
  by = "lead",
): Json {
  const payload = withRepo(example("milestone", action === "closed" ? "closed" : "created"));
  payload.action = action;
  payload.milestone = { ...milestone(title, number), due_on: dueOn };
  payload.sender = user(by, by.endsWith("[bot]") ? "Bot" : "User");
  return payload;
}

/**
 * `deployment_protection_rule.requested` for a deployment to `environment` by
 * workflow run `runId`. `@octokit/webhooks-examples` has no example of this
 * event: it is built in the shape of GitHub's schema (`@octokit/openapi-webhooks-types`,
 * `webhook-deployment-protection-rule-requested`) around the real `deployment` example.
 */
export function deploymentProtectionRuleEvent(environment: string, runId = 9001): Json {
  const base = withRepo(example("deployment", "created"));
  return {
    action: "requested",
    environment,
    event: "workflow_dispatch",
    deployment_callback_url: `${API}/repos/${OWNER}/${REPO}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: { ...(base.deployment as Json), environment },
    pull_requests: [],
    repository: base.repository,
    installation: base.installation,
    sender: user("releaser"),
  };
}

/**
 * A `sub_issues` delivery for the link `parent` → `sub` (both in acme/rocket),
 * shaped as GitHub's webhook schema (@octokit/openapi-webhooks-types): one
 * link change sends `sub_issue_*` and `parent_issue_*`, both to this repository.
 */
export function subIssuesEvent(
  action: "sub_issue_added" | "sub_issue_removed" | "parent_issue_added" | "parent_issue_removed",
  link: { parent: IssueSpec; sub: IssueSpec; sender?: string; subIssues?: number },
): Json {
  const issue = (spec: IssueSpec, total: number) => ({
    ...issueObject(spec),
    id: 100_000 + spec.number,
    url: `${API}/repos/${OWNER}/${REPO}/issues/${spec.number}`,
    sub_issues_summary: { total, completed: 0, percent_completed: 0 },
  });
  const payload = withRepo({});
  const repo = payload.repository;
  const sender = link.sender ?? "lead";
  return {
    ...payload,
    action,
    sub_issue_id: 100_000 + link.sub.number,
    sub_issue: issue(link.sub, link.subIssues ?? 0),
    parent_issue_id: 100_000 + link.parent.number,
    parent_issue: issue(link.parent, 1),
    ...(action.startsWith("sub_issue") ? { sub_issue_repo: repo } : { parent_issue_repo: repo }),
    sender: user(sender),
  };
}
