import {
  type CappedReferences,
  parseClosingReferences,
  parseClosingReferencesCapped,
} from "../core/closing-keywords.js";
import type { IssueRef, LinkedIssueFacts } from "../core/types.js";
import { labelNames } from "./gate-issues.js";
import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

/** The facts of a PR the evaluation needs, the same from the pulls list or a single PR. */
export interface PullFacts {
  number: number;
  title: string;
  state: string;
  headSha: string;
  body: string | null;
  labels: string[];
  milestone: string | null;
  htmlUrl: string;
  /** GitHub's GraphQL node id, where the payload or list gave it (a project item points at it). */
  nodeId?: string;
}

interface PullLike {
  number: number;
  title: string;
  state: string;
  head: { sha: string };
  body?: string | null;
  labels: { name?: string }[];
  milestone?: { title: string } | null;
  html_url: string;
  node_id?: string;
}

export function toPullFacts(pr: PullLike): PullFacts {
  return {
    number: pr.number,
    title: pr.title,
    state: pr.state,
    headSha: pr.head.sha,
    body: pr.body ?? null,
    labels: labelNames(pr.labels),
    milestone: pr.milestone?.title ?? null,
    htmlUrl: pr.html_url,
    ...(pr.node_id ? { nodeId: pr.node_id } : {}),
  };
}

/** Whether two views of a PR agree on everything the check reads. */
export function samePullFacts(a: PullFacts, b: PullFacts): boolean {
  return (
    a.state === b.state &&
    a.headSha === b.headSha &&
    a.title === b.title &&
    a.body === b.body &&
    a.milestone === b.milestone &&
    a.labels.length === b.labels.length &&
    a.labels.every((label, i) => label === b.labels[i])
  );
}

export async function getPull(octokit: GitHub, repo: RepoRef, number: number): Promise<PullFacts> {
  return getPullUpdated(octokit, repo, number);
}

/** The PR as it is now, and when GitHub last changed it (`updated_at`). */
export async function getPullUpdated(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
): Promise<PullFacts & { updatedAt: string }> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return { ...toPullFacts(data), updatedAt: data.updated_at };
}

/** The SHAs of a PR's commits, oldest first (GitHub lists at most 250). */
export async function listPullCommitShas(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
): Promise<string[]> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, {
    ...repo,
    pull_number: number,
    per_page: 100,
  });
  return commits.map((c) => c.sha);
}

/** Every open PR, one paginated list: labels, milestone, body and head SHA come with it. */
export async function listOpenPulls(octokit: GitHub, repo: RepoRef): Promise<PullFacts[]> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: "open",
    per_page: 100,
  });
  return pulls.map(toPullFacts);
}

/** GitHub's web host for closing-keyword URLs: github.com, or the GHES host. */
export function webHost(): string {
  return process.env.GHE_HOST?.replace(/\/.*$/, "") ?? "github.com";
}

/** The issues a PR body closes, at most `MAX_LINKED_ISSUES`, and how many more it named. */
export function closingReferencesCapped(repo: RepoRef, body: string | null): CappedReferences {
  return parseClosingReferencesCapped(body, repo, webHost());
}

export function closingReferences(repo: RepoRef, body: string | null): IssueRef[] {
  return parseClosingReferences(body, repo, webHost());
}

/** An issue as the REST API shows it, as far as its phase goes. */
export interface IssueLike {
  html_url: string;
  labels: Parameters<typeof labelNames>[0];
  milestone?: { title: string } | null;
  parent_issue_url?: string | null;
}

/**
 * An issue's parent from its `parent_issue_url` (`…/repos/{o}/{r}/issues/{n}`):
 * a ref, or undefined when the read leaves the field out, as GitHub does for
 * an issue with no parent (then only `GET …/parent` can tell).
 */
export function parentOfIssue(issue: { parent_issue_url?: string | null }): IssueRef | undefined {
  const match = /\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/?$/.exec(issue.parent_issue_url ?? "");
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return {
    owner: decodeURIComponent(match[1]),
    repo: decodeURIComponent(match[2]),
    number: Number(match[3]),
  };
}

export function linkedIssueFacts(ref: IssueRef, data: IssueLike): LinkedIssueFacts {
  const parent = parentOfIssue(data);
  return {
    ref,
    readable: true,
    url: data.html_url,
    labels: labelNames(data.labels),
    milestone: data.milestone?.title ?? null,
    ...(parent ? { parent } : {}),
  };
}

/** Reads linked issues once per job, however many PRs name them. */
export class LinkedIssueReader {
  readonly #cache = new Map<string, Promise<LinkedIssueFacts>>();

  constructor(private readonly octokit: GitHub) {}

  /** An issue this job already has from another read (a `GET …/parent` answer): not asked again. */
  remember(facts: LinkedIssueFacts): void {
    const { ref } = facts;
    const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
    if (!this.#cache.has(key)) this.#cache.set(key, Promise.resolve(facts));
  }

  read(ref: IssueRef): Promise<LinkedIssueFacts> {
    const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
    let found = this.#cache.get(key);
    if (!found) {
      found = this.octokit.rest.issues
        .get({ owner: ref.owner, repo: ref.repo, issue_number: ref.number })
        .then(({ data }): LinkedIssueFacts => linkedIssueFacts(ref, data))
        .catch((error: unknown): LinkedIssueFacts => {
          const status = httpStatus(error);
          // 404/403: another repo outside the installation, or a deleted issue. Reported, not hidden.
          if (status === 404 || status === 403 || status === 410) {
            return {
              ref,
              readable: false,
              reason:
                status === 410
                  ? "it was deleted"
                  : "the app has no access to it or it does not exist",
            };
          }
          throw error;
        });
      this.#cache.set(key, found);
    }
    return found;
  }
}
