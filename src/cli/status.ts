import { computeCheck } from "../app/recipes/evaluate-pull-request.js";
import type { Config } from "../config/schema.js";
import { DASHBOARD_LABEL } from "../core/dashboard.js";
import { type Enforcement, enforcementWords } from "../core/enforcement.js";
import { effectivePhase } from "../core/phases.js";
import { describeApprovers } from "../core/render-check.js";
import type { GateStatus, Verdict } from "../core/types.js";
import { listInheritingIssues } from "../github/ancestry.js";
import { findCheckRunOfApp } from "../github/check-runs.js";
import { readEnforcement } from "../github/enforcement.js";
import { repoKey } from "../github/octokit.js";
import { listOpenPulls, type PullFacts } from "../github/pull-requests.js";
import { type IssueFacts, listOpenIssues } from "../github/repository.js";
import { describeGitHubError } from "./connect.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { type NetworkOptions, type OpenRepo, openRepo } from "./open-repo.js";
import {
  decision,
  formatTime,
  gateJson,
  gateSentence,
  phaseJson,
  plain,
  printWarnings,
  stateWord,
} from "./report.js";
import { paint, type Term, table } from "./term.js";
import { formatErrorLine } from "./validate.js";

interface PullReport {
  pr: PullFacts;
  conclusion: "success" | "failure";
  title: string;
  verdict: Verdict | null;
}

export interface StatusReport {
  config: Config;
  sources: string[];
  gates: Map<number, GateStatus>;
  impostors: Map<number, { number: number; labelledBy: string | null }[]>;
  issues: { issue: IssueFacts; phaseIndex: number | null; inheritedFrom?: number }[];
  pulls: PullReport[];
  enforcement: Enforcement;
}

/**
 * Everything `status` shows, read as the app reads it: each gate through the
 * app's gate reader, each open PR through the app's `computeCheck` (its phase
 * floor included), so "blocked" here is what the check says there.
 */
export async function gather(term: Term, open: OpenRepo, config: Config): Promise<StatusReport> {
  const { conn, repo, job, app } = open;
  const gates = new Map<number, GateStatus>();
  const impostors = new Map<number, { number: number; labelledBy: string | null }[]>();
  for (const status of await job.gatesBefore(config, config.phases.length)) {
    gates.set(status.phaseIndex, status);
    const record = await job.gate(status.phaseIndex);
    if (record.impostors.length > 0) impostors.set(status.phaseIndex, record.impostors);
  }
  const gateIssueNumbers = new Set(
    [...gates.values()].flatMap((g) => (g.issue ? [g.issue.number] : [])),
  );

  // Gate issues are shown with their gates, and the app's own dashboard is no work item.
  const appLogin = `${app.slug}[bot]`.toLowerCase();
  const isDashboard = (issue: IssueFacts) =>
    issue.author?.toLowerCase() === appLogin &&
    issue.labels.some((l) => l.toLowerCase() === DASHBOARD_LABEL);
  const issues = await withInherited(
    conn.octokit,
    repo,
    config,
    (await listOpenIssues(conn.octokit, repo))
      .filter((issue) => !gateIssueNumbers.has(issue.number) && !isDashboard(issue))
      .map((issue) => ({
        issue,
        phaseIndex: effectivePhase(config, { ...issue, linkedIssues: [] }).phaseIndex,
      })),
  );

  const openPulls = await listOpenPulls(conn.octokit, repo);
  const progress = term.progress("Checking open pull requests", openPulls.length);
  const pulls: PullReport[] = [];
  try {
    for (const pr of openPulls) {
      const run = await findCheckRunOfApp(conn.octokit, repo, app, pr.headSha);
      // As on a PR event: a PR proposing an invalid config is blocked by it, whatever its gates say.
      const { output, verdict } = await computeCheck(job, open.loaded, pr, run?.run ?? null, {
        inspectConfigChange: true,
      });
      pulls.push({ pr, conclusion: output.conclusion, title: output.title, verdict });
      progress.tick();
    }
  } finally {
    progress.done();
  }
  // Compared with --app-id, else the id of --app-slug; unknown when neither is known.
  const { enforcement } = await readEnforcement(conn.octokit, repo, {
    appId: app.id,
    repoUrl: open.facts.htmlUrl,
    branch: open.facts.defaultBranch,
  });
  return { config, sources: open.loaded.sources, gates, impostors, issues, pulls, enforcement };
}

/**
 * Open issues with no phase of their own take their nearest parent issue's
 * (`parentIssues`), found down the sub-issues of the phased ones that have
 * any: one request per such issue, not one per open issue.
 */
