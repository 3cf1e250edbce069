import type { Config } from "../config/schema.js";
import { parseCommand } from "../core/commands.js";
import { gateStatus, missingForApproval } from "../core/gate-state.js";
import {
  approvalNotEnoughComment,
  closeRevertedComment,
  decisionRecord,
  MARKERS,
  refusalComment,
  stopNeedsReasonComment,
} from "../core/gate-text.js";
import type { GateStatus } from "../core/types.js";
import { type GateRecord, isBot } from "../github/gate-issues.js";
import {
  closeIssue,
  comment,
  reopenIssue,
  setDecisionLabel,
  upsertMarkedComment,
} from "../github/gate-writes.js";
import type { RepoJob } from "./repo-job.js";

/** What happened on the gate issue. */
export type GateTrigger =
  | { kind: "issue"; action: string; sender: string; senderIsBot: boolean }
  | {
      kind: "comment";
      action: "created" | "edited" | "deleted";
      commentId: number;
      author: string;
      authorIsBot: boolean;
      body: string;
    };

async function reread(job: RepoJob, phaseIndex: number): Promise<GateRecord> {
  job.forgetGate(phaseIndex);
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
 * 3. `/stop <reason>` closes as not planned; `/approve` closes as completed
 *    once the quorum and criteria are met, else says what is still missing.
 * `/revoke` needs no action here: the tally no longer counts the approval,
 * and the reconcile step reopens a gate whose approval it took away.
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
  const status = statusOf(config, phaseIndex, record);
  if (!status) return false;

  const auth = await job.directory.authorize(gate, trigger.author);
  if (!auth.authorized) {
    const marker = MARKERS.refusal(trigger.commentId);
    if (!record.comments.some((c) => c.body.includes(marker))) {
      await comment(
        job.octokit,
        job.repo,
        issue.number,
        refusalComment(
          trigger.commentId,
          trigger.author,
          command.kind === "stop-without-reason" ? "stop" : command.kind,
          status,
        ),
      );
    }
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
  if (issue.state !== "open") return false;
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
function whyCloseDoesNotCount(
  record: GateRecord,
  status: GateStatus,
  closer: string | null,
): string {
  const facts = record.facts;
  if (closer === null) {
    return "the approval it was closed on was withdrawn (`/revoke`, or an `/approve` comment edited or deleted)";
  }
  if (facts && !facts.closerAuthorized) return `@${closer} is not an authorized approver`;
  if (facts?.stateReason !== "completed" && facts?.stateReason !== "not_planned") {
    return `it was closed as ${facts?.stateReason ?? "unknown"}; a gate is decided by closing as completed or not planned`;
  }
  return status.closeIgnoredBecause
    ? "the gate's conditions are not met yet"
    : "the gate's conditions are not met";
}

/**
 * Brings one gate issue in line with the rules of SPEC §3 after something
 * happened on it, then returns its status as it now stands:
 * 1. carry out a command in a new comment;
 * 2. a close that does not count (unauthorized closer, unchecked criteria,
 *    quorum not met, approval withdrawn) → reopen and say what is missing;
 * 3. show the decision: `gate: approved` / `gate: stopped` label (display only)
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
  // 1. commands
  let record = await reread(job, phaseIndex);
  if (!record.issue) return null;
  if (trigger.kind === "comment" && (await runCommand(job, config, phaseIndex, record, trigger))) {
    record = await reread(job, phaseIndex);
  }
  let status = statusOf(config, phaseIndex, record);
  if (!status || !record.issue) return status;

  // 2. a close that does not count is undone
  if (record.issue.state === "closed" && status.state === "pending") {
    const closedByApp = isBot(record.issue.closed_by ?? null);
    const closer = closedByApp
      ? null
      : (status.issue?.closedBy ?? (trigger.kind === "issue" ? trigger.sender : "someone"));
    const why = whyCloseDoesNotCount(record, status, closer);
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

  // 3. the display: label and decision record
  const decision = status.state === "pending" ? null : status.state;
  await setDecisionLabel(job.octokit, job.repo, record.issue, decision);
  const hasRecord = record.comments.some((c) => c.authorIsBot && c.body.includes(MARKERS.decision));
  if (decision || hasRecord) {
    await upsertMarkedComment(
      job.octokit,
      job.repo,
      record.issue.number,
      record.comments,
      MARKERS.decision,
      decisionRecord(config, status, record.tally),
    );
  }
  return status;
}
