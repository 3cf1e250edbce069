import { type Enforcement, renderEnforcementBlock } from "./enforcement.js";
import { type Plan, plan, type Reconcile } from "./reconcile.js";
import { echoText, plainLine, tableCell } from "./render-check.js";
import {
  approvalsText,
  criteriaText,
  decidedBy,
  isoDate,
  type PullSummary,
  pullLinks,
  readTimebox,
  STATE_TEXT,
  type Timebox,
} from "./report-text.js";
import type { Config, GateStatus } from "./types.js";

export const DASHBOARD_TITLE = "Phase gates status";
export const DASHBOARD_LABEL = "phase-gates: dashboard";
/** Marks the body as the app's dashboard (the issue is found by its label and author). */
export const DASHBOARD_MARKER = "<!-- phase-gates:dashboard -->";

/** How many decisions "Recently decided" lists. */
const RECENT_DECISIONS = 5;

/** Everything the dashboard shows about one phase. */
export interface PhaseReport {
  /** The gate that ends the phase; null on the last phase. */
  gate: GateStatus | null;
  /** Issues (not pull requests) whose own label or milestone puts them in this phase. */
  issues: {
    open: number;
    closed: number;
    /** With `parentIssues`: issues with no phase of their own, in this phase through a parent issue. */
    inherited?: { open: number; closed: number; from: number[] };
  };
  /** Open pull requests the `Phase gate` check puts in this phase (labels, milestone, linked issues, phase floor). */
  pulls: PullSummary[];
  timebox: Timebox | null;
}

export type DashboardFacts =
  | {
      kind: "ok";
      config: Config;
      /** `https://github.com/owner/repo`. */
      repoUrl: string;
      /** `YYYY-MM-DD`, UTC: the day the countdowns are counted from. */
      today: string;
      /** One per phase of `config.phases`, in order. */
      phases: PhaseReport[];
      /** Open pull requests in no phase. */
      unphasedPulls: PullSummary[];
      /** Why the configured project is not (fully) kept in step (SPEC §5 "Projects"); absent: none. */
      projectProblems?: string[];
      /** Whether the default branch requires `Phase gate` from this app (SPEC §5); absent: not shown. */
      enforcement?: Enforcement;
    }
  | {
      kind: "invalid";
      /** The config errors as a table (config/format-config-error.ts), each with line:column. */
      errorsMarkdown: string;
      errorCount: number;
    };

/**
 * The phase the work is in: the first whose gate is not approved (a stopped
 * gate stops the initiative there), or the last phase once every gate is.
 */
export function currentPhaseIndex(phases: readonly PhaseReport[]): number {
  const open = phases.findIndex((p) => p.gate !== null && p.gate.state !== "approved");
  return open >= 0 ? open : Math.max(0, phases.length - 1);
}

/**
 * Text inside a quoted Mermaid label. Mermaid reads `#name;` / `#123;` as
 * entities, so every character that could end the label, start an entity or
 * markup, or close the Markdown code fence (a backtick) is written as one.
 */
export function mermaidText(text: string): string {
  return echoText(text, 80).replace(/["#<>&`\\[\]{}|;]/g, (c) => `#${c.charCodeAt(0)};`);
}

const GATE_CLASS = {
  approved: "fill:#dafbe1,stroke:#1a7f37,color:#1f2328",
  pending: "fill:#fff8c5,stroke:#9a6700,color:#1f2328",
  stopped: "fill:#ffebe9,stroke:#cf222e,color:#1f2328",
} as const;

/** The phases left to right, each gate coloured by its state and the current phase outlined. */
export function renderMermaid(config: Config, phases: readonly PhaseReport[]): string {
  const current = currentPhaseIndex(phases);
  const lines = ["flowchart LR"];
  const chain: string[] = [];
  const classes: string[] = [];
  config.phases.forEach((phase, i) => {
    const here = i === current ? " (now)" : "";
    lines.push(`  phase${i}["${mermaidText(phase.name)}${here}"]`);
    chain.push(`phase${i}`);
    const gate = phases[i]?.gate;
    if (!gate) return;
    lines.push(`  gate${i}{{"${mermaidText(`${phase.name} gate`)}: ${gate.state}"}}`);
    chain.push(`gate${i}`);
    classes.push(`  class gate${i} ${gate.state}`);
  });
  lines.push(`  ${chain.join(" --> ")}`);
  for (const [name, style] of Object.entries(GATE_CLASS)) lines.push(`  classDef ${name} ${style}`);
  lines.push("  classDef current stroke:#0969da,stroke-width:4px");
  lines.push(...classes, `  class phase${current} current`);
  return lines.join("\n");
}

function issueSearch(repoUrl: string, query: string): string {
  return `${repoUrl}/issues?q=${encodeURIComponent(query)}`;
}

function gateCell(gate: GateStatus): string {
  const state = STATE_TEXT[gate.state];
  const link = gate.issue
    ? `[${echoText(gate.gate.title, 200)} #${gate.issue.number}](${gate.issue.url})`
    : `no gate issue yet (label \`${echoText(gate.gate.label, 100).replace(/`/g, "'")}\`)`;
  const stop =
    gate.state === "stopped" && gate.issue?.stop
      ? `: ${echoText(gate.issue.stop.reason, 200)}`
      : "";
  return `${state}${stop} — ${link}`;
}

