import ignore, { type Ignore } from "ignore";
import type {
  ChangedFiles,
  Config,
  EffectivePhase,
  PathMatch,
  PathsPhase,
  PhaseClaim,
} from "./types.js";

/**
 * GitHub's list of a PR's files stops here (`GET /pulls/{n}/files`, "a
 * maximum of 3000 files"); the PR's `changed_files` has the real count.
 */
export const GITHUB_FILES_LISTED_MAX = 3_000;

/** How many matching files the check names before "and N more". */
export const PATH_MATCHES_SHOWN = 10;

/**
 * One gitignore pattern, compiled by the `ignore` package (the matcher of
 * eslint, prettier and many more). Patterns are case-sensitive, as GitHub
 * treats paths in CODEOWNERS: a repository is a case-sensitive file system.
 */
function compile(body: string): Ignore {
  return ignore({ ignorecase: false }).add(body);
}

interface CompiledPattern {
  pattern: string;
  negative: boolean;
  matcher: Ignore;
  /** Text every path the pattern matches contains (see `requiredText`). */
  required: string[];
}

/**
 * The literal runs of a pattern's body that any path it matches must
 * contain: a cheap test that spares the library's regular expressions the
 * paths that cannot match, so 3,000 files against 1,000 patterns stays fast.
 * Only ever too lenient, never too strict: a run stops at every character
 * with a meaning (`*`, `?`, `\`, `/`, a space that gitignore may trim), and
 * nothing from a `[` on is used. The library alone decides a match.
 */
function requiredText(body: string): string[] {
  const plain = body.split("[")[0] ?? "";
  return plain.split(/[*?\\/ ]+/).filter((run) => run.length > 0);
}

/** A phase's `paths`, compiled once per call of `pathsPhase`: the matchers' caches die with it. */
interface CompiledList {
  /** Last first: the last pattern that matches decides. */
  reversed: CompiledPattern[];
}

function compileList(patterns: readonly string[]): CompiledList {
  return {
    reversed: patterns
      .map((pattern) => {
        const negative = pattern.startsWith("!");
        const body = negative ? pattern.slice(1) : pattern;
        return { pattern, negative, matcher: compile(body), required: requiredText(body) };
      })
      .reverse(),
  };
}

/**
 * The pattern that decides `path` (SPEC §2 "Phase by paths"): the LAST in
 * the list that matches it, null when none does or when that one is a `!`
 * exclusion. Each pattern is tested on its own, with the folder rule of
 * gitignore (a pattern that matches a folder matches all in it), so a later
 * `!infra/prod/docs/**` takes files back out of an earlier `infra/prod/`,
 * and a later include brings files back from under an excluded folder:
 * gitignore's "no re-including below an excluded folder" does not apply.
 */
function decidingPattern(list: CompiledList, path: string): string | null {
  for (const p of list.reversed) {
    if (!p.required.every((text) => path.includes(text))) continue;
    if (p.matcher.ignores(path)) return p.negative ? null : p.pattern;
  }
  return null;
}

/** The pattern of `patterns` that puts `path` in the phase, or null (for tests and the CLI). */
export function matchingPattern(patterns: readonly string[], path: string): string | null {
  return decidingPattern(compileList(patterns), normalise(path));
}

/** GitHub lists paths from the root without a leading `/`; the matcher wants exactly that. */
function normalise(path: string): string {
  return path.replace(/^\/+/, "");
}

/** Whether any phase has `paths`: only then are a PR's files read for its phase. */
export function configHasPaths(config: Config): boolean {
  return config.phases.some((p) => p.paths.length > 0);
}

/** The latest phase that has `paths`: where a PR whose files GitHub cannot all list is held. */
export function latestPathsPhase(config: Config): number | null {
  for (let i = config.phases.length - 1; i >= 0; i--) {
    if ((config.phases[i]?.paths.length ?? 0) > 0) return i;
  }
  return null;
}

/** Every name a change touches: a rename counts under its old name as well as its new one. */
function touchedPaths(files: ChangedFiles): string[] {
  const seen = new Set<string>();
  for (const f of files.files) {
    seen.add(normalise(f.filename));
    if (f.previousFilename) seen.add(normalise(f.previousFilename));
  }
  return [...seen];
}

/**
 * The phase a PR's changed files put it in (SPEC §2 "Phase by paths"): the
 * latest phase one of whose patterns decides one of the files. When GitHub
 * lists fewer files than the PR changes, the files it leaves out could be
 * anywhere, so the PR is held in the latest phase that has `paths` (fails
 * closed). Null when no phase has `paths` or nothing matches.
 */
export function pathsPhase(config: Config, files: ChangedFiles): PathsPhase | null {
  const latest = latestPathsPhase(config);
  if (latest === null) return null;
  const paths = touchedPaths(files);
  const truncated =
    files.changedFiles === null || files.changedFiles > files.files.length
      ? { listed: files.files.length, changed: files.changedFiles }
      : null;
  for (let i = config.phases.length - 1; i >= 0; i--) {
    const patterns = config.phases[i]?.paths ?? [];
    if (patterns.length === 0) continue;
    const list = compileList(patterns);
    const matches: PathMatch[] = [];
    let total = 0;
    for (const path of paths) {
      const pattern = decidingPattern(list, path);
      if (pattern === null) continue;
      total++;
      if (matches.length < PATH_MATCHES_SHOWN) matches.push({ path, pattern });
    }
    if (total > 0 || (truncated && i === latest))
      return { phaseIndex: i, matches, matchCount: total, truncated };
  }
  return null;
}

/** The phase remembered as the PR's floor: the claimed one, never the one from paths. */
export function claimedPhaseIndex(phase: EffectivePhase): number | null {
  return phase.claimedIndex !== undefined ? phase.claimedIndex : phase.phaseIndex;
}

/**
 * The PR's phase once its files count: the later of what people claim
 * (labels, milestones, linked issues, after the phase floor) and what its
 * files say. `claimedIndex` keeps the claimed phase: it alone is the floor
 * remembered on the check run, since a phase from paths is recomputed from
 * the head's files every time and is nobody's claim to remove.
 */
export function withPathsPhase(claimed: EffectivePhase, paths: PathsPhase | null): EffectivePhase {
  if (paths === null) return claimed;
  const claim: PhaseClaim = {
    phaseIndex: paths.phaseIndex,
    source: {
      kind: "paths",
      files: paths.matchCount,
      truncated: paths.truncated !== null,
    },
  };
  const base = { ...claimed, claimedIndex: claimed.phaseIndex, paths };
  if (claimed.phaseIndex !== null && paths.phaseIndex < claimed.phaseIndex)
    return { ...base, ignored: [...claimed.ignored, claim] };
  if (claimed.phaseIndex === paths.phaseIndex && !claimed.floor)
    return { ...base, deciding: [...claimed.deciding, claim] };
  // The files alone reach this phase: a floor below or at it holds nothing the files do not.
  const { floor: _floor, ...rest } = base;
  return {
    ...rest,
    phaseIndex: paths.phaseIndex,
    deciding: [claim],
    ignored: [...claimed.deciding, ...claimed.ignored],
  };
}
