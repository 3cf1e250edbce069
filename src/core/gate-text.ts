import type { ApprovalTally } from "./commands.js";
import { phaseMeaningWithQuestion } from "./phase-meaning.js";
import { describeApprovers, echoText, tableCell } from "./render-check.js";
import type { Config, GateStatus } from "./types.js";

/** Hidden markers let the app find (and update) its own comments instead of adding new ones. */
export const MARKERS = {
  decision: "<!-- phase-gates:decision -->",
  closeReverted: "<!-- phase-gates:close-reverted -->",
  refusal: (commentId: number) => `<!-- phase-gates:refusal:${commentId} -->`,
  commandNote: (commentId: number) => `<!-- phase-gates:command:${commentId} -->`,
  gateBody: (phaseId: string) => `<!-- phase-gates:gate:${phaseId} -->`,
} as const;

export const DECISION_LABELS = { approved: "gate: approved", stopped: "gate: stopped" } as const;

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function quorumText(approvals: number): string {
  return approvals === 1 ? "1 approval" : `${approvals} approvals from different approvers`;
}

/** The body of a new gate issue: purpose, criteria as a task list, approvers, and how to decide. */
export function gateIssueBody(config: Config, phaseIndex: number): string {
  const phase = config.phases[phaseIndex];
  const next = config.phases[phaseIndex + 1];
  const gate = phase?.gate;
  if (!phase || !gate || !next) throw new Error(`phase ${phaseIndex} has no gate`);
  const meaning = phaseMeaningWithQuestion(phase.id);
  return [
    MARKERS.gateBody(phase.id),
    `This issue is the **gate** that ends the **${phase.name}** phase${meaning ? ` (${phase.name} ${meaning})` : ""}. Work in **${next.name}** and later phases cannot merge until this gate is approved — and "stop" is a legitimate outcome.`,
    "### Success criteria",
    gate.criteria.length > 0
      ? gate.criteria.map((c) => `- [ ] ${c}`).join("\n")
      : "_No criteria configured._",
    gate.requireCriteria ? "Every item above must be checked before the gate can be approved." : "",
    "### Who decides",
    `${capitalise(describeApprovers(gate))}. Needed: ${quorumText(gate.approvals)}.`,
    "### How to decide",
    [
      "- **Approve**: close this issue as **completed**, or comment `/approve [note]` (the person who closes counts as one approval).",
      "- **Stop**: close this issue as **not planned**, or comment `/stop <reason>`.",
      "- **Withdraw** your approval: comment `/revoke`.",
      "- Reopening a decided gate makes it pending again and blocks the work behind it.",
    ].join("\n"),
    "_Labels such as `gate: approved` are a display only: the decision is read from this issue itself._",
  ]
    .filter((s) => s !== "")
    .join("\n\n");
}

function when(iso: string | null): string {
  return iso ? `${iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "")} UTC` : "—";
}

