import type { CommandComment } from "./commands.js";
import { gateStatus } from "./gate-state.js";
import {
  actorsToAuthorize,
  type GateDeciders,
  type GateIssueSnapshot,
  type GateReading,
  gateIdentity,
  readGateTimeline,
  type TimelineComment,
  type TimelineEvent,
} from "./gate-timeline.js";
import type { Config, GateConfig } from "./types.js";

/**
 * The audit's record of gates (SPEC §5 `phase-gates audit`): every round of
 * every gate issue, rebuilt from GitHub's record of events and comments with
 * the rules that decide gates (gate-timeline.ts, gate-state.ts), applied to
 * the record as it stood at each close. Nothing here is a second reading of
 * SPEC §3: a close counts in the audit exactly when the app counts it.
 */

/** What GitHub's record shows that did not count, or bypassed the gate. */
export type AuditExceptionKind =
  | "close-not-counted"
  | "impostor-label"
  | "edited-command-ignored"
  | "merged-while-failing"
  | "merged-without-run"
  | "foreign-phase-gate";

export const EXCEPTION_KINDS: readonly AuditExceptionKind[] = [
  "close-not-counted",
  "impostor-label",
  "edited-command-ignored",
  "merged-while-failing",
  "merged-without-run",
  "foreign-phase-gate",
];

export interface AuditException {
  kind: AuditExceptionKind;
  /** When it happened, per GitHub's record. */
  at: string;
  /** Who did it (null when GitHub's record does not say). */
  by: string | null;
  /** In words, for a reviewer. */
  detail: string;
  /** Where to see it on GitHub. */
  url: string;
}

export interface AuditApproval {
  login: string;
  at: string;
  url: string;
}

export interface GateRoundRecord {
  record: "gate-round";
  repo: string;
  phase: string;
  gate: string;
  issue: number;
  url: string;
  round: number;
  openedAt: string;
  openedBy: string | null;
  /** approved / stopped: decided in this round; reopened: decided, then reopened; pending: not decided. */
  outcome: "approved" | "stopped" | "reopened" | "pending";
  decision: {
    state: "approved" | "stopped";
    by: string | null;
    at: string;
    stopReason: string | null;
  } | null;
  reopened: { by: string | null; at: string } | null;
  approvals: AuditApproval[];
  quorum: number;
  /** Task-list progress of the gate issue's body, as GitHub holds it now (GitHub keeps no history of a body). */
  criteria: { checked: number; total: number; unchecked: string[] };
  exceptions: AuditException[];
}

export interface GateHistory {
  repo: string;
  phaseIndex: number;
  gate: GateConfig;
  issue: GateIssueSnapshot;
  events: readonly TimelineEvent[];
  comments: readonly TimelineComment[];
  deciders: GateDeciders;
}

const time = (iso: string) => Date.parse(iso);
const lower = (s: string) => s.toLowerCase();

/** The issue as it stood right after its `index`-th event: open, or closed by that close. */
function snapshotAt(issue: GateIssueSnapshot, close: TimelineEvent | null): GateIssueSnapshot {
  if (close === null) return { ...issue, state: "open", stateReason: null, closedAt: null };
  const reason = close.stateReason;
  return {
    ...issue,
    state: "closed",
    stateReason:
      reason === "completed" || reason === "not_planned" || reason === "duplicate" ? reason : null,
    closedAt: close.at,
  };
}

/** readGateTimeline on the record as it stood at `upTo` (inclusive): the rules as the app applied them then. */
function readingAt(history: GateHistory, upTo: number): GateReading | null {
  const events = history.events.slice(0, upTo + 1);
  const identity = gateIdentity(events, history.gate.label, history.deciders);
  if (!identity.isGate) return null;
  const last = events[upTo] ?? null;
  const at = last ? time(last.at) : Number.POSITIVE_INFINITY;
  return readGateTimeline({
    issue: snapshotAt(history.issue, last?.event === "closed" ? last : null),
    identity,
    events,
    comments: history.comments.filter((c) => time(c.createdAt) <= at),
    criteria: history.gate.criteria,
    deciders: history.deciders,
  });
}

function approvalsOf(
  reading: GateReading,
  counted: readonly string[],
  close: TimelineEvent,
  issueUrl: string,
): AuditApproval[] {
  return counted.map((login) => {
    const byCommand = reading.tally.approvals.find((a) => lower(a.login) === lower(login));
    // The closer's approval is the close itself: GitHub's record has its time, the issue its link.
    return byCommand
      ? { login: byCommand.login, at: byCommand.at, url: byCommand.url }
      : { login, at: close.at, url: issueUrl };
  });
}

function editedException(c: CommandComment): AuditException {
  return {
    kind: "edited-command-ignored",
    at: c.createdAt,
    by: c.author,
    detail: `/${c.command.kind === "stop-without-reason" ? "stop" : c.command.kind} by @${c.author} in a comment edited since: ignored (anyone with write access can edit a comment)`,
    url: c.url,
  };
}

/**
 * Every round of one gate issue, oldest first. A round opens when the issue
 * becomes the gate issue or when a decision is reopened (the round start of
 * gate-timeline.ts); a close is a decision when gateStatus says approved or
 * stopped on the record as it stood then, else it is a `close-not-counted`
 * exception (reverted when the app reopened it right after).
 */
