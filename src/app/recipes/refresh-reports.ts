import { configErrorsToMarkdown } from "../../config/format-config-error.js";
import { ownPhaseIndex } from "../../core/ancestry.js";
import {
  type DashboardFacts,
  type PhaseReport,
  planDashboard,
  renderDashboard,
} from "../../core/dashboard.js";
import { gateStatus } from "../../core/gate-state.js";
import { decodePhaseFloor } from "../../core/phase-floor.js";
import { itemPhaseClaims } from "../../core/phases.js";
import { planProgressSection, renderProgressSection } from "../../core/progress-section.js";
import { nothingToWrite } from "../../core/reconcile.js";
import type { PullSummary, Timebox } from "../../core/report-text.js";
import type { Config, GateStatus } from "../../core/types.js";
import { type InheritingIssue, listInheritingIssues } from "../../github/ancestry.js";
import { findOurCheckRun } from "../../github/check-runs.js";
import {
  applyDashboardPlan,
  applyIssueBodyPlan,
  findDashboard,
  listMilestoneFacts,
  listPhasedIssues,
  type MilestoneFacts,
  type PhasedIssue,
  readIssueBody,
  repoWebUrl,
} from "../../github/dashboard.js";
import { recentEnforcement } from "../../github/enforcement.js";
import type { IssueData } from "../../github/gate-issues.js";
import { type RepoRef, repoKey } from "../../github/octokit.js";
import { listOpenPulls } from "../../github/pull-requests.js";
import { handler } from "../jobs/handler.js";
import type { JobSpec } from "../jobs/job.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { verdictFor } from "./evaluate-pull-request.js";
import { gateItems, type ProjectItemSpec, syncProjectItems } from "./project-sync.js";

export interface ReportWrites {
  dashboard: "created" | "updated" | "unchanged" | "off";
  /** Gate issues whose progress section was written. */
  progress: number[];
}

interface OpenPull extends PullSummary {
  phaseIndex: number | null;
}

/**
 * Every open PR in the phase its `Phase gate` check gives it (labels,
 * milestone, linked issues, held at its phase floor), and whether a gate
 * blocks it: the rule `phase-gates status` counts by too. The floor comes
 * from the app's own run on the PR's head as the app knows it (every run it
 * wrote; all of them with REDIS_URL), so the dashboard costs no read per PR.
 */
async function openPulls(job: RepoJob, config: Config): Promise<OpenPull[]> {
  const pulls: OpenPull[] = [];
  const open = await listOpenPulls(job.octokit, job.repo);
  if (open.length > 1) job.preloadClosingIssues();
  for (const pr of open) {
    // The floor as the check remembered it (no read: only runs already known), so the
    // dashboard counts what the check says; files as the check read them, never listed here.
    const run = await findOurCheckRun(job.runs, pr.headSha, { knownOnly: true });
    const floor = decodePhaseFloor(config, run?.externalId);
    const verdict = await verdictFor(job, config, pr, floor, { by: null }, { files: "known" });
    pulls.push({
      number: pr.number,
      url: pr.htmlUrl,
      blocked: verdict.conclusion === "failure",
      phaseIndex: verdict.phase.phaseIndex,
    });
  }
  return pulls.sort((a, b) => a.number - b.number);
}

/**
 * This repository's issues in a phase only through a parent issue
 * (`parentIssues`), found down the sub-issues of its phased issues: only
 * those that have sub-issues are asked (`sub_issues_summary`).
 */
async function inheritingIssues(
  job: RepoJob,
  config: Config,
  phased: readonly PhasedIssue[],
): Promise<InheritingIssue[]> {
  if (!config.parentIssues) return [];
  const roots = phased.flatMap((issue) => {
    const phaseIndex = ownPhaseIndex(config, issue);
    if (phaseIndex === null || !issue.subIssues) return [];
    return [{ ref: { ...job.repo, number: issue.number }, phaseIndex, subIssues: issue.subIssues }];
  });
  const here = repoKey(job.repo);
  return (await listInheritingIssues(job.octokit, config, roots)).filter(
    (i) => repoKey(i.ref) === here,
  );
}

