import { describe, expect, it } from "vitest";
import { type Config, configSchema } from "../../../src/config/schema.js";
import {
  decide,
  evaluatePullRequest,
  gateStatuses,
  gatesBefore,
} from "../../../src/core/evaluate.js";
import { effectivePhase } from "../../../src/core/phases.js";
import type {
  GateIssueFacts,
  PullRequestPhaseFacts,
  Verdict,
  VerdictReason,
} from "../../../src/core/types.js";
import {
  approvedGate,
  blockUnphasedConfig,
  defaultConfig,
  fourPhaseConfig,
  gateMap,
  linkedIssue,
  noLinkedIssuesConfig,
  openGate,
  prFacts,
  quorumTwoConfig,
  stoppedGate,
  unreadableIssue,
} from "./helpers.js";

const CRAWL = 0;
const WALK = 1;

describe("gatesBefore", () => {
  it.each<[string, Config, number | null, number[]]>([
    ["no phase", defaultConfig, null, []],
    ["Crawl (first phase)", defaultConfig, 0, []],
    ["Walk", defaultConfig, 1, [0]],
    ["Run", defaultConfig, 2, [0, 1]],
    ["4 phases: design (after explore)", fourPhaseConfig, 1, [0]],
    ["4 phases: build skips gateless design", fourPhaseConfig, 2, [0]],
    ["4 phases: ship", fourPhaseConfig, 3, [0, 2]],
  ])("%s → %j", (_name, config, phaseIndex, expected) => {
    expect(gatesBefore(config, phaseIndex)).toEqual(expected);
  });
});

describe("gateStatuses", () => {
  it("maps each index to its gate's status; a missing entry means no gate issue", () => {
    const statuses = gateStatuses(defaultConfig, [0, 1], gateMap({ 0: approvedGate() }));
    expect(statuses.map((s) => [s.phaseIndex, s.state, s.issue?.number ?? null])).toEqual([
      [0, "approved", 7],
      [1, "pending", null],
    ]);
  });

  it("skips indexes of phases without a gate", () => {
    expect(gateStatuses(fourPhaseConfig, [1, 3, 9], gateMap())).toEqual([]);
  });
});

type Row = {
  name: string;
  config?: Config;
  facts: PullRequestPhaseFacts;
  gates?: Record<number, GateIssueFacts | null>;
  conclusion: Verdict["conclusion"];
  reason: VerdictReason;
  title: string;
  blocking?: number | null;
  gateStates?: string[];
};

const walk = prFacts({ labels: ["phase: walk"] });
const run = prFacts({ labels: ["phase: run"] });

