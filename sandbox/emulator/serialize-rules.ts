import type { components } from "@octokit/openapi-types";
import { nodeId, type Urls } from "./serialize.js";
import type { AppRecord, EnvironmentRecord, RepoRecord, RulesetRecord } from "./types.js";

type Schemas = components["schemas"];

function rulesetLinks(urls: Urls, repo: RepoRecord, ruleset: RulesetRecord) {
  const org = ruleset.sourceType === "Organization";
  return {
    self: {
      href: org
        ? `${urls.api}/orgs/${ruleset.source}/rulesets/${ruleset.id}`
        : `${urls.api}/repos/${repo.full_name}/rulesets/${ruleset.id}`,
    },
    html: {
      href: org
        ? `${urls.web}/organizations/${ruleset.source}/settings/rules/${ruleset.id}`
        : `${urls.web}/${repo.full_name}/rules/${ruleset.id}`,
    },
  };
}

/** `GET …/rulesets/{id}` and the answer to its creation: the ruleset with its conditions and rules. */
export function serializeRuleset(
  urls: Urls,
  repo: RepoRecord,
  ruleset: RulesetRecord,
): Schemas["repository-ruleset"] {
  return {
    ...serializeRulesetSummary(urls, repo, ruleset),
    current_user_can_bypass: "never",
    conditions: { ref_name: { include: [...ruleset.include], exclude: [...ruleset.exclude] } },
    rules: ruleset.rules.map((r) => structuredClone(r)) as Schemas["repository-rule"][],
  };
}

/** `GET …/rulesets`: each ruleset without its conditions and rules, as GitHub lists them. */
export function serializeRulesetSummary(
  urls: Urls,
  repo: RepoRecord,
  ruleset: RulesetRecord,
): Schemas["repository-ruleset"] {
  return {
    id: ruleset.id,
    name: ruleset.name,
    target: "branch",
    source_type: ruleset.sourceType,
    source: ruleset.source,
    enforcement: ruleset.enforcement,
    node_id: nodeId("RRS", ruleset.id),
    _links: rulesetLinks(urls, repo, ruleset),
    created_at: ruleset.created_at,
    updated_at: ruleset.updated_at,
  };
}

/** One rule of "Get rules for a branch": the rule with the ruleset it comes from. */
export function serializeBranchRule(
  ruleset: RulesetRecord,
  rule: RulesetRecord["rules"][number],
): Schemas["repository-rule-detailed"] {
  return {
    ...structuredClone(rule),
    ruleset_source_type: ruleset.sourceType,
    ruleset_source: ruleset.source,
    ruleset_id: ruleset.id,
  } as Schemas["repository-rule-detailed"];
}

/** `GET …/branches/{branch}`: the branch, whether it is protected, and what its protection requires. */
export function serializeBranch(
  urls: Urls,
  repo: RepoRecord,
  branch: string,
  sha: string,
): Schemas["branch-with-protection"] {
  const api = `${urls.api}/repos/${repo.full_name}`;
  const web = `${urls.web}/${repo.full_name}`;
  const protection = repo.protection?.get(branch) ?? null;
  const person = {
    name: repo.owner.login,
    email: `${repo.owner.login}@users.noreply.github.com`,
    date: repo.created_at,
  };
  return {
    name: branch,
    commit: {
      sha,
      node_id: `C_${sha.slice(0, 20)}`,
      url: `${api}/commits/${sha}`,
      html_url: `${web}/commit/${sha}`,
      comments_url: `${api}/commits/${sha}/comments`,
      commit: {
        url: `${api}/git/commits/${sha}`,
        author: person,
        committer: person,
        message: `Head of ${branch}`,
        comment_count: 0,
        tree: { sha, url: `${api}/git/trees/${sha}` },
      },
      author: null,
      committer: null,
      parents: [],
    },
    _links: { html: `${web}/tree/${branch}`, self: `${api}/branches/${branch}` },
    protected: protection !== null,
    protection: protection
      ? {
          enabled: true,
          required_status_checks: {
            enforcement_level: "non_admins",
            contexts: protection.checks.map((c) => c.context),
            checks: protection.checks.map((c) => ({ ...c })),
          },
        }
      : {
          enabled: false,
          required_status_checks: { enforcement_level: "off", contexts: [], checks: [] },
        },
    protection_url: `${api}/branches/${branch}/protection`,
  };
}

/** `GET …/branches/{branch}/protection/required_status_checks` (Administration read). */
export function serializeStatusChecks(
  urls: Urls,
  repo: RepoRecord,
  branch: string,
): Schemas["status-check-policy"] {
  const url = `${urls.api}/repos/${repo.full_name}/branches/${branch}/protection/required_status_checks`;
  const checks = repo.protection?.get(branch)?.checks ?? [];
  return {
    url,
    strict: repo.protection?.get(branch)?.strict ?? false,
    contexts: checks.map((c) => c.context),
    checks: checks.map((c) => ({ ...c })),
    contexts_url: `${url}/contexts`,
  };
}

export function serializeEnvironment(
  urls: Urls,
  repo: RepoRecord,
  env: EnvironmentRecord,
): Schemas["environment"] {
  return {
    id: env.id,
    node_id: nodeId("EN", env.id),
    name: env.name,
    url: `${urls.api}/repos/${repo.full_name}/environments/${encodeURIComponent(env.name)}`,
    html_url: `${urls.web}/${repo.full_name}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
    created_at: env.created_at,
    updated_at: env.created_at,
    protection_rules: [],
  };
}

/** A custom deployment protection rule: the app a deployment to the environment waits for. */
export function serializeDeploymentProtectionRule(
  urls: Urls,
  app: AppRecord,
  rule: EnvironmentRecord["customRules"][number],
): Schemas["deployment-protection-rule"] {
  // Only the emulator's own app can be installed; any other id is shown as an unknown app.
  const slug = rule.appId === app.id ? app.slug : `app-${rule.appId}`;
  return {
    id: rule.id,
    node_id: nodeId("GA", rule.id),
    enabled: rule.enabled,
    app: {
      id: rule.appId,
      slug,
      integration_url: `${urls.api}/apps/${slug}`,
      node_id: nodeId("A", rule.appId),
    },
  };
}
