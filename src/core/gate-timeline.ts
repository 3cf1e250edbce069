import { criteriaProgress } from "./checklist.js";
import {
  type ApprovalTally,
  type CommandComment,
  parseCommand,
  tallyCommands,
} from "./commands.js";
import type { GateIssueFacts } from "./types.js";

/**
 * One entry of GitHub's record of an issue (`GET /issues/{n}/events`), as the
 * GitHub layer hands it over: who did what, and when. Oldest first.
 */
export interface TimelineEvent {
  event: string;
  actor: string | null;
  actorIsBot: boolean;
  at: string;
  /** The label of a `labeled` / `unlabeled` event. */
  label: string | null;
  /** The reason of a `closed` event. */
  stateReason: string | null;
}

/** A comment of the gate issue with the timestamps that tell whether it was edited. */
export interface TimelineComment {
  id: number;
  author: string;
  authorIsBot: boolean;
  createdAt: string;
  updatedAt: string;
  url: string;
  body: string;
}

/** Who may shape a gate: this app, and the people authorized to approve it (bots never). */
export interface GateDeciders {
  /** This app's own bot login, `<slug>[bot]` (from `GET /app`), never "any bot". */
  appLogin: string;
  /** Lower-cased logins of the people (not bots) found authorized for this gate. */
  approvers: ReadonlySet<string>;
}

export type GateIdentity =
  | { isGate: true; since: string; sinceIndex: number }
  | { isGate: false; labelledBy: string | null };

const lower = (s: string) => s.toLowerCase();
const time = (iso: string) => Date.parse(iso);

function isApp(deciders: GateDeciders, login: string | null): boolean {
  return login !== null && lower(login) === lower(deciders.appLogin);
}

/** This app, or an authorized person. A bot that is not this app never is. */
function mayDecide(deciders: GateDeciders, login: string | null, isBot: boolean): boolean {
  if (login === null) return false;
  if (isApp(deciders, login)) return true;
  return !isBot && deciders.approvers.has(lower(login));
}

const isGateLabelEvent = (e: TimelineEvent, gateLabel: string) =>
  (e.event === "labeled" || e.event === "unlabeled") &&
  e.label !== null &&
  lower(e.label) === lower(gateLabel);

/**
 * The people whose standing decides the gate: who applied or removed its
 * label, and who closed it. Bots are not looked up (only this app counts).
 */
export function actorsToAuthorize(events: readonly TimelineEvent[], gateLabel: string): string[] {
  const actors = events.flatMap((e) =>
    e.actor !== null && !e.actorIsBot && (isGateLabelEvent(e, gateLabel) || e.event === "closed")
      ? [lower(e.actor)]
      : [],
  );
  return [...new Set(actors)];
}

/**
 * Whether the issue is a gate issue (SPEC §3): its gate label was applied by
 * this app or an authorized approver. A removal by one of them ends that; a
 * removal or re-application by anyone else changes nothing (the app restores
 * the label), so nobody below approver can make or unmake a gate issue.
 * Also answers "was it the gate issue?" for an issue whose label was just
 * removed: `isGate` stays true when the removal does not count.
 */
export function gateIdentity(
  events: readonly TimelineEvent[],
  gateLabel: string,
  deciders: GateDeciders,
): GateIdentity {
  let sinceIndex: number | null = null;
  let labelledBy: string | null = null;
  events.forEach((e, i) => {
    if (!isGateLabelEvent(e, gateLabel)) return;
    const counts = mayDecide(deciders, e.actor, e.actorIsBot);
    if (e.event === "labeled" && sinceIndex === null) {
      if (counts) sinceIndex = i;
      else labelledBy = e.actor;
    } else if (e.event === "unlabeled" && counts) {
      sinceIndex = null;
    }
  });
  if (sinceIndex === null) return { isGate: false, labelledBy };
  const since = events[sinceIndex]?.at ?? "";
  return { isGate: true, since, sinceIndex };
}

interface CloseEvent {
  index: number;
  event: TimelineEvent;
}

/**
 * When the current round of decision began: the later of the moment the
 * issue became the gate issue and the latest reopening of a decision (a
 * close as completed or not planned by an approver or this app). This app's
 * own reopening of a close that did not count resets nothing, so nobody can
 * wipe approvals by closing the issue.
 */
function roundStart(
  events: readonly TimelineEvent[],
  identity: Extract<GateIdentity, { isGate: true }>,
  deciders: GateDeciders,
): { at: string; index: number } {
  let start = { at: identity.since, index: identity.sinceIndex };
  let lastCloseWasDecision = false;
  events.forEach((e, index) => {
    if (index <= identity.sinceIndex) return;
    if (e.event === "closed") {
      lastCloseWasDecision =
        (e.stateReason === "completed" || e.stateReason === "not_planned") &&
        mayDecide(deciders, e.actor, e.actorIsBot);
    } else if (e.event === "reopened") {
      if (!isApp(deciders, e.actor) && lastCloseWasDecision) start = { at: e.at, index };
      lastCloseWasDecision = false;
    }
  });
  return start;
}