const rows: Row[] = [
  {
    name: "first phase, no gate issues at all → success",
    facts: prFacts({ labels: ["phase: crawl"] }),
    conclusion: "success",
    reason: "first-phase",
    title: "Crawl: first phase",
    blocking: null,
    gateStates: [],
  },
  {
    name: "first phase is never blocked, even with every gate stopped",
    facts: prFacts({ labels: ["phase: crawl"] }),
    gates: { 0: stoppedGate(), 1: stoppedGate() },
    conclusion: "success",
    reason: "first-phase",
    title: "Crawl: first phase",
  },
  {
    name: "Walk PR, Crawl approved → success",
    facts: walk,
    gates: { 0: approvedGate() },
    conclusion: "success",
    reason: "gates-approved",
    title: "Walk: gates approved",
    gateStates: ["approved"],
  },
  {
    name: "Run PR, all earlier gates approved → success",
    facts: run,
    gates: { 0: approvedGate(), 1: approvedGate({ number: 8 }) },
    conclusion: "success",
    reason: "gates-approved",
    title: "Run: gates approved",
    blocking: null,
    gateStates: ["approved", "approved"],
  },
  {
    name: "unphased, unphased: allow → success",
    facts: prFacts({ labels: ["bug"] }),
    conclusion: "success",
    reason: "unphased-allowed",
    title: "No phase",
    blocking: null,
    gateStates: [],
  },
  {
    name: "unphased, unphased: block → failure",
    config: blockUnphasedConfig,
    facts: prFacts({ labels: ["bug"] }),
    gates: { 0: approvedGate(), 1: approvedGate() },
    conclusion: "failure",
    reason: "unphased-blocked",
    title: "Blocked: no phase label",
    blocking: null,
    gateStates: [],
  },
  {
    name: "unphased block: a phase label makes it pass",
    config: blockUnphasedConfig,
    facts: prFacts({ labels: ["phase: crawl"] }),
    conclusion: "success",
    reason: "first-phase",
    title: "Crawl: first phase",
  },
  {
    name: "Walk PR, Crawl gate issue missing → pending",
    facts: walk,
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Crawl gate pending",
    blocking: CRAWL,
    gateStates: ["pending"],
  },
  {
    name: "Walk PR, Crawl gate open → pending",
    facts: walk,
    gates: { 0: openGate() },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Crawl gate pending",
    blocking: CRAWL,
  },
  {
    name: "Walk PR, Crawl closed by an unauthorized user → pending",
    facts: walk,
    gates: { 0: approvedGate({ closedBy: "mallory", closerAuthorized: false }) },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Crawl gate pending",
  },
  {
    name: "Run PR, both gates pending → the gate nearest the PR's phase is named",
    facts: run,
    gates: { 0: openGate(), 1: openGate({ number: 8 }) },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Walk gate pending",
    blocking: WALK,
    gateStates: ["pending", "pending"],
  },
  {
    name: "Run PR, Crawl pending, Walk approved → Crawl named",
    facts: run,
    gates: { 0: openGate(), 1: approvedGate({ number: 8 }) },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Crawl gate pending",
    blocking: CRAWL,
    gateStates: ["pending", "approved"],
  },
  {
    name: "Run PR, Crawl approved, Walk stopped → stopped",
    facts: run,
    gates: { 0: approvedGate(), 1: stoppedGate({ number: 8 }) },
    conclusion: "failure",
    reason: "gate-stopped",
    title: "Blocked: Walk gate stopped",
    blocking: WALK,
    gateStates: ["approved", "stopped"],
  },
  {
    name: "Run PR, Crawl stopped, Walk pending → a stop outranks a pending gate",
    facts: run,
    gates: { 0: stoppedGate(), 1: openGate({ number: 8 }) },
    conclusion: "failure",
    reason: "gate-stopped",
    title: "Blocked: Crawl gate stopped",
    blocking: CRAWL,
    gateStates: ["stopped", "pending"],
  },
  {
    name: "Run PR, Crawl pending, Walk stopped → stopped",
    facts: run,
    gates: { 0: openGate(), 1: stoppedGate({ number: 8 }) },
    conclusion: "failure",
    reason: "gate-stopped",
    title: "Blocked: Walk gate stopped",
    blocking: WALK,
  },
  {
    name: "Run PR, both stopped → the nearer one is named",
    facts: run,
    gates: { 0: stoppedGate(), 1: stoppedGate({ number: 8 }) },
    conclusion: "failure",
    reason: "gate-stopped",
    title: "Blocked: Walk gate stopped",
    blocking: WALK,
  },
  {
    name: "Crawl-labelled PR closing a Run issue is a Run PR",
    facts: prFacts({
      labels: ["phase: crawl"],
      linkedIssues: [linkedIssue(12, { labels: ["phase: run"] })],
    }),
    gates: { 0: approvedGate() },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Walk gate pending",
  },
  {
    name: "linkedIssues: false → the Crawl label decides",
    config: noLinkedIssuesConfig,
    facts: prFacts({
      labels: ["phase: crawl"],
      linkedIssues: [linkedIssue(12, { labels: ["phase: run"] })],
    }),
    conclusion: "success",
    reason: "first-phase",
    title: "Crawl: first phase",
  },
  {
    name: "Run milestone with the Run label removed → still blocked on Walk",
    facts: prFacts({ milestone: "Run" }),
    gates: { 0: approvedGate() },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Walk gate pending",
  },
  {
    name: "unreadable linked issue alone → unphased, allowed",
    facts: prFacts({ linkedIssues: [unreadableIssue(3)] }),
    conclusion: "success",
    reason: "unphased-allowed",
    title: "No phase",
  },
  {
    name: "quorum 2: closer alone does not approve",
    config: quorumTwoConfig,
    facts: walk,
    gates: { 0: approvedGate() },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Crawl gate pending",
  },
  {
    name: "quorum 2: closer + one /approve approves",
    config: quorumTwoConfig,
    facts: walk,
    gates: { 0: approvedGate({ approvals: ["li"] }) },
    conclusion: "success",
    reason: "gates-approved",
    title: "Walk: gates approved",
  },
  {
    name: "4 phases: Design PR after Explore approved",
    config: fourPhaseConfig,
    facts: prFacts({ labels: ["phase: design"] }),
    gates: { 0: approvedGate() },
    conclusion: "success",
    reason: "gates-approved",
    title: "Design: gates approved",
  },
  {
    name: "4 phases: Build PR depends only on Explore (Design has no gate)",
    config: fourPhaseConfig,
    facts: prFacts({ labels: ["Stage: Build"] }),
    gates: { 0: approvedGate() },
    conclusion: "success",
    reason: "gates-approved",
    title: "Build: gates approved",
    gateStates: ["approved"],
  },
  {
    name: "4 phases: Ship PR blocked on the Build gate, named by the phase's name",
    config: fourPhaseConfig,
    facts: prFacts({ labels: ["phase: ship"] }),
    gates: { 0: approvedGate(), 2: openGate() },
    conclusion: "failure",
    reason: "gate-pending",
    title: "Blocked: Build gate pending",
    blocking: 2,
    gateStates: ["approved", "pending"],
  },
];

