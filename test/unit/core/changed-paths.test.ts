import fc from "fast-check";
import ignore from "ignore";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import {
  claimedPhaseIndex,
  configHasPaths,
  latestPathsPhase,
  matchingPattern,
  pathsPhase,
  withPathsPhase,
} from "../../../src/core/changed-paths.js";
import { applyPhaseFloor } from "../../../src/core/phase-floor.js";
import { effectivePhase } from "../../../src/core/phases.js";
import type { ChangedFiles } from "../../../src/core/types.js";
import { defaultConfig } from "./helpers.js";

const matches = (patterns: string[], path: string) => matchingPattern(patterns, path) !== null;

/**
 * GitHub's CODEOWNERS documentation ("Example of a CODEOWNERS file"), each
 * pattern with the paths its comments say it matches and does not.
 */
describe("matchingPattern: GitHub's CODEOWNERS examples", () => {
  it.each<[string, string, boolean]>([
    ["*", "README.md", true],
    ["*", "src/deep/.env", true],
    ["*.js", "app.js", true],
    ["*.js", "src/lib/util.js", true],
    ["*.js", "src/lib/util.jsx", false],
    ["*.go", "cmd/main.go", true],
    ["*.txt", "notes.txt", true],
    // "/build/logs/": the folder at the root and anything in it, at any depth.
    ["/build/logs/", "build/logs/app.log", true],
    ["/build/logs/", "build/logs/2024/01/app.log", true],
    ["/build/logs/", "src/build/logs/app.log", false],
    // "docs/*": files directly in docs/. gitignore's outcome (a folder it
    // matches takes all in it) also counts docs/build-app/troubleshooting.md,
    // which CODEOWNERS leaves out: for a gate the broader match is the safe side.
    ["docs/*", "docs/getting-started.md", true],
    ["docs/*", "docs/build-app/troubleshooting.md", true],
    ["docs/*", "src/docs/getting-started.md", false],
    // "apps/": an apps folder anywhere in the repository.
    ["apps/", "apps/web/index.ts", true],
    ["apps/", "services/apps/api/main.go", true],
    ["apps/", "apps", false],
    // "/docs/": the docs folder at the root only.
    ["/docs/", "docs/index.md", true],
    ["/docs/", "site/docs/index.md", false],
    ["/scripts/", "scripts/release.sh", true],
    // "**/logs": any logs folder and all in it.
    ["**/logs", "build/logs/app.log", true],
    ["**/logs", "scripts/logs/run.txt", true],
    ["**/logs", "deeply/nested/logs/x.log", true],
    ["**/logs", "logs/top.log", true],
    ["**/logs", "src/logstash/conf", false],
    ["/apps/", "apps/github/README.md", true],
    ["/apps/", "src/apps/github/README.md", false],
  ])("%s vs %s → %s", (pattern, path, expected) => {
    expect(matches([pattern], path)).toBe(expected);
  });
});

