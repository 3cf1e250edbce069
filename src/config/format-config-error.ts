import type { ConfigError } from "./parse-config.js";

/** `.github/phase-gates.yml:12:5 phases[1].gate.approvals: expected …` — the compiler-style line. */
export function formatConfigError(error: ConfigError): string {
  const where = `${error.file}:${error.line}:${error.column}`;
  return error.keyPath === ""
    ? `${where} ${error.message}`
    : `${where} ${error.keyPath}: ${error.message}`;
}

/** One error per line, in the order given (parse-config sorts them). */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map(formatConfigError).join("\n");
}

/**
 * A table cell that cannot break out of its cell or its code span: pipes are
 * escaped, line breaks flattened, and the code span's fence is longer than
 * any run of backticks inside (CommonMark's rule), so a key such as "a`b"
 * or "a|b" still renders as written.
 */
function codeCell(text: string): string {
  if (text === "") return "";
  const flat = text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function textCell(text: string): string {
  // Backslash escapes for every character that could start Markdown or HTML.
  return text.replace(/\r?\n/g, " ").replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

/** Markdown table for check-run summaries: where | key | problem. */
export function configErrorsToMarkdown(errors: readonly ConfigError[]): string {
  const rows = errors.map(
    (e) =>
      `| ${codeCell(`${e.file}:${e.line}:${e.column}`)} | ${codeCell(e.keyPath)} | ${textCell(e.message)} |`,
  );
  return ["| Where | Key | Problem |", "| --- | --- | --- |", ...rows].join("\n");
}
