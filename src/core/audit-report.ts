import {
  type AuditException,
  type AuditExceptionKind,
  EXCEPTION_KINDS,
  type GateRoundRecord,
} from "./audit-gates.js";
import type { PullRecord } from "./audit-pulls.js";

/** An exception GitHub's record shows outside any gate round or PR (an impostor gate label). */
export interface ExceptionRecord extends AuditException {
  record: "exception";
  repo: string;
}

export type AuditRecord = GateRoundRecord | PullRecord | ExceptionRecord;

export interface AuditWindow {
  /** Inclusive, ISO 8601 UTC to the second. */
  since: string;
  /** Inclusive. */
  until: string;
}

export type AuditFormat = "jsonl" | "csv" | "md";
export const AUDIT_FORMATS: readonly AuditFormat[] = ["jsonl", "csv", "md"];

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * A `--since` / `--until` value: `90d` (days before now), a date
 * (`2026-01-31`: its first second for since, its last for until) or an ISO
 * date-time. Null when it is none of them.
 */
export function parseWindowBound(
  value: string,
  edge: "since" | "until",
  now: number,
): string | null {
  const v = value.trim();
  const days = /^(\d{1,5})d$/.exec(v);
  if (days) return iso(Math.floor(now / 1000) * 1000 - Number(days[1]) * DAY_MS);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = Date.parse(`${v}T00:00:00Z`);
    if (Number.isNaN(start) || iso(start).slice(0, 10) !== v) return null;
    return iso(edge === "since" ? start : start + DAY_MS - 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : iso(Math.floor(ms / 1000) * 1000);
  }
  return null;
}

/** The window of `--since` / `--until` (default: the last 90 days up to now), or why it is not one. */
export function parseWindow(
  since: string | undefined,
  until: string | undefined,
  now: number,
): { ok: true; window: AuditWindow } | { ok: false; error: string } {
  const s = parseWindowBound(since ?? "90d", "since", now);
  if (s === null)
    return {
      ok: false,
      error: `--since "${since}" is not a date (2026-01-31), a date-time or a number of days (90d)`,
    };
  const u =
    until === undefined
      ? iso(Math.floor(now / 1000) * 1000)
      : parseWindowBound(until, "until", now);
  if (u === null)
    return {
      ok: false,
      error: `--until "${until}" is not a date (2026-01-31), a date-time or a number of days (90d)`,
    };
  if (Date.parse(s) > Date.parse(u))
    return { ok: false, error: `--since ${s} is after --until ${u}: the window is empty` };
  return { ok: true, window: { since: s, until: u } };
}

const inWindow = (w: AuditWindow, at: string | null | undefined) =>
  !!at && Date.parse(at) >= Date.parse(w.since) && Date.parse(at) <= Date.parse(w.until);

/**
 * Whether a record belongs to the window: a gate round when anything of it
 * happened in it (or it was open through it), a PR when it merged in it, an
 * exception when it happened in it.
 */
export function recordInWindow(w: AuditWindow, r: AuditRecord): boolean {
  switch (r.record) {
    case "pull-request":
      return inWindow(w, r.mergedAt);
    case "exception":
      return inWindow(w, r.at);
    case "gate-round": {
      const times = [r.openedAt, r.decision?.at, r.reopened?.at, ...r.exceptions.map((e) => e.at)];
      if (times.some((t) => inWindow(w, t))) return true;
      const end = r.reopened?.at ?? r.decision?.at ?? null;
      return (
        Date.parse(r.openedAt) <= Date.parse(w.until) &&
        (end === null || Date.parse(end) >= Date.parse(w.since))
      );
    }
  }
}

const KIND_ORDER = { "gate-round": 0, exception: 1, "pull-request": 2 } as const;

