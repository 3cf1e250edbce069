import { paint } from "./term.js";

/**
 * The check summary's Markdown as a terminal shows it best: headings in
 * bold, tables as aligned columns, lists and task lists as text, links as
 * "text <url>" (in tables the text only, to keep columns narrow), and no
 * Markdown punctuation (`**`, backticks, escapes, HTML comments).
 * `explain --markdown` prints the summary as GitHub receives it instead.
 */
export function markdownForTerminal(markdown: string, color: boolean): string {
  const out: string[] = [];
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^```/.test(line)) {
      for (i++; i < lines.length && !/^```/.test(lines[i] ?? ""); i++) out.push(`    ${lines[i]}`);
      continue;
    }
    if (isTableRow(line) && isSeparator(lines[i + 1] ?? "")) {
      const rows = [splitRow(line)];
      for (i += 2; i < lines.length && isTableRow(lines[i] ?? ""); i++) {
        rows.push(splitRow(lines[i] ?? ""));
      }
      i--;
      out.push(...renderTable(rows, color));
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      out.push(paint(color, "bold", inline(heading[1] ?? "", true)));
      continue;
    }
    const item = /^(\s*)[-*+]\s+(?:\[([ xX])\]\s+)?(.*)$/.exec(line);
    if (item) {
      const box = item[2] === undefined ? "" : item[2] === " " ? "[ ] " : "[x] ";
      out.push(`${item[1] ?? ""}- ${box}${inline(item[3] ?? "", true)}`);
      continue;
    }
    out.push(inline(line, true));
  }
  return out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function isTableRow(line: string): boolean {
  return /^\s*\|.*\|\s*$/.test(line);
}

function isSeparator(line: string): boolean {
  return /^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(line);
}

/** Cells of `| a | b |`; `\|` is a pipe inside a cell, not a border. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "\\" && i + 1 < body.length) {
      cell += ch + body[i + 1];
      i++;
    } else if (ch === "|") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => inline(c.trim(), false));
}

function renderTable(rows: string[][], color: boolean): string[] {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(...rows.map((r) => width(r[c] ?? ""))),
  );
  return rows.map((row, r) => {
    const text = widths
      .map((w, c) => {
        const cell = row[c] ?? "";
        return c === columns - 1 ? cell : cell + " ".repeat(w - width(cell));
      })
      .join("  ")
      .trimEnd();
    return r === 0 ? paint(color, "bold", text) : text;
  });
}

/** Columns a terminal gives the text: emoji take two. */
function width(text: string): number {
  let n = 0;
  for (const ch of text) n += /\p{Extended_Pictographic}/u.test(ch) && ch !== "→" ? 2 : 1;
  return n;
}

/** Inline Markdown as plain text; `withUrls`: a link keeps its address, as "text <url>". */
function inline(text: string, withUrls: boolean): string {
  return text
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) =>
      withUrls && label !== url ? `${label} <${url}>` : label,
    )
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/(^|[^\\])`([^`]*)`/g, "$1$2")
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, "$1")
    .replace(/<\/?(details|summary|br|sub|sup|b|i|em|strong)\b[^>]*>/gi, "");
}
