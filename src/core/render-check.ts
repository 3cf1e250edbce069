import { MAX_PARENT_DEPTH } from "./ancestry.js";
import { GITHUB_FILES_LISTED_MAX } from "./changed-paths.js";
import { formatIssueRef, MAX_LINKED_ISSUES } from "./closing-keywords.js";
import type {
  AncestryStop,
  Config,
  GateConfig,
  GateStatus,
  PathsPhase,
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

/**
 * GitHub's limit on a check run's summary. The docs say 65,535 characters, but
 * the API counts UTF-8 bytes ("summary exceeds a maximum bytesize of 65535",
 * github/docs#35252), and a summary is full of ✅ ⏳ ⛔ → — of 3 bytes each.
 */
export const SUMMARY_LIMIT_BYTES = 65_535;

/**
 * GitHub documents no limit for a check run's title (only for an annotation's:
 * 255). It is shown on one line beside the check's name, so it is kept to one
 * line of at most this many characters.
 */
export const TITLE_LIMIT = 255;

/** Longest piece of user text (a note, a reason, a label, a criterion) echoed into Markdown. */
export const ECHO_LIMIT = 500;

/** GitHub takes at most 50 annotations per create or update request (more updates append). */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Index just past the longest prefix of `text` that fits in `budget` UTF-8 bytes, and its size. */
function utf8Prefix(text: string, budget: number): { end: number; bytes: number } {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let size = 3;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size = 4;
      units = 2;
    }
    // Any other surrogate is alone: it is sent as U+FFFD, 3 bytes.
    if (bytes + size > budget) break;
    bytes += size;
    i += units;
  }
  return { end: i, bytes };
}

/** The size of `text` in UTF-8, as GitHub measures a check run's summary. */
export function utf8Length(text: string): number {
  return utf8Prefix(text, Number.POSITIVE_INFINITY).bytes;
}

const CUT_NOTICE =
  "\n\n_…cut short: the full text is over GitHub's size limit for a check (65,535 bytes)._\n";

/** GitHub rejects a summary over 65,535 bytes (and the check is never written): cut at a line and say so. */
export function clampSummary(summary: string): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4):
  // short summaries, nearly all of them, need no byte count.
  if (summary.length * 3 <= SUMMARY_LIMIT_BYTES) return summary;
  if (utf8Length(summary) <= SUMMARY_LIMIT_BYTES) return summary;
  const { end } = utf8Prefix(summary, SUMMARY_LIMIT_BYTES - utf8Length(CUT_NOTICE));
  const lineEnd = summary.lastIndexOf("\n", end - 1);
  // One huge line (a PR closing a thousand issues) is cut mid-line rather than dropped whole.
  const cut = lineEnd > end - 2_000 ? lineEnd : end;
  return `${summary.slice(0, cut)}${CUT_NOTICE}`;
}

/** Cuts `text` to at most `max` UTF-16 units, ending in "…", without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

// U+200D between two pictographs joins them into one visible emoji (👩‍💻), so it stays.
const INVISIBLE =
  /((?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}]\uFE0F?)\u200D(?=\p{Extended_Pictographic}))|\p{Cf}/gu;

/**
 * Removes format characters (category Cf: zero-width spaces and joiners, bidi
 * controls, soft hyphen, BOM, word joiner…): they make text look like other
 * text, or reorder what a reader sees (Trojan Source).
 */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, (char, emojiJoiner: string | undefined) =>
    emojiJoiner ? char : "",
  );
}

/** Whether `text` holds a format character (see `stripInvisible`). */
export function hasInvisible(text: string): boolean {
  return stripInvisible(text) !== text;
}

/** User text as one line of plain text: no line breaks, control or format characters. */
export function plainLine(text: string): string {
  return stripInvisible(
    text.replace(/\r\n|[\n\r\t\v\f\u0085\u2028\u2029]/g, " ").replace(/\p{Cc}/gu, ""),
  );
}

/** The check run's title: one line that GitHub accepts and shows whole. */
export function clampTitle(title: string): string {
  return truncate(plainLine(title), TITLE_LIMIT);
}

/**
 * User text (a label, a note, a stop reason, a criterion) to put into Markdown
 * prose: one line, at most `max` characters, and no `<!--`. An HTML comment
 * would hide the rest of the text, and in a comment of the app's it could
 * plant a `<!-- phase-gates:… -->` marker the app uses to find its own
 * comments. `<\!--` shows as `<!--` and is no comment.
 */
