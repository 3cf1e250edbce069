import {
  serializeBranch,
  serializeBranchRule,
  serializeDeploymentProtectionRule,
  serializeEnvironment,
  serializeRuleset,
  serializeRulesetSummary,
  serializeStatusChecks,
} from "../serialize-rules.js";
import { ApiError } from "../state/index.js";
import { createRuleset, deleteRuleset, findRuleset, rulesetsFor } from "../state/rules.js";
import type { RepoRecord, RulesetRecord } from "../types.js";
import {
  bodyObject,
  intParam,
  paged,
  param,
  R,
  type Route,
  type RouteContext,
  repoOf,
  str,
} from "./helpers.js";

/**
 * Administration endpoints: the app does not ask for Administration, so its
 * installation token is refused with 403, as on GitHub; a person needs admin.
 */
function requireAdmin(ctx: RouteContext, repo: RepoRecord): void {
  if (ctx.auth.kind === "installation") {
    throw new ApiError(403, "Resource not accessible by integration");
  }
  if (ctx.auth.kind !== "user") throw new ApiError(401, "Requires authentication");
  if (ctx.state.roleOf(repo, ctx.auth.login) !== "admin") {
    throw new ApiError(403, "Must have admin rights to Repository.");
  }
}

function branchOf(ctx: RouteContext, repo: RepoRecord): { name: string; sha: string } {
  const name = param(ctx, "branch");
  const sha = repo.branches.get(name);
  if (!sha) throw new ApiError(404, "Branch not found");
  return { name, sha };
}

function rulesetInput(ctx: RouteContext) {
  const body = bodyObject(ctx);
  const name = str(body.name);
  if (!name) throw new ApiError(422, "Invalid request: name is required.");
  const enforcement = str(body.enforcement) ?? "disabled";
  if (!["active", "disabled", "evaluate"].includes(enforcement)) {
    throw new ApiError(422, `Invalid request: enforcement "${enforcement}" is not allowed.`);
  }
  const refName = (body.conditions as { ref_name?: { include?: unknown; exclude?: unknown } })
    ?.ref_name;
  const list = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  return {
    name,
    enforcement: enforcement as RulesetRecord["enforcement"],
    include: list(refName?.include),
    exclude: list(refName?.exclude),
    rules: Array.isArray(body.rules) ? (body.rules as RulesetRecord["rules"]) : [],
  };
}

export const ruleRoutes: Route[] = [
  // Rules for a branch: every active rule, from rulesets of every level (metadata read)
  {
    method: "GET",
    template: `${R}/rules/branches/{branch}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const branch = param(ctx, "branch");
      const rules = rulesetsFor(repo, branch).flatMap((ruleset) =>
        ruleset.rules.map((rule) => serializeBranchRule(ruleset, rule)),
      );
      return paged(ctx, rules, `/repos/${repo.full_name}/rules/branches/${branch}`);
    },
  },
  // Rulesets (Settings → Rules → Rulesets)
  {
    method: "GET",
    template: `${R}/rulesets`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const own = (repo.rulesets ?? []).map((r) =>
        serializeRulesetSummary(ctx.state.urls, repo, r),
      );
      return paged(ctx, own, `/repos/${repo.full_name}/rulesets`);
    },
  },
  {
    method: "POST",
    template: `${R}/rulesets`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      requireAdmin(ctx, repo);
      const ruleset = createRuleset(ctx.state, repo, rulesetInput(ctx));
      return { status: 201, body: serializeRuleset(ctx.state.urls, repo, ruleset) };
    },
  },
  {
    method: "GET",
    template: `${R}/rulesets/{ruleset_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const ruleset = findRuleset(repo, intParam(ctx, "ruleset_id"));
      return { body: serializeRuleset(ctx.state.urls, repo, ruleset) };
    },
  },
  {
    method: "DELETE",
    template: `${R}/rulesets/{ruleset_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      requireAdmin(ctx, repo);
      deleteRuleset(repo, intParam(ctx, "ruleset_id"));
      return { status: 204 };
    },
  },
  // A branch, with whether it is protected and what its protection requires (contents read)
  {
    method: "GET",
    template: `${R}/branches/{branch}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const { name, sha } = branchOf(ctx, repo);
      return { body: serializeBranch(ctx.state.urls, repo, name, sha) };
    },
  },
  // Classic branch protection's required checks (Administration read)
  {
    method: "GET",
    template: `${R}/branches/{branch}/protection/required_status_checks`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const { name } = branchOf(ctx, repo);
      requireAdmin(ctx, repo);
      if (!repo.protection?.has(name)) throw new ApiError(404, "Branch not protected");
      return { body: serializeStatusChecks(ctx.state.urls, repo, name) };
    },
  },
  // Deployment environments and their custom protection rules
  {
    method: "GET",
    template: `${R}/environments`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const all = [...(repo.environments?.values() ?? [])].map((e) =>
        serializeEnvironment(ctx.state.urls, repo, e),
      );
      return { body: { total_count: all.length, environments: all } };
    },
  },
  {
    method: "GET",
    template: `${R}/environments/{environment_name}/deployment_protection_rules`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const env = repo.environments?.get(param(ctx, "environment_name").toLowerCase());
      if (!env) throw new ApiError(404, "Not Found");
      const rules = env.customRules.map((r) =>
        serializeDeploymentProtectionRule(ctx.state.urls, ctx.state.app, r),
      );
      return { body: { total_count: rules.length, custom_deployment_protection_rules: rules } };
    },
  },
];