function compareRecords(a: AuditRecord, b: AuditRecord): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const byRepo = text(a.repo.toLowerCase(), b.repo.toLowerCase());
  if (byRepo !== 0) return byRepo;
  const byKind = KIND_ORDER[a.record] - KIND_ORDER[b.record];
  if (byKind !== 0) return byKind;
  if (a.record === "gate-round" && b.record === "gate-round")
    return a.issue - b.issue || a.round - b.round;
  if (a.record === "pull-request" && b.record === "pull-request")
    return text(a.mergedAt, b.mergedAt) || a.number - b.number;
  if (a.record === "exception" && b.record === "exception")
    return text(a.at, b.at) || text(a.url, b.url) || text(a.detail, b.detail);
  return 0;
}

/** The records in the one order every format uses: repository, kind, then issue/round, time/number. */
export function sortRecords(records: readonly AuditRecord[]): AuditRecord[] {
  return [...records].sort(compareRecords);
}

/** Each record as one JSON line: the bytes the digest is taken of, whatever the format. */
export function canonicalRecords(records: readonly AuditRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join("");
}

export function exceptionsOf(r: AuditRecord): AuditException[] {
  if (r.record === "exception") {
    const { record: _record, repo: _repo, ...exception } = r;
    return [exception];
  }
  return r.exceptions;
}

export interface AuditSummary {
  record: "summary";
  window: AuditWindow;
  repos: string[];
  counts: {
    gateRounds: number;
    approved: number;
    stopped: number;
    reopened: number;
    pending: number;
    mergedPullRequests: number;
  };
  exceptions: Record<AuditExceptionKind, number> & { total: number };
  /** False when the audit stopped early (rate limit beyond `--max-wait`): the records are partial. */
  complete: boolean;
  incompleteBecause: string | null;
  sha256: string;
}

export function summarize(input: {
  window: AuditWindow;
  repos: readonly string[];
  records: readonly AuditRecord[];
  incompleteBecause: string | null;
  sha256: string;
}): AuditSummary {
  const rounds = input.records.filter((r): r is GateRoundRecord => r.record === "gate-round");
  const exceptions = Object.fromEntries(EXCEPTION_KINDS.map((k) => [k, 0])) as Record<
    AuditExceptionKind,
    number
  >;
  let total = 0;
  for (const e of input.records.flatMap(exceptionsOf)) {
    exceptions[e.kind]++;
    total++;
  }
  const outcome = (o: GateRoundRecord["outcome"]) => rounds.filter((r) => r.outcome === o).length;
  return {
    record: "summary",
    window: input.window,
    repos: [...input.repos].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    counts: {
      gateRounds: rounds.length,
      approved: outcome("approved"),
      stopped: outcome("stopped"),
      reopened: outcome("reopened"),
      pending: outcome("pending"),
      mergedPullRequests: input.records.filter((r) => r.record === "pull-request").length,
    },
    exceptions: { ...exceptions, total },
    complete: input.incompleteBecause === null,
    incompleteBecause: input.incompleteBecause,
    sha256: input.sha256,
  };
}

export function renderJsonl(records: readonly AuditRecord[], summary: AuditSummary): string {
  return `${canonicalRecords(records)}${JSON.stringify(summary)}\n`;
}

export const CSV_COLUMNS = [
  "record",
  "repo",
  "number",
  "title",
  "phase",
  "round",
  "outcome",
  "by",
  "at",
  "approvals",
  "quorum",
  "criteria",
  "author",
  "base",
  "head_sha",
  "run_conclusion",
  "run_title",
  "run_completed_at",
  "exceptions",
  "url",
] as const;