function latestClose(events: readonly TimelineEvent[]): CloseEvent | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event?.event === "closed") return { index: i, event };
  }
  return null;
}

export interface GateIssueSnapshot {
  number: number;
  url: string;
  title: string;
  state: "open" | "closed";
  stateReason: GateIssueFacts["stateReason"];
  closedAt: string | null;
  body: string | null;
}

export interface GateReading {
  facts: GateIssueFacts;
  tally: ApprovalTally;
  /** Commands that count: in the current round, in comments never edited. */
  commands: CommandComment[];
  /** Commands in edited comments: ignored (a writer can edit anyone's comment). */
  editedCommands: CommandComment[];
  roundStart: string;
  /** The event that began the round (two rounds may begin in one second). */
  roundStartIndex: number;
}

/**
 * The facts of a gate issue, read from GitHub's record rather than from the
 * issue's current fields alone (SPEC §3 "What counts"): only the latest
 * close counts, only after the issue became the gate issue, only by an
 * approver or by this app carrying out an approver's command; approvals and
 * commands count only in the current round and only in comments that were
 * never edited; configured criteria missing from the body are unchecked.
 */
export function readGateTimeline(input: {
  issue: GateIssueSnapshot;
  identity: Extract<GateIdentity, { isGate: true }>;
  events: readonly TimelineEvent[];
  comments: readonly TimelineComment[];
  criteria: readonly string[];
  deciders: GateDeciders;
}): GateReading {
  const { issue, identity, events, deciders } = input;
  const round = roundStart(events, identity, deciders);
  const start = round.at;
  const commands: CommandComment[] = [];
  const editedCommands: CommandComment[] = [];
  for (const c of input.comments) {
    const command = parseCommand(c.body);
    if (!command || c.authorIsBot || time(c.createdAt) < time(start)) continue;
    const entry: CommandComment = {
      id: c.id,
      author: c.author,
      authorIsBot: c.authorIsBot,
      createdAt: c.createdAt,
      url: c.url,
      command,
    };
    // GitHub keeps a comment's author when someone else edits it; only `updated_at` moves.
    if (time(c.updatedAt) > time(c.createdAt)) editedCommands.push(entry);
    else commands.push(entry);
  }
  const isApprover = (login: string) => deciders.approvers.has(lower(login));
  const tally = tallyCommands(commands, isApprover);

  let closedBy: string | null = null;
  let closerAuthorized = false;
  let closeRejected: string | null = null;
  let closeActor: string | null = null;
  if (issue.state === "closed") {
    const close = latestClose(events);
    closeActor = close?.event.actor ?? null;
    if (close === null) {
      closeRejected = "GitHub's record of the issue does not say who closed it";
    } else if (close.index < identity.sinceIndex) {
      closedBy = close.event.actor;
      closeRejected = "it was closed before it became the gate issue";
    } else if (isApp(deciders, close.event.actor)) {
      const decider = decidingCommand(commands, close.event, tally, isApprover);
      closedBy = decider ?? close.event.actor;
      closerAuthorized = decider !== null;
      if (decider === null)
        closeRejected =
          "the approval it was closed on was withdrawn (`/revoke`, or an `/approve` comment edited or deleted)";
    } else if (close.event.actorIsBot) {
      closedBy = close.event.actor;
      closeRejected = `@${close.event.actor ?? "a bot"} is a bot, and only an approver or phase-gates itself can decide a gate`;
    } else {
      closedBy = close.event.actor;
      closerAuthorized = close.event.actor !== null && isApprover(close.event.actor);
    }
  }

  return {
    facts: {
      number: issue.number,
      url: issue.url,
      title: issue.title,
      state: issue.state,
      stateReason: issue.stateReason,
      closedAt: issue.closedAt,
      closedBy,
      closerAuthorized,
      closeRejected,
      closeActor,
      approvals: tally.approvals.map((a) => a.login),
      stop: tally.stop ? { by: tally.stop.by, reason: tally.stop.reason } : null,
      checklist: criteriaProgress(issue.body, input.criteria),
      editedCommands: editedCommands.length,
    },
    tally,
    commands,
    editedCommands,
    roundStart: start,
    roundStartIndex: round.index,
  };
}

/**
 * The approver whose command this app carried out when it closed the issue:
 * the latest matching command of the round before the close, whose approval
 * still stands (a `/revoke` or a deleted or edited `/approve` takes it back).
 */
function decidingCommand(
  commands: readonly CommandComment[],
  close: TimelineEvent,
  tally: ApprovalTally,
  isApprover: (login: string) => boolean,
): string | null {
  const kind = close.stateReason === "not_planned" ? "stop" : "approve";
  const standing = new Set(tally.approvals.map((a) => lower(a.login)));
  const matching = commands.filter(
    (c) =>
      c.command.kind === kind &&
      !c.authorIsBot &&
      isApprover(c.author) &&
      time(c.createdAt) <= time(close.at),
  );
  const decider = matching[matching.length - 1]?.author ?? null;
  if (decider === null || (kind === "approve" && !standing.has(lower(decider)))) return null;
  return decider;
}
