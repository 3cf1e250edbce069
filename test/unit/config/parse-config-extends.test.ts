import { describe, expect, it } from "vitest";
import { formatConfigError } from "../../../src/config/format-config-error.js";
import {
  type ConfigResult,
  type ConfigSource,
  parseConfigSources,
} from "../../../src/config/parse-config.js";
import { configOf, FILE, fixture, yaml } from "./helpers.js";

const repo = (text: string): ConfigSource => ({ path: FILE, text, repo: "octo/app" });
const base = (text: string): ConfigSource => ({ path: FILE, text, repo: "octo/.github" });
const REPO = "octo/app:.github/phase-gates.yml";
const BASE = "octo/.github:.github/phase-gates.yml";

function errors(result: ConfigResult): string[] {
  return result.ok ? [] : result.errors.map(formatConfigError);
}

function config(result: ConfigResult) {
  if (!result.ok) throw new Error(errors(result).join("\n"));
  return result.config;
}

describe("parseConfigSources: merging an _extends chain (earlier file wins)", () => {
  it("replaces lists, merges mappings deeply and strips _extends", () => {
    const merged = config(
      parseConfigSources([repo(fixture("extends-repo.yml")), base(fixture("extends-base.yml"))]),
    );
    // `phases` comes whole from the repo: the base's third phase and its gate settings are gone.
    expect(merged.phases.map((p) => [p.id, p.gate?.approvals ?? null])).toEqual([
      ["alpha", null],
      ["beta", null],
    ]);
    expect(merged.unphased).toBe("block"); // only the base sets it
    expect(merged.sync).toEqual({ labels: false, milestones: false, gateIssues: true }); // repo + base + default
    expect(merged.dashboard).toBe(true);
  });

  it("takes the base's phases when the repo sets none", () => {
    const merged = config(
      parseConfigSources([repo("_extends: .github\n"), base(fixture("extends-base.yml"))]),
    );
    expect(merged.phases.map((p) => p.id)).toEqual(["crawl", "walk", "run"]);
    expect(merged.phases[0]?.gate?.approvals).toBe(3);
  });

  it("lets the repo's value hide an invalid value in the base", () => {
    const merged = config(
      parseConfigSources([
        repo("unphased: block\n"),
        base("unphased: sometimes\nsync: { labels: false }\n"),
      ]),
    );
    expect(merged.unphased).toBe("block");
    expect(merged.sync.labels).toBe(false);
  });

  it("merges three files, each key from the first file that sets it", () => {
    const merged = config(
      parseConfigSources([
        repo("sync: { labels: false }\n"),
        {
          path: "team.yml",
          text: "sync: { milestones: false }\ndashboard: false\n",
          repo: "octo/team",
        },
        base(
          "sync: { labels: true, milestones: true, gateIssues: false }\ndashboard: true\nlinkedIssues: false\n",
        ),
      ]),
    );
    expect(merged.sync).toEqual({ labels: false, milestones: false, gateIssues: false });
    expect(merged.dashboard).toBe(false);
    expect(merged.linkedIssues).toBe(false);
  });

  it("treats an empty chain and an empty repo file as the defaults / the base", () => {
    expect(config(parseConfigSources([]))).toEqual(configOf(""));
    expect(config(parseConfigSources([repo(""), base("dashboard: false\n")])).dashboard).toBe(
      false,
    );
  });
});

describe("parseConfigSources: errors name the file that supplied the value", () => {
  it.each<[string, ConfigSource[], string[]]>([
    [
      "errors only in the base, at the base's line and column",
      [repo("dashboard: true\n"), base(fixture("extends-base-invalid.yml"))],
      [
        `${BASE}:4:3 sync.milestone: unknown key "milestone" (did you mean "milestones"?)`,
        `${BASE}:5:15 sync.gateIssues: expected true or false, got "no" (write true or false)`,
      ],
    ],
    [
      "errors in both files: the repo's first, then the base's",
      [
        repo(yaml("_extends: .github", "sync:", "  labels: maybe")),
        base(fixture("extends-base-invalid.yml")),
      ],
      [
        `${REPO}:3:11 sync.labels: expected true or false, got "maybe"`,
        `${BASE}:4:3 sync.milestone: unknown key "milestone" (did you mean "milestones"?)`,
        `${BASE}:5:15 sync.gateIssues: expected true or false, got "no" (write true or false)`,
      ],
    ],
    [
      "a value inside the base's phases (the repo has none)",
      [
        repo("dashboard: false\n"),
        base(yaml("phases:", "  - id: crawl", "    gate:", "      approvals: 0", "  - id: run")),
      ],
      [`${BASE}:4:18 phases[0].gate.approvals: expected a whole number ≥ 1, got 0`],
    ],
    [
      "a value inside the repo's phases, which replaced the base's",
      [
        repo(yaml("phases:", "  - id: crawl", "    gate: { approvals: 0 }", "  - id: run")),
        base(yaml("phases:", "  - id: crawl", "    gate: { approvals: 2 }", "  - id: run")),
      ],
      [`${REPO}:3:24 phases[0].gate.approvals: expected a whole number ≥ 1, got 0`],
    ],
    [
      "a scalar in the repo replacing the base's mapping",
      [repo("sync: off\n"), base("sync:\n  labels: false\n")],
      [
        `${REPO}:1:7 sync: expected a mapping of "key: value" lines (keys: labels, milestones, gateIssues), got "off"`,
      ],
    ],
    [
      "cross-field rule on the base's phases",
      [repo("unphased: block\n"), base(yaml("phases:", "  - id: crawl", "  - id: crawl"))],
      [
        `${BASE}:2:9 phases[0].id: duplicate phase id "crawl" (also used by phases[1]); ids must be unique`,
        `${BASE}:3:9 phases[1].id: duplicate phase id "crawl" (also used by phases[0]); ids must be unique`,
      ],
    ],
    [
      "a missing key inside the base's phases points at the base's phase",
      [repo(""), base(yaml("phases:", "  - name: Crawl", "  - id: run"))],
      [`${BASE}:2:5 phases[0].id: missing required key "id"`],
    ],
    [
      "YAML errors of every file, each with its own name; schema errors wait",
      [repo(yaml("dashboard: true", "dashboard: false")), base(yaml("sync:", "\tlabels: true"))],
      [
        `${REPO}:2:1 dashboard: duplicate key "dashboard" (a key may appear only once in the same mapping)`,
        `${BASE}:2:1 invalid YAML: a tab is used for indentation; indent with spaces`,
      ],
    ],
    [
      "a base that is not a mapping",
      [repo("dashboard: true\n"), base("- crawl\n")],
      [
        `${BASE}:1:1 expected settings written as "key: value" lines (a mapping, e.g. "phases:"), got a list`,
      ],
    ],
  ])("%s", (_name, sources, expected) => {
    expect(errors(parseConfigSources(sources))).toEqual(expected);
  });
});