export function gateRounds(history: GateHistory, phaseId: string): GateRoundRecord[] {
  const { events, issue } = history;
  const full = gateIdentity(events, history.gate.label, history.deciders);
  if (!full.isGate) return [];
  const rounds: GateRoundRecord[] = [];
  const criteria = readingAt(history, events.length - 1)?.facts.checklist ?? {
    checked: 0,
    total: 0,
    unchecked: [],
  };
  const edited = new Map<number, CommandComment>();
  let current: GateRoundRecord | null = null;
  let start: number | null = null;

  const open = (at: string, by: string | null): GateRoundRecord => ({
    record: "gate-round",
    repo: history.repo,
    phase: phaseId,
    gate: history.gate.title,
    issue: issue.number,
    url: issue.url,
    round: rounds.length + 1,
    openedAt: at,
    openedBy: by,
    outcome: "pending",
    decision: null,
    reopened: null,
    approvals: [],
    quorum: history.gate.approvals,
    criteria,
    exceptions: [],
  });

  events.forEach((e, i) => {
    const reading = readingAt(history, i);
    if (reading === null) {
      // An approver took the gate label off: what was this issue's round ends here.
      if (current) rounds.push(current);
      current = null;
      start = null;
      return;
    }
    if (reading.roundStartIndex !== start) {
      if (current) {
        if (current.decision) current.outcome = "reopened";
        current.reopened = { by: e.actor, at: e.at };
        rounds.push(current);
      }
      current = open(reading.roundStart, e.actor);
      start = reading.roundStartIndex;
    }
    const round = current as GateRoundRecord | null;
    if (!round) return;
    for (const c of reading.editedCommands) edited.set(c.id, c);
    if (e.event !== "closed") return;
    const status = gateStatus(history.phaseIndex, history.gate, reading.facts);
    if (status.state === "pending") {
      const next = events[i + 1];
      const reverted =
        next?.event === "reopened" && lower(next.actor ?? "") === lower(history.deciders.appLogin);
      round.exceptions.push({
        kind: "close-not-counted",
        at: e.at,
        by: e.actor,
        detail: `${status.closeIgnoredBecause ?? "the close did not count"}${reverted ? "; reopened by phase-gates" : ""}`,
        url: issue.url,
      });
      return;
    }
    round.outcome = status.state;
    round.decision = {
      state: status.state,
      by:
        status.state === "stopped"
          ? (reading.facts.stop?.by ?? reading.facts.closedBy)
          : reading.facts.closedBy,
      at: e.at,
      stopReason: status.state === "stopped" ? (reading.facts.stop?.reason ?? null) : null,
    };
    round.approvals = approvalsOf(reading, status.approvals, e, issue.url);
  });
  const last = current as GateRoundRecord | null;
  if (last) rounds.push(last);
  for (const c of readingAt(history, events.length - 1)?.editedCommands ?? []) edited.set(c.id, c);
  // Each ignored command in the latest round begun by its time (rounds may begin within one second).
  for (const c of [...edited.values()].sort((a, b) => a.id - b.id)) {
    const round = rounds.findLast((r) => time(r.openedAt) <= time(c.createdAt)) ?? rounds[0];
    round?.exceptions.push(editedException(c));
  }
  for (const round of rounds) round.exceptions.sort((a, b) => time(a.at) - time(b.at));
  return rounds;
}

/** One gate-label event of the repository, on an issue (not a PR). */
export interface LabelEvent extends TimelineEvent {
  issueNumber: number;
  issueUrl: string;
}

/**
 * Issues that carried a gate label applied by someone who may not make a gate
 * issue (gateIdentity says no): the app removes such a label and says why.
 * `approversOf` answers, per gate, which of `actorsToAuthorize` may decide.
 */
export function impostorLabels(input: {
  config: Config;
  events: readonly LabelEvent[];
  appLogin: string;
  approversOf: (phaseIndex: number) => ReadonlySet<string>;
}): AuditException[] {
  const { config, appLogin } = input;
  const byIssue = new Map<number, LabelEvent[]>();
  for (const e of input.events)
    byIssue.set(e.issueNumber, [...(byIssue.get(e.issueNumber) ?? []), e]);
  const found: AuditException[] = [];
  for (const [, events] of [...byIssue].sort((a, b) => a[0] - b[0])) {
    const ordered = [...events].sort((a, b) => time(a.at) - time(b.at));
    config.phases.forEach((phase, phaseIndex) => {
      const gate = phase.gate;
      if (!gate) return;
      const deciders = { appLogin, approvers: input.approversOf(phaseIndex) };
      const identity = gateIdentity(ordered, gate.label, deciders);
      if (identity.isGate) return;
      for (const e of ordered) {
        if (e.event !== "labeled" || lower(e.label ?? "") !== lower(gate.label)) continue;
        const removal = ordered.find(
          (r) =>
            r.event === "unlabeled" &&
            lower(r.label ?? "") === lower(gate.label) &&
            time(r.at) >= time(e.at),
        );
        found.push({
          kind: "impostor-label",
          at: e.at,
          by: e.actor,
          detail: `"${gate.label}" applied to #${e.issueNumber} by @${e.actor ?? "unknown"}, who may not make a gate issue${removal ? `; removed by @${removal.actor ?? "unknown"}` : "; still there"}`,
          url: e.issueUrl,
        });
      }
    });
  }
  return found;
}

/** The people whose standing decides whether these label events count, per gate label. */
export function labelActorsToAuthorize(events: readonly LabelEvent[], gateLabel: string): string[] {
  return actorsToAuthorize(events, gateLabel);
}
