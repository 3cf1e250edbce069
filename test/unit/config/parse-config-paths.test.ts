import { describe, expect, it } from "vitest";
import { MAX_PATH_PATTERN_LENGTH, MAX_PATH_PATTERNS } from "../../../src/config/path-patterns.js";
import { configOf, errorsOf, parse, yaml } from "./helpers.js";

/** Crawl (gated) then Run with `...lines` as Run's paths list (line 5 on). */
function runPaths(...lines: string[]): string {
  return yaml("phases:", "  - id: crawl", "    gate: {}", "  - id: run", "    paths:", ...lines);
}

describe("phases[].paths: gitignore patterns, validated like every other key", () => {
  it("reads a list and defaults to none", () => {
    const config = configOf(runPaths('      - "infra/prod/**"', '      - "!infra/prod/docs/**"'));
    expect(config.phases.map((p) => p.paths)).toEqual([
      [],
      ["infra/prod/**", "!infra/prod/docs/**"],
    ]);
    expect(configOf("").phases.map((p) => p.paths)).toEqual([[], [], []]);
  });

  it("an empty list is valid (the same as no paths)", () => {
    expect(
      configOf(yaml("phases:", "  - id: crawl", "    paths: []", "  - id: run")).phases[0]?.paths,
    ).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    [
      "an empty pattern",
      runPaths('      - ""'),
      ["6:9 phases[1].paths[0]: an empty pattern matches nothing"],
    ],
    [
      "a comment",
      runPaths('      - "#infra"'),
      [
        '6:9 phases[1].paths[0]: a pattern starting with "#" is a comment in gitignore syntax and matches nothing; write "\\#" for a file name that starts with "#"',
      ],
    ],
    [
      "a lone !",
      runPaths('      - "infra/"', '      - "!"'),
      [
        '7:9 phases[1].paths[1]: a lone "!" matches nothing: write "!" followed by the pattern to take back out',
      ],
    ],
    [
      "a trailing backslash",
      runPaths("      - 'infra\\'"),
      [
        '6:9 phases[1].paths[0]: a pattern ending in a single "\\" matches nothing; write "\\\\" for a backslash',
      ],
    ],
    [
      "a relative path",
      runPaths('      - "./infra/prod/"'),
      [
        '6:9 phases[1].paths[0]: pull request paths are relative to the repository root: "." and ".." folders never match (write "/docs/" rather than "./docs/")',
      ],
    ],
    [
      "an empty folder name",
      runPaths('      - "infra//prod"'),
      ['6:9 phases[1].paths[0]: a pattern with an empty folder name ("//") matches nothing'],
    ],
    [
      "an unclosed set",
      runPaths('      - "env-[ps.tf"'),
      [
        '6:9 phases[1].paths[0]: an unclosed "[" matches nothing; close the set ("[abc]") or write "\\[" for a literal bracket',
      ],
    ],
    [
      "two lines in one pattern",
      runPaths('      - "infra/\\ndocs/"'),
      ["6:9 phases[1].paths[0]: expected one pattern per list entry: a pattern cannot span lines"],
    ],
    [
      "not text",
      runPaths("      - 12"),
      [
        '6:9 phases[1].paths[0]: expected text of 1 to 500 characters, got 12 (put it in quotes: "12")',
      ],
    ],
    [
      "not a list",
      yaml("phases:", "  - id: crawl", '    paths: "infra/"', "  - id: run"),
      [
        '3:12 phases[0].paths: expected a list of at most 1000 entries (one "- item" per line), got "infra/" (write each entry on its own line, starting with "- ")',
      ],
    ],
    [
      "a pattern of 5,000 characters",
      runPaths(`      - "${"a".repeat(5000)}"`),
      [
        `6:9 phases[1].paths[0]: expected text of 1 to ${MAX_PATH_PATTERN_LENGTH} characters, got 5000 characters`,
      ],
    ],
  ])("%s", (_why, text, expected) => {
    expect(errorsOf(parse(text))).toEqual(expected);
  });

  it("10,000 patterns in one phase: one error", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `      - "p${i}/"`);
    expect(errorsOf(parse(runPaths(...lines)))).toEqual([
      `5:5 phases[1].paths: expected at most ${MAX_PATH_PATTERNS} paths, got 10000`,
    ]);
  });

  it("more than 1,000 patterns across the phases: one error on the last list", () => {
    const half = (n: number) => Array.from({ length: 600 }, (_, i) => `      - "p${n}-${i}/"`);
    const text = yaml(
      "phases:",
      "  - id: crawl",
      "    gate: {}",
      "    paths:",
      ...half(1),
      "  - id: run",
      "    paths:",
      ...half(2),
    );
    expect(errorsOf(parse(text))).toEqual([
      `${4 + 600 + 2}:5 phases[1].paths: the phases have 1,200 path patterns in all; at most ${MAX_PATH_PATTERNS.toLocaleString("en-US")} are allowed, so that matching a pull request's files stays fast`,
    ]);
  });

  it("every bad pattern of a list is reported at once", () => {
    expect(errorsOf(parse(runPaths('      - ""', '      - "ok/"', '      - "#x"')))).toHaveLength(
      2,
    );
  });
});
