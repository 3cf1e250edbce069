import { ISSUE_BODY_LIMIT } from "./dashboard.js";
import { type Plan, plan, type Reconcile } from "./reconcile.js";
import { echoText } from "./render-check.js";
import {
  approvalsText,
  criteriaText,
  type PullSummary,
  pullLinks,
  readTimebox,
  STATE_TEXT,
  type Timebox,
} from "./report-text.js";
import type { GateStatus } from "./types.js";

export const PROGRESS_START = "<!-- phase-gates:progress:start -->";
export const PROGRESS_END = "<!-- phase-gates:progress:end -->";

export interface ProgressFacts {
  status: GateStatus;
  /** Open pull requests that wait for this gate (a later phase, the gate not approved). */
  waiting: PullSummary[];
  timebox: Timebox | null;
  /** `YYYY-MM-DD`, UTC. */
  today: string;
}

/**
 * The generated part of a gate issue's body (SPEC §5). It holds no task-list
 * item (`- [ ]`): the gate's criteria are the body's tasks, and this section
 * must never add to them.
 */
export function renderProgressSection(facts: ProgressFacts): string {
  const { status } = facts;
  const open = status.state === "pending";
  const waiting =
    facts.waiting.length === 0
      ? "none"
      : `${facts.waiting.length === 1 ? "1 pull request" : `${facts.waiting.length} pull requests`}: ${pullLinks(facts.waiting, 20)}`;
  const lines = [
    `- **State:** ${STATE_TEXT[status.state]}`,
    `- **Criteria:** ${criteriaText(status)}`,
    `- **Approvals:** ${approvalsText(status)}`,
    `- **Waiting on this gate:** ${waiting}`,
    `- **Timebox:** ${readTimebox(facts.timebox, facts.today, open).text}`,
  ];
  if (open && status.missing.length > 0)
    lines.push(`- **Still needed:** ${echoText(status.missing.join("; "), 600)}`);
  return [
    PROGRESS_START,
    "#### Progress",
    "_Kept up to date by phase-gates: this section is rewritten when the gate or the work behind it changes; the rest of this issue is yours._",
    lines.join("\n"),
    PROGRESS_END,
  ].join("\n\n");
}

/**
 * `body` with `section` in place of the generated one: replaced where its
 * markers are, else appended. People's text before and after it is kept as
 * written. A marker left alone (someone deleted its partner) is dropped
 * rather than paired with the new section, which would swallow the text between.
 */
export function withProgressSection(body: string | null | undefined, section: string): string {
  const text = body ?? "";
  const start = text.indexOf(PROGRESS_START);
  const end = start >= 0 ? text.indexOf(PROGRESS_END, start + PROGRESS_START.length) : -1;
  if (start >= 0 && end >= 0)
    return `${text.slice(0, start)}${section}${text.slice(end + PROGRESS_END.length)}`;
  const rest = text.split(PROGRESS_START).join("").split(PROGRESS_END).join("").trimEnd();
  return rest === "" ? section : `${rest}\n\n${section}`;
}

/** A gate issue's body. */
export interface IssueBody {
  number: number;
  body: string;
}

export interface ProgressPlan extends Plan<IssueBody, IssueBody> {
  /**
   * The new body would pass GitHub's limit (people's text fills it): nothing
   * is planned, since GitHub would refuse it and their text comes first.
   */
  overLimit: boolean;
}

const ISSUE_BODY: Reconcile<IssueBody, IssueBody> = {
  desiredKey: (d) => String(d.number),
  actualKey: (a) => String(a.number),
  same: (d, a) => a.body === d.body,
};

/** A gate issue's body with `section` spliced in: an edit when that changes it, else nothing. */
export function planProgressSection(
  issue: { number: number; body?: string | null },
  section: string,
): ProgressPlan {
  const current = { number: issue.number, body: issue.body ?? "" };
  const next = { number: issue.number, body: withProgressSection(issue.body, section) };
  const planned = plan([next], [current], ISSUE_BODY);
  if (planned.update.length > 0 && next.body.length > ISSUE_BODY_LIMIT) {
    return { ...planned, update: [], overLimit: true };
  }
  return { ...planned, overLimit: false };
}
