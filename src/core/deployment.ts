import { echoText } from "./render-check.js";
import type { Config, GateStatus } from "./types.js";

/**
 * Deployments gated by phase (SPEC §4 "Deployments"): GitHub asks the app,
 * through a custom deployment protection rule, whether a deployment to an
 * environment may go ahead. These functions decide the answer and word it
 * for a release manager who has never heard of phase gates.
 */

export type DeploymentState = "approved" | "rejected" | "waiting";

export interface DeploymentDecision {
  /** `waiting` is never sent to GitHub: the request is kept and answered when a gate changes. */
  state: DeploymentState;
  /** The comment GitHub shows with the answer (plain text: the deployment review shows no Markdown). */
  comment: string;
}

/** The entry of `deployments:` that applies to an environment, with its phase's index. */
export interface DeploymentRule {
  environment: string;
  phase: string;
  phaseIndex: number;
}

/**
 * Whether `pattern` (from the config) names `environment`: case-insensitive,
 * as GitHub treats environment names, and `*` matches any run of characters
 * (`prod-*`, `*`). Nothing else is special: `prod.eu` matches only itself.
 */
export function environmentMatches(pattern: string, environment: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "is").test(environment);
}

/** The first entry of `deployments:` naming `environment`, or null when none does. */
export function deploymentRule(config: Config, environment: string): DeploymentRule | null {
  for (const entry of config.deployments) {
    if (!environmentMatches(entry.environment, environment)) continue;
    const phaseIndex = config.phases.findIndex((p) => p.id === entry.phase);
    // The schema refuses an unknown phase id; a rule that names none cannot be applied.
    if (phaseIndex < 0) continue;
    return { ...entry, phaseIndex };
  }
  return null;
}

/** What the app knows of the repository's config when a deployment asks. */
export type DeploymentConfig =
  | { kind: "none" }
  | { kind: "invalid"; errors: readonly string[] }
  | { kind: "ok"; config: Config };

/** Errors listed in a rejection, at most; the rest are counted. */
const MAX_LISTED_ERRORS = 10;

function quoted(text: string): string {
  return `"${echoText(text, 200)}"`;
}

function gateWhere(status: GateStatus): string {
  return status.issue ? ` (${status.issue.url})` : " (its gate issue does not exist yet)";
}

function stopReason(status: GateStatus): string {
  const stop = status.issue?.stop;
  if (stop) return `"${echoText(stop.reason)}" (@${stop.by})`;
  const by = status.issue?.closedBy;
  return `the gate issue was closed as not planned${by ? ` by @${by}` : ""}`;
}

/**
 * The answer to a deployment to `environment`:
 * - config absent, or the environment not listed → approved (the rule is
 *   enabled on the environment, so saying nothing would hold it forever);
 * - config invalid → rejected, listing the errors;
 * - a gate before the rule's phase stopped → rejected with the stop reason
 *   (a "no" outranks a "not yet");
 * - a gate pending → waiting, naming the nearest pending gate;
 * - else approved.
 * `gates` are the statuses of the gates before the rule's phase (RepoJob.gatesBefore).
 */
export function decideDeployment(
  loaded: DeploymentConfig,
  environment: string,
  gates: readonly GateStatus[],
): DeploymentDecision {
  const env = quoted(environment);
  if (loaded.kind === "none") {
    return {
      state: "approved",
      comment: `No phase gate applies: this repository has no .github/phase-gates.yml, so deployments to ${env} are not held by phase-gates.`,
    };
  }
  if (loaded.kind === "invalid") {
    const listed = loaded.errors.slice(0, MAX_LISTED_ERRORS).map((e) => `- ${echoText(e, 300)}`);
    const more = loaded.errors.length - listed.length;
    return {
      state: "rejected",
      comment: [
        `Rejected: phase-gates cannot tell whether this deployment to ${env} may go ahead, because .github/phase-gates.yml has ${loaded.errors.length === 1 ? "an error" : `${loaded.errors.length} errors`}. Fix ${loaded.errors.length === 1 ? "it" : "them"} on the default branch, then re-run the deployment:`,
        ...listed,
        ...(more > 0 ? [`- and ${more} more`] : []),
      ].join("\n"),
    };
  }
  const { config } = loaded;
  const rule = deploymentRule(config, environment);
  if (!rule) {
    return {
      state: "approved",
      comment: `No phase gate applies: .github/phase-gates.yml does not list the environment ${env} under deployments, so phase-gates does not hold it.`,
    };
  }
  const phase = config.phases[rule.phaseIndex]?.name ?? rule.phase;
  const need = `Deployments to ${env} carry ${phase}-phase work, so they need the team's go-ahead at every gate before ${phase}.`;
  const stopped = gates.filter((g) => g.state === "stopped");
  const blockingStop = stopped[stopped.length - 1];
  if (blockingStop) {
    return {
      state: "rejected",
      comment: `Rejected: ${need} The team stopped at the gate ${quoted(blockingStop.gate.title)}${gateWhere(blockingStop)}: ${stopReason(blockingStop)}. Work past that gate is not going ahead; if that decision changes (the gate issue is reopened and approved), re-run the deployment.`,
    };
  }
  const pending = gates.filter((g) => g.state === "pending");
  const blockingWait = pending[pending.length - 1];
  if (blockingWait) {
    return {
      state: "waiting",
      comment: `Waiting: ${need} The gate ${quoted(blockingWait.gate.title)}${gateWhere(blockingWait)} is not decided yet. This deployment goes ahead by itself once that gate is approved.`,
    };
  }
  const passed = gates.map((g) => quoted(g.gate.title)).join(", ");
  return {
    state: "approved",
    comment:
      gates.length === 0
        ? `Approved: deployments to ${env} carry ${phase}-phase work, and no gate comes before ${phase}.`
        : `Approved: ${need} Every one is approved: ${passed}.`,
  };
}
