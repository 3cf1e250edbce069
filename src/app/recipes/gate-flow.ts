import type { Config } from "../../config/schema.js";
import { parseCommand } from "../../core/commands.js";
import {
  editedCommandComment,
  GUARD_MARKERS,
  impostorComment,
  labelRestoredComment,
} from "../../core/gate-guard-text.js";
import { gateStatus, missingForApproval } from "../../core/gate-state.js";
import {
  alreadyDecidedComment,
  approvalNotEnoughComment,
  closeRevertedComment,
  decisionRecord,
  MARKERS,
  refusalComment,
  stopNeedsReasonComment,
} from "../../core/gate-text.js";
import { planMarkedComment } from "../../core/plan-issues.js";
import { planDecisionLabel } from "../../core/plan-labels.js";
import type { GateConfig, GateStatus } from "../../core/types.js";
import { type GateRecord, identifyGateIssue, labelNames } from "../../github/gate-issues.js";
import {
  applyCommentPlan,
  applyDecisionLabelPlan,
  closeIssue,
  comment,
  reopenIssue,
} from "../../github/gate-writes.js";
import { addLabel, removeLabel } from "../../github/labels.js";
import type { RepoJob } from "../jobs/repo-job.js";

/** What happened on the gate issue (or on an issue that carries, or just lost, its label). */
export type GateTrigger =
  | {
      kind: "issue";
      action: string;
      sender: string;
      senderIsBot: boolean;
      /** The issue the event is about. */
      issueNumber?: number;
      /** The label added or removed, on labeled/unlabeled. */
      label?: string;
    }
  | {
      kind: "comment";
      action: "created" | "edited" | "deleted";
      commentId: number;
      author: string;
      authorIsBot: boolean;
      body: string;
    };

/** A notice posted once per comment it answers: any copy of its marker means it was said. */
const ONCE = { author: null, update: false } as const;

async function reread(job: RepoJob, phaseIndex: number): Promise<GateRecord> {
  await job.forgetGate(phaseIndex);
  return job.gate(phaseIndex);
}

function statusOf(config: Config, phaseIndex: number, record: GateRecord): GateStatus | null {
  const gate = config.phases[phaseIndex]?.gate;
  return gate ? gateStatus(phaseIndex, gate, record.facts) : null;
}

/**
 * Carries out a command in a new comment:
 * 1. ignore bots and comments that are not commands;
 * 2. refuse (one short comment) when the author may not decide this gate;
 * 3. on a decided (closed) gate, say once that it is decided and how to reopen;
 * 4. `/stop <reason>` closes as not planned; `/approve` closes as completed
 *    once the quorum and criteria are met, else says what is still missing.
 * `/revoke` needs no action here: the tally no longer counts the approval,
 * and the reconcile step reopens a gate whose approval it took away (the
 * gate is then no longer decided, and step 3 says nothing).
 */
async function runCommand(
  job: RepoJob,
  config: Config,
  phaseIndex: number,
  record: GateRecord,
  trigger: Extract<GateTrigger, { kind: "comment" }>,
): Promise<boolean> {
  const command = parseCommand(trigger.body);
  const gate = config.phases[phaseIndex]?.gate;
  const issue = record.issue;
  if (!command || trigger.authorIsBot || trigger.action !== "created" || !gate || !issue)
    return false;
  // Act only on a command the record counts (this round, never edited), so a
  // replayed or late event cannot carry out a command that no longer stands.
  if (!record.commands.some((c) => c.id === trigger.commentId)) return false;
  const status = statusOf(config, phaseIndex, record);
  if (!status) return false;

  const auth = await job.directory.authorize(gate, trigger.author);
  if (!auth.authorized) {
    const refusal = {
      marker: MARKERS.refusal(trigger.commentId),
      body: refusalComment(
        trigger.commentId,
        trigger.author,
        command.kind === "stop-without-reason" ? "stop" : command.kind,
        status,
      ),
    };
    await applyCommentPlan(
      job.octokit,
      job.repo,
      issue.number,
      planMarkedComment(record.comments, refusal, ONCE),
    );
    return false;
  }
  if (command.kind === "stop-without-reason") {
    await comment(
      job.octokit,
      job.repo,
      issue.number,
      stopNeedsReasonComment(trigger.commentId, trigger.author),
    );
    return false;
  }
  if (issue.state !== "open") {
    if (status.state !== "pending") {
      const decided = {
        marker: MARKERS.commandNote(trigger.commentId),
        body: alreadyDecidedComment(trigger.commentId, trigger.author, command.kind, status),
      };
      await applyCommentPlan(
        job.octokit,
        job.repo,
        issue.number,
        planMarkedComment(record.comments, decided, ONCE),
      );
    }
    return false;
  }
  if (command.kind === "stop") {
    await closeIssue(job.octokit, job.repo, issue.number, "not_planned");
    return true;
  }
  if (command.kind === "approve" && record.facts) {
    const missing = missingForApproval(gate, record.facts, status.approvals);
    if (missing.length === 0) {
      await closeIssue(job.octokit, job.repo, issue.number, "completed");
      return true;
    }
    await comment(
      job.octokit,
      job.repo,
      issue.number,
      approvalNotEnoughComment(trigger.commentId, { ...status, missing }),
    );
  }
  return false;
}

