import { describeApprovers } from "../core/render-check.js";
import type { Config, EffectivePhase, GateStatus } from "../core/types.js";
import { paint, type Term } from "./term.js";

/** Who decided a gate and when; null while it is pending. */
export function decision(status: GateStatus): { by: string | null; at: string | null } | null {
  if (status.state === "pending" || !status.issue) return null;
  const by =
    status.state === "stopped"
      ? (status.issue.stop?.by ?? status.issue.closedBy)
      : status.issue.closedBy;
  return { by, at: status.issue.closedAt };
}

export function formatTime(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A gate as scripts read it from `--json`. */
export function gateJson(config: Config, status: GateStatus) {
  const decided = decision(status);
  const issue = status.issue;
  return {
    phase: config.phases[status.phaseIndex]?.id ?? null,
    title: status.gate.title,
    label: status.gate.label,
    state: status.state,
    issue: issue ? { number: issue.number, url: issue.url, state: issue.state } : null,
    decidedBy: decided?.by ?? null,
    decidedAt: decided?.at ?? null,
    stopReason: status.state === "stopped" ? (issue?.stop?.reason ?? null) : null,
    criteria: issue
      ? {
          checked: issue.checklist.checked,
          total: issue.checklist.total,
          unchecked: issue.checklist.unchecked,
        }
      : { checked: 0, total: status.gate.criteria.length, unchecked: status.gate.criteria },
    approvals: {
      count: status.approvals.length,
      needed: status.gate.approvals,
      by: status.approvals,
    },
    whoCanApprove: describeApprovers(status.gate),
    missing: status.missing,
    closeIgnoredBecause: status.closeIgnoredBecause,
  };
}

export function phaseJson(config: Config, phase: EffectivePhase) {
  const at = (i: number | null) => (i === null ? null : (config.phases[i]?.id ?? null));
  return {
    phase: at(phase.phaseIndex),
    heldAtFloor: phase.floor
      ? { current: at(phase.floor.currentIndex), loweredBy: phase.floor.loweredBy }
      : null,
    // What the changed files say (`phases[].paths`): the files and patterns, as the check names them.
    paths: phase.paths
      ? {
          phase: at(phase.paths.phaseIndex),
          matches: phase.paths.matches,
          moreMatches: phase.paths.matchCount - phase.paths.matches.length,
          truncated: phase.paths.truncated,
        }
      : null,
  };
}

export function stateWord(color: boolean, state: GateStatus["state"]): string {
  const style = state === "approved" ? "green" : state === "stopped" ? "red" : "yellow";
  return paint(color, style, state);
}

/** The gate in one sentence: its state, who decided and when, or what it still needs. */
export function gateSentence(color: boolean, status: GateStatus): string {
  const decided = decision(status);
  const state = stateWord(color, status.state);
  if (decided) {
    const by = decided.by ? ` by @${decided.by}` : "";
    const at = decided.at ? ` on ${formatTime(decided.at)}` : "";
    const reason =
      status.state === "stopped" && status.issue?.stop ? `: ${status.issue.stop.reason}` : "";
    return `${state}${by}${at}${reason}`;
  }
  const ignored = status.closeIgnoredBecause ? ` (${status.closeIgnoredBecause})` : "";
  return `${state}${ignored}`;
}

/** What the readers logged, once each, and what it means for the report. */
export function printWarnings(term: Term, warnings: readonly string[]): void {
  for (const w of warnings) term.err(`warning: ${w}`);
  if (warnings.some((w) => /permission|team/i.test(w))) {
    term.err(
      "warning: people whose permission could not be read count as not authorized, as the app does when GitHub fails: a gate may show pending that the app sees approved. Use a token that can read the repository's collaborators (and org teams).",
    );
  }
}

/** Markdown code spans as a terminal shows them: the text without its backticks. */
export function plain(markdown: string): string {
  return markdown.replace(/`/g, "");
}
