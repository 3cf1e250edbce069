import { forgetEnforcement } from "../../github/enforcement.js";
import { handler, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { syncRepository } from "../recipes/sync-repository.js";

/** The app was installed on a repository: labels, milestones, gate issues, then a check on every open PR. */
export async function onInstalled(job: RepoJob): Promise<void> {
  await job.forgetConfig();
  await forgetEnforcement(job.store, job.repo);
  await syncRepository(job, "installed");
}

/** One job per repository the installation gained, each in that repository's queue. */
export const installationRoute = route(
  ["installation.created", "installation_repositories.added"],
  (context) => {
    const { payload } = context;
    const repos =
      "repositories_added" in payload ? payload.repositories_added : (payload.repositories ?? []);
    const owner =
      payload.installation.account && "login" in payload.installation.account
        ? payload.installation.account.login
        : "";
    return {
      forget: [{ links: "installation", installationId: payload.installation.id }],
      jobs: repos.map((r) => {
        const [repoOwner = owner, name = r.name] = r.full_name.split("/");
        return {
          kind: "installation" as const,
          repo: { owner: repoOwner, repo: name },
          input: {},
          deliverySuffix: `:${r.full_name}`,
        };
      }),
    };
  },
);

export const installationHandler = handler("installation", (job) => onInstalled(job));