/** The decision record comment: who, when, approvals, criteria, note (SPEC §3). */
export function decisionRecord(config: Config, status: GateStatus, tally: ApprovalTally): string {
  const issue = status.issue;
  const name = echoText(config.phases[status.phaseIndex]?.name ?? "?");
  const criteria = issue ? `${issue.checklist.checked}/${issue.checklist.total} checked` : "—";
  const approvals = status.approvals.length
    ? status.approvals
        .map((login) => {
          const a = tally.approvals.find((x) => x.login.toLowerCase() === login.toLowerCase());
          return a
            ? `@${login} ([/approve](${a.url})${a.note ? `: ${a.note}` : ""})`
            : `@${login} (closed the issue)`;
        })
        .join(", ")
    : "none";
  const heading =
    status.state === "approved"
      ? `### ✅ Gate approved: ${name} → ${echoText(config.phases[status.phaseIndex + 1]?.name ?? "next phase")}`
      : status.state === "stopped"
        ? `### ⛔ Gate stopped: the team decided not to proceed past ${name}`
        : `### ⏳ Gate pending again: this gate was reopened`;
  const decidedBy =
    status.state === "stopped" ? (issue?.stop?.by ?? issue?.closedBy) : issue?.closedBy;
  const rows = [
    ["Decision", status.state === "pending" ? "pending (reopened)" : status.state],
    ["Decided by", status.state === "pending" ? "—" : decidedBy ? `@${decidedBy}` : "—"],
    ["When", status.state === "pending" ? "—" : when(issue?.closedAt ?? null)],
    [`Approvals (${status.approvals.length}/${status.gate.approvals})`, approvals],
    ["Criteria", criteria],
  ];
  if (status.state === "stopped" && issue?.stop) rows.push(["Reason", issue.stop.reason]);
  const notes = tally.approvals.filter((a) => a.note).map((a) => `@${a.login}: ${a.note}`);
  if (status.state === "approved" && notes.length > 0) rows.push(["Notes", notes.join("; ")]);
  const table = [
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${tableCell(String(v))} |`),
  ].join("\n");
  const footer =
    status.state === "pending"
      ? "Pull requests behind this gate are blocked again until it is decided."
      : status.state === "approved"
        ? "Pull requests behind this gate are re-checked now. Reopening this issue makes the gate pending again."
        : "Pull requests behind this gate stay blocked. Reopening this issue makes the gate pending again.";
  return [MARKERS.decision, heading, table, footer].join("\n\n");
}

/** The comment when the app reopens a gate closed in a way that does not count. */
/** `closer` null: the app itself had closed the gate, on a command since taken back. */
export function closeRevertedComment(
  status: GateStatus,
  closer: string | null,
  why: string,
): string {
  const needs = status.missing
    .filter((m) => !m.startsWith("an approver to close"))
    .map((m) => echoText(m));
  const opening = closer
    ? `@${closer} closed this gate, but the close does not count`
    : "The app's close of this gate no longer counts";
  return [
    MARKERS.closeReverted,
    `${opening}: ${echoText(why)}. The app reopened it; the gate is still **pending** and the work behind it stays blocked.`,
    needs.length > 0 ? `**Still needed:** ${needs.join("; ")}.` : "",
    `**Who can approve:** ${describeApprovers(status.gate)}. To approve, close as completed or comment \`/approve\`; to stop, close as not planned or comment \`/stop <reason>\`.`,
  ]
    .filter((s) => s !== "")
    .join("\n\n");
}

export function refusalComment(
  commentId: number,
  login: string,
  command: string,
  status: GateStatus,
): string {
  return `${MARKERS.refusal(commentId)}\n@${login}, \`/${command}\` was not counted: only approvers can decide this gate (${describeApprovers(status.gate)}).`;
}

export function stopNeedsReasonComment(commentId: number, login: string): string {
  return `${MARKERS.commandNote(commentId)}\n@${login}, \`/stop\` needs a reason, e.g. \`/stop the pilot showed no demand\`. Nothing was changed.`;
}

export function approvalNotEnoughComment(commentId: number, status: GateStatus): string {
  return `${MARKERS.commandNote(commentId)}\nApproval recorded (${status.approvals.length}/${status.gate.approvals}). The gate stays open: ${status.missing
    .filter((m) => !m.startsWith("an approver to close"))
    .map((m) => echoText(m))
    .join("; ")}.`;
}

/**
 * The answer to a command on a decided (closed) gate: it changes nothing
 * until the gate is reopened, and reopening is how a decision is revisited.
 */
export function alreadyDecidedComment(
  commentId: number,
  login: string,
  command: string,
  status: GateStatus,
): string {
  const by = status.issue?.closedBy ? ` by @${status.issue.closedBy}` : "";
  return `${MARKERS.commandNote(commentId)}\n@${login}, this gate is already decided: **${status.state}**${by}. \`/${command}\` changes nothing on a decided gate. To revisit the decision, reopen this issue: the gate is pending again (every pull request behind it is blocked) until it is decided anew.`;
}
