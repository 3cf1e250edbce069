import type { IssueRef } from "../core/types.js";
import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

/** Whether this API answers GraphQL; found out once per process (older GHES, the sandbox: no). */
export interface GraphqlSupport {
  available: boolean;
}

const QUERY = `query($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      closingIssuesReferences(first: 50) {
        nodes { number repository { name owner { login } } }
      }
    }
  }
}`;

const BULK_QUERY = `query($owner: String!, $repo: String!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequests(states: OPEN, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        closingIssuesReferences(first: 50) {
          nodes { number repository { name owner { login } } }
        }
      }
    }
  }
}`;

type ClosingNode = { number: number; repository: { name: string; owner: { login: string } } };

interface BulkResult {
  repository: {
    pullRequests: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: { number: number; closingIssuesReferences: { nodes: ClosingNode[] } }[];
    };
  } | null;
}

const toRef = (n: ClosingNode): IssueRef => ({
  owner: n.repository.owner.login,
  repo: n.repository.name,
  number: n.number,
});

/**
 * GitHub's list of the issues every open PR closes, 100 PRs per query: a
 * fan-out over many PRs asks once, not once per PR (every request counts
 * against the installation's budget, github/request-budget.ts). Null when GraphQL is unavailable.
 */
export async function closingIssuesOfOpenPulls(
  octokit: GitHub,
  repo: RepoRef,
  support: GraphqlSupport,
): Promise<Map<number, IssueRef[]> | null> {
  if (!support.available) return null;
  const byPull = new Map<number, IssueRef[]>();
  let after: string | null = null;
  try {
    do {
      const data: BulkResult = await octokit.graphql<BulkResult>(BULK_QUERY, {
        owner: repo.owner,
        repo: repo.repo,
        after,
      });
      const page = data.repository?.pullRequests;
      for (const pr of page?.nodes ?? [])
        byPull.set(pr.number, pr.closingIssuesReferences.nodes.map(toRef));
      after = page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
  } catch (error) {
    if (unavailable(error)) {
      support.available = false;
      return null;
    }
    throw error;
  }
  return byPull;
}

interface ClosingResult {
  repository: {
    pullRequest: {
      closingIssuesReferences: {
        nodes: { number: number; repository: { name: string; owner: { login: string } } }[];
      };
    } | null;
  } | null;
}

/**
 * The issues GitHub itself says a PR closes (GraphQL `closingIssuesReferences`):
 * closing keywords and issues linked in the PR's "Development" sidebar, which
 * the body does not show. Null when GraphQL is unavailable; the body's closing
 * keywords are then all there is.
 */
export async function closingIssuesOf(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
  support: GraphqlSupport,
): Promise<IssueRef[] | null> {
  if (!support.available) return null;
  try {
    const data = await octokit.graphql<ClosingResult>(QUERY, {
      owner: repo.owner,
      repo: repo.repo,
      number,
    });
    const nodes = data.repository?.pullRequest?.closingIssuesReferences.nodes ?? [];
    return nodes.map(toRef);
  } catch (error) {
    if (unavailable(error)) {
      support.available = false;
      return null;
    }
    throw error;
  }
}

/** No GraphQL endpoint here (or not this field): the body is used from now on. */
function unavailable(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 404 || status === 410 || status === 501 || isSchemaError(error);
}

function isSchemaError(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string; message?: string }[] }).errors;
  return (
    Array.isArray(errors) &&
    errors.some((e) => /closingIssuesReferences|undefinedField/i.test(`${e.type} ${e.message}`))
  );
}
