import { gatePhaseIndex } from "../../core/gates.js";
import { closingReferences, type PullFacts } from "../../github/pull-requests.js";
import { recheckOpenPulls } from "../evaluate-pull-request.js";
import { type GateTrigger, reconcileGate } from "../gate-flow.js";
import { refreshReports } from "../refresh-reports.js";
import type { RepoJob } from "../repo-job.js";
import { answerWaitingDeployments } from "./deployment.js";

export const ISSUE_EVENTS = [
  "issues.opened",
  "issues.closed",
  "issues.reopened",
  "issues.edited",
  "issues.labeled",
  "issues.unlabeled",
  "issues.milestoned",
  "issues.demilestoned",
  "issues.deleted",
  "issues.transferred",
] as const;

export interface IssueEvent {
  issue: {
    number: number;
    labels?: ({ name?: string } | null)[] | undefined;
    pull_request?: unknown;
  };
  /** The label added or removed, on labeled/unlabeled. */
  label?: { name: string } | undefined;
  trigger: GateTrigger;
}

const PHASE_INPUT_ACTIONS = new Set([
  "labeled",
  "unlabeled",
  "milestoned",
  "demilestoned",
  "deleted",
  "transferred",
]);

/**
 * An issue, or a comment on one, changed:
 * 1. load the config (none → nothing to do; invalid → every PR shows the errors);
 * 2. a gate issue (it has, or just lost, a gate label) → enforce the gate rules
 *    (commands, reverted closes, decision record), re-check every open PR, and
 *    regenerate the reports (dashboard, progress sections);
 * 3. any other issue whose labels or milestone changed → re-check the open PRs that close it.
 */
export async function onIssueChanged(job: RepoJob, event: IssueEvent): Promise<void> {
  const loaded = await job.config();
  if (loaded.kind === "none") return;
  if (loaded.kind === "invalid") {
    await recheckOpenPulls(job);
    return;
  }
  const { config } = loaded;
  const labels = [
    ...(event.issue.labels ?? []).flatMap((l) => (l?.name ? [l.name] : [])),
    ...(event.label ? [event.label.name] : []),
  ];
  const gateIndex = labels.map((l) => gatePhaseIndex(config, l)).find((i) => i >= 0);
  if (gateIndex !== undefined && !event.issue.pull_request) {
    // The app edits a gate issue's body only to update its progress section, which
    // holds no criterion: its echo changes no gate, and would re-check every open PR.
    const { trigger } = event;
    if (
      trigger.kind === "issue" &&
      trigger.action === "edited" &&
      trigger.sender.toLowerCase() === job.settings.appLogin.toLowerCase()
    ) {
      job.log.info({ gate: event.issue.number }, "skip: the app's own progress edit");
      return;
    }
    const deleted = event.trigger.kind === "issue" && event.trigger.action === "deleted";
    if (!deleted) await reconcileGate(job, config, gateIndex, event.trigger);
    // Deployments waiting on a gate are answered even when a PR's re-check fails, and vice versa.
    const unanswered = await answerWaitingDeployments(job, job.settings.deployments).then(
      () => null,
      (error: unknown) => error ?? new Error("deployments not answered"),
    );
    await recheckOpenPulls(job);
    await refreshReports(job);
    if (unanswered) throw unanswered;
    return;
  }
  const action = event.trigger.kind === "issue" ? event.trigger.action : "commented";
  if (!config.linkedIssues || !PHASE_INPUT_ACTIONS.has(action) || event.issue.pull_request) return;
  const closesThisIssue = (pr: PullFacts) =>
    closingReferences(job.repo, pr.body).some(
      (ref) =>
        ref.number === event.issue.number &&
        ref.owner.toLowerCase() === job.repo.owner.toLowerCase() &&
        ref.repo.toLowerCase() === job.repo.repo.toLowerCase(),
    );
  // The sender of a label or milestone change on a linked issue is who lowers the PRs that close it.
  const lowering = {
    by: action === "labeled" || event.trigger.kind !== "issue" ? null : event.trigger.sender,
  };
  await recheckOpenPulls(job, closesThisIssue, lowering);
}