/** How many parent issues an "inherited from" names before "and N more". */
const INHERITED_FROM_SHOWN = 5;

/** ` · 3 open, 1 closed inherited from #12, #14`: sub-issues in the phase through a parent. */
function inheritedText(inherited: PhaseReport["issues"]["inherited"]): string {
  if (!inherited || inherited.open + inherited.closed === 0) return "";
  const from = inherited.from.slice(0, INHERITED_FROM_SHOWN).map((n) => `#${n}`);
  const more = inherited.from.length - from.length;
  return ` · ${inherited.open} open, ${inherited.closed} closed inherited from ${from.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

function phaseTable(
  facts: Extract<DashboardFacts, { kind: "ok" }>,
  index: number,
): { heading: string; table: string } {
  const { config, repoUrl, today } = facts;
  const phase = config.phases[index];
  const report = facts.phases[index];
  const name = echoText(phase?.name ?? "?", 100);
  const heading = `### ${name}${index === currentPhaseIndex(facts.phases) ? " (current phase)" : ""}`;
  if (!phase || !report) return { heading, table: "" };
  const rows: [string, string][] = [];
  const gate = report.gate;
  if (gate) {
    const by = decidedBy(gate);
    rows.push(
      ["Gate", gateCell(gate)],
      ["Decided by", by ? `@${by}` : "—"],
      [
        "Decided on",
        gate.state !== "pending" && gate.issue?.closedAt ? isoDate(gate.issue.closedAt) : "—",
      ],
      ["Approvals", approvalsText(gate)],
      ["Criteria", criteriaText(gate)],
    );
  } else {
    rows.push(["Gate", "none: the last phase"]);
  }
  const label = `label:"${plainLine(phase.label).replace(/"/g, "")}"`;
  rows.push([
    "Issues",
    `[${report.issues.open} open](${issueSearch(repoUrl, `is:issue is:open ${label}`)}) · [${report.issues.closed} closed](${issueSearch(repoUrl, `is:issue is:closed ${label}`)})${inheritedText(report.issues.inherited)}`,
  ]);
  const blocked = report.pulls.filter((p) => p.blocked).length;
  rows.push([
    "Open pull requests",
    report.pulls.length === 0
      ? "none"
      : `${report.pulls.length} (${blocked} blocked): ${pullLinks(report.pulls)}`,
  ]);
  const open = gate === null ? true : gate.state === "pending";
  rows.push(["Timebox", readTimebox(report.timebox, today, open).text]);
  const table = [
    "| | |",
    "| --- | --- |",
    ...rows.map(([k, v]) => `| ${k} | ${tableCell(v)} |`),
  ].join("\n");
  return { heading, table };
}

function headline(facts: Extract<DashboardFacts, { kind: "ok" }>): string {
  const { config, phases } = facts;
  const current = currentPhaseIndex(phases);
  const name = echoText(config.phases[current]?.name ?? "?", 100);
  const gate = phases[current]?.gate;
  if (gate?.state === "stopped")
    return `**Stopped in ${name}**: the ${name} gate was stopped, so work in later phases stays blocked.`;
  if (!gate) return `**Now in ${name}**, the last phase: every gate is approved.`;
  const waiting = phases
    .slice(current + 1)
    .flatMap((p) => p.pulls)
    .filter((p) => p.blocked).length;
  const prs =
    waiting === 0
      ? ""
      : ` ${waiting === 1 ? "1 pull request waits" : `${waiting} pull requests wait`} for it.`;
  return `**Now in ${name}**: the ${name} gate is pending — criteria ${criteriaText(gate)}, approvals ${gate.approvals.length}/${gate.gate.approvals}.${prs}`;
}

function recentlyDecided(facts: Extract<DashboardFacts, { kind: "ok" }>): string {
  const decided = facts.phases
    .flatMap((p) => (p.gate && p.gate.state !== "pending" && p.gate.issue ? [p.gate] : []))
    .sort(
      (a, b) =>
        (b.issue?.closedAt ?? "").localeCompare(a.issue?.closedAt ?? "") ||
        a.phaseIndex - b.phaseIndex,
    )
    .slice(0, RECENT_DECISIONS);
  if (decided.length === 0) return "_No gate decided yet._";
  return decided
    .map((g) => {
      const name = echoText(facts.config.phases[g.phaseIndex]?.name ?? "?", 100);
      const on = g.issue?.closedAt ? isoDate(g.issue.closedAt) : "—";
      const by = decidedBy(g);
      return `- ${on}: ${name} gate ${STATE_TEXT[g.state]}${by ? ` by @${by}` : ""} ([#${g.issue?.number}](${g.issue?.url}))`;
    })
    .join("\n");
}

