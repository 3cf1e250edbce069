import { describe, expect, it } from "vitest";
import type { Config } from "../../../src/config/schema.js";
import { gatePhaseIndex } from "../../../src/core/gates.js";
import { defaultConfig, fourPhaseConfig } from "./helpers.js";

describe("gatePhaseIndex", () => {
  it.each<[string, Config, string, number]>([
    ["Crawl gate", defaultConfig, "gate: crawl", 0],
    ["Walk gate", defaultConfig, "gate: walk", 1],
    ["case-insensitive", defaultConfig, "Gate: WALK", 1],
    ["the last phase has no gate", defaultConfig, "gate: run", -1],
    ["a phase label is not a gate label", defaultConfig, "phase: crawl", -1],
    ["display labels are not gate labels", defaultConfig, "gate: approved", -1],
    ["unknown", defaultConfig, "bug", -1],
    ["4 phases: default gate label", fourPhaseConfig, "gate: explore", 0],
    ["4 phases: gateless phase", fourPhaseConfig, "gate: design", -1],
    ["4 phases: gate after a gateless phase", fourPhaseConfig, "gate: build", 2],
  ])("%s: %j → %i", (_name, config, label, expected) => {
    expect(gatePhaseIndex(config, label)).toBe(expected);
  });
});