function timeboxOf(
  config: Config,
  i: number,
  milestones: readonly MilestoneFacts[],
): Timebox | null {
  const title = config.phases[i]?.milestone;
  if (!title) return null;
  const m = milestones.find((x) => x.title.toLowerCase() === title.toLowerCase());
  return m ? { title: m.title, url: m.url, dueOn: m.dueOn, state: m.state } : null;
}

/** A gate issue's body with its progress section brought up to date, re-read just before the edit. */
async function writeProgress(job: RepoJob, issue: IssueData, section: string): Promise<boolean> {
  const stale = planProgressSection(issue, section);
  if (nothingToWrite(stale) && !stale.overLimit) return false;
  // People tick criteria in this body: splice into what is there now, not what the job read earlier.
  const current = await readIssueBody(job.octokit, job.repo, issue.number);
  const plan = planProgressSection({ number: issue.number, body: current }, section);
  if (plan.overLimit) {
    job.log.warn(
      { gate: issue.number },
      "skip progress: the gate issue's body is near GitHub's limit",
    );
    return false;
  }
  return (await applyIssueBodyPlan(job.octokit, job.repo, plan)).length > 0;
}

/** Open phased issues (not gate issues) with the phase their labels and milestone give them. */
function openIssueItems(
  job: RepoJob,
  config: Config,
  phased: readonly PhasedIssue[],
  gateIssues: readonly (IssueData | null)[],
): ProjectItemSpec[] {
  const gates = new Set(gateIssues.flatMap((i) => (i ? [i.number] : [])));
  return phased.flatMap((issue) => {
    if (issue.state !== "open" || gates.has(issue.number)) return [];
    const at = ownPhaseIndex(config, issue);
    const phase = at === null ? null : (config.phases[at]?.name ?? null);
    return phase
      ? [{ ref: { ...job.repo, number: issue.number }, desired: { phase }, nodeId: issue.nodeId }]
      : [];
  });
}

/** The open issues that are in a phase only through a parent issue, at that phase. */
function inheritedIssueItems(
  config: Config,
  inherited: readonly InheritingIssue[],
): ProjectItemSpec[] {
  return inherited.flatMap((issue) => {
    const phase = config.phases[issue.phaseIndex]?.name;
    if (issue.state !== "open" || !phase) return [];
    return [{ ref: issue.ref, desired: { phase }, nodeId: issue.nodeId }];
  });
}

/**
 * Regenerates a repository's reports (SPEC §5):
 * 1. no config → nothing; invalid → the errors on an existing dashboard (none is created);
 * 2. read the gates, the milestones (timeboxes), the phased issues and the open PRs;
 * 3. each gate issue's progress section, written where it changed;
 * 4. `dashboard: true` → whether the gate bites (the store's read, re-read after an hour), then
 *    the dashboard issue, created once, edited only when its text changed.
 */
