import type {
  BranchProtectionRecord,
  EnvironmentRecord,
  RepoRecord,
  RulesetRecord,
} from "../types.js";
import { ApiError, nowIso, type StateCore } from "./core.js";

/**
 * What makes a check required on a branch (rulesets, classic branch
 * protection) and what guards a deployment environment (custom protection
 * rules), and what an installation's owner accepted. None of these send a
 * webhook the app subscribes to.
 */

export interface RulesetInput {
  name?: string;
  enforcement?: RulesetRecord["enforcement"];
  /** Default: the default branch. */
  include?: string[];
  exclude?: string[];
  rules?: RulesetRecord["rules"];
  /** An organisation's ruleset that applies to this repository (default: the repository's own). */
  organization?: boolean;
}

/** A ruleset's `required_status_checks` rule: `appId` pins each check to an app (`integration_id`). */
export function requiredChecksRule(
  checks: Array<{ context: string; appId?: number | null }>,
): RulesetRecord["rules"][number] {
  return {
    type: "required_status_checks",
    parameters: {
      strict_required_status_checks_policy: false,
      do_not_enforce_on_create: false,
      required_status_checks: checks.map((c) =>
        c.appId == null ? { context: c.context } : { context: c.context, integration_id: c.appId },
      ),
    },
  };
}

export function createRuleset(s: StateCore, repo: RepoRecord, input: RulesetInput): RulesetRecord {
  const at = nowIso();
  const org = input.organization === true;
  const ruleset: RulesetRecord = {
    id: s.nextId(),
    name: input.name ?? "Protect the default branch",
    sourceType: org ? "Organization" : "Repository",
    source: org ? repo.owner.login : repo.full_name,
    enforcement: input.enforcement ?? "active",
    include: input.include ?? ["~DEFAULT_BRANCH"],
    exclude: input.exclude ?? [],
    rules: input.rules ?? [],
    created_at: at,
    updated_at: at,
  };
  repo.rulesets ??= [];
  repo.rulesets.push(ruleset);
  return ruleset;
}

export function findRuleset(repo: RepoRecord, id: number): RulesetRecord {
  const ruleset = repo.rulesets?.find((r) => r.id === id);
  if (!ruleset) throw new ApiError(404, "Not Found");
  return ruleset;
}

export function deleteRuleset(repo: RepoRecord, id: number): void {
  const ruleset = findRuleset(repo, id);
  repo.rulesets = (repo.rulesets ?? []).filter((r) => r !== ruleset);
}

/** `fnmatch`-style: `*` within a path segment, `**` across. */
function globMatches(pattern: string, value: string): boolean {
  const re = pattern
    .split("**")
    .map((part) =>
      part
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join(".*");
  return new RegExp(`^${re}$`).test(value);
}

function refMatches(repo: RepoRecord, pattern: string, branch: string): boolean {
  if (pattern === "~ALL") return true;
  if (pattern === "~DEFAULT_BRANCH") return branch === repo.default_branch;
  return globMatches(pattern, `refs/heads/${branch}`);
}

/** The active rulesets whose conditions take `branch` in. */
export function rulesetsFor(repo: RepoRecord, branch: string): RulesetRecord[] {
  return (repo.rulesets ?? []).filter(
    (r) =>
      r.enforcement === "active" &&
      r.include.some((p) => refMatches(repo, p, branch)) &&
      !r.exclude.some((p) => refMatches(repo, p, branch)),
  );
}

/** Classic branch protection requiring `checks` (null removes the rule). */
export function setBranchProtection(
  repo: RepoRecord,
  branch: string,
  protection: BranchProtectionRecord | null,
): void {
  repo.protection ??= new Map();
  if (protection === null) repo.protection.delete(branch);
  else repo.protection.set(branch, protection);
}

/** An environment, created if missing; `withAppRule` adds (or keeps) the app's custom protection rule. */
export function ensureEnvironment(
  s: StateCore,
  repo: RepoRecord,
  name: string,
  options: { appRule?: boolean } = {},
): EnvironmentRecord {
  repo.environments ??= new Map();
  let env = repo.environments.get(name.toLowerCase());
  if (!env) {
    env = { id: s.nextId(), name, created_at: nowIso(), customRules: [] };
    repo.environments.set(name.toLowerCase(), env);
  }
  const has = env.customRules.some((r) => r.appId === s.app.id);
  if (options.appRule === true && !has)
    env.customRules.push({ id: s.nextId(), appId: s.app.id, enabled: true });
  if (options.appRule === false && has)
    env.customRules = env.customRules.filter((r) => r.appId !== s.app.id);
  return env;
}

/** What an installation's owner has accepted, when it is not what the app asks (e.g. an update never accepted). */
export function setInstallationGrants(
  s: StateCore,
  installationId: number,
  grants: { permissions?: Record<string, string>; events?: string[] },
): void {
  const installation = s.installations.get(installationId);
  if (!installation) throw new ApiError(404, "Not Found");
  if (grants.permissions) installation.permissions = { ...grants.permissions };
  if (grants.events) installation.events = [...grants.events];
}
