import { describe, expect, it } from "vitest";
import type { Config, GateConfig } from "../../../src/config/schema.js";
import { configOf, fixture, yaml } from "./helpers.js";

const DEFAULT_GATE_KEYS = {
  criteria: ["Feasibility shown with evidence"],
  approvers: { users: [], teams: [], permission: "maintain" },
  approvals: 1,
  requireCriteria: true,
} satisfies Omit<GateConfig, "title" | "label">;

/** SPEC §1's defaults, spelled out by hand (not computed from the schema). */
const DEFAULTS: Config = {
  phases: [
    {
      id: "crawl",
      name: "Crawl",
      label: "phase: crawl",
      milestone: "Crawl",
      paths: [],
      gate: { title: "Gate: Crawl → Walk", label: "gate: crawl", ...DEFAULT_GATE_KEYS },
    },
    {
      id: "walk",
      name: "Walk",
      label: "phase: walk",
      milestone: "Walk",
      paths: [],
      gate: { title: "Gate: Walk → Run", label: "gate: walk", ...DEFAULT_GATE_KEYS },
    },
    { id: "run", name: "Run", label: "phase: run", milestone: "Run", paths: [], gate: null },
  ],
  unphased: "allow",
  linkedIssues: true,
  parentIssues: true,
  sync: { labels: true, milestones: true, gateIssues: true },
  dashboard: true,
  deployments: [],
  project: null,
};

describe("parseConfigText: a file that says nothing means the SPEC §1 defaults", () => {
  it.each([
    ["an empty file", ""],
    ["only whitespace", "\n\n   \n"],
    ["only comments", "# phase-gates\n# nothing here yet\n"],
    ["an empty mapping", "{}\n"],
    ["null", "null\n"],
    ["a tilde (YAML null)", "~\n"],
    ["a document marker only", "---\n"],
    ["only _extends (stripped before validation)", "_extends: .github\n"],
    ["the defaults-empty.yml fixture", fixture("defaults-empty.yml")],
    ["the defaults written out (defaults-explicit.yml)", fixture("defaults-explicit.yml")],
  ])("%s", (_name, text) => {
    expect(configOf(text)).toEqual(DEFAULTS);
  });
});

const TWO_PHASES = yaml("phases:", "  - id: crawl", "    gate: {}", "  - id: run");

