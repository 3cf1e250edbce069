import { labelNames } from "./gate-issues.js";
import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

export interface RepositoryFacts {
  fullName: string;
  htmlUrl: string;
  defaultBranch: string;
}

/**
 * The repository itself. Read first by the command line: the config lookup
 * treats a 404 as "no config here", which would hide a repository that does
 * not exist (or that the token cannot see) behind "not configured".
 */
export async function readRepository(octokit: GitHub, repo: RepoRef): Promise<RepositoryFacts> {
  const { data } = await octokit.rest.repos.get({ ...repo });
  return { fullName: data.full_name, htmlUrl: data.html_url, defaultBranch: data.default_branch };
}

/** An open issue's phase sources: its labels and milestone. */
export interface IssueFacts {
  number: number;
  title: string;
  labels: string[];
  milestone: string | null;
  htmlUrl: string;
  /** How many sub-issues it has (`sub_issues_summary.total`), when GitHub says. */
  subIssues?: number;
  /** Who opened it (null: a deleted account). */
  author: string | null;
}

/** Every open issue (pull requests left out), one paginated list. */
export async function listOpenIssues(octokit: GitHub, repo: RepoRef): Promise<IssueFacts[]> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...repo,
    state: "open",
    per_page: 100,
  });
  return issues
    .filter((issue) => !issue.pull_request)
    .map((issue) => ({
      number: issue.number,
      title: issue.title,
      labels: labelNames(issue.labels),
      milestone: issue.milestone?.title ?? null,
      htmlUrl: issue.html_url,
      ...(issue.sub_issues_summary ? { subIssues: issue.sub_issues_summary.total } : {}),
      author: issue.user?.login ?? null,
    }));
}

/** An issue or PR as the issues API shows it now: what the phase label sync and "not yet" read. */
export interface IssueNow {
  number: number;
  state: string;
  comments: number;
  labels: string[];
  milestone: string | null;
  body: string | null;
  isPullRequest: boolean;
}

export async function getIssueNow(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
): Promise<IssueNow> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
  return {
    number: data.number,
    state: data.state,
    comments: data.comments,
    labels: labelNames(data.labels),
    milestone: data.milestone?.title ?? null,
    body: data.body ?? null,
    isPullRequest: Boolean(data.pull_request),
  };
}

/** The app's own slug (`GET /app`, as the app): its bot is `<slug>[bot]`. */
export async function readAppSlug(octokit: GitHub): Promise<string> {
  const { data } = await octokit.rest.apps.getAuthenticated();
  if (!data?.slug) throw new Error("GET /app returned no slug: cannot tell the app's own writes");
  return data.slug;
}

/**
 * A GitHub App's id from its slug (`GET /apps/{slug}`, readable with any
 * token), so its check runs are found by id as the app itself finds them.
 * Null when no app of that slug is visible (a private registration).
 */
export async function appIdOfSlug(octokit: GitHub, slug: string): Promise<number | null> {
  try {
    const { data } = await octokit.rest.apps.getBySlug({ app_slug: slug });
    return data?.id ?? null;
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}

/** Repositories of an organisation (`GET /orgs/{org}/repos`, 100 a page), archived ones left out. */
export async function listOrgRepos(octokit: GitHub, org: string): Promise<RepoRef[]> {
  const repos = await octokit.paginate(octokit.rest.repos.listForOrg, {
    org,
    per_page: 100,
    type: "all",
  });
  return repos
    .filter((r) => !r.archived)
    .map((r) => ({ owner: r.owner.login, repo: r.name }))
    .sort((a, b) => a.repo.toLowerCase().localeCompare(b.repo.toLowerCase()));
}
