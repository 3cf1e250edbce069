import { formatIssueRef } from "./closing-keywords.js";
import type {
  Config,
  GateConfig,
  GateStatus,
  PhaseClaim,
  PhaseFloorHold,
  Verdict,
} from "./types.js";

export const CHECK_NAME = "Phase gate";
export const CONFIG_INVALID_TITLE = "Invalid .github/phase-gates.yml";

export interface CheckOutput {
  conclusion: "success" | "failure";
  title: string;
  summary: string;
}

export interface RepoName {
  owner: string;
  repo: string;
}

const SUMMARY_LIMIT = 65_000;

/** GitHub rejects a summary over 65,535 characters; cut at a line and say so. */
export function clampSummary(summary: string): string {
  if (summary.length <= SUMMARY_LIMIT) return summary;
  const lineEnd = summary.lastIndexOf("\n", SUMMARY_LIMIT - 200);
  const cut = lineEnd > 0 ? lineEnd : SUMMARY_LIMIT - 200;
  return `${summary.slice(0, cut)}\n\n_…cut short: the full text is over GitHub's 65,535-character limit._\n`;
}

/** A Markdown table cell: a `|` or a line break in user text must not split the row. */
export function tableCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function describeApprovers(gate: GateConfig): string {
  const parts: string[] = [];
  if (gate.approvers.users.length > 0)
    parts.push(gate.approvers.users.map((u) => `@${u}`).join(", "));
  if (gate.approvers.teams.length > 0) {
    parts.push(`members of ${gate.approvers.teams.map((t) => `@${t}`).join(", ")}`);
  }
  parts.push(`anyone with ${gate.approvers.permission} permission or higher`);
  return parts.join("; ");
}

function describeClaim(claim: PhaseClaim, repo: RepoName): string {
  const s = claim.source;
  switch (s.kind) {
    case "label":
      return `label ${code(s.label)}`;
    case "milestone":
      return `milestone ${code(s.title)}`;
    case "linked-issue":
      return `linked issue [${formatIssueRef(s.ref, repo)}](${s.url}) (${s.via} ${code(s.value)})`;
  }
}

const STATE_ICON = {
  approved: "✅ approved",
  pending: "⏳ pending",
  stopped: "⛔ stopped",
} as const;

function gateLink(status: GateStatus): string {
  return status.issue
    ? `[${status.gate.title}](${status.issue.url}) #${status.issue.number}`
    : `${status.gate.title} (no issue yet)`;
}

function describeState(status: GateStatus): string {
  const by = status.issue?.closedBy;
  if (status.state === "approved") return `${STATE_ICON.approved}${by ? ` by @${by}` : ""}`;
  if (status.state === "stopped") {
    const stop = status.issue?.stop;
    const who = stop?.by ?? by;
    return `${STATE_ICON.stopped}${who ? ` by @${who}` : ""}${stop ? `: ${stop.reason}` : ""}`;
  }
  return status.closeIgnoredBecause
    ? `${STATE_ICON.pending} (${status.closeIgnoredBecause})`
    : STATE_ICON.pending;
}

