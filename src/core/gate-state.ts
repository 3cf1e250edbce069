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
 * What an approver still has to do on a gate that is open (or whose close was
 * not counted). The close as completed counts as one approval, so with a
 * quorum of 1 "close it" is the whole instruction, not two steps.
 */
export function stepsToApprove(
  gate: GateConfig,
  facts: Pick<GateIssueFacts, "checklist">,
  approvals: readonly string[],
): string[] {
  const steps: string[] = [];
  if (gate.requireCriteria && facts.checklist.unchecked.length > 0) {
    const list = facts.checklist.unchecked.map((c) => `"${c}"`).join(", ");
    steps.push(
      `${plural(facts.checklist.unchecked.length, "unchecked criterion", "unchecked criteria")}: ${list}`,
    );
  }
  const need = gate.approvals - approvals.length;
  const tally = `(${approvals.length}/${gate.approvals})`;
  if (need <= 0) steps.push("an approver to close the issue as completed");
  else if (need === 1)
    steps.push(
      `1 more approval ${tally}: an approver closes the issue as completed or comments \`/approve\``,
    );
  else
    steps.push(
      `${need} more approvals ${tally}: approvers comment \`/approve\`; closing the issue as completed counts as one`,
    );
  return steps;
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
      missing: [`a gate issue: no issue has the label "${gate.label}" yet`],
      closeIgnoredBecause: null,
    };
  }
  const commandApprovals = distinctLogins(issue.approvals);

  if (issue.state === "open") {
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: stepsToApprove(gate, issue, commandApprovals),
      closeIgnoredBecause: null,
    };
  }

  // A close that cannot count whoever approved (before the issue became the
  // gate issue, by another bot, or on an approval since withdrawn).
  if (issue.closeRejected) {
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: stepsToApprove(gate, issue, commandApprovals),
      closeIgnoredBecause: `closed by @${issue.closedBy ?? "unknown"}, but ${issue.closeRejected}`,
    };
  }

  if (issue.stateReason === "not_planned") {
    if (issue.closerAuthorized) {
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
      missing: stepsToApprove(gate, issue, commandApprovals),
      closeIgnoredBecause: `closed as not planned by @${issue.closedBy ?? "unknown"}, who is not an authorized approver`,
    };
  }

  if (issue.stateReason !== "completed") {
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: stepsToApprove(gate, issue, commandApprovals),
      closeIgnoredBecause: `closed as ${issue.stateReason ?? "unknown"}, which is neither completed nor not planned`,
    };
  }

  if (!issue.closerAuthorized) {
    return {
      ...base,
      state: "pending",
      approvals: commandApprovals,
      missing: stepsToApprove(gate, issue, commandApprovals),
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
      closeIgnoredBecause: `closed as completed by @${issue.closedBy ?? "unknown"}, but ${missing.join("; ")}`,
    };
  }
  return { ...base, state: "approved", approvals, missing: [], closeIgnoredBecause: null };
}