describe("parseConfigText: each key defaults on its own", () => {
  it.each<[string, string, (c: Config) => unknown, unknown]>([
    [
      "phases omitted → Crawl, Walk, Run",
      "dashboard: false\n",
      (c) => c.phases.map((p) => p.id),
      ["crawl", "walk", "run"],
    ],
    ["unphased → allow", TWO_PHASES, (c) => c.unphased, "allow"],
    ["linkedIssues → true", TWO_PHASES, (c) => c.linkedIssues, true],
    ["parentIssues → true", TWO_PHASES, (c) => c.parentIssues, true],
    [
      "sync → all true",
      TWO_PHASES,
      (c) => c.sync,
      { labels: true, milestones: true, gateIssues: true },
    ],
    [
      "sync keys one by one",
      "sync: { labels: false }\n",
      (c) => c.sync,
      { labels: false, milestones: true, gateIssues: true },
    ],
    ["dashboard → true", TWO_PHASES, (c) => c.dashboard, true],
    [
      "phase name ← id, capitalised",
      TWO_PHASES,
      (c) => c.phases.map((p) => p.name),
      ["Crawl", "Run"],
    ],
    [
      "phase label ← phase: <id>",
      TWO_PHASES,
      (c) => c.phases.map((p) => p.label),
      ["phase: crawl", "phase: run"],
    ],
    ["milestone → none", TWO_PHASES, (c) => c.phases.map((p) => p.milestone), [null, null]],
    ["gate label ← gate: <id>", TWO_PHASES, (c) => c.phases[0]?.gate?.label, "gate: crawl"],
    [
      "gate title ← Gate: <Name> → <next Name>",
      TWO_PHASES,
      (c) => c.phases[0]?.gate?.title,
      "Gate: Crawl → Run",
    ],
    ["no gate on the last phase → null", TWO_PHASES, (c) => c.phases[1]?.gate, null],
    [
      "criteria",
      TWO_PHASES,
      (c) => c.phases[0]?.gate?.criteria,
      ["Feasibility shown with evidence"],
    ],
    [
      "approvers",
      TWO_PHASES,
      (c) => c.phases[0]?.gate?.approvers,
      { users: [], teams: [], permission: "maintain" },
    ],
    [
      "approvers keys one by one",
      yaml("phases:", "  - id: a", "    gate: { approvers: { users: [octocat] } }", "  - id: b"),
      (c) => c.phases[0]?.gate?.approvers,
      { users: ["octocat"], teams: [], permission: "maintain" },
    ],
    ["approvals → 1", TWO_PHASES, (c) => c.phases[0]?.gate?.approvals, 1],
    ["requireCriteria → true", TWO_PHASES, (c) => c.phases[0]?.gate?.requireCriteria, true],
  ])("%s", (_name, text, pick, expected) => {
    expect(pick(configOf(text))).toEqual(expected);
  });

  it("derives a gate title from the next phase's own name when it has one", () => {
    const config = configOf(
      yaml(
        "phases:",
        "  - id: poc",
        "    name: Proof of concept",
        "    gate: {}",
        "  - id: mvp",
        "    name: MVP",
      ),
    );
    expect(config.phases[0]?.gate?.title).toBe("Gate: Proof of concept → MVP");
  });

  it("keeps what the user wrote instead of the derived values", () => {
    const config = configOf(
      yaml(
        "phases:",
        "  - id: crawl",
        "    name: First steps",
        '    label: "stage: one"',
        "    gate:",
        "      title: Ready to walk?",
        "      label: review-1",
        "  - id: run",
      ),
    );
    expect(config.phases[0]).toMatchObject({
      name: "First steps",
      label: "stage: one",
      gate: { title: "Ready to walk?", label: "review-1" },
    });
  });

  it("reads custom-four-phases.yml", () => {
    const config = configOf(fixture("custom-four-phases.yml"));
    expect(
      config.phases.map((p) => [p.id, p.name, p.label, p.milestone, p.gate?.title, p.gate?.label]),
    ).toEqual([
      ["spike", "Spike", "phase: spike", null, "Gate: Spike → Crawl", "gate: spike"],
      ["crawl", "Crawl", "phase: crawl", "Crawl", "Gate: Crawl → Walk", "gate: crawl"],
      ["walk", "Walk", "stage: walk", "Walk", "Walk review", "review: walk"],
      ["run", "Run", "phase: run", "Run", undefined, undefined],
    ]);
    expect(config.phases[0]?.gate).toMatchObject({
      criteria: ["Problem statement agreed", "Two options compared"],
      approvers: { users: ["octocat"], teams: [], permission: "admin" },
    });
    expect(config.phases[1]?.gate).toMatchObject({
      approvals: 2,
      approvers: { teams: ["octo-org/architects"] },
    });
    expect(config.phases[2]?.gate?.requireCriteria).toBe(false);
    expect(config).toMatchObject({
      unphased: "block",
      linkedIssues: false,
      sync: { labels: true, milestones: true, gateIssues: false },
      dashboard: false,
    });
  });

  it("accepts 10 phases, YAML anchors and merge keys (as Probot's js-yaml does)", () => {
    const ten = ["phases:", ...Array.from({ length: 10 }, (_, i) => `  - id: p${i}`)];
    expect(configOf(yaml(...ten)).phases).toHaveLength(10);
    const anchored = configOf(
      yaml(
        "phases:",
        "  - id: crawl",
        "    gate: &strict",
        "      approvals: 2",
        "      approvers: { permission: admin }",
        "  - id: walk",
        "    gate:",
        "      <<: *strict",
        "      approvals: 3",
        "  - id: run",
      ),
    );
    expect(anchored.phases.map((p) => [p.gate?.approvals, p.gate?.approvers.permission])).toEqual([
      [2, "admin"],
      [3, "admin"],
      [undefined, undefined],
    ]);
  });
});
