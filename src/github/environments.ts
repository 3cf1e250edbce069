import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

/** Every deployment environment of the repository (names only). */
export async function listEnvironmentNames(octokit: GitHub, repo: RepoRef): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; ; page++) {
    const { data } = await octokit.rest.repos.getAllEnvironments({ ...repo, per_page: 100, page });
    const envs = data.environments ?? [];
    names.push(...envs.map((e) => e.name));
    if (envs.length < 100) return names;
  }
}

/** Whether a deployment to an environment waits for an app's answer (its custom protection rule). */
export type EnvironmentRule =
  | { kind: "missing" }
  | { kind: "read"; appRule: "enabled" | "disabled" | "absent"; otherApps: string[] };

/**
 * The environment's custom deployment protection rules, and whether one is
 * this app's (by id when known, else by slug). 404: no such environment.
 */
export async function readEnvironmentRule(
  octokit: GitHub,
  repo: RepoRef,
  environment: string,
  app: { id: number | null; slug: string },
): Promise<EnvironmentRule> {
  try {
    const { data } = await octokit.rest.repos.getAllDeploymentProtectionRules({
      ...repo,
      environment_name: environment,
    });
    const rules = data.custom_deployment_protection_rules ?? [];
    const ours = rules.find((r) =>
      app.id !== null ? r.app.id === app.id : r.app.slug.toLowerCase() === app.slug.toLowerCase(),
    );
    return {
      kind: "read",
      appRule: ours ? (ours.enabled ? "enabled" : "disabled") : "absent",
      otherApps: rules.filter((r) => r !== ours).map((r) => r.app.slug),
    };
  } catch (error) {
    if (httpStatus(error) === 404) return { kind: "missing" };
    throw error;
  }
}