/**
 * A CSV cell: quoted when it holds a comma, quote or line break; a leading
 * `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'` so that a
 * PR title cannot run as a formula in the spreadsheet a reviewer opens.
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const exceptionText = (es: readonly AuditException[]) =>
  es.map((e) => `${e.kind}: ${e.detail}`).join(" | ");

function csvRow(r: AuditRecord): (string | number | null)[] {
  const row: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
    record: r.record,
    repo: r.repo,
    number: null,
    title: null,
    phase: null,
    round: null,
    outcome: null,
    by: null,
    at: null,
    approvals: null,
    quorum: null,
    criteria: null,
    author: null,
    base: null,
    head_sha: null,
    run_conclusion: null,
    run_title: null,
    run_completed_at: null,
    exceptions: exceptionText(exceptionsOf(r)),
    url: r.url,
  };
  if (r.record === "gate-round") {
    Object.assign(row, {
      number: r.issue,
      title: r.gate,
      phase: r.phase,
      round: r.round,
      outcome: r.outcome,
      by: r.decision?.by ?? r.openedBy,
      at: r.decision?.at ?? r.openedAt,
      approvals: r.approvals.map((a) => `${a.login} ${a.at}`).join("; "),
      quorum: r.quorum,
      criteria: `${r.criteria.checked}/${r.criteria.total}`,
    });
  } else if (r.record === "pull-request") {
    Object.assign(row, {
      number: r.number,
      title: r.title,
      phase: r.phase,
      outcome: "merged",
      by: r.mergedBy,
      at: r.mergedAt,
      author: r.author,
      base: r.base,
      head_sha: r.headSha,
      run_conclusion: r.run?.conclusion ?? null,
      run_title: r.run?.title ?? null,
      run_completed_at: r.run?.completedAt ?? null,
    });
  } else {
    Object.assign(row, { outcome: r.kind, by: r.by, at: r.at });
  }
  return CSV_COLUMNS.map((c) => row[c]);
}

export function renderCsv(records: readonly AuditRecord[], summary: AuditSummary): string {
  const lines = [CSV_COLUMNS.join(","), ...records.map((r) => csvRow(r).map(csvCell).join(","))];
  const tail = CSV_COLUMNS.map(() => "");
  const summaryRow = [...tail];
  summaryRow[0] = "summary";
  summaryRow[CSV_COLUMNS.indexOf("exceptions")] = summaryLine(summary);
  summaryRow[CSV_COLUMNS.indexOf("url")] = `sha256:${summary.sha256}`;
  lines.push(summaryRow.map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** The summary in one sentence. */
export function summaryLine(s: AuditSummary): string {
  const kinds = EXCEPTION_KINDS.filter((k) => s.exceptions[k] > 0)
    .map((k) => `${k} ${s.exceptions[k]}`)
    .join(", ");
  const c = s.counts;
  return [
    `${c.gateRounds} gate round${c.gateRounds === 1 ? "" : "s"} (${c.approved} approved, ${c.stopped} stopped, ${c.reopened} reopened, ${c.pending} pending)`,
    `${c.mergedPullRequests} merged pull request${c.mergedPullRequests === 1 ? "" : "s"}`,
    `${s.exceptions.total} exception${s.exceptions.total === 1 ? "" : "s"}${kinds ? ` (${kinds})` : ""}`,
    ...(s.complete ? [] : [`INCOMPLETE: ${s.incompleteBecause ?? "stopped early"}`]),
  ].join("; ");
}

const md = (text: string | number | null) =>
  text === null
    ? "—"
    : String(text)
        .replace(/\|/g, "\\|")
        .replace(/[\r\n]+/g, " ");
const who = (login: string | null) => (login ? `@${login}` : "—");

