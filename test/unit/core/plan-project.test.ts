import { describe, expect, it } from "vitest";
import {
  type DesiredItem,
  type ItemWrite,
  type KnownItem,
  type ProjectFieldFacts,
  planProjectFields,
  planProjectItem,
} from "../../../src/core/plan-project.js";
import { configOf, yaml } from "../config/helpers.js";

const config = configOf(yaml("project:", "  number: 7"));

const single = (id: string, name: string, options: string[]): ProjectFieldFacts => ({
  id,
  name,
  dataType: "SINGLE_SELECT",
  options: options.map((o, i) => ({ id: `${id}-${i}`, name: o })),
});
const TITLE: ProjectFieldFacts = { id: "F0", name: "Title", dataType: "TITLE", options: null };
const PHASE = single("F1", "Phase", ["Crawl", "Walk", "Run"]);
const GATE = single("F2", "Gate", ["Pending", "Approved", "Stopped"]);

describe("planProjectFields: which fields to create, which to use, what to report", () => {
  it("creates both fields when the project has neither, one option per phase in order", () => {
    const plan = planProjectFields(config, "Phase", { id: "P", title: "t", fields: [TITLE] });
    expect(plan.create.map((f) => [f.name, f.options.map((o) => o.name)])).toEqual([
      ["Phase", ["Crawl", "Walk", "Run"]],
      ["Gate", ["Pending", "Approved", "Stopped"]],
    ]);
    expect(plan.create[0]?.options.map((o) => o.color)).toEqual(["BLUE", "GREEN", "PURPLE"]);
    expect(plan.create[0]?.options[0]?.description).toMatch(/^Kept by phase-gates/);
    expect(plan.problems).toEqual([]);
  });

  it("uses existing fields, matching names and options ignoring case, and creates nothing", () => {
    const lower = single("F9", "phase", ["crawl", "WALK", "Run"]);
    const plan = planProjectFields(config, "Phase", { id: "P", title: "t", fields: [lower, GATE] });
    expect(plan.create).toEqual([]);
    expect(plan.phase).toEqual({
      id: "F9",
      name: "phase",
      optionIds: { Crawl: "F9-0", Walk: "F9-1", Run: "F9-2" },
    });
    expect(plan.gate?.id).toBe("F2");
  });

  it.each<[string, ProjectFieldFacts, string]>([
    [
      "an option missing: reported, never rewritten",
      single("F1", "Phase", ["Crawl", "Run"]),
      'the project\'s field "Phase" has no option "Walk": add it in the project\'s field settings (phase-gates never rewrites a field people use)',
    ],
    [
      "a field of another type",
      { id: "F1", name: "Phase", dataType: "TEXT", options: null },
      'the project\'s field "Phase" is a text field; phase-gates needs a single select field: rename it, or set project.field to another name',
    ],
  ])("%s", (_, field, message) => {
    const plan = planProjectFields(config, "Phase", { id: "P", title: "t", fields: [field, GATE] });
    expect(plan.create).toEqual([]);
    expect(plan.problems.map((p) => p.message)).toEqual([message]);
  });

  it("keeps the usable options of a field that lacks one (items in other phases still get theirs)", () => {
    const plan = planProjectFields(config, "Phase", {
      id: "P",
      title: "t",
      fields: [single("F1", "Phase", ["Crawl", "Run"]), GATE],
    });
    expect(plan.phase?.optionIds).toEqual({ Crawl: "F1-0", Run: "F1-1" });
  });

  it("creates a field named by project.field", () => {
    const plan = planProjectFields(config, "Stage", { id: "P", title: "t", fields: [PHASE, GATE] });
    expect(plan.create.map((f) => f.name)).toEqual(["Stage"]);
  });
});

describe("planProjectItem: the writes that bring one item in step", () => {
  const known = (phase: string | null, gate?: string | null): KnownItem => ({
    itemId: "I1",
    phase,
    ...(gate !== undefined ? { gate } : {}),
  });

  it.each<[string, DesiredItem, KnownItem | undefined, ItemWrite[]]>([
    [
      "a new phased item: added, then set",
      { phase: "Run" },
      undefined,
      [{ kind: "add" }, { kind: "set", role: "phase", value: "Run" }],
    ],
    ["an unphased item the project never had: nothing", { phase: null }, undefined, []],
    ["already as wanted: nothing (no request)", { phase: "Run" }, known("Run"), []],
    [
      "a new phase: set",
      { phase: "Walk" },
      known("Run"),
      [{ kind: "set", role: "phase", value: "Walk" }],
    ],
    [
      "lost its phase: cleared, never removed",
      { phase: null },
      known("Run"),
      [{ kind: "clear", role: "phase" }],
    ],
    ["already cleared: nothing", { phase: null }, known(null), []],
    [
      "a new gate issue: added, phase and gate set",
      { phase: "Crawl", gate: "Pending" },
      undefined,
      [
        { kind: "add" },
        { kind: "set", role: "phase", value: "Crawl" },
        { kind: "set", role: "gate", value: "Pending" },
      ],
    ],
    [
      "a gate decided: only the gate written",
      { phase: "Crawl", gate: "Approved" },
      known("Crawl", "Pending"),
      [{ kind: "set", role: "gate", value: "Approved" }],
    ],
  ])("%s", (_, desired, before, writes) => {
    expect(planProjectItem(desired, before)).toEqual(writes);
  });
});