/** The reason a close was not counted, in words for the person who closed it. */
function whyCloseDoesNotCount(record: GateRecord, status: GateStatus, byApp: boolean): string {
  const facts = record.facts;
  if (facts?.closeRejected) return facts.closeRejected;
  // The app closes only on a met quorum: short of it now, an approval was taken back.
  if (byApp && status.approvals.length < status.gate.approvals)
    return "the approval it was closed on was withdrawn (`/revoke`, or an `/approve` comment edited or deleted)";
  if (byApp) return "the gate's conditions are no longer met";
  if (facts && !facts.closerAuthorized)
    return `@${facts.closedBy ?? "unknown"} is not an authorized approver`;
  if (facts?.stateReason !== "completed" && facts?.stateReason !== "not_planned") {
    return `it was closed as ${facts?.stateReason ?? "unknown"}; a gate is decided by closing as completed or not planned`;
  }
  return status.closeIgnoredBecause
    ? "the gate's conditions are not met yet"
    : "the gate's conditions are not met";
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Issues that carry the gate label without being the gate issue (someone
 * below approver applied it): the label comes off, with a comment saying why.
 */
async function removeImpostorLabels(
  job: RepoJob,
  gate: GateConfig,
  record: GateRecord,
  trigger: GateTrigger,
): Promise<boolean> {
  const impostors = [...record.impostors];
  // The search stops at the gate issue; an older issue just labelled is looked at too.
  const labelled = trigger.kind === "issue" && trigger.action === "labeled" ? trigger : null;
  if (
    labelled?.issueNumber !== undefined &&
    labelled.label &&
    same(labelled.label, gate.label) &&
    labelled.issueNumber !== record.issue?.number &&
    !impostors.some((i) => i.number === labelled.issueNumber)
  ) {
    const { identity } = await identifyGateIssue(job.gateReader, gate, labelled.issueNumber);
    if (!identity.isGate)
      impostors.push({ number: labelled.issueNumber, labelledBy: identity.labelledBy });
  }
  for (const { number, labelledBy } of impostors) {
    await removeLabel(job.octokit, job.repo, number, gate.label);
    await comment(
      job.octokit,
      job.repo,
      number,
      impostorComment(
        gate,
        labelledBy,
        record.issue ? { number: record.issue.number, url: record.issue.html_url } : null,
      ),
    );
    job.log.warn(
      { issue: number, labelledBy, gateLabel: gate.label },
      "removed a gate label applied by someone who may not",
    );
  }
  return impostors.length > 0;
}

/**
 * The gate label was taken off an issue by someone below approver: if that
 * issue was the gate issue (and no newer one exists), the label goes back,
 * so nobody can unmake the review record or let an older decision stand in.
 */
async function restoreRemovedLabel(
  job: RepoJob,
  gate: GateConfig,
  record: GateRecord,
  trigger: GateTrigger,
): Promise<boolean> {
  if (
    trigger.kind !== "issue" ||
    trigger.action !== "unlabeled" ||
    trigger.issueNumber === undefined ||
    !trigger.label ||
    !same(trigger.label, gate.label) ||
    same(trigger.sender, job.settings.appLogin)
  )
    return false;
  const number = trigger.issueNumber;
  if (record.issue && record.issue.number > number) return false;
  const labelBack =
    record.issue?.number === number &&
    labelNames(record.issue.labels).some((l) => same(l, gate.label));
  if (labelBack) return false;
  const { identity } = await identifyGateIssue(job.gateReader, gate, number);
  if (!identity.isGate) return false;
  await addLabel(job.octokit, job.repo, number, gate.label);
  await comment(job.octokit, job.repo, number, labelRestoredComment(gate, trigger.sender));
  job.log.warn(
    { issue: number, removedBy: trigger.sender, gateLabel: gate.label },
    "restored a gate label removed by someone who may not",
  );
  return true;
}

/** An edited comment now holds a command: it does not count; say so once. */
async function answerEditedCommand(
  job: RepoJob,
  record: GateRecord,
  trigger: GateTrigger,
): Promise<void> {
  if (trigger.kind !== "comment" || trigger.action !== "edited" || !record.issue) return;
  const edited = record.editedCommands.find((c) => c.id === trigger.commentId);
  if (!edited) return;
  const kind = edited.command.kind === "stop-without-reason" ? "stop" : edited.command.kind;
  const notice = {
    marker: GUARD_MARKERS.edited(trigger.commentId),
    body: editedCommandComment(trigger.commentId, kind),
  };
  await applyCommentPlan(
    job.octokit,
    job.repo,
    record.issue.number,
    planMarkedComment(record.comments, notice, ONCE),
  );
}

/**
 * Brings one gate issue in line with the rules of SPEC §3 after something
 * happened on it, then returns its status as it now stands:
 * 1. the gate label is where an approver or the app put it: removed from an
 *    issue someone below approver labelled, restored where they removed it;
 * 2. carry out a command in a new comment; answer a command edited in;
 * 3. a close that does not count (unauthorized closer, another bot, before
 *    the issue became the gate issue, unchecked criteria, quorum not met,
 *    approval withdrawn) → reopen and say what is missing;
 * 4. show the decision: `gate: approved` / `gate: stopped` label (display only)
 *    and one decision-record comment, updated rather than duplicated.
 * Every write here comes back as a webhook; on that second pass the state
 * already matches, so nothing more is written.
 */
export async function reconcileGate(
  job: RepoJob,
  config: Config,
  phaseIndex: number,
  trigger: GateTrigger,
): Promise<GateStatus | null> {
  const gate = config.phases[phaseIndex]?.gate;
  if (!gate) return null;
  // 1. identity: a label someone below approver added comes off; one they removed goes back
  let record = await reread(job, phaseIndex);
  const removed = await removeImpostorLabels(job, gate, record, trigger);
  const restored = await restoreRemovedLabel(job, gate, record, trigger);
  if (removed || restored) record = await reread(job, phaseIndex);
  if (!record.issue) return null;

  // 2. commands; an edited one is answered, not carried out
  if (trigger.kind === "comment" && (await runCommand(job, config, phaseIndex, record, trigger))) {
    record = await reread(job, phaseIndex);
  }
  await answerEditedCommand(job, record, trigger);
  let status = statusOf(config, phaseIndex, record);
  if (!status || !record.issue) return status;

  // 3. a close that does not count is undone
  if (record.issue.state === "closed" && status.state === "pending") {
    const actor = status.issue?.closeActor ?? null;
    const byApp = actor !== null && same(actor, job.settings.appLogin);
    const closer = byApp ? null : (status.issue?.closedBy ?? actor);
    const why = whyCloseDoesNotCount(record, status, byApp);
    await reopenIssue(job.octokit, job.repo, record.issue.number);
    await comment(
      job.octokit,
      job.repo,
      record.issue.number,
      closeRevertedComment(status, closer, why),
    );
    job.log.info(
      { gate: record.issue.number, closer, why },
      "reopened a gate closed in a way that does not count",
    );
    record = await reread(job, phaseIndex);
    status = statusOf(config, phaseIndex, record);
    if (!status || !record.issue) return status;
  }

  // 4. the display: label and decision record
  const decision = status.state === "pending" ? null : status.state;
  await applyDecisionLabelPlan(
    job.octokit,
    job.repo,
    record.issue.number,
    planDecisionLabel(labelNames(record.issue.labels), decision),
  );
  // A pending gate gets no record; one it had (the gate was reopened) is brought up to date.
  const recordPlan = planMarkedComment(
    record.comments,
    { marker: MARKERS.decision, body: decisionRecord(config, status, record.tally) },
    { author: job.settings.appLogin, create: decision !== null },
  );
  await applyCommentPlan(job.octokit, job.repo, record.issue.number, recordPlan);
  return status;
}
