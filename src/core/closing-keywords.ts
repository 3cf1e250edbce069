import type { IssueRef } from "./types.js";

const KEYWORDS = "close|closes|closed|fix|fixes|fixed|resolve|resolves|resolved";

/**
 * GitHub's closing keywords: `Closes #12`, `fixes owner/repo#3`, `Resolved https://github.com/o/r/issues/4`.
 * An optional colon after the keyword is accepted, as GitHub does (`Closes: #12`).
 * The reference must start a word: `prefix#12` is not a reference.
 */
function closingPattern(host: string): RegExp {
  const escapedHost = host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    String.raw`(?:^|[^\w/-])(?:${KEYWORDS}):?\s+(?:` +
      String.raw`#(\d+)` +
      String.raw`|([\w.-]+)\/([\w.-]+)#(\d+)` +
      String.raw`|https?:\/\/${escapedHost}\/([\w.-]+)\/([\w.-]+)\/issues\/(\d+)` +
      String.raw`)(?![\w/#])`,
    "gi",
  );
}

/** Removes fenced code blocks and inline code spans: keywords inside code are not links. */
function stripCode(markdown: string): string {
  const outsideFences: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split(/\r?\n/)) {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (m?.[1]) {
      const marker = m[1];
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker)
        fence = null;
      continue;
    }
    // An unclosed fence is code to the end of the text, as Markdown renders it.
    if (fence === null) outsideFences.push(line);
  }
  // Inline code stays within a paragraph: a stray backtick cannot swallow the next one.
  return outsideFences
    .join("\n")
    .split(/(\n[ \t]*\n)/)
    .map((part, i) => (i % 2 === 0 ? stripCodeSpans(part) : part))
    .join("");
}

/**
 * Replaces the code spans of one paragraph by a space, as CommonMark reads
 * them: a run of backticks opens a span that the next run of the same length
 * closes; a run with no such closer is literal text, and so is a backtick after
 * a backslash. A scan, not `/(`+)[\s\S]*?\1/`: that regex backtracks through
 * every shorter prefix of a long run, so 100,000 backticks took seconds.
 */
function stripCodeSpans(paragraph: string): string {
  if (!paragraph.includes("`")) return paragraph;
  const runs = [...paragraph.matchAll(/`+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
  const byLength = new Map<number, number[]>();
  runs.forEach((run, i) => {
    const length = run.end - run.start;
    const same = byLength.get(length);
    if (same) same.push(i);
    else byLength.set(length, [i]);
  });
  const next = new Map<number, number>();
  let out = "";
  let from = 0;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    if (!run) break;
    let backslashes = 0;
    while (paragraph[run.start - 1 - backslashes] === "\\") backslashes++;
    const start = run.start + (backslashes % 2);
    const closers = byLength.get(run.end - start) ?? [];
    // Openers only move forward, so each length's search resumes where it stopped.
    let c = next.get(run.end - start) ?? 0;
    while ((closers[c] ?? Number.POSITIVE_INFINITY) <= i) c++;
    next.set(run.end - start, c);
    const closer = runs[closers[c] ?? -1];
    if (!closer) continue;
    out += `${paragraph.slice(from, start)} `;
    from = closer.end;
    i = closers[c] ?? i;
  }
  return out + paragraph.slice(from);
}

/**
 * Removes `<!-- … -->` (PR templates put example keywords in them). A scan, not
 * `/<!--[\s\S]*?-->/g`: that regex rescans to the end of the body from every
 * unclosed `<!--`, so 10,000 of them took a tenth of a second and 100,000 took
 * seconds. An unclosed comment is left as text, as before.
 */
function stripHtmlComments(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("<!--", from);
    if (open < 0) break;
    const close = text.indexOf("-->", open + 4);
    // With no `-->` after this `<!--`, none follows any later one either.
    if (close < 0) break;
    out += `${text.slice(from, open)} `;
    from = close + 3;
  }
  return out + text.slice(from);
}

/** At most this many linked issues are read per PR: each one costs API calls on every evaluation. */
export const MAX_LINKED_ISSUES = 50;

export interface CappedReferences {
  /** The first `MAX_LINKED_ISSUES` distinct references, in order of first mention. */
  refs: IssueRef[];
  /** Distinct references after those, left out. */
  dropped: number;
}

function issueNumber(digits: string | undefined): number | null {
  if (!digits) return null;
  const n = Number(digits);
  // `#0` is no issue, and 400 digits would read as Infinity (or as a wrong number past 2^53).
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function referenceOf(m: RegExpMatchArray, repo: { owner: string; repo: string }): IssueRef | null {
  const [, here, owner, name, there, urlOwner, urlName, urlNumber] = m;
  const number = issueNumber(here ?? there ?? urlNumber);
  if (number === null) return null;
  if (here) return { owner: repo.owner, repo: repo.repo, number };
  if (owner && name) return { owner, repo: name, number };
  if (urlOwner && urlName) return { owner: urlOwner, repo: urlName, number };
  return null;
}

/**
 * The issues a PR body closes, in order of first mention, without duplicates,
 * at most `MAX_LINKED_ISSUES` of them; `dropped` counts the distinct ones left
 * out, so the summary can say so. `host` is the web host of GitHub (github.com,
 * or a GHES host), so URLs to other hosts are not mistaken for issues.
 * Linear in the body: a 1 MB body is parsed in milliseconds.
 */
export function parseClosingReferencesCapped(
  body: string | null | undefined,
  repo: { owner: string; repo: string },
  host = "github.com",
): CappedReferences {
  if (!body) return { refs: [], dropped: 0 };
  const text = stripHtmlComments(stripCode(body));
  const refs: IssueRef[] = [];
  let dropped = 0;
  const seen = new Set<string>();
  for (const m of text.matchAll(closingPattern(host))) {
    const ref = referenceOf(m, repo);
    if (!ref) continue;
    const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (refs.length < MAX_LINKED_ISSUES) refs.push(ref);
    else dropped++;
  }
  return { refs, dropped };
}

/** `parseClosingReferencesCapped` without the count of what was left out. */
export function parseClosingReferences(
  body: string | null | undefined,
  repo: { owner: string; repo: string },
  host = "github.com",
): IssueRef[] {
  return parseClosingReferencesCapped(body, repo, host).refs;
}

export function formatIssueRef(ref: IssueRef, from?: { owner: string; repo: string }): string {
  const same =
    from &&
    from.owner.toLowerCase() === ref.owner.toLowerCase() &&
    from.repo.toLowerCase() === ref.repo.toLowerCase();
  return same ? `#${ref.number}` : `${ref.owner}/${ref.repo}#${ref.number}`;
}
