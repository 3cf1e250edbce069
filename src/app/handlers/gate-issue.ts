import { DASHBOARD_LABEL } from "../../core/dashboard.js";
import { gatePhaseIndex } from "../../core/gates.js";
import type { IssueRef } from "../../core/types.js";
import { forgetAncestry, listDescendants } from "../../github/ancestry.js";
import { repoKey } from "../../github/octokit.js";
import { closingReferences, type PullFacts } from "../../github/pull-requests.js";
import { handler, type Receipt, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { type Lowering, recheckOpenPulls } from "../recipes/evaluate-pull-request.js";
import { type GateTrigger, reconcileGate } from "../recipes/gate-flow.js";
import { onIssuePhaseLabelled, onItemMilestoneChanged } from "../recipes/phase-labels.js";
import { syncIssueIntoProject } from "../recipes/project-sync.js";
import { refreshReportsAfter } from "../recipes/refresh-reports.js";
import { answerWaitingDeployments } from "./deployment.js";
import {
  LINKED_PHASE_ACTIONS,
  pullsElsewhereClosing,
  recheckPullsClosingAny,
} from "./linked-elsewhere.js";

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
    /** The issue's milestone title as the payload shows it (issues events only). */
    milestone?: string | null;
    pull_request?: unknown;
    /** For the project: its node id (no query for it) and where it is (its parents, `parentIssues`). */
    node_id?: string | undefined;
    html_url?: string | undefined;
    parent_issue_url?: string | null | undefined;
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
    // Something happened on a gate issue: the gate is read from GitHub's record again, here and in every later job.
    await job.forgetGate(gateIndex);
    const deleted = event.trigger.kind === "issue" && event.trigger.action === "deleted";
    if (!deleted) await reconcileGate(job, config, gateIndex, event.trigger);
    // Deployments waiting on a gate are answered even when a PR's re-check fails, and vice versa.
    const unanswered = await answerWaitingDeployments(job, job.settings.deployments).then(
      () => null,
      (error: unknown) => error ?? new Error("deployments not answered"),
    );
    await recheckOpenPulls(job);
    await refreshReportsAfter(job);
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

/** What an `issues` job needs of its delivery. */
export interface IssueInput {
  action: string;
  issue: IssueEvent["issue"];
  label?: { name: string };
  milestone?: { title: string } | null;
  sender: string;
  senderIsBot: boolean;
  /** How many sub-issues it has (`sub_issues_summary.total`), when the payload says. */
  subIssues?: number;
}

/** The label names of a payload's issue (GitHub may send null entries). */
function payloadLabels(
  labels: readonly ({ name?: string } | null)[] | undefined,
): { name: string }[] {
  return (labels ?? []).flatMap((l) => (l?.name ? [{ name: l.name }] : []));
}

/** `sub_issues_summary.total` of a payload's issue, when GitHub sent it. */
function subIssueCount(issue: object): number | undefined {
  const summary = (issue as { sub_issues_summary?: { total?: unknown } | null }).sub_issues_summary;
  return typeof summary?.total === "number" ? summary.total : undefined;
}

/** `parent_issue_url` of a payload's issue, when GitHub sent it (newer payloads). */
function parentUrlOf(issue: object): { parent_issue_url?: string | null } {
  const url = (issue as { parent_issue_url?: unknown }).parent_issue_url;
  return typeof url === "string" || url === null ? { parent_issue_url: url } : {};
}

/** Actions on an issue that change the phase its sub-issues inherit. */
const INHERITED_PHASE_ACTIONS = new Set(["labeled", "unlabeled", "milestoned", "demilestoned"]);

export const issueRoute = route(ISSUE_EVENTS, (context): Receipt => {
  const { payload } = context;
  const label = "label" in payload && payload.label ? { name: payload.label.name } : undefined;
  const milestone = "milestone" in payload ? payload.milestone : undefined;
  const subIssues = subIssueCount(payload.issue);
  const input: IssueInput = {
    action: payload.action,
    issue: {
      number: payload.issue.number,
      labels: payloadLabels(payload.issue.labels),
      milestone: payload.issue.milestone?.title ?? null,
      ...(payload.issue.pull_request ? { pull_request: {} } : {}),
      node_id: payload.issue.node_id,
      html_url: payload.issue.html_url,
      ...parentUrlOf(payload.issue),
    },
    ...(label ? { label } : {}),
    ...(milestone !== undefined
      ? { milestone: milestone ? { title: milestone.title } : null }
      : {}),
    sender: payload.sender.login,
    senderIsBot: payload.sender.type === "Bot",
    ...(subIssues !== undefined ? { subIssues } : {}),
  };
  // The dashboard issue's own edits are the reports being written, not activity.
  const onDashboard = [...(input.issue.labels ?? []), ...(label ? [label] : [])].some(
    (l) => l?.name?.toLowerCase() === DASHBOARD_LABEL,
  );
  return {
    jobs: [{ kind: "issue", repo: context.repo(), input }],
    ...(onDashboard ? {} : { activity: { sender: input.sender } }),
  };
});

/**
 * 1. A milestone set or removed: sync the issue's phase labels (`sync.milestones`).
 * 2. The issue changed: enforce its gate, or re-check the PRs that close it.
 * 3. A person put it into a phase whose earlier gate is pending: "not yet, not no".
 * 4. PRs in the installation's other repositories that close it: a job for each repository.
 * 5. Its sub-issues, at any depth, inherit its phase (`parentIssues`): the PRs
 *    that close them, here and elsewhere, are re-checked too.
 */
async function runIssue(job: RepoJob, input: IssueInput): Promise<void> {
  const { action, issue, label } = input;
  if ((action === "milestoned" || action === "demilestoned") && input.milestone !== undefined) {
    await onItemMilestoneChanged(job, {
      action,
      number: issue.number,
      isPullRequest: false,
      milestone: input.milestone,
    });
  }
  await onIssueChanged(job, {
    issue,
    label,
    trigger: {
      kind: "issue",
      action,
      sender: input.sender,
      senderIsBot: input.senderIsBot,
      issueNumber: issue.number,
      ...(label ? { label: label.name } : {}),
    },
  });
  if (action === "labeled" && label && !input.senderIsBot) {
    await onIssuePhaseLabelled(job, issue.number, label.name);
  }
  if (PROJECT_ITEM_ACTIONS.has(action) && !issue.pull_request) {
    await syncIssueIntoProject(job, issue);
  }
  if (!LINKED_PHASE_ACTIONS.has(action) || issue.pull_request) return;
  const lowering = { by: action === "labeled" ? null : input.sender };
  const here = { ...job.repo, number: issue.number };
  if (job.installationId !== null) {
    for (const { repo, numbers } of await pullsElsewhereClosing(job, job.installationId, here)) {
      await job.enqueue({
        kind: "linked_elsewhere",
        repo,
        input: { numbers, lowering },
        deliverySuffix: `:${repoKey(repo)}`,
      });
    }
  }
  if (INHERITED_PHASE_ACTIONS.has(action)) await recheckBelow(job, here, input.subIssues, lowering);
}

/**
 * An issue's label or milestone changed: the issues below it that inherit
 * from it forget their remembered ancestry, and the PRs that close them are
 * re-checked. Only when this repository counts parent issues; an issue with
 * no sub-issues costs nothing. A payload without `sub_issues_summary` comes
 * from a GitHub without sub-issues (GitHub.com sends it on every issue).
 */
async function recheckBelow(
  job: RepoJob,
  issue: IssueRef,
  subIssues: number | undefined,
  lowering: Lowering,
): Promise<void> {
  if (!subIssues) return;
  const loaded = await job.config();
  if (loaded.kind !== "ok" || !loaded.config.parentIssues || !loaded.config.linkedIssues) return;
  const below = await listDescendants(job.octokit, issue, subIssues);
  if (below.length === 0) return;
  await forgetAncestry(job.store, below);
  await recheckPullsClosingAny(job, below, lowering);
}

/** The issue actions that can change what an issue shows in the project (SPEC §5 "Projects"). */
const PROJECT_ITEM_ACTIONS = new Set([
  "opened",
  "reopened",
  "labeled",
  "unlabeled",
  "milestoned",
  "demilestoned",
]);

export const issueHandler = handler("issue", runIssue);

export const ISSUE_COMMENT_EVENTS = [
  "issue_comment.created",
  "issue_comment.edited",
  "issue_comment.deleted",
] as const;

export interface IssueCommentInput {
  issue: IssueEvent["issue"];
  trigger: Extract<GateTrigger, { kind: "comment" }>;
}

/** Comments on PRs are not gate business; a comment on an issue may be a gate command. */
export const issueCommentRoute = route(ISSUE_COMMENT_EVENTS, (context): Receipt => {
  const { payload } = context;
  if (payload.issue.pull_request) return { jobs: [] };
  const { comment } = payload;
  const input: IssueCommentInput = {
    issue: {
      number: payload.issue.number,
      labels: payloadLabels(payload.issue.labels),
    },
    trigger: {
      kind: "comment",
      action: payload.action,
      commentId: comment.id,
      author: comment.user?.login ?? "ghost",
      authorIsBot: comment.user?.type === "Bot",
      body: comment.body ?? "",
    },
  };
  return { jobs: [{ kind: "issue_comment", repo: context.repo(), input }] };
});

export const issueCommentHandler = handler("issue_comment", (job, input: IssueCommentInput) =>
  onIssueChanged(job, input),
);
