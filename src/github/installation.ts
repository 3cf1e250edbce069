import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

/** Every repository this installation can reach (`GET /installation/repositories`). */
export async function listInstallationRepositories(octokit: GitHub): Promise<RepoRef[]> {
  const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
    per_page: 100,
  });
  return repos.map((r) => ({ owner: r.owner.login, repo: r.name }));
}

/** The app's installation on a repository, as the owner accepted it (`GET /repos/{o}/{r}/installation`, app JWT). */
export interface RepoInstallation {
  id: number;
  account: string;
  /** Where the owner reviews and accepts the app's permissions. */
  htmlUrl: string;
  repositorySelection: string;
  permissions: Record<string, string>;
  events: string[];
  suspended: boolean;
}

/** Null when the app is not installed on the repository (404). */
export async function readRepoInstallation(
  octokit: GitHub,
  repo: RepoRef,
): Promise<RepoInstallation | null> {
  try {
    const { data } = await octokit.rest.apps.getRepoInstallation({ ...repo });
    const account = data.account && "login" in data.account ? data.account.login : repo.owner;
    return {
      id: data.id,
      account,
      htmlUrl: data.html_url,
      repositorySelection: data.repository_selection,
      permissions: Object.fromEntries(
        Object.entries(data.permissions ?? {}).flatMap(([k, v]) =>
          typeof v === "string" ? [[k, v]] : [],
        ),
      ),
      events: data.events ?? [],
      suspended: Boolean(data.suspended_at),
    };
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}
