import { describe, expect, it } from "vitest";
import {
  MAX_LINKED_ISSUES,
  parseClosingReferencesCapped,
} from "../../../src/core/closing-keywords.js";
import { decide } from "../../../src/core/evaluate.js";
import { effectivePhase } from "../../../src/core/phases.js";
import { renderVerdict } from "../../../src/core/render-check.js";
import { defaultConfig, noLinkedIssuesConfig, REPO } from "./helpers.js";

// A PR body naming thousands of issues must not make thousands of API calls:
// the first 50 are read, and the check says how many were not.
const body = Array.from({ length: 80 }, (_, i) => `Closes #${i + 1}`).join("\n");

describe("linked issues past the cap", () => {
  it("reads the first 50 and says how many more the body names", () => {
    const { refs, dropped } = parseClosingReferencesCapped(body, REPO);
    expect(refs).toHaveLength(MAX_LINKED_ISSUES);
    const phase = effectivePhase(defaultConfig, {
      labels: ["phase: crawl"],
      milestone: null,
      linkedIssues: [],
      linkedIssuesDropped: dropped,
    });
    const { summary } = renderVerdict(defaultConfig, decide(defaultConfig, phase, []), REPO);
    expect(summary).toContain(
      "closes more than 50 issues: only the first 50 were read, and the phases of the other 30 are not counted",
    );
  });

  it("says nothing when linked issues are off", () => {
    const phase = effectivePhase(noLinkedIssuesConfig, {
      labels: [],
      milestone: null,
      linkedIssues: [],
      linkedIssuesDropped: 30,
    });
    expect(phase.linkedIssuesDropped).toBeUndefined();
  });
});
