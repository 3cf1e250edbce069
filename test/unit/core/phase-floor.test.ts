import { describe, expect, it } from "vitest";
import { decide, gateStatuses, gatesBefore } from "../../../src/core/evaluate.js";
import {
  applyPhaseFloor,
  decodePhaseFloor,
  encodePhaseFloor,
  gatesSkippedByLowering,
} from "../../../src/core/phase-floor.js";
import { effectivePhase } from "../../../src/core/phases.js";
import { renderVerdict } from "../../../src/core/render-check.js";
import { defaultConfig, fourPhaseConfig, prFacts, REPO } from "./helpers.js";

// Default phases: crawl (0, gate), walk (1, gate), run (2).
const RUN = 2;
const WALK = 1;
const CRAWL = 0;

describe("where the floor is kept: the check run's external_id", () => {
  it.each<[number | null, string]>([
    [RUN, "phase-gates:floor=run"],
    [CRAWL, "phase-gates:floor=crawl"],
    [null, "phase-gates:floor="],
  ])("phase %s ↔ %s", (index, externalId) => {
    expect(encodePhaseFloor(defaultConfig, index)).toBe(externalId);
    expect(decodePhaseFloor(defaultConfig, externalId)).toBe(index);
  });

  it.each([[null], [undefined], ["someone-else"], ["phase-gates:floor=gone"]])(
    "reads %s as no floor (no run, another app's id, a phase the config no longer has)",
    (externalId) => {
      expect(decodePhaseFloor(defaultConfig, externalId)).toBeNull();
    },
  );
});

describe("gatesSkippedByLowering", () => {
  it.each<[string, number | null, number | null, number[]]>([
    ["Run → Crawl skips the Crawl and Walk gates", RUN, CRAWL, [0, 1]],
    ["Run → Walk skips the Walk gate", RUN, WALK, [1]],
    ["Run → no phase skips every gate before Run", RUN, null, [0, 1]],
    ["no floor: nothing to skip", null, CRAWL, []],
    ["raising skips nothing", CRAWL, RUN, []],
    ["staying skips nothing", RUN, RUN, []],
  ])("%s", (_name, floor, current, skipped) => {
    expect(gatesSkippedByLowering(defaultConfig, floor, current)).toEqual(skipped);
  });

  it("counts only phases that have a gate", () => {
    // fourPhaseConfig: idea (gate), build (no gate), pilot (gate), scale
    const skipped = gatesSkippedByLowering(fourPhaseConfig, 3, 0);
    expect(skipped.every((i) => fourPhaseConfig.phases[i]?.gate)).toBe(true);
  });
});

describe("applyPhaseFloor (SPEC §2 phase floor)", () => {
  const crawlNow = effectivePhase(defaultConfig, prFacts({ labels: ["phase: crawl"] }));
  const noneNow = effectivePhase(defaultConfig, prFacts());

  it.each<
    [string, number | null, { by: string | null; mayLower: boolean }, number | null, boolean]
  >([
    ["a writer's lowering keeps the Run floor", RUN, { by: "writer", mayLower: false }, RUN, true],
    ["an approver's lowering is honoured", RUN, { by: "lead", mayLower: true }, CRAWL, false],
    [
      "a lowering with no known sender keeps the floor",
      RUN,
      { by: null, mayLower: false },
      RUN,
      true,
    ],
    ["no floor yet: the sources decide", null, { by: "writer", mayLower: false }, CRAWL, false],
  ])("%s", (_name, floor, lowering, want, held) => {
    const phase = applyPhaseFloor(defaultConfig, crawlNow, floor, lowering);
    expect(phase.phaseIndex).toBe(want);
    expect(phase.floor !== undefined).toBe(held);
  });

  it("holds a PR whose phase label was removed, and the check says why and who may lower it", () => {
    const phase = applyPhaseFloor(defaultConfig, noneNow, RUN, { by: "writer", mayLower: false });
    expect(phase.floor).toEqual({
      phaseIndex: RUN,
      currentIndex: null,
      loweredBy: "writer",
      skippedGates: [0, 1],
    });
    const verdict = decide(
      defaultConfig,
      phase,
      gateStatuses(defaultConfig, gatesBefore(defaultConfig, phase.phaseIndex), new Map()),
    );
    expect(verdict.conclusion).toBe("failure");
    expect(verdict.title).toBe("Blocked: Walk gate pending");
    const { summary } = renderVerdict(defaultConfig, verdict, REPO);
    expect(summary).toContain("**Phase:** Run (held: its phase floor)");
    expect(summary).toContain("now say no phase");
    expect(summary).not.toContain("@writer"); // a later re-check does not know who: the text must not change
    expect(summary).toContain("Crawl gate: anyone with maintain permission or higher");
    expect(summary).toContain("Walk gate: anyone with maintain permission or higher");
  });
});