async function withInherited(
  octokit: OpenRepo["conn"]["octokit"],
  repo: OpenRepo["repo"],
  config: Config,
  issues: StatusReport["issues"],
): Promise<StatusReport["issues"]> {
  if (!config.parentIssues) return issues;
  const roots = issues.flatMap(({ issue, phaseIndex }) =>
    phaseIndex !== null && issue.subIssues
      ? [{ ref: { ...repo, number: issue.number }, phaseIndex, subIssues: issue.subIssues }]
      : [],
  );
  const inherited = new Map(
    (await listInheritingIssues(octokit, config, roots))
      .filter((i) => repoKey(i.ref) === repoKey(repo))
      .map((i) => [i.ref.number, i]),
  );
  return issues.map((entry) => {
    const found = entry.phaseIndex === null ? inherited.get(entry.issue.number) : undefined;
    return found
      ? { ...entry, phaseIndex: found.phaseIndex, inheritedFrom: found.from.number }
      : entry;
  });
}

const pullPhase = (p: PullReport) => p.verdict?.phase.phaseIndex ?? null;

function statusJson(fullName: string, report: StatusReport) {
  const { config } = report;
  const pull = (p: PullReport) => ({
    number: p.pr.number,
    title: p.pr.title,
    url: p.pr.htmlUrl,
    conclusion: p.conclusion,
    checkTitle: p.title,
    ...(p.verdict
      ? phaseJson(config, p.verdict.phase)
      : { phase: null, heldAtFloor: null, paths: null }),
  });
  const issue = (i: StatusReport["issues"][number]) => ({
    number: i.issue.number,
    title: i.issue.title,
    url: i.issue.htmlUrl,
    ...(i.inheritedFrom !== undefined ? { inheritedFrom: `#${i.inheritedFrom}` } : {}),
  });
  const inPhase = (index: number | null) => ({
    openIssues: report.issues.filter((i) => i.phaseIndex === index).map(issue),
    openPulls: report.pulls.filter((p) => pullPhase(p) === index).map(pull),
  });
  return {
    repo: fullName,
    config: { valid: true, sources: report.sources },
    enforcement: report.enforcement,
    phases: config.phases.map((phase, index) => {
      const gate = report.gates.get(index);
      return {
        id: phase.id,
        name: phase.name,
        label: phase.label,
        milestone: phase.milestone,
        gate: gate
          ? {
              ...gateJson(config, gate),
              ignoredLabelledIssues: report.impostors.get(index) ?? [],
            }
          : null,
        ...inPhase(index),
      };
    }),
    unphased: inPhase(null),
    blocked: report.pulls.filter((p) => p.conclusion === "failure").map(pull),
  };
}

/** Whether the gate bites, first: a blocked PR that can merge anyway is the news. */
function enforcementLine(color: boolean, e: Enforcement): string {
  const style = e.state === "enforced" ? "green" : e.state === "unknown" ? "yellow" : "red";
  const head = `enforcement: ${paint(color, style, enforcementWords(e.state))} — ${plain(e.summary)}`;
  return e.fix ? `${head}\n  fix: ${plain(e.fix)}` : head;
}

