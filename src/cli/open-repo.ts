import { RepoJob } from "../app/repo-job.js";
import type { ConfigError } from "../config/parse-config.js";
import type { Config } from "../config/schema.js";
import type { RepoRef } from "../github/octokit.js";
import { appIdOfSlug, type RepositoryFacts, readRepository } from "../github/repository.js";
import { type Connection, connect, describeGitHubError, parseRepo } from "./connect.js";
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
  const conn = connect(options.apiUrl, version);
  const fullName = `${repo.owner}/${repo.repo}`;
  const guard = <T>(p: Promise<T>, notFound?: string): Promise<T> =>
    p.catch((error: unknown) => {
      throw describeGitHubError(error, {
        apiUrl: conn.apiUrl,
        ...(notFound ? { notFound } : {}),
      });
    });
  const facts = await guard(
    readRepository(conn.octokit, repo),
    `repository ${fullName} not found at ${conn.apiUrl}, or the token cannot see it (404)`,
  );
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
      `${fullName} is not configured: no .github/phase-gates.yml on its default branch nor in ${repo.owner}/.github, so the app does nothing there (\`phase-gates init\` writes one)`,
      EXIT.notConfigured,
    );
  }
  return { conn, repo, facts, job, app, loaded };
}
