import { decide } from "../../core/evaluate.js";
import { gatePhaseIndex } from "../../core/gates.js";
import { effectivePhase, phaseIndexOfLabel } from "../../core/phases.js";
import { planMarkedComment } from "../../core/plan-issues.js";
import type { Demilestoned, ItemPhaseState } from "../../core/plan-milestones.js";
import { nothingToWrite } from "../../core/reconcile.js";
import { describeApprovers } from "../../core/render-check.js";
import type { Config, GateStatus } from "../../core/types.js";
import { listComments } from "../../github/gate-issues.js";
import { applyCommentPlan } from "../../github/gate-writes.js";
import {
  ensureLabels,
  type ItemLabelChanges,
  type LabelSync,
  syncItemPhaseLabels,
} from "../../github/labels.js";
import { ensureMilestones, type MilestoneSync } from "../../github/milestones.js";
import { closingReferences } from "../../github/pull-requests.js";
import { getIssueNow, type IssueNow } from "../../github/repository.js";
import type { RepoJob } from "../jobs/repo-job.js";

/** Marks the one "not yet, not no" comment per issue, so it is never posted twice. */
export const NOT_YET_MARKER = "<!-- phase-gates:not-yet -->";

export interface RepoSync {
  labels: LabelSync | null;
  milestones: MilestoneSync | null;
}

/**
 * Labels and milestones the config relies on (installation, config push):
 * 1. load the config (none or invalid → nothing: never act on a config that did not validate);
 * 2. `sync.labels` → create missing labels, repair drift;
 * 3. `sync.milestones` → create missing phase milestones.
 * Each reads once and writes only the difference: a second run writes nothing.
 */
export async function syncLabelsAndMilestones(job: RepoJob): Promise<RepoSync> {
  const loaded = await job.config();
  if (loaded.kind !== "ok") {
    job.log.info({ config: loaded.kind }, "skip label/milestone sync: no valid config");
    return { labels: null, milestones: null };
  }
  const { config } = loaded;
  const labels = config.sync.labels ? await ensureLabels(job.octokit, job.repo, config) : null;
  const milestones = config.sync.milestones
    ? await ensureMilestones(job.octokit, job.repo, config)
    : null;
  job.log.info(
    {
      repo: `${job.repo.owner}/${job.repo.repo}`,
      labelsCreated: labels?.created ?? [],
      labelsUpdated: labels?.updated ?? [],
      milestonesCreated: milestones?.created ?? [],
      delivery: job.deliveryId,
    },
    "labels and milestones synced",
  );
  return { labels, milestones };
}

export interface MilestoneEvent {
  action: "milestoned" | "demilestoned";
  number: number;
  isPullRequest: boolean;
  /** The payload's milestone: the one set, or the one just removed. */
  milestone: { title: string } | null;
}

/**
 * An issue or PR was milestoned or demilestoned (`sync.milestones`):
 * 1. load the config (none or invalid → nothing);
 * 2. `sync.milestones: false` → nothing;
 * 3. re-read the item as it is now, since events can arrive late or out of order;
 * 4. plan its phase labels on that state (for a removed milestone, read the
 *    issues a PR closes: they may still imply the phase);
 * 5. write the difference, or nothing.
 * The app's own label writes come back as `labeled`/`unlabeled`, never as
 * milestone events, and planning again on the written state is empty.
 * An issue that thereby entered a phase behind a pending gate gets the
 * "not yet" comment, as if a person had labelled it.
 */
export async function onItemMilestoneChanged(
  job: RepoJob,
  event: MilestoneEvent,
): Promise<ItemLabelChanges | null> {
  const loaded = await job.config();
  if (loaded.kind !== "ok") return null;
  const { config } = loaded;
  if (!config.sync.milestones) {
    job.log.info({ item: event.number }, "skip: sync.milestones is off");
    return null;
  }

  const data = await getIssueNow(job.octokit, job.repo, event.number);
  const item = { number: data.number, labels: data.labels, milestone: data.milestone };
  const isPullRequest = event.isPullRequest || data.isPullRequest;

  let demilestoned: Demilestoned | undefined;
  if (event.action === "demilestoned" && event.milestone) {
    const otherSources =
      isPullRequest && config.linkedIssues ? await linkedSources(job, data.body ?? null) : [];
    demilestoned = { milestone: event.milestone.title, otherSources };
  }

  const plan = await syncItemPhaseLabels(job.octokit, job.repo, config, item, demilestoned);
  job.log.info(
    {
      item: item.number,
      milestone: item.milestone,
      action: event.action,
      add: plan.add,
      remove: plan.remove,
      delivery: job.deliveryId,
    },
    plan.add.length + plan.remove.length > 0 ? "phase labels synced" : "phase labels already right",
  );

  const added = plan.add[0];
  if (!isPullRequest && added !== undefined) {
    const removed = new Set(plan.remove.map((l) => l.toLowerCase()));
    const labels = [...item.labels.filter((l) => !removed.has(l.toLowerCase())), ...plan.add];
    await commentIfWaiting(job, config, added, { ...data, labels });
  }
  return plan;
}

