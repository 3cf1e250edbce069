import type { components } from "@octokit/openapi-types";
import type {
  AppRecord,
  CheckRunRecord,
  CommentRecord,
  InstallationRecord,
  IssueEventRecord,
  IssueRecord,
  LabelRecord,
  MilestoneRecord,
  RepoRecord,
  UserRecord,
} from "./types.js";

type Schemas = components["schemas"];

/** Where the emulator lives: `web` is the html_url root, `api` the REST root (`…/api/v3`). */
export interface Urls {
  web: string;
  api: string;
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`emu:${prefix}:${id}`).toString("base64url")}`;
}

export function serializeUser(urls: Urls, user: UserRecord): Schemas["simple-user"] {
  // GitHub escapes a bot's brackets: …/users/phase-gates%5Bbot%5D.
  const api = `${urls.api}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(
      user.type === "Bot" ? "BOT" : user.type === "Organization" ? "O" : "U",
      user.id,
    ),
    avatar_url: `${urls.web}/avatars/u/${user.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url:
      user.type === "Bot"
        ? `${urls.web}/apps/${user.login.replace(/\[bot\]$/, "")}`
        : `${urls.web}/${user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: false,
    user_view_type: "public",
  };
}

export function serializeRepo(urls: Urls, repo: RepoRecord): Schemas["repository"] {
  const api = `${urls.api}/repos/${repo.full_name}`;
  const html = `${urls.web}/${repo.full_name}`;
  const openIssues = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("R", repo.id),
    name: repo.name,
    full_name: repo.full_name,
    license: null,
    forks: 0,
    owner: serializeUser(urls, repo.owner),
    private: repo.private,
    html_url: html,
    description: null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `${html.replace(/^http/, "git")}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${repo.full_name}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: html,
    homepage: null,
    language: "TypeScript",
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.default_branch,
    open_issues_count: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    pushed_at: repo.created_at,
    created_at: repo.created_at,
    updated_at: repo.created_at,
    allow_forking: true,
    web_commit_signoff_required: false,
    open_issues: openIssues,
    watchers: 0,
  };
}

export function serializeLabel(urls: Urls, repo: RepoRecord, label: LabelRecord): Schemas["label"] {
  return {
    id: label.id,
    node_id: nodeId("LA", label.id),
    url: `${urls.api}/repos/${repo.full_name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: label.default,
  };
}

export function serializeMilestone(
  urls: Urls,
  repo: RepoRecord,
  milestone: MilestoneRecord,
): Schemas["milestone"] {
  const api = `${urls.api}/repos/${repo.full_name}/milestones/${milestone.number}`;
  const issues = [...repo.issues.values()].filter((i) => i.milestoneId === milestone.id);
  return {
    url: api,
    html_url: `${urls.web}/${repo.full_name}/milestone/${milestone.number}`,
    labels_url: `${api}/labels`,
    id: milestone.id,
    node_id: nodeId("MI", milestone.id),
    number: milestone.number,
    state: milestone.state,
    title: milestone.title,
    description: milestone.description,
    creator: serializeUser(urls, milestone.creator),
    open_issues: issues.filter((i) => i.state === "open").length,
    closed_issues: issues.filter((i) => i.state === "closed").length,
    created_at: milestone.created_at,
    updated_at: milestone.updated_at,
    closed_at: milestone.closed_at,
    due_on: milestone.due_on,
  };
}

function issueLabels(urls: Urls, repo: RepoRecord, issue: IssueRecord): Schemas["label"][] {
  return issue.labelIds.flatMap((id) => {
    const label = repo.labels.find((l) => l.id === id);
    return label ? [serializeLabel(urls, repo, label)] : [];
  });
}

function issueMilestone(
  urls: Urls,
  repo: RepoRecord,
  issue: IssueRecord,
): Schemas["milestone"] | null {
  const milestone = repo.milestones.find((m) => m.id === issue.milestoneId);
  return milestone ? serializeMilestone(urls, repo, milestone) : null;
}

function authorAssociation(repo: RepoRecord, user: UserRecord): Schemas["author-association"] {
  if (user.id === repo.owner.id) return "OWNER";
  if (repo.collaborators.has(user.login.toLowerCase())) return "COLLABORATOR";
  return user.type === "Bot" ? "NONE" : "CONTRIBUTOR";
}