describe("evaluatePullRequest (SPEC §4 verdicts)", () => {
  it.each(rows)(
    "$name",
    ({
      config = defaultConfig,
      facts,
      gates = {},
      conclusion,
      reason,
      title,
      blocking,
      gateStates,
    }) => {
      const verdict = evaluatePullRequest(config, facts, gateMap(gates));
      expect({
        conclusion: verdict.conclusion,
        reason: verdict.reason,
        title: verdict.title,
      }).toEqual({ conclusion, reason, title });
      if (blocking !== undefined) expect(verdict.blockingGate?.phaseIndex ?? null).toBe(blocking);
      if (gateStates) expect(verdict.gates.map((g) => g.state)).toEqual(gateStates);
      // The summary names every earlier gate: verdict.gates is all of them, in order.
      expect(verdict.gates.map((g) => g.phaseIndex)).toEqual(
        gatesBefore(config, verdict.phase.phaseIndex),
      );
      expect(verdict.conclusion === "failure").toBe(
        reason === "gate-pending" || reason === "gate-stopped" || reason === "unphased-blocked",
      );
      if (verdict.blockingGate) expect(verdict.gates).toContain(verdict.blockingGate);
    },
  );

  it("decide() agrees with evaluatePullRequest()", () => {
    const facts = run;
    const gates = gateMap({ 0: approvedGate(), 1: openGate() });
    const phase = effectivePhase(defaultConfig, facts);
    const statuses = gateStatuses(
      defaultConfig,
      gatesBefore(defaultConfig, phase.phaseIndex),
      gates,
    );
    expect(decide(defaultConfig, phase, statuses)).toEqual(
      evaluatePullRequest(defaultConfig, facts, gates),
    );
  });

  it("keeps the effective phase on the verdict", () => {
    const verdict = evaluatePullRequest(defaultConfig, walk, gateMap());
    expect(verdict.phase.phaseIndex).toBe(WALK);
    expect(verdict.phase.deciding.map((c) => c.source)).toEqual([
      { kind: "label", label: "phase: walk" },
    ]);
  });

  // Fixed: a PR in a phase whose earlier phases have no gate is told it is in the
  // "first phase". Here Beta is the second phase; its title should not say "first phase"
  // (and the summary says "Beta is the first phase: no gate comes before it").
  it("a later phase with no gate before it is not called the first phase", () => {
    const config = configSchema.parse({
      phases: [{ id: "alpha" }, { id: "beta", gate: {} }, { id: "gamma" }],
    });
    const verdict = evaluatePullRequest(config, prFacts({ labels: ["phase: beta"] }), gateMap());
    expect(verdict.conclusion).toBe("success");
    expect(verdict.title).not.toMatch(/first phase/);
  });
});
