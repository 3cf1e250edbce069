import { RepoJob } from "../app/jobs/repo-job.js";
import type { ConfigError } from "../config/parse-config.js";
import type { Config } from "../config/schema.js";
import type { RepoRef } from "../github/octokit.js";
import { appIdOfSlug, type RepositoryFacts, readRepository } from "../github/repository.js";
import {
  type Connection,
  connect,
  describeGitHubError,
  enterpriseApiUrl,
  isNotFound,
  parseRepo,
} from "./connect.js";
import { CliError, EXIT } from "./exit-codes.js";

export interface NetworkOptions {
  apiUrl?: string;
  appSlug: string;
  appId?: number;
  json?: boolean;
  color?: boolean;
}

export interface OpenRepo {
  conn: Connection;
  repo: RepoRef;
  facts: RepositoryFacts;
  job: RepoJob;
  /** The app whose runs hold the phase floor: its id when given, else its slug. */
  app: { id: number | null; slug: string };
  loaded: { kind: "ok"; config: Config; sources: string[] } | InvalidConfig;
}

export interface InvalidConfig {
  kind: "invalid";
  errors: ConfigError[];
  sources: string[];
}

/**
 * A client and the repository's facts. An API URL given with no path that
 * answers 404 is tried again as GitHub Enterprise Server's (`…/api/v3`): it
 * is kept when the repository is there (with a warning naming the URL to
 * pass), and the 404 says where both were looked for when it is not.
 */
async function connectToRepository(
  repo: RepoRef,
  apiUrl: string | undefined,
  version: string,
): Promise<{ conn: Connection; facts: RepositoryFacts }> {
  const fullName = `${repo.owner}/${repo.repo}`;
  const notFound = (where: string) =>
    `repository ${fullName} not found at ${where}, or the token cannot see it (404)`;
  const conn = connect(apiUrl, version);
  try {
    return { conn, facts: await readRepository(conn.octokit, repo) };
  } catch (error) {
    const enterprise = isNotFound(error) ? enterpriseApiUrl(conn.apiUrl) : null;
    if (!enterprise) {
      throw describeGitHubError(error, { apiUrl: conn.apiUrl, notFound: notFound(conn.apiUrl) });
    }
    const retried = connect(enterprise, version);
    try {
      const facts = await readRepository(retried.octokit, repo);
      retried.log.warn(
        `${conn.apiUrl} answered 404, ${enterprise} (GitHub Enterprise Server's API path) answered: pass --api-url ${enterprise}`,
      );
      return { conn: retried, facts };
    } catch (second) {
      throw describeGitHubError(second, {
        apiUrl: enterprise,
        notFound: notFound(
          `${conn.apiUrl} nor at ${enterprise} (GitHub Enterprise Server's API is at https://HOST/api/v3)`,
        ),
      });
    }
  }
}

/**
 * The first steps of `status` and `explain`: a client, the repository (a
 * 404 here is the repository, not its config), and its config read exactly
 * as the app reads it (default branch, owner's `.github`, `_extends`).
 */
export async function openRepo(
  repoArg: string,
  options: NetworkOptions,
  version: string,
): Promise<OpenRepo> {
  const repo = parseRepo(repoArg);
  const { conn, facts } = await connectToRepository(repo, options.apiUrl, version);
  const guard = <T>(p: Promise<T>): Promise<T> =>
    p.catch((error: unknown) => {
      throw describeGitHubError(error, { apiUrl: conn.apiUrl });
    });
  // By id, as the app finds its runs (the phase floor's look-back at earlier commits included).
  const app = {
    id: options.appId ?? (await guard(appIdOfSlug(conn.octokit, options.appSlug))),
    slug: options.appSlug,
  };
  const job = new RepoJob(
    conn.octokit,
    repo,
    conn.log,
    { appId: app.id, appLogin: `${app.slug}[bot]` },
    "cli",
  );
  const loaded = await guard(job.config());
  if (loaded.kind === "none") {
    throw new CliError(
      `${repo.owner}/${repo.repo} is not configured: no .github/phase-gates.yml on its default branch nor in ${repo.owner}/.github, so the app does nothing there (\`phase-gates init\` writes one)`,
      EXIT.notConfigured,
    );
  }
  return { conn, repo, facts, job, app, loaded };
}