const FOOTER =
  "_Kept up to date by phase-gates on every gate decision, config change and milestone change, and at most once a minute for issue and pull request activity. Edits to this issue are replaced._";

/** GitHub refuses an issue body over 65,536 characters (422 "body is too long"). */
export const ISSUE_BODY_LIMIT = 65_536;

const CUT_NOTICE =
  "\n\n_…cut short: the dashboard is over GitHub's size limit for an issue (65,536 characters)._";

/** A body GitHub accepts: cut at a line, with a note, when it is too long. */
export function clampIssueBody(body: string): string {
  if (body.length <= ISSUE_BODY_LIMIT) return body;
  const room = ISSUE_BODY_LIMIT - CUT_NOTICE.length;
  const lineEnd = body.lastIndexOf("\n", room);
  let cut = lineEnd > room - 2_000 ? lineEnd : room;
  // Never split a surrogate pair: half an emoji is not text.
  const last = body.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${body.slice(0, cut)}${CUT_NOTICE}`;
}

/** The dashboard issue's body (SPEC §5). Pure and deterministic: the same facts give the same text. */
export function renderDashboard(facts: DashboardFacts): string {
  return clampIssueBody(renderDashboardText(facts));
}

function renderDashboardText(facts: DashboardFacts): string {
  const title = `## ${DASHBOARD_TITLE}`;
  if (facts.kind === "invalid") {
    return [
      DASHBOARD_MARKER,
      title,
      `> [!CAUTION]\n> \`.github/phase-gates.yml\` has ${facts.errorCount === 1 ? "1 error" : `${facts.errorCount} errors`}: no gate can be evaluated and every pull request's Phase gate check fails until it is fixed on the default branch. The phases return here once it is.`,
      facts.errorsMarkdown,
      FOOTER,
    ].join("\n\n");
  }
  const sections = [DASHBOARD_MARKER, title];
  if (facts.enforcement) sections.push(renderEnforcementBlock(facts.enforcement));
  sections.push(headline(facts));
  sections.push(`\`\`\`mermaid\n${renderMermaid(facts.config, facts.phases)}\n\`\`\``);
  const overdue = facts.phases.flatMap((p, i) => {
    const open = p.gate?.state === "pending";
    return open && readTimebox(p.timebox, facts.today, true).overdueWithOpenGate
      ? [echoText(facts.config.phases[i]?.name ?? "?", 100)]
      : [];
  });
  if (overdue.length > 0)
    sections.push(
      `> [!WARNING]\n> Overdue with the gate still open: ${overdue.join(", ")}. A phase that overruns its timebox is itself a signal for its gate.`,
    );
  if (facts.projectProblems && facts.projectProblems.length > 0)
    sections.push(
      `> [!WARNING]\n> The project is not kept in step; the gates and checks are not affected:\n${facts.projectProblems.map((p) => `> - ${echoText(p, 500)}`).join("\n")}`,
    );
  for (const i of facts.config.phases.keys()) {
    const { heading, table } = phaseTable(facts, i);
    sections.push(heading, table);
  }
  if (facts.unphasedPulls.length > 0)
    sections.push(
      `**Open pull requests in no phase:** ${facts.unphasedPulls.length} (${facts.unphasedPulls.filter((p) => p.blocked).length} blocked): ${pullLinks(facts.unphasedPulls)}`,
    );
  sections.push("### Recently decided", recentlyDecided(facts), FOOTER);
  return sections.join("\n\n");
}

/** The dashboard issue: its title and body. */
export interface DashboardText {
  title: string;
  body: string;
}

/** The dashboard issue as read back (the app's own, found by label and author). */
export interface ExistingDashboard extends DashboardText {
  number: number;
}

/** There is one dashboard per repository; its title and body are the app's, compared exactly. */
const DASHBOARD: Reconcile<DashboardText, ExistingDashboard> = {
  desiredKey: () => DASHBOARD_LABEL,
  actualKey: () => DASHBOARD_LABEL,
  same: (d, a) => a.body === d.body && a.title === d.title,
};

/**
 * Create the dashboard, or edit it when its text changed; an unchanged
 * dashboard is not written (its edit would come back as a webhook for nothing).
 */
export function planDashboard(
  existing: ExistingDashboard | null,
  body: string,
): Plan<DashboardText, ExistingDashboard> {
  return plan([{ title: DASHBOARD_TITLE, body }], existing ? [existing] : [], DASHBOARD);
}