export function echoText(text: string, max = ECHO_LIMIT): string {
  return truncate(plainLine(text).replace(/<!--/g, "<\\!--"), max);
}

/**
 * A Markdown table cell: a `|` or a line break in user text must not split the
 * row. A backslash before a `|` is doubled, or `\\|` would escape the
 * backslash and leave the `|` to split the cell.
 */
export function tableCell(text: string): string {
  return echoText(text, Number.POSITIVE_INFINITY).replace(
    /(\\*)\|/g,
    (_pipe, backslashes: string) => `${backslashes}${backslashes}\\|`,
  );
}

/** Annotations in requests GitHub accepts: at most `size` (50) each. No annotations, no batches. */
export function batchAnnotations<T>(
  annotations: readonly T[],
  size = ANNOTATIONS_PER_REQUEST,
): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches;
}

/** Every check output is built here, so none can be longer than GitHub accepts. */
function checkOutput(
  conclusion: CheckOutput["conclusion"],
  title: string,
  summary: string,
): CheckOutput {
  return { conclusion, title: clampTitle(title), summary: clampSummary(summary) };
}

/** A phase's name from the config, echoed like user text: the config is text anyone with write access on the default branch can set. */
function phaseName(config: Config, index: number | null): string {
  return index === null ? "" : echoText(config.phases[index]?.name ?? "?");
}

const code = (s: string) => `\`${echoText(s).replace(/`/g, "'")}\``;

export function describeApprovers(gate: GateConfig): string {
  const parts: string[] = [];
  if (gate.approvers.users.length > 0)
    parts.push(gate.approvers.users.map((u) => `@${echoText(u)}`).join(", "));
  if (gate.approvers.teams.length > 0) {
    parts.push(`members of ${gate.approvers.teams.map((t) => `@${echoText(t)}`).join(", ")}`);
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
      return `linked issue [${formatIssueRef(s.ref, repo)}](${s.url}) (${s.via} ${code(s.value)}${s.inheritedFrom ? `, inherited from [${formatIssueRef(s.inheritedFrom.ref, repo)}](${s.inheritedFrom.url}), its parent issue` : ""})`;
    case "paths":
      return s.files > 0
        ? `its changed files (${count(s.files, "file matches", "files match")} the phase's \`paths\`)`
        : "its changed files (more than GitHub lists)";
  }
}

const number = (n: number) => n.toLocaleString("en-US");
const count = (n: number, one: string, many: string) => `${number(n)} ${n === 1 ? one : many}`;

/**
 * Which files put the PR in its phase by `paths`, and by which patterns (the
 * first ten, then how many more), and why a PR GitHub cannot list in full is
 * held: it fails closed rather than being evaluated on a partial list.
 */
function pathsLines(config: Config, paths: PathsPhase): string[] {
  const name = phaseName(config, paths.phaseIndex);
  const lines: string[] = [];
  if (paths.matches.length > 0) {
    const rows = paths.matches.map((m) => `- ${code(m.path)} (pattern ${code(m.pattern)})`);
    const more = paths.matchCount - paths.matches.length;
    if (more > 0) rows.push(`- and ${count(more, "more file", "more files")}`);
    lines.push(`**Changed files in ${name}'s \`paths\`:**\n\n${rows.join("\n")}`);
  }
  if (paths.truncated) {
    const { listed, changed } = paths.truncated;
    const held = `It is held in ${name}, the latest phase with \`paths\`, rather than judged on a partial list.`;
    if (changed === null)
      lines.push(
        `⚠️ GitHub did not list this pull request's changed files, so they cannot be checked against \`paths\`. ${held} It is checked again on its next change.`,
      );
    else
      lines.push(
        `⚠️ GitHub lists at most ${number(GITHUB_FILES_LISTED_MAX)} changed files; this pull request changes ${number(changed)}, so ${count(changed - listed, "file was", "files were")} never listed and cannot be checked against \`paths\`. ${held} To have its files checked, split it into pull requests of at most ${number(GITHUB_FILES_LISTED_MAX)} files.`,
      );
  }
  return lines;
}

const STATE_ICON = {
  approved: "✅ approved",
  pending: "⏳ pending",
  stopped: "⛔ stopped",
} as const;

function gateLink(status: GateStatus): string {
  return status.issue
    ? `[${echoText(status.gate.title)}](${status.issue.url}) #${status.issue.number}`
    : `${echoText(status.gate.title)} (no issue yet)`;
}