/** The issues a PR closes, as phase sources; unreadable ones imply nothing. */
async function linkedSources(job: RepoJob, body: string | null): Promise<ItemPhaseState[]> {
  const refs = closingReferences(job.repo, body);
  const linked = await Promise.all(refs.map((ref) => job.linked.read(ref)));
  return linked.flatMap((l) => (l.readable ? [{ labels: l.labels, milestone: l.milestone }] : []));
}

/**
 * An issue was newly labelled with a phase label by a person (SPEC §5):
 * 1. load the config (none or invalid → nothing); the label must be a phase label;
 * 2. re-read the issue: skip PRs, gate issues, closed issues, and a label
 *    removed since;
 * 3. the issue's phase must be the labelled one (a later phase already set
 *    makes this label change nothing);
 * 4. the gate it waits for must be pending (a stopped gate is a "no", not a "not yet");
 * 5. comment once: an earlier comment with the marker means done.
 * Returns whether it commented.
 */
export async function onIssuePhaseLabelled(
  job: RepoJob,
  issueNumber: number,
  label: string,
): Promise<boolean> {
  const loaded = await job.config();
  if (loaded.kind !== "ok") return false;
  if (phaseIndexOfLabel(loaded.config, label) < 0) return false;
  const issue = await getIssueNow(job.octokit, job.repo, issueNumber);
  if (issue.isPullRequest) return false;
  return commentIfWaiting(job, loaded.config, label, issue);
}

async function commentIfWaiting(
  job: RepoJob,
  config: Config,
  label: string,
  issue: IssueNow,
): Promise<boolean> {
  const skip = (why: string) => {
    job.log.info({ issue: issue.number, label, why }, "skip not-yet comment");
    return false;
  };
  const labelled = phaseIndexOfLabel(config, label);
  if (issue.state !== "open") return skip("issue is closed");
  if (!issue.labels.some((l) => l.toLowerCase() === label.toLowerCase()))
    return skip("label was removed since");
  if (issue.labels.some((l) => gatePhaseIndex(config, l) >= 0)) return skip("a gate issue");

  const phase = effectivePhase(config, {
    labels: [...issue.labels],
    milestone: issue.milestone,
    linkedIssues: [],
  });
  if (phase.phaseIndex !== labelled) return skip("the issue is already in a later phase");

  const gates = await job.gatesBefore(config, labelled);
  const blocker = decide(config, phase, gates).blockingGate;
  if (blocker?.state !== "pending") return skip("no pending gate before this phase");

  // Any copy of the marker counts: the comment is said once per issue, never edited.
  const comments =
    issue.comments > 0 ? await listComments(job.octokit, job.repo, issue.number) : [];
  const plan = planMarkedComment(
    comments,
    { marker: NOT_YET_MARKER, body: renderNotYetComment(config, labelled, blocker, gates) },
    { author: null, update: false },
  );
  if (nothingToWrite(plan)) return skip("already commented");
  await applyCommentPlan(job.octokit, job.repo, issue.number, plan);
  job.log.info(
    { issue: issue.number, phase: config.phases[labelled]?.id, waitsFor: blocker.phaseIndex },
    "not-yet comment posted",
  );
  return true;
}

function gateLink(g: GateStatus): string {
  return g.issue
    ? `[#${g.issue.number}](${g.issue.url})`
    : `no gate issue yet: one labelled \`${g.gate.label}\``;
}

/** The one comment an issue gets when its phase waits for a pending gate: what, why, and who can move it. */
export function renderNotYetComment(
  config: Config,
  phaseIndex: number,
  blocker: GateStatus,
  gates: readonly GateStatus[],
): string {
  const phase = config.phases[phaseIndex]?.name ?? "?";
  const gateName = config.phases[blocker.phaseIndex]?.name ?? "?";
  const lines = [
    NOT_YET_MARKER,
    `This issue is in **${phase}**. ${phase} work waits for the **${gateName}** gate (${gateLink(blocker)}), which is pending — not yet, not no: the team agreed that ${gateName} must be approved before ${phase} work merges, so this work is deferred by that agreement, not turned down.`,
    "",
  ];
  if (blocker.missing.length > 0) lines.push(`- Still needed: ${blocker.missing.join("; ")}.`);
  lines.push(
    `- Who can approve: ${describeApprovers(blocker.gate)} — by closing the gate issue as completed or commenting \`/approve\` on it.`,
  );
  const alsoPending = gates.filter((g) => g !== blocker && g.state === "pending");
  if (alsoPending.length > 0) {
    const names = alsoPending.map(
      (g) => `**${config.phases[g.phaseIndex]?.name ?? "?"}** (${gateLink(g)})`,
    );
    lines.push(`- Other gates before ${phase} still pending: ${names.join(", ")}.`);
  }
  lines.push(
    `- Until then, ${phase} pull requests (labelled \`${config.phases[phaseIndex]?.label ?? ""}\`${config.linkedIssues ? " or closing this issue" : ""}) fail the \`Phase gate\` check. They pass by themselves once every gate before ${phase} is approved: nothing to re-label, no push needed.`,
    "",
    "_phase-gates posts this once per issue._",
  );
  return lines.join("\n");
}