function mdTable(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

export function renderMarkdown(records: readonly AuditRecord[], summary: AuditSummary): string {
  const out: string[] = [
    `# phase-gates audit: ${summary.window.since} → ${summary.window.until}`,
    "",
  ];
  if (!summary.complete)
    out.push(
      `> **Incomplete:** ${md(summary.incompleteBecause)}. The records below are partial.`,
      "",
    );
  for (const repo of summary.repos) {
    const mine = records.filter((r) => r.repo.toLowerCase() === repo.toLowerCase());
    const rounds = mine.filter((r): r is GateRoundRecord => r.record === "gate-round");
    const pulls = mine.filter((r): r is PullRecord => r.record === "pull-request");
    out.push(`## ${repo}`, "", "### Gate rounds", "");
    if (rounds.length === 0) out.push("None in this window.");
    else
      out.push(
        ...mdTable(
          [
            "Gate",
            "Issue",
            "Round",
            "Opened",
            "Outcome",
            "Decided by",
            "Decided at",
            "Approvals",
            "Criteria",
          ],
          rounds.map((r) => [
            md(r.gate),
            `[#${r.issue}](${r.url})`,
            String(r.round),
            `${md(r.openedAt)} by ${who(r.openedBy)}`,
            r.reopened ? `${r.outcome} by ${who(r.reopened.by)} ${r.reopened.at}` : r.outcome,
            who(r.decision?.by ?? null),
            md(r.decision?.at ?? null),
            `${r.approvals.length}/${r.quorum}${r.approvals.length ? `: ${r.approvals.map((a) => `[@${a.login}](${a.url}) ${a.at}`).join(", ")}` : ""}`,
            `${r.criteria.checked}/${r.criteria.total}`,
          ]),
        ),
      );
    out.push("", "### Merged pull requests", "");
    if (pulls.length === 0) out.push("None in this window.");
    else
      out.push(
        ...mdTable(
          ["PR", "Title", "Author", "Merged by", "Merged at", "Base", "Phase", "Phase gate run"],
          pulls.map((p) => [
            `[#${p.number}](${p.url})`,
            md(p.title),
            who(p.author),
            who(p.mergedBy),
            p.mergedAt,
            md(p.base),
            `${md(p.phase)}${p.phaseSources.length ? ` (${md(p.phaseSources.join(", "))})` : ""}`,
            p.run
              ? `${md(p.run.conclusion)}: ${md(p.run.title)} (${md(p.run.completedAt)})`
              : "none",
          ]),
        ),
      );
    const exceptions = mine.flatMap((r) =>
      exceptionsOf(r).map((e) => ({
        e,
        where:
          r.record === "pull-request"
            ? `#${r.number}`
            : r.record === "gate-round"
              ? `#${r.issue}`
              : "",
      })),
    );
    out.push("", "### Exceptions", "");
    if (exceptions.length === 0) out.push("None.");
    for (const { e, where } of exceptions)
      out.push(
        `- **${e.kind}** ${where ? `${where} ` : ""}${e.at} by ${who(e.by)}: ${md(e.detail)} ([link](${e.url}))`,
      );
    out.push("");
  }
  out.push(
    "## Summary",
    "",
    ...mdTable(
      ["", ""],
      [
        ["Window", `${summary.window.since} → ${summary.window.until}`],
        ["Repositories", String(summary.repos.length)],
        ["Gate rounds", String(summary.counts.gateRounds)],
        [
          "Approved / stopped / reopened / pending",
          `${summary.counts.approved} / ${summary.counts.stopped} / ${summary.counts.reopened} / ${summary.counts.pending}`,
        ],
        ["Merged pull requests", String(summary.counts.mergedPullRequests)],
        ...EXCEPTION_KINDS.map((k) => [`Exceptions: ${k}`, String(summary.exceptions[k])]),
        ["Exceptions in all", String(summary.exceptions.total)],
        ["Complete", summary.complete ? "yes" : `no: ${md(summary.incompleteBecause)}`],
      ],
    ),
    "",
    `SHA-256 of the records (as JSON lines): \`${summary.sha256}\``,
    "",
  );
  return out.join("\n");
}

export function renderAudit(
  format: AuditFormat,
  records: readonly AuditRecord[],
  summary: AuditSummary,
): string {
  return format === "jsonl"
    ? renderJsonl(records, summary)
    : format === "csv"
      ? renderCsv(records, summary)
      : renderMarkdown(records, summary);
}
