import {
  decideEnforcement,
  type Enforcement,
  type RequiredCheck,
  type RuleSource,
  unknownEnforcement,
} from "../core/enforcement.js";
import { rateLimitHoldMs } from "../core/request-cost.js";
import { type StateStore, space } from "../state/store.js";
import { type GitHub, httpStatus, type RepoRef, repoKey } from "./octokit.js";

/** A re-read is due when the last one is older than this (SPEC §5: on a dashboard refresh after an hour). */
export const ENFORCEMENT_MAX_AGE_MS = 3_600_000;

/** The last enforcement read of each repository, and when (epoch ms). */
export const ENFORCEMENT = space<{ at: number; enforcement: Enforcement }>("enforcement", {
  limit: 5_000,
  ttlMs: 7 * 86_400_000,
});

interface Answer {
  status: number | null;
  message: string;
  headers: Record<string, string | undefined>;
}

function answerOf(error: unknown): Answer {
  const e = error as {
    message?: unknown;
    response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  };
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(e?.response?.headers ?? {}))
    headers[k.toLowerCase()] = v === undefined ? undefined : String(v);
  const data = e?.response?.data;
  const message =
    typeof data === "object" && data !== null && "message" in data
      ? String((data as { message: unknown }).message)
      : String(e?.message ?? error);
  return { status: httpStatus(error), message, headers };
}

/**
 * A refusal that means "this reader may not see it" becomes a reason;
 * a rate limit, or anything that is not an HTTP answer, is thrown on.
 */
function unseenOrThrow(error: unknown, what: string): Unseen {
  const a = answerOf(error);
  if (a.status === null) throw error;
  const limited = rateLimitHoldMs(
    { status: a.status, headers: a.headers, body: a.message },
    Date.now(),
  );
  if (limited !== null || /rate limit/i.test(a.message)) throw error;
  const why = `${what}: GitHub answered ${a.status} ${a.message}`.trim();
  return a.status >= 500 ? { kind: "unseen", why, transient: true } : { kind: "unseen", why };
}

type Unseen = Extract<RuleSource, { kind: "unseen" }> & { transient?: true };

/** Active rulesets of every level for `branch` ("Get rules for a branch": metadata read). */
export async function readRulesetChecks(
  octokit: GitHub,
  repo: RepoRef,
  branch: string,
): Promise<RuleSource> {
  try {
    const rules = await octokit.paginate(octokit.rest.repos.getBranchRules, {
      ...repo,
      branch,
      per_page: 100,
    });
    const checks: RequiredCheck[] = [];
    for (const rule of rules) {
      if (rule.type !== "required_status_checks") continue;
      const by = {
        kind: "ruleset" as const,
        id: rule.ruleset_id ?? null,
        level: rule.ruleset_source_type ?? null,
        source: rule.ruleset_source ?? null,
      };
      for (const c of rule.parameters?.required_status_checks ?? []) {
        checks.push({ context: c.context, appId: c.integration_id ?? null, by });
      }
    }
    return { kind: "read", checks };
  } catch (error) {
    return unseenOrThrow(error, "the rules for the branch could not be read");
  }
}

function protectionChecks(status: {
  contexts?: string[];
  checks?: { context: string; app_id: number | null }[];
}): RequiredCheck[] {
  const by = { kind: "protection" as const };
  const checks = (status.checks ?? []).map((c) => ({ context: c.context, appId: c.app_id, by }));
  // Older answers list names only: a name without a check entry may come from any source.
  for (const context of status.contexts ?? []) {
    if (!checks.some((c) => c.context === context)) checks.push({ context, appId: null, by });
  }
  return checks;
}

/**
 * Classic branch protection's required checks. The branch itself (contents
 * read) says whether it is protected and, on GitHub, which checks it
 * requires; only when it does not say is the protection read, which needs
 * Administration read: the app does not ask for it, so a 403 is "cannot see".
 */
export async function readProtectionChecks(
  octokit: GitHub,
  repo: RepoRef,
  branch: string,
): Promise<RuleSource> {
  try {
    const { data } = await octokit.rest.repos.getBranch({ ...repo, branch });
    if (!data.protected) return { kind: "read", checks: [] };
    const summary = data.protection?.required_status_checks;
    if (summary && Array.isArray(summary.checks)) {
      return { kind: "read", checks: protectionChecks(summary) };
    }
  } catch (error) {
    return unseenOrThrow(error, `branch ${branch} could not be read`);
  }
  try {
    const { data } = await octokit.rest.repos.getStatusChecksProtection({ ...repo, branch });
    return { kind: "read", checks: protectionChecks(data) };
  } catch (error) {
    // 404: protected, but no required status checks.
    if (httpStatus(error) === 404) return { kind: "read", checks: [] };
    const unseen = unseenOrThrow(error, "branch protection could not be read");
    if (httpStatus(error) !== 403) return unseen;
    return {
      kind: "unseen",
      why: `branch ${branch} has a branch protection rule whose required checks cannot be read without Administration: read`,
    };
  }
}

export interface EnforcementTarget {
  /** This app's id; null when unknown (the decision says what that leaves open). */
  appId: number | null;
  /** The repository's web address, for the settings links. */
  repoUrl: string;
  /** The default branch when already known; read otherwise. */
  branch?: string;
}

export interface EnforcementRead {
  enforcement: Enforcement;
  /** A read failed in a way that may pass (5xx, network): not worth keeping for an hour. */
  transient: boolean;
}

/** Reads the rules of the default branch and decides (SPEC §5 "Does the gate bite?"). */
export async function readEnforcement(
  octokit: GitHub,
  repo: RepoRef,
  target: EnforcementTarget,
): Promise<EnforcementRead> {
  let branch = target.branch;
  if (branch === undefined) {
    try {
      branch = (await octokit.rest.repos.get({ ...repo })).data.default_branch;
    } catch (error) {
      const unseen = unseenOrThrow(error, "the repository could not be read");
      return {
        enforcement: unknownEnforcement("the default branch", unseen.why),
        transient: unseen.transient === true,
      };
    }
  }
  const rulesets = await readRulesetChecks(octokit, repo, branch);
  const protection = await readProtectionChecks(octokit, repo, branch);
  const enforcement = decideEnforcement({
    branch,
    repoUrl: target.repoUrl,
    appId: target.appId,
    rulesets,
    protection,
  });
  const transient = [rulesets, protection].some((s) => "transient" in s && s.transient === true);
  return { enforcement, transient };
}

/**
 * The repository's enforcement as last read, re-read when it is older than
 * `maxAgeMs` (or was forgotten: a config push, an installation).
 */
export async function recentEnforcement(
  octokit: GitHub,
  repo: RepoRef,
  store: StateStore,
  target: EnforcementTarget,
  options: { now?: number; maxAgeMs?: number } = {},
): Promise<Enforcement> {
  const now = options.now ?? Date.now();
  const known = await store.get(ENFORCEMENT, repoKey(repo));
  if (known && now - known.at < (options.maxAgeMs ?? ENFORCEMENT_MAX_AGE_MS))
    return known.enforcement;
  const { enforcement, transient } = await readEnforcement(octokit, repo, target);
  if (!transient) await store.set(ENFORCEMENT, repoKey(repo), { at: now, enforcement });
  return enforcement;
}

/** The rules may have changed (config push, installation): the next refresh reads them again. */
export async function forgetEnforcement(store: StateStore, repo: RepoRef): Promise<void> {
  await store.delete(ENFORCEMENT, repoKey(repo));
}
