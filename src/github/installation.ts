import type { GitHub, RepoRef } from "./octokit.js";

/** Every repository this installation can reach (`GET /installation/repositories`). */
export async function listInstallationRepositories(octokit: GitHub): Promise<RepoRef[]> {
  const repos = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
    per_page: 100,
  });
  return repos.map((r) => ({ owner: r.owner.login, repo: r.name }));
}