function describeState(status: GateStatus): string {
  const by = status.issue?.closedBy;
  if (status.state === "approved") return `${STATE_ICON.approved}${by ? ` by @${by}` : ""}`;
  if (status.state === "stopped") {
    const stop = status.issue?.stop;
    const who = stop?.by ?? by;
    return `${STATE_ICON.stopped}${who ? ` by @${who}` : ""}${stop ? `: ${echoText(stop.reason)}` : ""}`;
  }
  return status.closeIgnoredBecause
    ? `${STATE_ICON.pending} (${echoText(status.closeIgnoredBecause)})`
    : STATE_ICON.pending;
}

function gatesTable(config: Config, gates: readonly GateStatus[]): string {
  const rows = gates.map((g) => {
    const criteria = g.issue ? `${g.issue.checklist.checked}/${g.issue.checklist.total}` : "—";
    const name = phaseName(config, g.phaseIndex);
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
    const name = phaseName(config, phase.phaseIndex);
    lines.push(
      `**Phase:** ${name}, from ${phase.deciding.map((c) => describeClaim(c, repo)).join(", ")}.`,
    );
    const multipleLabels =
      phase.deciding.filter((c) => c.source.kind === "label").length +
        phase.ignored.filter((c) => c.source.kind === "label").length >
      1;
    if (phase.ignored.length > 0) {
      const ignored = phase.ignored
        .map((c) => `${describeClaim(c, repo)} (${phaseName(config, c.phaseIndex)})`)
        .join(", ");
      lines.push(
        `${multipleLabels ? "More than one phase is set: the latest counts. " : ""}Ignored because a later phase wins: ${ignored}.`,
      );
    }
  }
  for (const u of phase.unreadable) {
    lines.push(
      `⚠️ Could not read linked issue ${formatIssueRef(u.ref, repo)} (${echoText(u.reason)}); its phase is not counted. Give the app access to that repository or remove the reference.`,
    );
  }
  if (phase.paths) lines.push(...pathsLines(config, phase.paths));
  for (const stop of phase.ancestryStops ?? []) lines.push(ancestryStopLine(stop, repo));
  if (phase.linkedIssuesDropped) {
    lines.push(
      `⚠️ This pull request closes more than ${MAX_LINKED_ISSUES} issues: only the first ${MAX_LINKED_ISSUES} were read, and the phases of the other ${phase.linkedIssuesDropped} are not counted. Split the work, or give the pull request a phase label.`,
    );
  }
  return lines;
}

/** Where the walk up a linked issue's parent issues stopped without finding a phase (SPEC §2 "Parent issues"). */
function ancestryStopLine(stop: AncestryStop, repo: RepoName): string {
  const issue = formatIssueRef(stop.issue, repo);
  const at = formatIssueRef(stop.end.at, repo);
  switch (stop.end.kind) {
    case "cycle":
      return `⚠️ The parent issues of linked issue ${issue} loop back to ${at}: they were followed up to there and no further, and none of them has a phase. Fix the sub-issue links, or give ${issue} a phase label.`;
    case "depth":
      return `⚠️ The parent issues of linked issue ${issue} were followed ${MAX_PARENT_DEPTH} levels up and stopped before ${at} (GitHub nests sub-issues at most ${MAX_PARENT_DEPTH} levels); none of them has a phase. Give ${issue} a phase label.`;
    case "unreadable":
      return `⚠️ Could not read ${at}, a parent issue of linked issue ${issue} (${echoText(stop.end.reason)}); phases above it are not counted. Give the app access to that repository, or give ${issue} a phase label.`;
  }
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
  // Who made the change is not named: a later re-check does not know it, and
  // the summary must not change (and be rewritten) for that alone.
  return [
    `**Phase:** ${name(floor.phaseIndex)} (held: its phase floor). This pull request was in ${name(floor.phaseIndex)}; its labels, milestone and linked issues now say ${name(floor.currentIndex)}, but that change was not made by an approver of the ${gateNames} gate${gates.length === 1 ? "" : "s"} it would skip. Its phase is never lowered past a gate except by that gate's approvers.`,
    `To lower it, an approver makes the change themselves (for example removes the label or milestone again, or edits the pull request). Who may: ${who}.`,
  ];
}

function nextSteps(config: Config, verdict: Verdict): string[] {
  const current = phaseName(config, verdict.phase.phaseIndex);
  switch (verdict.reason) {
    case "first-phase":
      return [
        `${current} is the first phase: no gate comes before it, so nothing blocks this pull request.`,
      ];
    case "gates-approved":
      return [`Every gate before ${current} is approved. This pull request may merge.`];
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
    const name = phaseName(config, g.phaseIndex);
    const link = g.issue
      ? `[#${g.issue.number}](${g.issue.url})`
      : `an issue labelled ${code(g.gate.label)}`;
    if (!g.issue) {
      steps.push(
        `Not yet, not no: ${current} work waits for the **${name}** gate, but no issue has the label ${code(g.gate.label)} yet. Create one (with \`sync.gateIssues\` on, the app creates it when the config is pushed or the app is installed); then an approver decides it. Who can approve: ${describeApprovers(g.gate)}.`,
      );
      continue;
    }
    if (g.state === "stopped") {
      steps.push(
        `The **${name}** gate (${link}) was **stopped**: the team decided not to proceed past ${name}. ${current} work stays blocked unless an approver reopens the gate and approves it.`,
      );
    } else {
      const needs =
        g.missing.length > 0
          ? ` Still needed: ${g.missing.map((m) => echoText(m)).join("; ")}.`
          : "";
      steps.push(
        `Not yet, not no: ${current} work waits for the **${name}** gate (${link}).${needs} Who can approve: ${describeApprovers(g.gate)}.`,
      );
    }
  }
  steps.push("This check updates by itself when a gate changes: no push needed.");
  return steps;
}

/**
 * The summary's first line: what the reader does now, in words for someone
 * who never heard of phase gates. The sections below say why.
 */
export function firstLine(config: Config, verdict: Verdict): string {
  const current = phaseName(config, verdict.phase.phaseIndex);
  const gate = verdict.blockingGate;
  const name = gate ? phaseName(config, gate.phaseIndex) : "";
  const link = gate?.issue ? ` ([#${gate.issue.number}](${gate.issue.url}))` : "";
  switch (verdict.reason) {
    case "first-phase":
      return `**Nothing to do:** ${current} is the first phase, so no gate holds this pull request.`;
    case "gates-approved":
      return `**Nothing to do:** every gate before ${current} is approved.`;
    case "unphased-allowed":
      return "**Nothing to do:** this pull request has no phase, which this repository allows.";
    case "unphased-blocked":
      return "**To merge, give this pull request a phase:** a phase label, a phase milestone, or a linked issue that has one.";
    case "gate-stopped":
      return `**Blocked, not by anything in this pull request:** the ${name} gate${link} was stopped. Only its approvers can reopen it.`;
    case "gate-pending":
      return `**Nothing to change here — this waits for the ${name} gate${link}.** It turns green by itself once an approver approves the gate.`;
  }
}

/** The check run a contributor reads: what to do, why, and what happens next (SPEC §4). */
export function renderVerdict(config: Config, verdict: Verdict, repo: RepoName): CheckOutput {
  const sections: string[] = [
    firstLine(config, verdict),
    phaseSection(config, verdict, repo).join("\n\n"),
  ];
  if (verdict.gates.length > 0) {
    const name = phaseName(config, verdict.phase.phaseIndex);
    sections.push(`### Gates before ${name}\n\n${gatesTable(config, verdict.gates)}`);
  }
  sections.push(
    `### What happens next\n\n${nextSteps(config, verdict)
      .map((s) => `- ${s}`)
      .join("\n")}`,
  );
  return checkOutput(verdict.conclusion, verdict.title, sections.join("\n\n"));
}

export const NOT_CONFIGURED_TITLE = "Not configured";

/**
 * The last check on a PR of a repository that lost its config: success, so a
 * ruleset that still requires `Phase gate` does not strand the PR.
 */
export function renderNotConfigured(): CheckOutput {
  return checkOutput(
    "success",
    NOT_CONFIGURED_TITLE,
    [
      "phase-gates is not configured for this repository: `.github/phase-gates.yml` is not on the default branch (nor in the owner's `.github` repository), so no gate applies and this pull request is not held.",
      "This is the app's last check here until a config is added again. If a ruleset or branch protection still requires the `Phase gate` check, remove that requirement: new commits will not get this check.",
    ].join("\n\n"),
  );
}

/** The check run for a repository whose config cannot be used: every error, with where it is. */
export function renderInvalidConfig(errorsMarkdown: string, errorCount: number): CheckOutput {
  const summary = [
    `The phase-gates configuration has ${errorCount === 1 ? "1 error" : `${errorCount} errors`}, so no gate can be evaluated and this check fails until it is fixed. Fix it on the default branch.`,
    errorsMarkdown,
  ].join("\n\n");
  return checkOutput("failure", CONFIG_INVALID_TITLE, summary);
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
  return checkOutput("failure", CONFIG_INVALID_TITLE, summary);
}