export async function refreshReports(job: RepoJob): Promise<ReportWrites | null> {
  const reporting = job.settings.reporting;
  if (!reporting) return null;
  if (!reporting.active()) {
    job.log.info("skip reports: shutting down");
    return null;
  }
  await reporting.pacer.refreshed(repoKey(job.repo));
  const loaded = await job.config();
  if (loaded.kind === "none") return null;
  const { appLogin } = job.settings;
  if (loaded.kind === "invalid") {
    const existing = await findDashboard(job.octokit, job.repo, appLogin);
    if (!existing) return { dashboard: "off", progress: [] };
    const facts: DashboardFacts = {
      kind: "invalid",
      errorsMarkdown: configErrorsToMarkdown(loaded.errors),
      errorCount: loaded.errors.length,
    };
    const dashboard = await applyDashboardPlan(
      job.octokit,
      job.repo,
      planDashboard(existing, renderDashboard(facts)),
    );
    return { dashboard, progress: [] };
  }

  const { config } = loaded;
  const today = reporting.today();
  const gates: (GateStatus | null)[] = [];
  const issues: (IssueData | null)[] = [];
  for (const [i, phase] of config.phases.entries()) {
    if (!phase.gate) {
      gates.push(null);
      issues.push(null);
      continue;
    }
    const record = await job.gate(i);
    gates.push(gateStatus(i, phase.gate, record.facts));
    issues.push(record.issue);
  }
  const milestones = await listMilestoneFacts(job.octokit, job.repo);
  const pulls = await openPulls(job, config);

  const progress: number[] = [];
  for (const [i, status] of gates.entries()) {
    const issue = issues[i];
    if (!status || !issue) continue;
    const waiting =
      status.state === "approved"
        ? []
        : pulls.filter((p) => p.phaseIndex !== null && p.phaseIndex > i);
    const section = renderProgressSection({
      status,
      waiting,
      timebox: timeboxOf(config, i, milestones),
      today,
    });
    if (await writeProgress(job, issue, section)) progress.push(issue.number);
  }
  if (progress.length > 0) job.log.info({ gates: progress }, "gate progress updated");

  if (!config.dashboard && !config.project) return { dashboard: "off", progress };
  const phased = await listPhasedIssues(job.octokit, job.repo, config, milestones);
  // One walk down the sub-issues serves the project's items and the dashboard's counts.
  const inherited = await inheritingIssues(job, config, phased);
  const project = config.project
    ? await syncProjectItems(job, config, [
        ...gateItems(job, config, gates, issues),
        ...openIssueItems(job, config, phased, issues),
        ...inheritedIssueItems(config, inherited),
      ])
    : null;
  if (!config.dashboard) return { dashboard: "off", progress };
  const phases: PhaseReport[] = config.phases.map((_, i) => ({
    gate: gates[i] ?? null,
    issues: { open: 0, closed: 0 },
    pulls: pulls.filter((p) => p.phaseIndex === i),
    timebox: timeboxOf(config, i, milestones),
  }));
  for (const issue of phased) {
    const claims = itemPhaseClaims(config, issue);
    const at = Math.max(-1, ...claims.map((c) => c.phaseIndex));
    const report = phases[at];
    if (report) report.issues[issue.state] += 1;
  }
  for (const issue of inherited) {
    const report = phases[issue.phaseIndex];
    if (!report) continue;
    report.issues.inherited ??= { open: 0, closed: 0, from: [] };
    const { inherited } = report.issues;
    inherited[issue.state] += 1;
    if (!inherited.from.includes(issue.from.number)) inherited.from.push(issue.from.number);
  }
  const repoUrl = repoWebUrl(job.repo, [
    ...issues.flatMap((i) => (i ? [i.html_url] : [])),
    ...milestones.map((m) => m.url),
    ...pulls.map((p) => p.url),
  ]);
  // Read again after an hour, or once a config push or installation forgot it.
  const enforcement = await recentEnforcement(job.octokit, job.repo, job.store, {
    appId: job.settings.appId,
    repoUrl,
  });
  const facts: DashboardFacts = {
    kind: "ok",
    config,
    repoUrl,
    today,
    phases,
    unphasedPulls: pulls.filter((p) => p.phaseIndex === null),
    ...(project && project.problems.length > 0
      ? { projectProblems: project.problems.map((p) => p.message) }
      : {}),
    enforcement,
  };
  const existing = await findDashboard(job.octokit, job.repo, appLogin);
  const dashboard = await applyDashboardPlan(
    job.octokit,
    job.repo,
    planDashboard(existing, renderDashboard(facts)),
  );
  if (dashboard !== "unchanged") job.log.info({ dashboard }, "dashboard written");
  return { dashboard, progress };
}

/**
 * The job that regenerates a repository's reports. Waiting ones merge
 * (`coalesce`): a burst of gate events, or of activity, is one refresh after
 * the work already queued, however many asked for it.
 */
export function reportsJob(repo: RepoRef): JobSpec {
  return { kind: "reports", repo, input: {}, deliverySuffix: ":reports", coalesce: "reports" };
}

/**
 * The reports regenerated once the repository's waiting jobs have run: what a
 * job that changed them asks, instead of refreshing in its own turn.
 */
export async function refreshReportsAfter(job: RepoJob): Promise<void> {
  if (!job.settings.reporting?.active()) return;
  await job.enqueue(reportsJob(job.repo));
}

export const reportsHandler = handler("reports", async (job) => {
  await refreshReports(job);
});
