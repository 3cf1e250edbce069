import { CHECK_NAME } from "./render-check.js";

/**
 * "Does the gate bite?" (SPEC §5): whether the default branch requires the
 * `Phase gate` check from this app. A check nothing requires blocks nothing,
 * and one required "from any source" can be turned green by any workflow.
 */

/** Who asks for a required check: an active ruleset (any level), or classic branch protection. */
export type Requirer =
  | {
      kind: "ruleset";
      id: number | null;
      /** "Repository" or "Organization" (GitHub's `ruleset_source_type`). */
      level: "Repository" | "Organization" | null;
      /** `owner/repo` or `org` (GitHub's `ruleset_source`). */
      source: string | null;
    }
  | { kind: "protection" };

export interface RequiredCheck {
  context: string;
  /** The app the check must come from (`integration_id` / `app_id`); null: any source. */
  appId: number | null;
  by: Requirer;
}

/** What one place that can require a check said: its checks, or why it could not be read. */
export type RuleSource =
  | { kind: "read"; checks: RequiredCheck[] }
  | { kind: "unseen"; why: string };

export interface EnforcementFacts {
  /** The default branch, whose rules are read. */
  branch: string;
  /** `https://github.com/owner/repo`: the settings links start here. */
  repoUrl: string;
  /** This app's id, to compare with each check's `integration_id`; null when unknown (a CLI without --app-id). */
  appId: number | null;
  /** Active rulesets at every level ("Get rules for a branch"; metadata read). */
  rulesets: RuleSource;
  /** Classic branch protection's required checks, where the reader may see them. */
  protection: RuleSource;
}

export type EnforcementState = "enforced" | "not-required" | "not-pinned" | "unknown";

/** The answer, with its words: stored (JSON), shown on the dashboard, in `status` and `doctor`. */
export interface Enforcement {
  state: EnforcementState;
  branch: string;
  /** One sentence: what is true and what it means for a blocked pull request. */
  summary: string;
  /** What to change, with the settings path; null when enforced. */
  fix: string | null;
  /** Every requirement of a `Phase gate` check found, pinned or not. */
  requiredBy: { appId: number | null; where: string; url: string }[];
}

/** The web root (`https://github.com`, or a GHES host) of a repository's URL. */
export function webRoot(repoUrl: string): string {
  return repoUrl.replace(/\/[^/]+\/[^/]+\/?$/, "");
}

/** Where a requirement lives, in words and as the page that edits it. */
export function describeRequirer(by: Requirer, repoUrl: string): { where: string; url: string } {
  if (by.kind === "protection") {
    return { where: "branch protection rule", url: `${repoUrl}/settings/branches` };
  }
  const id = by.id === null ? "" : ` #${by.id}`;
  if (by.level === "Organization" && by.source) {
    return {
      where: `organization ruleset${id} of ${by.source}`,
      url: `${webRoot(repoUrl)}/organizations/${by.source}/settings/rules${by.id === null ? "" : `/${by.id}`}`,
    };
  }
  return {
    where: `ruleset${id}`,
    url: `${repoUrl}/settings/rules${by.id === null ? "" : `/${by.id}`}`,
  };
}

const NEW_RULESET =
  'Settings → Rules → Rulesets → New ruleset → New branch ruleset: Enforcement status "Active", target the default branch, turn on "Require status checks to pass", add the check "Phase gate" and pick the phase-gates app as its source';

/**
 * The decision (pure): enforced when any readable rule requires `Phase gate`
 * from this app (more rules can only add requirements); otherwise a place
 * that could not be read leaves the answer unknown; otherwise "not pinned"
 * when `Phase gate` is required from any source or another app, else "not required".
 */
