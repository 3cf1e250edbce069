import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../../src/config/parse-config.js";
import { errorsOf, FILE, fixture, parse, yaml } from "./helpers.js";

/** Two valid phases around `...lines` (which go inside the first phase's gate). */
function gate(...lines: string[]): string {
  return yaml(
    "phases:",
    "  - id: crawl",
    "    gate:",
    ...lines.map((l) => `      ${l}`),
    "  - id: run",
  );
}

describe("parseConfigText: every error kind, with its exact line:column", () => {
  it.each<[string, string, string[]]>([
    // --- YAML itself -------------------------------------------------------
    [
      "YAML syntax: an unquoted value containing ': '",
      yaml("phases:", "  - id: crawl", "    label: phase: crawl", "  - id: run"),
      ['3:12 : invalid YAML: a value contains ": "; put it in quotes, like "phase: crawl"'],
    ],
    [
      "YAML syntax: an unclosed flow list",
      yaml("phases: [crawl, run", "dashboard: true"),
      [
        "2:1 : invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ],
    [
      "YAML syntax: a tab used for indentation",
      yaml("sync:", "\tlabels: true"),
      ["2:1 : invalid YAML: a tab is used for indentation; indent with spaces"],
    ],
    [
      "YAML syntax: an unclosed quote",
      yaml('unphased: "allow', "dashboard: true"),
      ['3:1 : invalid YAML: missing closing "quote'],
    ],
    [
      "YAML: more than one document",
      yaml("dashboard: true", "---", "dashboard: false"),
      ['2:1 : invalid YAML: the file holds more than one document ("---"); keep a single one'],
    ],
    [
      "YAML: an unsupported tag (would silently become text)",
      yaml("dashboard: !env DASHBOARD"),
      [
        '1:12 dashboard: invalid YAML: unresolved tag: !env (tags like "!env" are not supported; write the value itself)',
      ],
    ],
    [
      "YAML: duplicate key at the root",
      yaml("dashboard: true", "unphased: block", "dashboard: false"),
      ['3:1 dashboard: duplicate key "dashboard" (a key may appear only once in the same mapping)'],
    ],
    [
      "YAML: duplicate key inside a gate",
      gate("approvals: 1", '"approvals": 2'),
      [
        '5:7 phases[0].gate.approvals: duplicate key "approvals" (a key may appear only once in the same mapping)',
      ],
    ],
    // --- the root ----------------------------------------------------------
    [
      "root is a list",
      yaml("- crawl", "- run"),
      [
        '1:1 : expected settings written as "key: value" lines (a mapping, e.g. "phases:"), got a list',
      ],
    ],
    [
      "root is text, after a comment",
      yaml("# my config", "crawl walk run"),
      [
        '1:1 : expected settings written as "key: value" lines (a mapping, e.g. "phases:"), got the text "crawl walk run"',
      ],
    ],
    [
      "root is a number",
      yaml("42"),
      [
        '1:1 : expected settings written as "key: value" lines (a mapping, e.g. "phases:"), got the value 42',
      ],
    ],
    // --- deployments ---------------------------------------------------------
    [
      "a deployment gated on a phase that does not exist",
      yaml("deployments:", "  - environment: production", "    phase: fly"),
      [
        '3:12 deployments[0].phase: unknown phase "fly": expected one of the phase ids ("crawl", "walk", "run")',
      ],
    ],
    [
      "a deployment gated on a phase that this file's phases do not have",
      yaml(
        "phases:",
        "  - id: crawl",
        "  - id: run",
        "deployments:",
        "  - environment: production",
        "    phase: walk",
      ),
      [
        '6:12 deployments[0].phase: unknown phase "walk": expected one of the phase ids ("crawl", "run")',
      ],
    ],
    [
      "a deployment without an environment",
      yaml("deployments:", "  - phase: run"),
      ['2:5 deployments[0].environment: missing required key "environment"'],
    ],
    // --- unknown keys, pointing at the key itself --------------------------
    [
      "unknown key at the root, with a suggestion",
      yaml("dashbord: false"),
      ['1:1 dashbord: unknown key "dashbord" (did you mean "dashboard"?)'],
    ],
    [
      "unknown key at the root, without a close match",
      yaml("dashboard: true", "colour: blue"),
      [
        '2:1 colour: unknown key "colour" (allowed here: phases, unphased, linkedIssues, parentIssues, sync, dashboard, deployments, project)',
      ],
    ],
    [
      "unknown key in a phase",
      yaml("phases:", "  - id: crawl", "    gat: {}", "  - id: run"),
      ['3:5 phases[0].gat: unknown key "gat" (did you mean "gate"?)'],
    ],
    [
      "unknown key in a gate (case and underscores ignored for the suggestion)",
      gate("require_criteria: false"),
      [
        '4:7 phases[0].gate.require_criteria: unknown key "require_criteria" (did you mean "requireCriteria"?)',
      ],
    ],
    [
      "unknown key in approvers",
      gate("approvers:", "  user: [octocat]"),
      ['5:9 phases[0].gate.approvers.user: unknown key "user" (did you mean "users"?)'],
    ],
    [
      "unknown key in sync",
      yaml("sync:", "  labels: true", "  milestone: false"),
      ['3:3 sync.milestone: unknown key "milestone" (did you mean "milestones"?)'],
    ],
    [
      "two unknown keys in one mapping: one error each",
      yaml("sync:", "  label: true", "  issues: false"),
      [
        '2:3 sync.label: unknown key "label" (did you mean "labels"?)',
        '3:3 sync.issues: unknown key "issues" (allowed here: labels, milestones, gateIssues)',
      ],
    ],
    // --- wrong types, pointing at the value --------------------------------
    [
      "sync is not a mapping",
      yaml("sync: true"),
      [
        '1:7 sync: expected a mapping of "key: value" lines (keys: labels, milestones, gateIssues), got true',
      ],
    ],
    [
      "phases is text",
      yaml("phases: crawl, walk, run"),
      [
        '1:9 phases: expected a list of 2 to 10 entries (one "- item" per line), got "crawl, walk, run" (write each entry on its own line, starting with "- ")',
      ],
    ],
    [
      "a phase is text instead of a mapping",
      yaml("phases:", "  - crawl", "  - id: run"),
      [
        '2:5 phases[0]: expected a mapping of "key: value" lines (keys: id, name, label, milestone, gate, paths), got "crawl"',
      ],
    ],
    [
      "a boolean written as yes",
      yaml("linkedIssues: yes"),
      ['1:15 linkedIssues: expected true or false, got "yes" (write true or false)'],
    ],
    [
      "parentIssues not a boolean",
      yaml("parentIssues: 1"),
      ["1:15 parentIssues: expected true or false, got 1"],
    ],
    [
      "a boolean in quotes",
      yaml('dashboard: "false"'),
      ['1:12 dashboard: expected true or false, got "false" (remove the quotes)'],
    ],
    [
      "a number where text is expected",
      yaml("phases:", "  - id: crawl", "    milestone: 2024", "  - id: run"),
      ['3:16 phases[0].milestone: expected non-empty text, got 2024 (put it in quotes: "2024")'],
    ],
    [
      "a key left empty",
      gate("approvals:"),
      ["4:7 phases[0].gate.approvals: expected a whole number ≥ 1, got an empty value"],
    ],
    [
      "criteria as one line of text",
      gate("criteria: It works"),
      [
        '4:17 phases[0].gate.criteria: expected a list (one "- item" per line), got "It works" (write each entry on its own line, starting with "- ")',
      ],
    ],
    [
      "an empty criterion",
      gate("criteria:", '  - ""'),
      ['5:11 phases[0].gate.criteria[0]: expected non-empty text, got ""'],
    ],
    // --- values out of range -----------------------------------------------
    [
      "bad enum: permission owner",
      gate("approvers:", "  permission: owner"),
      [
        '5:21 phases[0].gate.approvers.permission: expected one of "admin", "maintain", "write", got "owner"',
      ],
    ],
    [
      "bad enum with a suggestion",
      yaml("unphased: blocked"),
      ['1:11 unphased: expected one of "allow", "block", got "blocked" (did you mean "block"?)'],
    ],
    [
      "approvals 0",
      gate("approvals: 0"),
      ["4:18 phases[0].gate.approvals: expected a whole number ≥ 1, got 0"],
    ],
    [
      "approvals 1.5",
      gate("approvals: 1.5"),
      ["4:18 phases[0].gate.approvals: expected a whole number ≥ 1, got 1.5"],
    ],
    [
      'approvals "two"',
      gate("approvals: two"),
      ['4:18 phases[0].gate.approvals: expected a whole number ≥ 1, got "two"'],
    ],
    [
      'approvals "2" (quoted)',
      gate('approvals: "2"'),
      ['4:18 phases[0].gate.approvals: expected a whole number ≥ 1, got "2" (remove the quotes)'],
    ],
    ["1 phase", yaml("phases:", "  - id: only"), ["1:1 phases: expected 2 to 10 phases, got 1"]],
    [
      "11 phases",
      yaml("phases:", ...Array.from({ length: 11 }, (_, i) => `  - id: p${i}`)),
      ["1:1 phases: expected 2 to 10 phases, got 11"],
    ],
    ["0 phases", yaml("phases: []"), ["1:1 phases: expected 2 to 10 phases, got 0"]],
    [
      "a label longer than GitHub allows",
      yaml("phases:", "  - id: crawl", `    label: ${"x".repeat(51)}`, "  - id: run"),
      [
        "3:12 phases[0].label: expected text of 1 to 50 characters (GitHub's limit for a label), got 51 characters",
      ],
    ],
    [
      "a label far too long is shortened in the message",
      yaml("phases:", "  - id: crawl", `    label: ${"y".repeat(70)}`, "  - id: run"),
      [
        "3:12 phases[0].label: expected text of 1 to 50 characters (GitHub's limit for a label), got 70 characters",
      ],
    ],
    // --- formats -----------------------------------------------------------
    [
      "invalid id Crawl!",
      yaml("phases:", "  - id: Crawl!", "  - id: run"),
      [
        '2:9 phases[0].id: expected an id of lowercase letters, digits and dashes (like "crawl"), got "Crawl!"',
      ],
    ],
    [
      "bad team format",
      gate("approvers:", "  teams: [octo-org/core, platform]"),
      [
        '5:32 phases[0].gate.approvers.teams[1]: expected a team written as "org/team-slug", got "platform"',
      ],
    ],
    // --- missing keys, pointing at the parent mapping ----------------------
    [
      "a phase without id",
      yaml("phases:", "  - name: Crawl", "    label: early", "  - id: run"),
      ['2:5 phases[0].id: missing required key "id"'],
    ],
    [
      "an empty phase",
      yaml("phases:", "  - {}", "  - id: run"),
      ['2:5 phases[0].id: missing required key "id"'],
    ],
    // --- cross-field rules -------------------------------------------------
    [
      "duplicate ids",
      yaml("phases:", "  - id: crawl", "    gate: {}", "  - id: crawl"),
      [
        '2:9 phases[0].id: duplicate phase id "crawl" (also used by phases[1]); ids must be unique',
        '4:9 phases[1].id: duplicate phase id "crawl" (also used by phases[0]); ids must be unique',
      ],
    ],
    [
      "duplicate labels, ignoring case",
      yaml("phases:", "  - id: crawl", '    label: "Phase: Run"', "  - id: run"),
      [
        '3:12 phases[0].label: label "Phase: Run" is used more than once (also by phases[1].label); labels must be unique, ignoring case',
        '4:5 phases[1].label: the default label "phase: run" of this phase is used more than once (also by phases[0].label); labels must be unique, ignoring case',
      ],
    ],
    [
      "a gate label equal to a phase label (quoted)",
      yaml("phases:", "  - id: crawl", "    gate:", '      label: "PHASE: RUN"', "  - id: run"),
      [
        '4:14 phases[0].gate.label: label "PHASE: RUN" is used more than once (also by phases[1].label); labels must be unique, ignoring case',
        '5:5 phases[1].label: the default label "phase: run" of this phase is used more than once (also by phases[0].gate.label); labels must be unique, ignoring case',
      ],
    ],
    [
      "one milestone for two phases",
      yaml("phases:", "  - id: crawl", "    milestone: MVP", "  - id: run", "    milestone: mvp"),
      [
        '3:16 phases[0].milestone: milestone "MVP" maps to more than one phase (also phases[1])',
        '5:16 phases[1].milestone: milestone "mvp" maps to more than one phase (also phases[0])',
      ],
    ],
    [
      "gate on the last phase (points at the gate key)",
      yaml("phases:", "  - id: crawl", "  - id: run", "    gate:", "      approvals: 2"),
      [
        "4:5 phases[1].gate: the last phase cannot have a gate (nothing comes after it): remove this gate or add a phase after it",
      ],
    ],
  ])("%s", (_name, text, expected) => {
    expect(errorsOf(parse(text))).toEqual(expected);
  });
});

describe("parseConfigText: several errors in one file", () => {
  it("reports all of them, in file order, including cross-field rules next to type errors", () => {
    const result = parseConfigText({ path: FILE, text: fixture("invalid-many-errors.yml") });
    expect(errorsOf(result)).toEqual([
      '3:9 phases[0].id: expected an id of lowercase letters, digits and dashes (like "crawl"), got "Crawl!"',
      '4:5 phases[0].gat: unknown key "gat" (did you mean "gate"?)',
      '6:9 phases[1].id: duplicate phase id "walk" (also used by phases[2]); ids must be unique',
      '8:18 phases[1].gate.approvals: expected a whole number ≥ 1, got "two"',
      '10:21 phases[1].gate.approvers.permission: expected one of "admin", "maintain", "write", got "owner"',
      '11:17 phases[1].gate.approvers.teams[0]: expected a team written as "org/team-slug", got "platform"',
      '12:9 phases[2].id: duplicate phase id "walk" (also used by phases[1]); ids must be unique',
      "13:5 phases[2].gate: the last phase cannot have a gate (nothing comes after it): remove this gate or add a phase after it",
      '14:11 unphased: expected one of "allow", "block", got "sometimes"',
      '16:3 sync.label: unknown key "label" (did you mean "labels"?)',
    ]);
  });

  it("reports every YAML error of a file", () => {
    const text = yaml("sync:", "\tlabels: true", "dashboard: true", "dashboard: false");
    expect(errorsOf(parse(text)).map((e) => e.split(" ")[0])).toEqual(["2:1", "4:1"]);
  });

  it("names the file, with its repository when given", () => {
    const result = parseConfigText({ path: FILE, text: "dashbord: true\n", repo: "octo/app" });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: "octo/app:.github/phase-gates.yml",
          keyPath: "dashbord",
          line: 1,
          column: 1,
          message: 'unknown key "dashbord" (did you mean "dashboard"?)',
        },
      ],
    });
    // a path that already names its repository is not prefixed twice
    const named = parseConfigText({ path: "octo/app:x.yml", text: "- a\n", repo: "octo/app" });
    expect(named.ok ? null : named.errors[0]?.file).toBe("octo/app:x.yml");
  });

  it("points into the anchor when the bad value comes from an alias", () => {
    const text = yaml(
      "x-gate: &g { approvals: 0 }",
      "phases:",
      "  - id: crawl",
      "    gate: *g",
      "  - id: run",
    );
    expect(errorsOf(parse(text))).toEqual([
      '1:1 x-gate: unknown key "x-gate" (allowed here: phases, unphased, linkedIssues, parentIssues, sync, dashboard, deployments, project)',
      "1:25 phases[0].gate.approvals: expected a whole number ≥ 1, got 0",
    ]);
  });

  it("falls back to the deepest node that exists (a value that came from a merge key)", () => {
    const text = yaml(
      "phases:",
      "  - &crawl { id: crawl, gate: {} }",
      "  - <<: *crawl",
      "    id: run",
    );
    expect(errorsOf(parse(text))).toEqual([
      "3:5 phases[1].gate: the last phase cannot have a gate (nothing comes after it): remove this gate or add a phase after it",
    ]);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 12; i++)
      lines.push(
        `b${i}: &b${i} [${Array(10)
          .fill(i === 0 ? "*a" : `*b${i - 1}`)
          .join(", ")}]`,
      );
    expect(errorsOf(parse(yaml(...lines)))).toEqual([
      '1:1 : the aliases (*name) expand into more than 100 copies of their anchors; write the values out instead (a "billion laughs" file is refused)',
    ]);
  });
});
