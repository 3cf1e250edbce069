import { echoText } from "./render-check.js";
import type { GateStatus } from "./types.js";

/** An open pull request as the reports show it: a link, and whether a gate blocks it. */
export interface PullSummary {
  number: number;
  url: string;
  blocked: boolean;
}

/** A phase's milestone: its due date is the phase's timebox (SPEC §5). */
export interface Timebox {
  title: string;
  url: string;
  /** GitHub's `due_on` (ISO date-time), or null when the milestone has no due date. */
  dueOn: string | null;
  state: "open" | "closed";
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an ISO date-time, as GitHub shows dates (UTC). */
export function isoDate(iso: string): string {
  return iso.slice(0, 10);
}

/** Whole days from `today` to `date` (both `YYYY-MM-DD`): negative once `date` has passed. */
export function daysUntil(date: string, today: string): number {
  return Math.round(
    (Date.parse(`${isoDate(date)}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS,
  );
}

function days(n: number): string {
  return n === 1 ? "1 day" : `${n} days`;
}

export interface TimeboxReading {
  text: string;
  /** Past its due date while the phase's gate is still open: the signal SPEC §5 asks to flag. */
  overdueWithOpenGate: boolean;
}

/**
 * The timebox in words. A phase whose gate is decided has met its timebox one
 * way or the other, so it shows no countdown; `today` is passed in so the text
 * is the same for the same day (the dashboard is rewritten only when it changes).
 */
export function readTimebox(
  timebox: Timebox | null,
  today: string,
  gateOpen: boolean,
): TimeboxReading {
  if (!timebox) return { text: "no phase milestone", overdueWithOpenGate: false };
  const name = `[${echoText(timebox.title, 100).replace(/[[\]]/g, "")}](${timebox.url})`;
  if (timebox.state === "closed")
    return { text: `${name} milestone closed`, overdueWithOpenGate: false };
  if (!timebox.dueOn) return { text: `${name}: no due date`, overdueWithOpenGate: false };
  const due = isoDate(timebox.dueOn);
  if (!gateOpen) return { text: `${name} due ${due}`, overdueWithOpenGate: false };
  const left = daysUntil(due, today);
  if (left > 0)
    return { text: `${name} due ${due}: ${days(left)} left`, overdueWithOpenGate: false };
  if (left === 0) return { text: `${name} due today (${due})`, overdueWithOpenGate: false };
  return {
    text: `${name} due ${due}: ⚠️ **${days(-left)} overdue** with the gate still open`,
    overdueWithOpenGate: true,
  };
}

/** Links to pull requests, blocked ones marked; at most `max`, then how many more. */
export function pullLinks(pulls: readonly PullSummary[], max = 10): string {
  const shown = pulls.slice(0, max).map((p) => `[#${p.number}](${p.url})${p.blocked ? " ⛔" : ""}`);
  const more = pulls.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

export const STATE_TEXT = {
  approved: "✅ approved",
  pending: "⏳ pending",
  stopped: "⛔ stopped",
} as const;

/** `1/2 — @lead, @ana`: approvals that count so far, against the quorum. */
export function approvalsText(status: GateStatus): string {
  const who = status.approvals.map((login) => `@${echoText(login, 100)}`).join(", ");
  return `${status.approvals.length}/${status.gate.approvals}${who ? ` — ${who}` : ""}`;
}

/** `1/2 checked`, or a dash when there is no gate issue to count on. */
export function criteriaText(status: GateStatus): string {
  const list = status.issue?.checklist;
  return list ? `${list.checked}/${list.total} checked` : "—";
}

/** Who decided the gate: the approver who closed it, or who stopped it. */
export function decidedBy(status: GateStatus): string | null {
  if (status.state === "pending") return null;
  const issue = status.issue;
  const who = status.state === "stopped" ? (issue?.stop?.by ?? issue?.closedBy) : issue?.closedBy;
  return who ?? null;
}
