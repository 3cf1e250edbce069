import ignore from "ignore";

/**
 * Limits on `phases[].paths` (SPEC §2 "Phase by paths"), so that no config
 * can make matching slow: a PR's files (at most 3,000) are tested against
 * every pattern on each evaluation. A real list has a handful of patterns of
 * a few dozen characters.
 */
export const MAX_PATH_PATTERN_LENGTH = 500;
/** Patterns in one phase's `paths`, and in all phases together. */
export const MAX_PATH_PATTERNS = 1_000;

/**
 * Why `pattern` is not a gitignore pattern that can match a changed file
 * (null when it is one). gitignore quietly ignores such lines; a gate must
 * not: a pattern that matches nothing lets through what it was written to hold.
 */
export function pathPatternProblem(pattern: string): string | null {
  const body = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  if (/[\r\n]/.test(pattern))
    return "expected one pattern per list entry: a pattern cannot span lines";
  if (body.trim() === "")
    return pattern.startsWith("!")
      ? 'a lone "!" matches nothing: write "!" followed by the pattern to take back out'
      : "an empty pattern matches nothing";
  if (pattern.startsWith("#"))
    return 'a pattern starting with "#" is a comment in gitignore syntax and matches nothing; write "\\#" for a file name that starts with "#"';
  if (/(^|[^\\])(\\\\)*\\$/.test(body))
    return 'a pattern ending in a single "\\" matches nothing; write "\\\\" for a backslash';
  if (/^\/+$/.test(body) || body.includes("//"))
    return 'a pattern with an empty folder name ("//") matches nothing';
  if (/(^|\/)\.{1,2}(\/|$)/.test(body))
    return 'pull request paths are relative to the repository root: "." and ".." folders never match (write "/docs/" rather than "./docs/")';
  if (/(^|[^\\])\[(?!\]?[^\]]*\])/.test(body))
    return 'an unclosed "[" matches nothing; close the set ("[abc]") or write "\\[" for a literal bracket';
  try {
    ignore({ ignorecase: false }).add(body).ignores("probe");
  } catch (error) {
    return `not a valid gitignore pattern: ${error instanceof Error ? error.message : String(error)}`;
  }
  return null;
}