describe("matchingPattern: gitignore syntax", () => {
  it.each<[string, string[], string, boolean]>([
    ["a leading / anchors to the root", ["/Makefile"], "Makefile", true],
    ["a leading / anchors to the root (not deeper)", ["/Makefile"], "src/Makefile", false],
    ["a name without / matches at any depth", ["Dockerfile"], "deploy/prod/Dockerfile", true],
    ["a / inside anchors the pattern", ["infra/prod"], "x/infra/prod/db.tf", false],
    ["** crosses folders", ["infra/**/main.tf"], "infra/a/b/c/main.tf", true],
    ["** also matches no folder", ["infra/**/main.tf"], "infra/main.tf", true],
    ["a trailing / means a folder and all in it", ["infra/prod/"], "infra/prod/x/y.tf", true],
    ["a trailing / never matches a file", ["db.tf/"], "infra/db.tf", false],
    ["dot files are included", ["infra/**"], "infra/.terraform.lock.hcl", true],
    ["dot folders are included", ["*.yml"], ".github/workflows/deploy.yml", true],
    ["a ? is one character", ["v?.tf"], "v1.tf", true],
    ["a set", ["env-[ps]*.tf"], "env-prod.tf", true],
    ["a set (no match)", ["env-[ps]*.tf"], "env-dev.tf", false],
    ["an escaped # is literal", ["\\#notes"], "#notes", true],
    ["an escaped ! is literal", ["\\!important.txt"], "!important.txt", true],
    ["paths are case-sensitive, like GitHub's", ["infra/prod/**"], "Infra/Prod/db.tf", false],
    ["a leading / in the path is ignored", ["infra/prod/**"], "/infra/prod/db.tf", true],
    // The last matching pattern decides.
    [
      "! takes files back out",
      ["infra/prod/**", "!infra/prod/docs/**"],
      "infra/prod/docs/a.md",
      false,
    ],
    ["! leaves the rest in", ["infra/prod/**", "!infra/prod/docs/**"], "infra/prod/db.tf", true],
    ["! of a folder takes all in it out", ["infra/", "!infra/docs/"], "infra/docs/x/y.md", false],
    [
      "a later include re-includes under an excluded folder (no gitignore parent rule)",
      ["infra/", "!infra/prod/", "infra/prod/secrets/**"],
      "infra/prod/secrets/key.tf",
      true,
    ],
    ["an earlier ! is overridden by a later match", ["!*.md", "docs/"], "docs/x.md", true],
    ["a ! alone never includes", ["!docs/**"], "docs/a.md", false],
  ])("%s", (_why, patterns, path, expected) => {
    expect(matches(patterns, path)).toBe(expected);
  });

  it("names the pattern that decides", () => {
    expect(matchingPattern(["*.tf", "infra/prod/**"], "infra/prod/db.tf")).toBe("infra/prod/**");
  });
});

const runPaths = configSchema.parse({
  phases: [
    { id: "crawl", gate: {} },
    { id: "walk", gate: {}, paths: ["services/**"] },
    { id: "run", paths: ["infra/prod/**", "!infra/prod/docs/**", "/deploy.sh"] },
  ],
});

const files = (names: (string | [string, string])[], changedFiles?: number): ChangedFiles => ({
  files: names.map((n) =>
    typeof n === "string" ? { filename: n } : { filename: n[0], previousFilename: n[1] },
  ),
  changedFiles: changedFiles ?? names.length,
});

describe("pathsPhase: the latest phase whose paths match a changed file", () => {
  it.each<[string, ChangedFiles, string | null]>([
    ["no file matches", files(["README.md", "src/a.ts"]), null],
    ["a Walk file", files(["services/api/main.go"]), "walk"],
    ["a Run file wins over a Walk file", files(["services/x.go", "infra/prod/db.tf"]), "run"],
    ["an excluded Run file does not count", files(["infra/prod/docs/readme.md"]), null],
    [
      "a rename away from Run counts by its old name",
      files([["docs/db.tf", "infra/prod/db.tf"]]),
      "run",
    ],
    ["a rename into Run counts by its new name", files([["infra/prod/db.tf", "tmp/db.tf"]]), "run"],
    [
      "GitHub lists fewer files than the PR changes: held in Run",
      files(["README.md"], 3412),
      "run",
    ],
    ["GitHub did not list the files: held in Run", { files: [], changedFiles: null }, "run"],
    ["no files at all", files([]), null],
  ])("%s → %s", (_why, changed, expected) => {
    const result = pathsPhase(runPaths, changed);
    expect(result === null ? null : runPaths.phases[result.phaseIndex]?.id).toBe(expected);
  });

  it("names the first ten files and their patterns, and counts the rest", () => {
    const names = Array.from({ length: 13 }, (_, i) => `infra/prod/m${i}.tf`);
    const result = pathsPhase(runPaths, files([...names, "README.md"]));
    expect(result?.matchCount).toBe(13);
    expect(result?.matches).toHaveLength(10);
    expect(result?.matches[0]).toEqual({ path: "infra/prod/m0.tf", pattern: "infra/prod/**" });
    expect(result?.truncated).toBeNull();
  });

  it("says how many files GitHub listed and how many the PR changes", () => {
    const listed = Array.from({ length: 3000 }, (_, i) => `src/f${i}.ts`);
    expect(pathsPhase(runPaths, files(listed, 3412))?.truncated).toEqual({
      listed: 3000,
      changed: 3412,
    });
  });

  it("is off when no phase has paths", () => {
    expect(configHasPaths(defaultConfig)).toBe(false);
    expect(latestPathsPhase(defaultConfig)).toBeNull();
    expect(pathsPhase(defaultConfig, files(["infra/prod/db.tf"], 5000))).toBeNull();
    expect(configHasPaths(runPaths)).toBe(true);
    expect(latestPathsPhase(runPaths)).toBe(2);
  });
});

