import type { GateConfig, GateIssueFacts, GateStatus } from "./types.js";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Distinct logins, case-insensitively, keeping first spelling and order. */
export function distinctLogins(logins: readonly string[]): string[] {
  const seen = new Set<string>();
  return logins.filter((login) => {
    const key = login.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What an open gate still needs before an approver's close would count. */
export function missingForApproval(
  gate: GateConfig,
  facts: Pick<GateIssueFacts, "checklist">,
  approvals: readonly string[],
): string[] {
  const missing: string[] = [];
  if (approvals.length < gate.approvals) {
    const need = gate.approvals - approvals.length;
    missing.push(
      `${plural(need, "more approval")} from an authorized approver (${approvals.length}/${gate.approvals})`,
    );
  }
  if (gate.requireCriteria && facts.checklist.unchecked.length > 0) {
    const list = facts.checklist.unchecked.map((c) => `"${c}"`).join(", ");
    missing.push(
      `${plural(facts.checklist.unchecked.length, "unchecked criterion", "unchecked criteria")}: ${list}`,
    );
  }
  return missing;
}

/**
 * The state of one gate, derived only from the gate issue itself (SPEC §3):
 * labels such as `gate: approved` are display only and never read here.
 */
export function gateStatus(
  phaseIndex: number,
  gate: GateConfig,
  issue: GateIssueFacts | null,
): GateStatus {
  const base = { phaseIndex, gate, issue };
  if (!issue) {
    return {
      ...base,
      state: "pending",
      approvals: [],
      missing: ["a gate issue: none has the label yet"],
      closeIgnoredBecause: null,
    };
  }
  const commandApprovals = distinctLogins(issue.approvals);

  if (issue.state === "open") {
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: [
        ...missingForApproval(gate, issue, commandApprovals),
        "an approver to close the issue as completed",
      ],
      closeIgnoredBecause: null,
    };
  }

  if (issue.stateReason === "not_planned") {
    if (issue.closerAuthorized || issue.stop) {
      return {
        ...base,
        state: "stopped",
        approvals: commandApprovals,
        missing: [],
        closeIgnoredBecause: null,
      };
    }
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: ["a decision by an authorized approver"],
      closeIgnoredBecause: `closed as not planned by @${issue.closedBy ?? "unknown"}, who is not an authorized approver`,
    };
  }

  if (issue.stateReason !== "completed") {
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: ["an approver to close the issue as completed"],
      closeIgnoredBecause: `closed as ${issue.stateReason ?? "unknown"}, which is neither completed nor not planned`,
    };
  }

  if (!issue.closerAuthorized) {
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: [
        ...missingForApproval(gate, issue, commandApprovals),
        "an approver to close the issue as completed",
      ],
      closeIgnoredBecause: `closed by @${issue.closedBy ?? "unknown"}, who is not an authorized approver`,
    };
  }

  // The person who closes as completed counts as one approval.
  const approvals = distinctLogins(
    issue.closedBy ? [...commandApprovals, issue.closedBy] : commandApprovals,
  );
  const missing = missingForApproval(gate, issue, approvals);
  if (missing.length > 0) {
    return {
      ...base,
      state: "pending",
      approvals,
      missing,
      closeIgnoredBecause: `closed as completed by @${issue.closedBy}, but ${missing.join("; ")}`,
    };
  }
  return { ...base, state: "approved", approvals, missing: [], closeIgnoredBecause: null };
}
