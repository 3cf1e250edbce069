import { describe, expect, it } from "vitest";
import {
  type Demilestoned,
  type ItemLabelPlan,
  type ItemPhaseState,
  planItemPhaseLabels,
} from "../../../src/core/plan-milestones.js";
import { defaultConfig, fourPhaseConfig } from "./helpers.js";

/** What a plan writes on the item: labels added, and existing labels (their spelling) removed. */
interface Changes {
  add: string[];
  remove: string[];
}
const changes = (plan: ItemLabelPlan): Changes => ({ add: plan.create, remove: plan.remove });
const none: Changes = { add: [], remove: [] };
const item = (labels: string[], milestone: string | null = null): ItemPhaseState => ({
  labels,
  milestone,
});

describe("planItemPhaseLabels: the item's milestone maps to a phase", () => {
  it.each<[string, ItemPhaseState, Changes]>([
    ["adds the phase label", item([], "Walk"), { add: ["phase: walk"], remove: [] }],
    ["keeps other labels", item(["bug"], "Run"), { add: ["phase: run"], remove: [] }],
    [
      "replaces another phase label",
      item(["phase: crawl", "bug"], "Walk"),
      { add: ["phase: walk"], remove: ["phase: crawl"] },
    ],
    [
      "removes every other phase label, in their own spelling",
      item(["Phase: Crawl", "phase: run"], "Walk"),
      { add: ["phase: walk"], remove: ["Phase: Crawl", "phase: run"] },
    ],
    [
      "removes a later phase label too: the milestone decides",
      item(["phase: walk", "phase: run"], "Walk"),
      { add: [], remove: ["phase: run"] },
    ],
    ["no-op when already right", item(["phase: walk", "bug"], "Walk"), none],
    ["no-op when right in another case", item(["PHASE: WALK"], "walk"), none],
    [
      "gate labels are not phase labels",
      item(["gate: crawl"], "Crawl"),
      { add: ["phase: crawl"], remove: [] },
    ],
  ])("%s", (_name, state, expected) => {
    expect(changes(planItemPhaseLabels(defaultConfig, state))).toEqual(expected);
    // A demilestoned event that arrives after a new milestone was set changes nothing: the current milestone wins.
    expect(
      changes(planItemPhaseLabels(defaultConfig, state, { milestone: "Crawl", otherSources: [] })),
    ).toEqual(expected);
  });

  it("uses the configured label of a custom phase", () => {
    expect(
      changes(planItemPhaseLabels(fourPhaseConfig, item(["phase: explore"], "Design Q3"))),
    ).toEqual({
      add: ["phase: design"],
      remove: ["phase: explore"],
    });
  });
});

describe("planItemPhaseLabels: no phase milestone now", () => {
  it.each<[string, ItemPhaseState, Demilestoned | undefined, Changes]>([
    ["no milestone and no event: nothing", item(["phase: run"]), undefined, none],
    ["a milestone of no phase: nothing", item(["phase: run"], "v1.0"), undefined, none],
    [
      "demilestoned Walk removes the label Walk implied (issue: no other source)",
      item(["phase: walk", "bug"]),
      { milestone: "Walk", otherSources: [] },
      { add: [], remove: ["phase: walk"] },
    ],
    [
      "removes it in the item's spelling",
      item(["Phase: Walk"]),
      { milestone: "walk", otherSources: [] },
      { add: [], remove: ["Phase: Walk"] },
    ],
    [
      "keeps other phase labels: the removed milestone did not imply them",
      item(["phase: run"]),
      { milestone: "Walk", otherSources: [] },
      none,
    ],
    [
      "nothing to remove when the label is already gone",
      item(["bug"]),
      { milestone: "Walk", otherSources: [] },
      none,
    ],
    [
      "a removed milestone of no phase changes nothing",
      item(["phase: walk"]),
      { milestone: "v1.0", otherSources: [] },
      none,
    ],
    [
      "moved to a milestone of no phase: the old phase label goes",
      item(["phase: walk"], "v1.0"),
      { milestone: "Walk", otherSources: [] },
      { add: [], remove: ["phase: walk"] },
    ],
    [
      "PR: a closed issue labelled Walk keeps the label",
      item(["phase: walk"]),
      { milestone: "Walk", otherSources: [item(["phase: walk"])] },
      none,
    ],
    [
      "PR: a closed issue in the Walk milestone keeps the label",
      item(["phase: walk"]),
      { milestone: "Walk", otherSources: [item([], "Walk")] },
      none,
    ],
    [
      "PR: closed issues in other phases do not keep it",
      item(["phase: walk"]),
      { milestone: "Walk", otherSources: [item(["phase: run"], "Crawl"), item(["bug"])] },
      { add: [], remove: ["phase: walk"] },
    ],
  ])("%s", (_name, state, event, expected) => {
    expect(changes(planItemPhaseLabels(defaultConfig, state, event))).toEqual(expected);
  });
});

describe("planItemPhaseLabels is idempotent", () => {
  const apply = (state: ItemPhaseState, plan: ItemLabelPlan): ItemPhaseState => ({
    milestone: state.milestone,
    labels: [...state.labels.filter((l) => !plan.remove.includes(l)), ...plan.create],
  });

  it.each<[string, ItemPhaseState, Demilestoned | undefined]>([
    ["milestoned", item(["phase: crawl", "phase: run"], "Walk"), undefined],
    ["demilestoned", item(["phase: walk"]), { milestone: "Walk", otherSources: [] }],
  ])("%s: the state after its own writes plans nothing", (_name, state, event) => {
    const first = planItemPhaseLabels(defaultConfig, state, event);
    expect(changes(first)).not.toEqual(none);
    expect(changes(planItemPhaseLabels(defaultConfig, apply(state, first), event))).toEqual(none);
  });
});