export function decideEnforcement(facts: EnforcementFacts): Enforcement {
  const { branch, repoUrl, appId } = facts;
  const read = [facts.rulesets, facts.protection].flatMap((s) =>
    s.kind === "read" ? s.checks : [],
  );
  const ours = read.filter((c) => c.context === CHECK_NAME);
  const requiredBy = ours.map((c) => ({ appId: c.appId, ...describeRequirer(c.by, repoUrl) }));
  const base = { branch, requiredBy };
  const b = `\`${branch}\``;

  const pinned = appId === null ? undefined : ours.find((c) => c.appId === appId);
  if (pinned) {
    return {
      ...base,
      state: "enforced",
      summary: `\`${CHECK_NAME}\` is required on ${b} from phase-gates (${describeRequirer(pinned.by, repoUrl).where}): a blocked pull request cannot merge.`,
      fix: null,
    };
  }

  const unseen = [facts.rulesets, facts.protection].flatMap((s) =>
    s.kind === "unseen" ? [s.why] : [],
  );
  if (unseen.length > 0) {
    return {
      ...base,
      state: "unknown",
      summary: `Whether ${b} requires \`${CHECK_NAME}\` from phase-gates is unknown: ${unseen.join("; ")}.`,
      fix: `Check ${repoUrl}/settings/rules and ${repoUrl}/settings/branches, or give the reader the access it lacks.`,
    };
  }

  const pinnedElsewhere = ours.filter((c) => c.appId !== null);
  if (appId === null && pinnedElsewhere.length > 0) {
    const ids = [...new Set(pinnedElsewhere.map((c) => c.appId))].join(", ");
    return {
      ...base,
      state: "unknown",
      summary: `${b} requires \`${CHECK_NAME}\` from app ${ids}, but this app's id is unknown, so whether that is phase-gates cannot be told.`,
      fix: "Pass the app's numeric id with --app-id (its settings page shows it), or use a token that can read GET /apps/<slug>.",
    };
  }

  const first = ours[0];
  if (first) {
    const { where, url } = describeRequirer(first.by, repoUrl);
    const source =
      first.appId === null
        ? "from any source: any app or workflow could post a green `Phase gate`"
        : `from another app (id ${first.appId}), not phase-gates (id ${appId}): that app's run decides, not the gate`;
    const path =
      first.by.kind === "protection"
        ? 'Settings → Branches → the rule for the default branch → "Require status checks to pass" → Phase gate'
        : `Settings → Rules → Rulesets → ${where} → "Require status checks to pass" → Phase gate`;
    return {
      ...base,
      state: "not-pinned",
      summary: `${b} requires \`${CHECK_NAME}\` ${source}.`,
      fix: `${path}: choose the phase-gates app as its source (${url}).`,
    };
  }

  return {
    ...base,
    state: "not-required",
    summary: `Nothing requires \`${CHECK_NAME}\` on ${b}: a pull request the gate blocks can still be merged.`,
    fix: `${NEW_RULESET} (${repoUrl}/settings/rules/new?target=branch).`,
  };
}

/** The answer when the rules could not be read at all (e.g. the repository could not be read). */
export function unknownEnforcement(branch: string, why: string): Enforcement {
  return {
    state: "unknown",
    branch,
    summary: `Whether \`${branch}\` requires \`${CHECK_NAME}\` from phase-gates is unknown: ${why}.`,
    fix: null,
    requiredBy: [],
  };
}

const WORDS: Record<EnforcementState, string> = {
  enforced: "enforced",
  "not-required": "not required",
  "not-pinned": "required but not pinned to phase-gates",
  unknown: "unknown",
};

/** The state in a few words, as `status` and `doctor` print it. */
export function enforcementWords(state: EnforcementState): string {
  return WORDS[state];
}

/**
 * The dashboard's block (Markdown): one line when the gate bites, a warning
 * with the settings path when it does not, a note when it cannot be told.
 * No time in it: an hourly re-read that finds the same answer writes nothing.
 */
export function renderEnforcementBlock(e: Enforcement): string {
  if (e.state === "enforced") return `🔒 **Enforced:** ${e.summary}`;
  const kind = e.state === "unknown" ? "NOTE" : "WARNING";
  const title =
    e.state === "not-required"
      ? "**The gate does not bite:**"
      : e.state === "not-pinned"
        ? "**The gate can be bypassed:**"
        : "**Enforcement unknown:**";
  const lines = [`> [!${kind}]`, `> ${title} ${e.summary}`];
  if (e.fix) lines.push(">", `> **Fix:** ${e.fix}`);
  return lines.join("\n");
}
