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
  return (
    outsideFences
      .join("\n")
      // Inline code stays within a paragraph: a stray backtick cannot swallow the next one.
      .replace(/(`+)(?:(?!\n[ \t]*\n)[\s\S])*?\1/g, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
  );
}

/**
 * The issues a PR body closes, in order of first mention, without duplicates.
 * `host` is the web host of GitHub (github.com, or a GHES host), so URLs to
 * other hosts are not mistaken for issues.
 */
export function parseClosingReferences(
  body: string | null | undefined,
  repo: { owner: string; repo: string },
  host = "github.com",
): IssueRef[] {
  if (!body) return [];
  const text = stripCode(body);
  const refs: IssueRef[] = [];
  const seen = new Set<string>();
  for (const m of text.matchAll(closingPattern(host))) {
    let ref: IssueRef;
    if (m[1]) ref = { owner: repo.owner, repo: repo.repo, number: Number(m[1]) };
    else if (m[4] && m[2] && m[3]) ref = { owner: m[2], repo: m[3], number: Number(m[4]) };
    else if (m[7] && m[5] && m[6]) ref = { owner: m[5], repo: m[6], number: Number(m[7]) };
    else continue;
    const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
    if (ref.number <= 0 || seen.has(key)) continue;
    seen.add(key);
    refs.push(ref);
  }
  return refs;
}

export function formatIssueRef(ref: IssueRef, from?: { owner: string; repo: string }): string {
  const same =
    from &&
    from.owner.toLowerCase() === ref.owner.toLowerCase() &&
    from.repo.toLowerCase() === ref.repo.toLowerCase();
  return same ? `#${ref.number}` : `${ref.owner}/${ref.repo}#${ref.number}`;
}
