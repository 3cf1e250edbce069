import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import {
  APPROVED_COLOR,
  desiredLabels,
  type ExistingLabel,
  GATE_COLOR,
  type LabelPlan,
  type LabelSpec,
  PHASE_COLORS,
  planLabels,
  STOPPED_COLOR,
} from "../../../src/core/plan-labels.js";
import { defaultConfig, fourPhaseConfig } from "./helpers.js";

/** What a fresh default repository gets, in order. */
const DEFAULT_SPECS: LabelSpec[] = [
  { name: "phase: crawl", color: "c5def5", description: "Phase: Crawl — proves feasibility" },
  { name: "phase: walk", color: "1d76db", description: "Phase: Walk — proves value" },
  { name: "phase: run", color: "5319e7", description: "Phase: Run — scales what was proven" },
  { name: "gate: crawl", color: GATE_COLOR, description: "Marks the gate issue that ends Crawl" },
  { name: "gate: walk", color: GATE_COLOR, description: "Marks the gate issue that ends Walk" },
  {
    name: "gate: approved",
    color: APPROVED_COLOR,
    description: "Gate decision: approved (display only; state comes from the issue)",
  },
  {
    name: "gate: stopped",
    color: STOPPED_COLOR,
    description: "Gate decision: stopped (display only; state comes from the issue)",
  },
];

/** The repository exactly as a previous sync left it. */
const SYNCED: ExistingLabel[] = DEFAULT_SPECS.map((s) => ({ ...s }));

function withLabel(name: string, change: Partial<ExistingLabel>): ExistingLabel[] {
  return SYNCED.map((l) => (l.name === name ? { ...l, ...change } : l));
}

const walkSpec = (name = "phase: walk"): LabelSpec => ({
  name,
  color: "1d76db",
  description: "Phase: Walk — proves value",
});

/** What a plan writes: labels to create, and repairs addressed by (and keeping) the existing spelling. */
interface Writes {
  create: LabelSpec[];
  update: { current: string; spec: LabelSpec }[];
}
function writes(plan: LabelPlan): Writes {
  return {
    create: plan.create,
    update: plan.update.map((u) => ({
      current: u.actual.name,
      spec: { ...u.desired, name: u.actual.name },
    })),
  };
}

describe("planLabels on the default config", () => {
  it.each<[string, ExistingLabel[], Writes]>([
    ["a fresh repository gets every label", [], { create: DEFAULT_SPECS, update: [] }],
    ["a synced repository needs nothing", SYNCED, { create: [], update: [] }],
    [
      "GitHub's default labels are left alone and the phase labels are created",
      [
        { name: "bug", color: "d73a4a", description: "Something isn't working" },
        { name: "enhancement", color: "a2eeef", description: null },
      ],
      { create: DEFAULT_SPECS, update: [] },
    ],
    [
      "a colour changed by hand is repaired",
      withLabel("phase: walk", { color: "ff0000" }),
      { create: [], update: [{ current: "phase: walk", spec: walkSpec() }] },
    ],
    [
      "a colour written in capitals or with # is the same colour",
      withLabel("phase: walk", { color: "#1D76DB" }),
      { create: [], update: [] },
    ],
    [
      "a changed description is repaired",
      withLabel("phase: walk", { description: "walking" }),
      { create: [], update: [{ current: "phase: walk", spec: walkSpec() }] },
    ],
    [
      "a missing description (null) is repaired",
      withLabel("phase: walk", { description: null }),
      { create: [], update: [{ current: "phase: walk", spec: walkSpec() }] },
    ],
    [
      "a label differing only in case is the same label and keeps its spelling",
      withLabel("phase: walk", { name: "Phase: Walk" }),
      { create: [], update: [] },
    ],
    [
      "a label differing in case and colour is repaired under the person's spelling",
      withLabel("phase: walk", { name: "PHASE: WALK", color: "000000" }),
      { create: [], update: [{ current: "PHASE: WALK", spec: walkSpec("PHASE: WALK") }] },
    ],
    [
      "only the missing ones are created",
      SYNCED.filter((l) => l.name !== "gate: stopped" && l.name !== "phase: run"),
      {
        create: DEFAULT_SPECS.filter((s) => s.name === "phase: run" || s.name === "gate: stopped"),
        update: [],
      },
    ],
  ])("%s", (_name, existing, expected) => {
    const plan = planLabels(defaultConfig, existing);
    expect(writes(plan)).toEqual(expected);
    expect(plan.remove).toEqual([]);
  });

  it("never plans a delete or touches a label nobody configured", () => {
    const personal: ExistingLabel = { name: "phase: later", color: "ffffff", description: "mine" };
    const plan = planLabels(defaultConfig, [...SYNCED, personal]);
    expect(writes(plan)).toEqual({ create: [], update: [] });
    expect(plan.remove).toEqual([]);
    expect(plan.unchanged.map((m) => m.actual)).not.toContain(personal);
  });

  it("plans nothing after its own plan is applied (idempotent)", () => {
    const drifted = withLabel("gate: crawl", { color: "eeeeee", description: "x" }).slice(2);
    const plan = writes(planLabels(defaultConfig, drifted));
    const after: ExistingLabel[] = [
      ...drifted.map((l) => plan.update.find((u) => u.current === l.name)?.spec ?? l),
      ...plan.create,
    ];
    expect(plan.create.length + plan.update.length).toBeGreaterThan(0);
    expect(writes(planLabels(defaultConfig, after))).toEqual({ create: [], update: [] });
  });
});

