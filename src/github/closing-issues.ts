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
    return nodes.map((n) => ({
      owner: n.repository.owner.login,
      repo: n.repository.name,
      number: n.number,
    }));
  } catch (error) {
    const status = httpStatus(error);
    // No GraphQL endpoint here (or not this field): fall back to the body for good.
    if (status === 404 || status === 410 || status === 501 || isSchemaError(error)) {
      support.available = false;
      return null;
    }
    throw error;
  }
}

function isSchemaError(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string; message?: string }[] }).errors;
  return (
    Array.isArray(errors) &&
    errors.some((e) => /closingIssuesReferences|undefinedField/i.test(`${e.type} ${e.message}`))
  );
}