function gatesTable(config: Config, gates: readonly GateStatus[]): string {
  const rows = gates.map((g) => {
    const criteria = g.issue ? `${g.issue.checklist.checked}/${g.issue.checklist.total}` : "—";
    const name = config.phases[g.phaseIndex]?.name ?? "?";
    const cells = [
      name,
      gateLink(g),
      describeState(g),
      criteria,
      `${g.approvals.length}/${g.gate.approvals}`,
      describeApprovers(g.gate),
    ];
    return `| ${cells.map(tableCell).join(" | ")} |`;
  });
  return [
    "| Gate | Issue | State | Criteria checked | Approvals | Who can approve |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

function phaseSection(config: Config, verdict: Verdict, repo: RepoName): string[] {
  const { phase } = verdict;
  const lines: string[] = [];
  if (phase.floor) {
    lines.push(...floorLines(config, phase.floor));
  } else if (phase.phaseIndex === null) {
    lines.push("**Phase:** none — no phase label, no phase milestone, no linked issue in a phase.");
  } else {
    const name = config.phases[phase.phaseIndex]?.name ?? "?";
    lines.push(
      `**Phase:** ${name}, from ${phase.deciding.map((c) => describeClaim(c, repo)).join(", ")}.`,
    );
    const multipleLabels =
      phase.deciding.filter((c) => c.source.kind === "label").length +
        phase.ignored.filter((c) => c.source.kind === "label").length >
      1;
    if (phase.ignored.length > 0) {
      const ignored = phase.ignored
        .map((c) => `${describeClaim(c, repo)} (${config.phases[c.phaseIndex]?.name ?? "?"})`)
        .join(", ");
      lines.push(
        `${multipleLabels ? "More than one phase is set: the latest counts. " : ""}Ignored because a later phase wins: ${ignored}.`,
      );
    }
  }
  for (const u of phase.unreadable) {
    lines.push(
      `⚠️ Could not read linked issue ${formatIssueRef(u.ref, repo)} (${u.reason}); its phase is not counted. Give the app access to that repository or remove the reference.`,
    );
  }
  return lines;
}

/** Why a PR is evaluated at a phase its sources no longer say, and who may change that. */
function floorLines(config: Config, floor: PhaseFloorHold): string[] {
  const name = (i: number | null) => (i === null ? "no phase" : (config.phases[i]?.name ?? "?"));
  const gates = floor.skippedGates.flatMap((i) => {
    const gate = config.phases[i]?.gate;
    return gate ? [{ name: name(i), gate }] : [];
  });
  const gateNames = gates.map((g) => `**${g.name}**`).join(", ");
  const who = gates.map((g) => `${g.name} gate: ${describeApprovers(g.gate)}`).join("; ");
  const by = floor.loweredBy ? ` by @${floor.loweredBy}` : "";
  return [
    `**Phase:** ${name(floor.phaseIndex)} (held: its phase floor). This pull request was in ${name(floor.phaseIndex)}; its labels, milestone and linked issues now say ${name(floor.currentIndex)}, but that change was made${by} by someone who may not skip the ${gateNames} gate${gates.length === 1 ? "" : "s"}. Its phase is never lowered past a gate except by that gate's approvers.`,
    `To lower it, an approver makes the change themselves (for example removes the label or milestone again, or edits the pull request). Who may: ${who}.`,
  ];
}

function nextSteps(config: Config, verdict: Verdict): string[] {
  const phaseName =
    verdict.phase.phaseIndex === null ? "" : (config.phases[verdict.phase.phaseIndex]?.name ?? "?");
  switch (verdict.reason) {
    case "first-phase":
      return [
        `${phaseName} is the first phase: no gate comes before it, so nothing blocks this pull request.`,
      ];
    case "gates-approved":
      return [`Every gate before ${phaseName} is approved. This pull request may merge.`];
    case "unphased-allowed":
      return [
        `This repository allows pull requests without a phase (\`unphased: allow\`). To gate this work, add one of: ${config.phases.map((p) => code(p.label)).join(", ")}.`,
      ];
    case "unphased-blocked":
      return [
        `This repository requires a phase on every pull request (\`unphased: block\`). Add one of the labels ${config.phases.map((p) => code(p.label)).join(", ")}${config.phases.some((p) => p.milestone) ? `, set a phase milestone (${config.phases.flatMap((p) => (p.milestone ? [code(p.milestone)] : [])).join(", ")})` : ""}, or link an issue that has one (\`Closes #123\`).`,
      ];
    case "gate-pending":
    case "gate-stopped":
      break;
  }
  const steps: string[] = [];
  for (const g of verdict.gates.filter((x) => x.state !== "approved")) {
    const name = config.phases[g.phaseIndex]?.name ?? "?";
    const link = g.issue
      ? `[#${g.issue.number}](${g.issue.url})`
      : `an issue labelled ${code(g.gate.label)}`;
    if (!g.issue) {
      steps.push(
        `Not yet, not no: ${phaseName} work waits for the **${name}** gate, but no issue has the label ${code(g.gate.label)} yet. Create one (with \`sync.gateIssues\` on, the app creates it when the config is pushed or the app is installed); then an approver decides it. Who can approve: ${describeApprovers(g.gate)}.`,
      );
      continue;
    }
    if (g.state === "stopped") {
      steps.push(
        `The **${name}** gate (${link}) was **stopped**: the team decided not to proceed past ${name}. ${phaseName} work stays blocked unless an approver reopens the gate and approves it.`,
      );
    } else {
      const needs = g.missing.length > 0 ? ` Still needed: ${g.missing.join("; ")}.` : "";
      steps.push(
        `Not yet, not no: ${phaseName} work waits for the **${name}** gate (${link}).${needs} Who can approve: ${describeApprovers(g.gate)}.`,
      );
    }
  }
  steps.push("This check updates by itself when a gate changes: no push needed.");
  return steps;
}

/** The check run a contributor reads: why, and what to do next (SPEC §4). */
export function renderVerdict(config: Config, verdict: Verdict, repo: RepoName): CheckOutput {
  const sections: string[] = [phaseSection(config, verdict, repo).join("\n\n")];
  if (verdict.gates.length > 0) {
    const name =
      verdict.phase.phaseIndex === null ? "" : config.phases[verdict.phase.phaseIndex]?.name;
    sections.push(`### Gates before ${name}\n\n${gatesTable(config, verdict.gates)}`);
  }
  sections.push(
    `### What happens next\n\n${nextSteps(config, verdict)
      .map((s) => `- ${s}`)
      .join("\n")}`,
  );
  return {
    conclusion: verdict.conclusion,
    title: verdict.title,
    summary: clampSummary(sections.join("\n\n")),
  };
}

/** The check run for a repository whose config cannot be used: every error, with where it is. */
export function renderInvalidConfig(errorsMarkdown: string, errorCount: number): CheckOutput {
  const summary = [
    `The phase-gates configuration has ${errorCount === 1 ? "1 error" : `${errorCount} errors`}, so no gate can be evaluated and this check fails until it is fixed. Fix it on the default branch.`,
    errorsMarkdown,
  ].join("\n\n");
  return { conclusion: "failure", title: CONFIG_INVALID_TITLE, summary: clampSummary(summary) };
}

/**
 * The check of a PR whose own `.github/phase-gates.yml` is invalid: the gates
 * (read from the default branch) still decide, but the PR cannot merge a
 * config that would stop every gate from being evaluated.
 */
export function renderPullRequestConfigInvalid(
  errorsMarkdown: string,
  errorCount: number,
  gates: CheckOutput,
): CheckOutput {
  const summary = [
    `This pull request changes \`.github/phase-gates.yml\`, and its version has ${errorCount === 1 ? "1 error" : `${errorCount} errors`} (annotated on the file). Merged as it is, it would stop every gate of this repository from being evaluated, so this check fails until they are fixed.`,
    errorsMarkdown,
    `### The gates as configured on the default branch\n\n**${gates.title}** (${gates.conclusion})\n\n${gates.summary}`,
  ].join("\n\n");
  return { conclusion: "failure", title: CONFIG_INVALID_TITLE, summary: clampSummary(summary) };
}
