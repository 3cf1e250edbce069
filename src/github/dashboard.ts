import { DASHBOARD_LABEL, type DashboardText, type ExistingDashboard } from "../core/dashboard.js";
import type { IssueBody } from "../core/progress-section.js";
import type { Plan } from "../core/reconcile.js";
import type { Timebox } from "../core/report-text.js";
import type { Config } from "../core/types.js";
import { labelNames } from "./gate-issues.js";
import type { GitHub, RepoRef } from "./octokit.js";
import { webHost } from "./pull-requests.js";

/** The dashboard issue as the app reads it back. */
export type DashboardIssue = ExistingDashboard;

interface ListedIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  user?: { login: string } | null;
  labels: (string | { name?: string })[];
  milestone?: { title: string } | null;
  pull_request?: unknown;
  node_id?: string;
  sub_issues_summary?: { total: number } | null;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The repository's dashboard: the oldest issue with the dashboard label that
 * this app opened. Anyone can put the label on an issue of their own; the app
 * neither reads nor overwrites it.
 */
export async function findDashboard(
  octokit: GitHub,
  repo: RepoRef,
  appLogin: string,
): Promise<DashboardIssue | null> {
  const issues = (await octokit.paginate(octokit.rest.issues.listForRepo, {
    ...repo,
    labels: DASHBOARD_LABEL,
    state: "all",
    sort: "created",
    direction: "asc",
    per_page: 100,
  })) as ListedIssue[];
  const ours = issues.find((i) => !i.pull_request && i.user && same(i.user.login, appLogin));
  return ours ? { number: ours.number, title: ours.title, body: ours.body ?? "" } : null;
}

/** Writes a dashboard plan: the new dashboard issue, or the edit of the existing one. */
export async function applyDashboardPlan(
  octokit: GitHub,
  repo: RepoRef,
  plan: Plan<DashboardText, DashboardIssue>,
): Promise<"created" | "updated" | "unchanged"> {
  for (const { title, body } of plan.create) {
    await octokit.rest.issues.create({ ...repo, title, body, labels: [DASHBOARD_LABEL] });
  }
  for (const { desired, actual } of plan.update) {
    await octokit.rest.issues.update({
      ...repo,
      issue_number: actual.number,
      title: desired.title,
      body: desired.body,
    });
  }
  return plan.create.length > 0 ? "created" : plan.update.length > 0 ? "updated" : "unchanged";
}

/** An issue's body as it is now: read just before the app edits part of it. */
export async function readIssueBody(
  octokit: GitHub,
  repo: RepoRef,
  number: number,
): Promise<string> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
  return data.body ?? "";
}

/** Writes an issue-body plan: one PATCH per body that changed. */
export async function applyIssueBodyPlan(
  octokit: GitHub,
  repo: RepoRef,
  plan: Plan<IssueBody, IssueBody>,
): Promise<number[]> {
  for (const { desired } of plan.update) {
    await octokit.rest.issues.update({ ...repo, issue_number: desired.number, body: desired.body });
  }
  return plan.update.map((u) => u.desired.number);
}

export interface MilestoneFacts extends Timebox {
  number: number;
}

/** Every milestone, open and closed: a phase's milestone carries its timebox. */
export async function listMilestoneFacts(
  octokit: GitHub,
  repo: RepoRef,
): Promise<MilestoneFacts[]> {
  const milestones = await octokit.paginate(octokit.rest.issues.listMilestones, {
    ...repo,
    state: "all",
    per_page: 100,
  });
  return milestones.map((m) => ({
    number: m.number,
    title: m.title,
    url: m.html_url,
    dueOn: m.due_on ?? null,
    state: m.state === "closed" ? "closed" : "open",
  }));
}

/** An issue (not a pull request) that a phase label or milestone may put in a phase. */
export interface PhasedIssue {
  number: number;
  state: "open" | "closed";
  labels: string[];
  milestone: string | null;
  /** GitHub's GraphQL node id (a project item points at it; saves a query per issue). */
  nodeId?: string;
  /** How many sub-issues it has, when the listing says (`sub_issues_summary.total`). */
  subIssues?: number;
}

/**
 * Issues that carry a phase label or a phase milestone, open and closed, each
 * once. One listing per label and per milestone rather than every issue of
 * the repository: the cost follows the phased work, not the repository's age.
 */
export async function listPhasedIssues(
  octokit: GitHub,
  repo: RepoRef,
  config: Config,
  milestones: readonly MilestoneFacts[],
): Promise<PhasedIssue[]> {
  const found = new Map<number, PhasedIssue>();
  const add = (issues: ListedIssue[]) => {
    for (const i of issues) {
      if (i.pull_request || found.has(i.number)) continue;
      found.set(i.number, {
        number: i.number,
        state: i.state === "closed" ? "closed" : "open",
        labels: labelNames(i.labels),
        milestone: i.milestone?.title ?? null,
        ...(i.node_id ? { nodeId: i.node_id } : {}),
        ...(typeof i.sub_issues_summary?.total === "number"
          ? { subIssues: i.sub_issues_summary.total }
          : {}),
      });
    }
  };
  for (const phase of config.phases) {
    add(
      (await octokit.paginate(octokit.rest.issues.listForRepo, {
        ...repo,
        labels: phase.label,
        state: "all",
        per_page: 100,
      })) as ListedIssue[],
    );
    const milestone = phase.milestone
      ? milestones.find((m) => same(m.title, phase.milestone ?? ""))
      : undefined;
    if (milestone) {
      add(
        (await octokit.paginate(octokit.rest.issues.listForRepo, {
          ...repo,
          milestone: String(milestone.number),
          state: "all",
          per_page: 100,
        })) as ListedIssue[],
      );
    }
  }
  return [...found.values()].sort((a, b) => a.number - b.number);
}

/**
 * The repository's web address, from a URL GitHub gave for one of its issues,
 * PRs or milestones (right on GitHub Enterprise Server and behind any proxy),
 * else from GHE_HOST / github.com.
 */
export function repoWebUrl(repo: RepoRef, knownUrls: readonly string[]): string {
  const suffix = `/${repo.owner}/${repo.repo}/`.toLowerCase();
  for (const url of knownUrls) {
    const at = url.toLowerCase().indexOf(suffix);
    if (at > 0) return url.slice(0, at + suffix.length - 1);
  }
  const protocol = process.env.GHE_HOST ? (process.env.GHE_PROTOCOL ?? "https") : "https";
  return `${protocol}://${webHost()}/${repo.owner}/${repo.repo}`;
}
