import { describe, expect, it } from "vitest";
import { evaluatePullRequest } from "../../../src/core/evaluate.js";
import { renderVerdict } from "../../../src/core/render-check.js";
import type { GateIssueFacts, PullRequestPhaseFacts } from "../../../src/core/types.js";
import {
  approvedGate,
  blockUnphasedConfig,
  defaultConfig,
  gateMap,
  openGate,
  prFacts,
  REPO,
  stoppedGate,
} from "./helpers.js";

const walk = (g: GateIssueFacts) => ({
  ...g,
  number: 8,
  url: "https://github.com/acme/rocket/issues/8",
});

// A contributor reads the first line of the summary and knows what to do; the rest says why.
describe("the first line of a check summary says what to do", () => {
  it.each<[string, PullRequestPhaseFacts, Record<number, GateIssueFacts | null>, string]>([
    [
      "first phase",
      prFacts({ labels: ["phase: crawl"] }),
      {},
      "**Nothing to do:** Crawl is the first phase, so no gate holds this pull request.",
    ],
    [
      "gates approved",
      prFacts({ labels: ["phase: run"] }),
      { 0: approvedGate(), 1: walk(approvedGate()) },
      "**Nothing to do:** every gate before Run is approved.",
    ],
    [
      "no phase, allowed",
      prFacts(),
      {},
      "**Nothing to do:** this pull request has no phase, which this repository allows.",
    ],
    [
      "a gate pending",
      prFacts({ labels: ["phase: run"] }),
      { 0: approvedGate(), 1: walk(openGate()) },
      "**Nothing to change here — this waits for the Walk gate ([#8](https://github.com/acme/rocket/issues/8)).** It turns green by itself once an approver approves the gate.",
    ],
    [
      "a gate stopped",
      prFacts({ labels: ["phase: run"] }),
      { 0: approvedGate(), 1: walk(stoppedGate()) },
      "**Blocked, not by anything in this pull request:** the Walk gate ([#8](https://github.com/acme/rocket/issues/8)) was stopped. Only its approvers can reopen it.",
    ],
    [
      "a gate with no issue yet",
      prFacts({ labels: ["phase: walk"] }),
      { 0: null },
      "**Nothing to change here — this waits for the Crawl gate.** It turns green by itself once an approver approves the gate.",
    ],
  ])("%s", (_name, facts, gates, expected) => {
    const verdict = evaluatePullRequest(defaultConfig, facts, gateMap(gates));
    const { summary } = renderVerdict(defaultConfig, verdict, REPO);
    expect(summary.split("\n\n")[0]).toBe(expected);
  });

  it("no phase where every PR needs one: what to add", () => {
    const verdict = evaluatePullRequest(blockUnphasedConfig, prFacts(), gateMap());
    const { summary } = renderVerdict(blockUnphasedConfig, verdict, REPO);
    expect(summary.split("\n\n")[0]).toBe(
      "**To merge, give this pull request a phase:** a phase label, a phase milestone, or a linked issue that has one.",
    );
  });
});