export function serializeIssue(urls: Urls, repo: RepoRecord, issue: IssueRecord): Schemas["issue"] {
  const api = `${urls.api}/repos/${repo.full_name}/issues/${issue.number}`;
  const html = `${urls.web}/${repo.full_name}/${issue.pull ? "pull" : "issues"}/${issue.number}`;
  const result: Schemas["issue"] = {
    id: issue.id,
    // A PR's node id is its PullRequest's, as GitHub answers it (the pulls API says the same).
    node_id: issue.pull ? nodeId("PR", issue.pull.pullId) : nodeId("I", issue.id),
    url: api,
    repository_url: `${urls.api}/repos/${repo.full_name}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    number: issue.number,
    state: issue.state,
    state_reason: issue.state_reason,
    title: issue.title,
    body: issue.body,
    user: serializeUser(urls, issue.user),
    labels: issueLabels(urls, repo, issue),
    assignee: null,
    assignees: [],
    milestone: issueMilestone(urls, repo, issue),
    locked: issue.locked,
    active_lock_reason: null,
    comments: repo.comments.filter((c) => c.issueNumber === issue.number).length,
    closed_at: issue.closed_at,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_by: issue.closed_by ? serializeUser(urls, issue.closed_by) : null,
    author_association: authorAssociation(repo, issue.user),
    timeline_url: `${api}/timeline`,
    reactions: noReactions(api),
  };
  if (!issue.pull) {
    // GitHub leaves `parent_issue_url` out of an issue that has no parent.
    if (issue.parent)
      result.parent_issue_url = `${urls.api}/repos/${issue.parent.repo}/issues/${issue.parent.number}`;
    const subIssues = issue.subIssues ?? [];
    const completed = subIssues.filter(
      (i) => i.state === "closed" && i.state_reason === "completed",
    ).length;
    result.sub_issues_summary = {
      total: subIssues.length,
      completed,
      percent_completed:
        subIssues.length === 0 ? 0 : Math.floor((completed * 100) / subIssues.length),
    };
  }
  if (issue.pull) {
    const pulls = `${urls.api}/repos/${repo.full_name}/pulls/${issue.number}`;
    result.draft = issue.pull.draft;
    result.pull_request = {
      url: pulls,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: issue.pull.merged ? issue.closed_at : null,
    };
  }
  return result;
}

export function serializePull(
  urls: Urls,
  repo: RepoRecord,
  issue: IssueRecord,
): Schemas["pull-request"] {
  const pull = issue.pull;
  if (!pull) throw new Error(`#${issue.number} is not a pull request`);
  const api = `${urls.api}/repos/${repo.full_name}/pulls/${issue.number}`;
  const issueApi = `${urls.api}/repos/${repo.full_name}/issues/${issue.number}`;
  const html = `${urls.web}/${repo.full_name}/pull/${issue.number}`;
  const repoJson = serializeRepo(urls, repo);
  const owner = serializeUser(urls, repo.owner);
  const baseSha = repo.branches.get(pull.baseRef) ?? "0".repeat(40);
  return {
    url: api,
    id: pull.pullId,
    node_id: nodeId("PR", pull.pullId),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${urls.api}/repos/${repo.full_name}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${urls.api}/repos/${repo.full_name}/statuses/${pull.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: serializeUser(urls, issue.user),
    body: issue.body,
    labels: issueLabels(urls, repo, issue),
    milestone: issueMilestone(urls, repo, issue),
    active_lock_reason: null,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    merged_at: pull.merged ? issue.closed_at : null,
    merge_commit_sha: pull.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${repo.owner.login}:${pull.headRef}`,
      ref: pull.headRef,
      sha: pull.headSha,
      repo: repoJson,
      user: owner,
    },
    base: {
      label: `${repo.owner.login}:${pull.baseRef}`,
      ref: pull.baseRef,
      sha: baseSha,
      repo: repoJson,
      user: owner,
    },
    _links: {
      comments: { href: `${issueApi}/comments` },
      commits: { href: `${api}/commits` },
      statuses: { href: `${urls.api}/repos/${repo.full_name}/statuses/${pull.headSha}` },
      html: { href: html },
      issue: { href: issueApi },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: `${urls.api}/repos/${repo.full_name}/pulls/comments{/number}` },
      self: { href: api },
    },
    author_association: authorAssociation(repo, issue.user),
    auto_merge: null,
    draft: pull.draft,
    merged: pull.merged,
    mergeable: issue.state === "open" ? true : null,
    rebaseable: issue.state === "open" ? true : null,
    mergeable_state: issue.state === "open" ? "clean" : "unknown",
    merged_by: pull.mergedBy ? serializeUser(urls, pull.mergedBy) : null,
    comments: repo.comments.filter((c) => c.issueNumber === issue.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    // A rename is one changed file (its old path is kept in `changes` as removed).
    changed_files: pull.changes.size - (pull.renames?.size ?? 0),
  };
}

export function serializeComment(
  urls: Urls,
  repo: RepoRecord,
  comment: CommentRecord,
): Schemas["issue-comment"] {
  const issue = repo.issues.get(comment.issueNumber);
  const kind = issue?.pull ? "pull" : "issues";
  return {
    id: comment.id,
    node_id: nodeId("IC", comment.id),
    url: `${urls.api}/repos/${repo.full_name}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${repo.full_name}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: serializeUser(urls, comment.user),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    issue_url: `${urls.api}/repos/${repo.full_name}/issues/${comment.issueNumber}`,
    author_association: authorAssociation(repo, comment.user),
    performed_via_github_app: null,
    reactions: noReactions(`${urls.api}/repos/${repo.full_name}/issues/comments/${comment.id}`),
  };
}

/** The reaction rollup of an issue or comment nobody reacted to. */
function noReactions(api: string): NonNullable<Schemas["issue"]["reactions"]> {
  return {
    url: `${api}/reactions`,
    total_count: 0,
    "+1": 0,
    "-1": 0,
    laugh: 0,
    confused: 0,
    heart: 0,
    hooray: 0,
    eyes: 0,
    rocket: 0,
  };
}

export function serializeApp(urls: Urls, app: AppRecord): Schemas["integration"] {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("A", app.id),
    client_id: `Iv1.emulator${app.id}`,
    owner: serializeUser(urls, app.owner),
    name: app.name,
    description: "Crawl → Walk → Run phase gates (sandbox)",
    external_url: `${urls.web}/apps/${app.slug}`,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: app.created_at,
    updated_at: app.created_at,
    permissions: { ...app.permissions },
    events: app.events,
  };
}

/** GitHub Actions' app id on github.com: a workflow's check runs carry it. */
export const ACTIONS_APP_ID = 15368;

/** Another app whose check run the record holds (a workflow's, put there by a test): its own id and slug. */
function otherApp(urls: Urls, app: AppRecord, id: number): Schemas["integration"] {
  const slug = id === ACTIONS_APP_ID ? "github-actions" : `app-${id}`;
  const ours = serializeApp(urls, app) as Schemas["integration"] & Record<string, unknown>;
  return {
    ...ours,
    id,
    slug,
    node_id: nodeId("A", id),
    client_id: `Iv1.emulator${id}`,
    name: id === ACTIONS_APP_ID ? "GitHub Actions" : slug,
    external_url: `${urls.web}/apps/${slug}`,
    html_url: `${urls.web}/apps/${slug}`,
  };
}

export function serializeCheckRun(
  urls: Urls,
  repo: RepoRecord,
  app: AppRecord,
  run: CheckRunRecord,
): Schemas["check-run"] {
  const api = `${urls.api}/repos/${repo.full_name}/check-runs/${run.id}`;
  const pulls = [...repo.issues.values()].filter(
    (i) => i.pull && i.state === "open" && i.pull.headSha === run.head_sha,
  );
  return {
    id: run.id,
    head_sha: run.head_sha,
    node_id: nodeId("CR", run.id),
    external_id: run.external_id,
    url: api,
    html_url: `${urls.web}/${repo.full_name}/runs/${run.id}`,
    // Without one, GitHub links the check to the app's homepage (the webhook types it a string).
    details_url: run.details_url ?? `${urls.web}/apps/${app.slug}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${api}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.check_suite_id },
    app: run.app_id === app.id ? serializeApp(urls, app) : otherApp(urls, app, run.app_id),
    pull_requests: pulls.map((issue) => ({
      id: issue.pull?.pullId ?? issue.id,
      number: issue.number,
      url: `${urls.api}/repos/${repo.full_name}/pulls/${issue.number}`,
      head: {
        ref: issue.pull?.headRef ?? "",
        sha: issue.pull?.headSha ?? "",
        repo: { id: repo.id, url: `${urls.api}/repos/${repo.full_name}`, name: repo.name },
      },
      base: {
        ref: issue.pull?.baseRef ?? repo.default_branch,
        sha: repo.branches.get(issue.pull?.baseRef ?? repo.default_branch) ?? "",
        repo: { id: repo.id, url: `${urls.api}/repos/${repo.full_name}`, name: repo.name },
      },
    })),
  };
}

export function serializeInstallation(
  urls: Urls,
  app: AppRecord,
  installation: InstallationRecord,
): Schemas["installation"] {
  return {
    id: installation.id,
    account: serializeUser(urls, installation.account),
    repository_selection: "selected",
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/settings/installations/${installation.id}`,
    app_id: app.id,
    client_id: `Iv1.emulator${app.id}`,
    target_id: installation.account.id,
    target_type: installation.account.type === "Organization" ? "Organization" : "User",
    permissions: { ...(installation.permissions ?? app.permissions) },
    events: installation.events ?? app.events,
    created_at: installation.created_at,
    updated_at: installation.created_at,
    single_file_name: null,
    app_slug: app.slug,
    suspended_by: null,
    suspended_at: null,
  };
}

export function serializeContentFile(
  urls: Urls,
  repo: RepoRecord,
  path: string,
  ref: string,
  file: { content: string; sha: string },
): Schemas["content-file"] {
  const api = `${urls.api}/repos/${repo.full_name}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${urls.web}/${repo.full_name}/blob/${ref}/${path}`;
  const gitUrl = `${urls.api}/repos/${repo.full_name}/git/blobs/${file.sha}`;
  return {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(file.content),
    name: path.split("/").pop() ?? path,
    path,
    content: Buffer.from(file.content).toString("base64"),
    sha: file.sha,
    url: api,
    git_url: gitUrl,
    html_url: html,
    download_url: `${urls.web}/raw/${repo.full_name}/${ref}/${path}`,
    _links: { git: gitUrl, html, self: api },
  };
}

/** GitHub's node id prefixes of the issue event types the emulator records. */
const ISSUE_EVENT_NODE_PREFIX: Record<IssueEventRecord["event"], string> = {
  labeled: "LE",
  unlabeled: "UNLE",
  closed: "CE",
  reopened: "REE",
  milestoned: "MIE",
  demilestoned: "DEME",
  renamed: "RTE",
  merged: "ME",
};

export type IssueEventJson =
  | Schemas["labeled-issue-event"]
  | Schemas["unlabeled-issue-event"]
  | Schemas["milestoned-issue-event"]
  | Schemas["demilestoned-issue-event"]
  | Schemas["renamed-issue-event"]
  | Schemas["state-change-issue-event"];

/** One entry of `GET /repos/{owner}/{repo}/issues/{issue_number}/events`. */
export function serializeIssueEvent(
  urls: Urls,
  repo: RepoRecord,
  app: AppRecord,
  record: IssueEventRecord,
): IssueEventJson {
  const base = {
    id: record.id,
    node_id: nodeId(ISSUE_EVENT_NODE_PREFIX[record.event], record.id),
    url: `${urls.api}/repos/${repo.full_name}/issues/events/${record.id}`,
    actor: serializeUser(urls, record.actor),
    event: record.event,
    commit_id: null,
    commit_url: null,
    created_at: record.created_at,
    // GitHub names the app only when the app's own bot did it; a person (or another bot) gets null.
    performed_via_github_app: record.actor.id === app.bot.id ? serializeApp(urls, app) : null,
  };
  switch (record.event) {
    case "labeled":
    case "unlabeled":
      return { ...base, label: { name: record.label.name, color: record.label.color } };
    case "milestoned":
    case "demilestoned":
      return { ...base, milestone: { title: record.milestone.title } };
    case "renamed":
      return { ...base, rename: { from: record.rename.from, to: record.rename.to } };
    case "closed":
    case "reopened":
      return { ...base, state_reason: record.state_reason };
    case "merged":
      return {
        ...base,
        commit_id: record.commit_id,
        commit_url: `${urls.api}/repos/${repo.full_name}/commits/${record.commit_id}`,
      } as IssueEventJson;
  }
}

/** A commit of a pull request (`GET …/pulls/{n}/commits`), with its parent in the PR. */
export function serializePullCommit(
  urls: Urls,
  repo: RepoRecord,
  issue: IssueRecord,
  sha: string,
  parent: string | null,
): Schemas["commit"] {
  const api = `${urls.api}/repos/${repo.full_name}`;
  const web = `${urls.web}/${repo.full_name}`;
  const person = {
    name: issue.user.login,
    email: `${issue.user.login}@users.noreply.github.com`,
    date: issue.created_at,
  };
  return {
    sha,
    node_id: `C_${sha.slice(0, 20)}`,
    url: `${api}/commits/${sha}`,
    html_url: `${web}/commit/${sha}`,
    comments_url: `${api}/commits/${sha}/comments`,
    commit: {
      url: `${api}/git/commits/${sha}`,
      author: person,
      committer: person,
      message: `Commit ${sha.slice(0, 7)} of #${issue.number}`,
      comment_count: 0,
      tree: { sha, url: `${api}/git/trees/${sha}` },
    },
    author: serializeUser(urls, issue.user),
    committer: serializeUser(urls, issue.user),
    parents: parent
      ? [{ sha: parent, url: `${api}/commits/${parent}`, html_url: `${web}/commit/${parent}` }]
      : [],
  };
}
