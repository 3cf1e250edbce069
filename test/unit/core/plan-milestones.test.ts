import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { type MilestoneSpec, planMilestones } from "../../../src/core/plan-milestones.js";
import { defaultConfig, fourPhaseConfig } from "./helpers.js";

const CRAWL: MilestoneSpec = {
  title: "Crawl",
  description:
    "Phase: Crawl — proves feasibility. Issues and PRs in this milestone get the `phase: crawl` label.",
};
const WALK: MilestoneSpec = {
  title: "Walk",
  description:
    "Phase: Walk — proves value. Issues and PRs in this milestone get the `phase: walk` label.",
};
const RUN: MilestoneSpec = {
  title: "Run",
  description:
    "Phase: Run — scales what was proven. Issues and PRs in this milestone get the `phase: run` label.",
};

describe("planMilestones", () => {
  it.each<[string, { title: string }[], MilestoneSpec[]]>([
    ["a fresh repository gets the three phase milestones", [], [CRAWL, WALK, RUN]],
    ["all present: nothing", [{ title: "Crawl" }, { title: "Walk" }, { title: "Run" }], []],
    ["only the missing one is created", [{ title: "Crawl" }, { title: "Run" }], [WALK]],
    ["titles compare ignoring case", [{ title: "crawl" }, { title: "WALK" }, { title: "run" }], []],
    [
      "other milestones do not count",
      [{ title: "v1.0" }, { title: "Crawl 2" }],
      [CRAWL, WALK, RUN],
    ],
  ])("%s", (_name, existing, create) => {
    const plan = planMilestones(defaultConfig, existing);
    expect(plan.create).toEqual(create);
    // An existing milestone is never edited or removed.
    expect(plan.update).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it("creates only the milestones a custom config names, with a generic meaning", () => {
    expect(planMilestones(fourPhaseConfig, []).create).toEqual([
      {
        title: "Design Q3",
        description:
          "Phase: Design. Issues and PRs in this milestone get the `phase: design` label.",
      },
    ]);
  });

  it("creates nothing when no phase names a milestone", () => {
    const config = configSchema.parse({ phases: [{ id: "a", gate: {} }, { id: "b" }] });
    expect(planMilestones(config, []).create).toEqual([]);
  });
});