describe("desiredLabels", () => {
  it("gives a custom 4-phase config its labels, distinct phase colours and generic meanings", () => {
    expect(desiredLabels(fourPhaseConfig)).toEqual([
      {
        name: "phase: explore",
        color: PHASE_COLORS[0],
        description: "Phase: Explore (phase-gates)",
      },
      { name: "phase: design", color: PHASE_COLORS[1], description: "Phase: Design (phase-gates)" },
      { name: "Stage: Build", color: PHASE_COLORS[2], description: "Phase: Build (phase-gates)" },
      { name: "phase: ship", color: PHASE_COLORS[3], description: "Phase: Ship it (phase-gates)" },
      {
        name: "gate: explore",
        color: GATE_COLOR,
        description: "Marks the gate issue that ends Explore",
      },
      {
        name: "gate: build",
        color: GATE_COLOR,
        description: "Marks the gate issue that ends Build",
      },
      DEFAULT_SPECS[5],
      DEFAULT_SPECS[6],
    ]);
  });

  it("gives ten phases ten distinct colours, none equal to the gate or decision colours", () => {
    const ids = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    const config = configSchema.parse({ phases: ids.map((id) => ({ id })) });
    const phaseColors = desiredLabels(config)
      .filter((l) => l.name.startsWith("phase: "))
      .map((l) => l.color);
    expect(new Set(phaseColors).size).toBe(10);
    for (const c of [GATE_COLOR, APPROVED_COLOR, STOPPED_COLOR])
      expect(phaseColors).not.toContain(c);
  });

  it("keeps one label when a gate label collides with a decision label", () => {
    const config = configSchema.parse({
      phases: [{ id: "approved", gate: {} }, { id: "done" }],
    });
    const names = desiredLabels(config).map((l) => l.name);
    expect(names.filter((n) => n === "gate: approved")).toHaveLength(1);
    expect(desiredLabels(config).find((l) => l.name === "gate: approved")?.color).toBe(GATE_COLOR);
  });

  it("cuts descriptions to GitHub's 100-character limit", () => {
    const config = configSchema.parse({
      phases: [{ id: "long", name: "L".repeat(200), gate: {} }, { id: "end" }],
    });
    for (const l of desiredLabels(config))
      expect([...l.description].length).toBeLessThanOrEqual(100);
  });
});