function statusText(color: boolean, fullName: string, report: StatusReport): string {
  const { config } = report;
  const out: string[] = [];
  out.push(
    `${paint(color, "bold", fullName)}  ${paint(color, "dim", `config: ${report.sources.join(" → ")}`)}`,
    enforcementLine(color, report.enforcement),
    "",
  );

  const count = (index: number | null) => ({
    issues: report.issues.filter((i) => i.phaseIndex === index).length,
    pulls: report.pulls.filter((p) => pullPhase(p) === index),
  });
  const rows: string[][] = [
    ["PHASE", "GATE", "STATE", "DECIDED", "CRITERIA", "APPROVALS", "ISSUES", "PRS", "BLOCKED"].map(
      (h) => paint(color, "dim", h),
    ),
  ];
  config.phases.forEach((phase, index) => {
    const gate = report.gates.get(index);
    const n = count(index);
    const decided = gate ? decision(gate) : null;
    rows.push([
      phase.name,
      gate
        ? gate.issue
          ? `#${gate.issue.number} ${gate.gate.title}`
          : `(no issue) ${gate.gate.title}`
        : "—",
      gate ? stateWord(color, gate.state) : "",
      decided ? `${decided.by ? `@${decided.by} ` : ""}${formatTime(decided.at)}` : "",
      gate?.issue ? `${gate.issue.checklist.checked}/${gate.issue.checklist.total}` : "",
      gate ? `${gate.approvals.length}/${gate.gate.approvals}` : "",
      String(n.issues),
      String(n.pulls.length),
      String(n.pulls.filter((p) => p.conclusion === "failure").length),
    ]);
  });
  const none = count(null);
  if (none.issues > 0 || none.pulls.length > 0) {
    rows.push([
      "(no phase)",
      "",
      "",
      "",
      "",
      "",
      String(none.issues),
      String(none.pulls.length),
      String(none.pulls.filter((p) => p.conclusion === "failure").length),
    ]);
  }
  out.push(...table(rows), "");
  const inherited = report.issues.filter((i) => i.inheritedFrom !== undefined);
  if (inherited.length > 0) {
    const shown = inherited.slice(0, 10).map((i) => {
      const phase = config.phases[i.phaseIndex ?? -1]?.name ?? "?";
      return `#${i.issue.number} (${phase}, inherited from #${i.inheritedFrom})`;
    });
    const more = inherited.length - shown.length;
    out.push(
      `Issues in a phase through a parent issue: ${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`,
      "",
    );
  }

  out.push(paint(color, "bold", "Gates"));
  for (const [index, gate] of report.gates) {
    const name = config.phases[index]?.name ?? "?";
    out.push(`  ${name}: ${gate.gate.title} — ${gateSentence(color, gate)}`);
    out.push(
      `    ${gate.issue ? gate.issue.url : `no issue has the label "${gate.gate.label}" yet`}`,
    );
    const criteria = gate.issue
      ? `criteria ${gate.issue.checklist.checked}/${gate.issue.checklist.total} checked`
      : `criteria 0/${gate.gate.criteria.length}`;
    const approvals = `approvals ${gate.approvals.length}/${gate.gate.approvals}${gate.approvals.length > 0 ? ` (${gate.approvals.map((a) => `@${a}`).join(", ")})` : ""}`;
    out.push(`    ${criteria} · ${approvals}`);
    if (gate.state === "pending" && gate.missing.length > 0) {
      out.push(`    still needed: ${gate.missing.join("; ")}`);
    }
    out.push(`    who can approve: ${describeApprovers(gate.gate)}`);
    for (const other of report.impostors.get(index) ?? []) {
      out.push(
        `    ignored: #${other.number} has the label but ${other.labelledBy ? `@${other.labelledBy}` : "someone"} who applied it may not decide this gate`,
      );
    }
  }
  out.push("");

  const blocked = report.pulls.filter((p) => p.conclusion === "failure");
  out.push(
    paint(
      color,
      "bold",
      `Blocked pull requests (${blocked.length} of ${report.pulls.length} open)`,
    ),
  );
  if (blocked.length === 0) out.push("  none");
  out.push(
    ...table(
      blocked.map((p) => [
        `  #${p.pr.number}`,
        p.pr.title,
        paint(color, "red", p.title),
        p.pr.htmlUrl,
      ]),
    ),
  );
  return out.join("\n");
}

/**
 * `phase-gates status <owner/repo>`: each phase with its gate (state, who
 * decided and when, criteria, approvals), open issues and PRs per phase, and
 * the PRs the check blocks now.
 */
export async function status(
  term: Term,
  repoArg: string,
  options: NetworkOptions,
  version: string,
): Promise<ExitCode> {
  const open = await openRepo(repoArg, options, version);
  const fullName = `${open.repo.owner}/${open.repo.repo}`;
  const { loaded } = open;
  if (loaded.kind === "invalid") {
    if (options.json) {
      term.out(
        JSON.stringify(
          {
            repo: fullName,
            config: { valid: false, sources: loaded.sources, errors: loaded.errors },
          },
          null,
          2,
        ),
      );
    } else {
      term.out(
        `${fullName}: the config is invalid, so every pull request's Phase gate check fails until it is fixed on the default branch:`,
      );
      for (const error of loaded.errors) term.out(`  ${formatErrorLine(error, term.color)}`);
    }
    return EXIT.invalidConfig;
  }
  let report: StatusReport;
  try {
    report = await gather(term, open, loaded.config);
  } catch (error) {
    throw describeGitHubError(error, { apiUrl: open.conn.apiUrl });
  }
  term.out(
    options.json
      ? JSON.stringify(statusJson(fullName, report), null, 2)
      : statusText(term.color, fullName, report),
  );
  printWarnings(term, open.conn.warnings());
  return EXIT.ok;
}