describe("withPathsPhase: the later of the claimed phase and the files' phase", () => {
  const claimed = (labels: string[]) =>
    effectivePhase(runPaths, { labels, milestone: null, linkedIssues: [] });
  const run = pathsPhase(runPaths, files(["infra/prod/db.tf"]));
  const walk = pathsPhase(runPaths, files(["services/a.go"]));

  it.each<[string, string[], typeof run, number | null, number | null, string[]]>([
    ["files raise an unlabelled PR", [], run, 2, null, ["paths"]],
    ["files raise a Walk PR to Run", ["phase: walk"], run, 2, 1, ["paths"]],
    ["a Run label and Run files both decide", ["phase: run"], run, 2, 2, ["label", "paths"]],
    ["files below the claimed phase are ignored", ["phase: run"], walk, 2, 2, ["label"]],
    ["no matching files: the claim alone", ["phase: walk"], null, 1, 1, ["label"]],
  ])("%s", (_why, labels, paths, phaseIndex, floor, deciding) => {
    const phase = withPathsPhase(claimed(labels), paths);
    expect(phase.phaseIndex).toBe(phaseIndex);
    expect(claimedPhaseIndex(phase)).toBe(floor);
    expect(phase.deciding.map((c) => c.source.kind)).toEqual(deciding);
  });

  it("a label removed by a non-approver: still Run from the files, not from the floor", () => {
    const held = applyPhaseFloor(runPaths, claimed([]), 2, { by: "writer", mayLower: false });
    expect(held.floor).toBeDefined();
    const phase = withPathsPhase(held, run);
    expect(phase.phaseIndex).toBe(2);
    expect(phase.floor).toBeUndefined();
    expect(phase.deciding.map((c) => c.source.kind)).toEqual(["paths"]);
    // The claim stays held where it was: the files never erase the floor.
    expect(claimedPhaseIndex(phase)).toBe(2);
  });

  it("a floor above the files' phase still holds", () => {
    const held = applyPhaseFloor(runPaths, claimed([]), 2, { by: "writer", mayLower: false });
    const phase = withPathsPhase(held, walk);
    expect(phase.phaseIndex).toBe(2);
    expect(phase.floor?.phaseIndex).toBe(2);
  });
});

describe("matchingPattern: the literal-text shortcut never changes a result", () => {
  /** The rule spelled out with the library alone: each pattern on its own, the last match decides. */
  function reference(patterns: string[], path: string): string | null {
    let decided: string | null = null;
    for (const pattern of patterns) {
      const negative = pattern.startsWith("!");
      const body = negative ? pattern.slice(1) : pattern;
      if (ignore({ ignorecase: false }).add(body).ignores(path))
        decided = negative ? null : pattern;
    }
    return decided;
  }
  const segment = fc.constantFrom(
    "infra",
    "prod",
    "docs",
    "a b",
    ".env",
    "x.tf",
    "#x",
    "!y",
    "[z]",
  );
  const glob = fc.constantFrom("*", "**", "?", "*.tf", "[pd]*", "\\#x", "\\!y", "a\\ b");
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
  const pattern = fc
    .tuple(
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.oneof(segment, glob), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
    )
    .map(
      ([neg, anchored, parts, dir]) =>
        `${neg ? "!" : ""}${anchored ? "/" : ""}${parts.join("/")}${dir ? "/" : ""}`,
    );

  it("agrees with the library on random patterns and paths", () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 6 }), path, (patterns, p) => {
        expect(matchingPattern(patterns, p)).toBe(reference(patterns, p));
      }),
      { numRuns: 2000 },
    );
  });
});
