import { describe, expect, it } from "vitest";
import {
  effectivePhase,
  itemPhaseClaims,
  phaseIndexOfLabel,
  phaseIndexOfMilestone,
} from "../../../src/core/phases.js";
import type { PhaseClaim, PullRequestPhaseFacts } from "../../../src/core/types.js";
import {
  defaultConfig,
  fourPhaseConfig,
  linkedIssue,
  noLinkedIssuesConfig,
  prFacts,
  unreadableIssue,
} from "./helpers.js";

const CRAWL = 0;
const WALK = 1;
const RUN = 2;

describe("phaseIndexOfLabel", () => {
  it.each([
    ["phase: crawl", CRAWL],
    ["phase: walk", WALK],
    ["phase: run", RUN],
    ["Phase: RUN", RUN],
    ["PHASE: WALK", WALK],
    ["phase:run", -1],
    ["phase: run ", -1],
    ["gate: crawl", -1],
    ["bug", -1],
    ["", -1],
  ])("%j → %i in the default config", (label, expected) => {
    expect(phaseIndexOfLabel(defaultConfig, label)).toBe(expected);
  });

  it.each([
    ["phase: explore", 0],
    ["phase: design", 1],
    ["stage: build", 2],
    ["phase: build", -1],
    ["phase: ship", 3],
  ])("%j → %i in a custom 4-phase config", (label, expected) => {
    expect(phaseIndexOfLabel(fourPhaseConfig, label)).toBe(expected);
  });
});

describe("phaseIndexOfMilestone", () => {
  it.each([
    ["Crawl", CRAWL],
    ["walk", WALK],
    ["RUN", RUN],
    ["Sprint 12", -1],
    ["", -1],
    [null, -1],
  ])("%j → %i in the default config", (milestone, expected) => {
    expect(phaseIndexOfMilestone(defaultConfig, milestone)).toBe(expected);
  });

  it.each([
    ["Design Q3", 1],
    ["design q3", 1],
    // Phases without a `milestone` key map no milestone, not even their name.
    ["Explore", -1],
    ["Ship it", -1],
  ])("%j → %i in a custom 4-phase config", (milestone, expected) => {
    expect(phaseIndexOfMilestone(fourPhaseConfig, milestone)).toBe(expected);
  });
});

describe("itemPhaseClaims", () => {
  it("claims each phase label and the phase milestone, ignoring others", () => {
    expect(
      itemPhaseClaims(defaultConfig, {
        labels: ["bug", "Phase: Walk", "phase: crawl"],
        milestone: "Run",
      }),
    ).toEqual([
      { phaseIndex: WALK, source: { kind: "label", label: "Phase: Walk" } },
      { phaseIndex: CRAWL, source: { kind: "label", label: "phase: crawl" } },
      { phaseIndex: RUN, source: { kind: "milestone", title: "Run" } },
    ]);
  });

  it("claims nothing for an item with no phase label or milestone", () => {
    expect(itemPhaseClaims(defaultConfig, { labels: ["bug"], milestone: "Sprint 3" })).toEqual([]);
  });
});

type Row = {
  name: string;
  facts: PullRequestPhaseFacts;
  phaseIndex: number | null;
  deciding: PhaseClaim["source"][];
  ignored?: PhaseClaim["source"][];
};

const issue12Run = linkedIssue(12, { labels: ["phase: run"] });
const issue13WalkMilestone = linkedIssue(13, { milestone: "Walk" });

describe("effectivePhase (SPEC §2)", () => {
  const rows: Row[] = [
    {
      name: "no labels, milestone or linked issues → no phase",
      facts: prFacts(),
      phaseIndex: null,
      deciding: [],
    },
    {
      name: "a phase label only",
      facts: prFacts({ labels: ["phase: walk"] }),
      phaseIndex: WALK,
      deciding: [{ kind: "label", label: "phase: walk" }],
    },
    {
      name: "a phase milestone only",
      facts: prFacts({ milestone: "Walk" }),
      phaseIndex: WALK,
      deciding: [{ kind: "milestone", title: "Walk" }],
    },
    {
      name: "a linked issue with a phase label",
      facts: prFacts({ linkedIssues: [issue12Run] }),
      phaseIndex: RUN,
      deciding: [
        {
          kind: "linked-issue",
          ref: { owner: "acme", repo: "rocket", number: 12 },
          url: "https://github.com/acme/rocket/issues/12",
          via: "label",
          value: "phase: run",
        },
      ],
    },
    {
      name: "a linked issue with a phase milestone",
      facts: prFacts({ linkedIssues: [issue13WalkMilestone] }),
      phaseIndex: WALK,
      deciding: [
        {
          kind: "linked-issue",
          ref: { owner: "acme", repo: "rocket", number: 13 },
          url: "https://github.com/acme/rocket/issues/13",
          via: "milestone",
          value: "Walk",
        },
      ],
    },
    {
      name: "the latest phase wins: label Crawl, milestone Walk, linked issue Run",
      facts: prFacts({ labels: ["phase: crawl"], milestone: "Walk", linkedIssues: [issue12Run] }),
      phaseIndex: RUN,
      deciding: [
        {
          kind: "linked-issue",
          ref: { owner: "acme", repo: "rocket", number: 12 },
          url: "https://github.com/acme/rocket/issues/12",
          via: "label",
          value: "phase: run",
        },
      ],
      ignored: [
        { kind: "label", label: "phase: crawl" },
        { kind: "milestone", title: "Walk" },
      ],
    },
    {
      name: "the latest phase wins: label Run beats milestone Crawl",
      facts: prFacts({ labels: ["phase: run"], milestone: "Crawl" }),
      phaseIndex: RUN,
      deciding: [{ kind: "label", label: "phase: run" }],
      ignored: [{ kind: "milestone", title: "Crawl" }],
    },
    {
      name: "two phase labels: the later one wins",
      facts: prFacts({ labels: ["phase: walk", "phase: crawl"] }),
      phaseIndex: WALK,
      deciding: [{ kind: "label", label: "phase: walk" }],
      ignored: [{ kind: "label", label: "phase: crawl" }],
    },
    {
      name: "Run label removed, milestone still Run → stays Run",
      facts: prFacts({ labels: ["phase: crawl"], milestone: "Run" }),
      phaseIndex: RUN,
      deciding: [{ kind: "milestone", title: "Run" }],
      ignored: [{ kind: "label", label: "phase: crawl" }],
    },
    {
      name: "Run label removed, a linked issue still says Run → stays Run",
      facts: prFacts({ labels: [], linkedIssues: [issue12Run] }),
      phaseIndex: RUN,
      deciding: [
        {
          kind: "linked-issue",
          ref: { owner: "acme", repo: "rocket", number: 12 },
          url: "https://github.com/acme/rocket/issues/12",
          via: "label",
          value: "phase: run",
        },
      ],
    },
    {
      name: "labels compare case-insensitively",
      facts: prFacts({ labels: ["PHASE: Run"] }),
      phaseIndex: RUN,
      deciding: [{ kind: "label", label: "PHASE: Run" }],
    },
    {
      name: "unknown labels are ignored",
      facts: prFacts({ labels: ["bug", "phase: fly", "gate: crawl", "phase: walk"] }),
      phaseIndex: WALK,
      deciding: [{ kind: "label", label: "phase: walk" }],
    },
    {
      name: "only unknown labels and a non-phase milestone → no phase",
      facts: prFacts({ labels: ["bug", "phase: fly"], milestone: "v1.0" }),
      phaseIndex: null,
      deciding: [],
    },
    {
      name: "a linked issue with no phase does not put the PR in a phase",
      facts: prFacts({ linkedIssues: [linkedIssue(4, { labels: ["bug"] })] }),
      phaseIndex: null,
      deciding: [],
    },
    {
      name: "the same phase from two sources: both decide",
      facts: prFacts({ labels: ["phase: walk"], milestone: "Walk" }),
      phaseIndex: WALK,
      deciding: [
        { kind: "label", label: "phase: walk" },
        { kind: "milestone", title: "Walk" },
      ],
    },
  ];

  it.each(rows)("$name", ({ facts, phaseIndex, deciding, ignored = [] }) => {
    const phase = effectivePhase(defaultConfig, facts);
    expect(phase.phaseIndex).toBe(phaseIndex);
    expect(phase.deciding.map((c) => c.source)).toEqual(deciding);
    expect(phase.deciding.every((c) => c.phaseIndex === phaseIndex)).toBe(true);
    expect(phase.ignored.map((c) => c.source)).toEqual(ignored);
    expect(phase.unreadable).toEqual([]);
  });

  it("ignored claims carry their own (earlier) phase index", () => {
    const phase = effectivePhase(
      defaultConfig,
      prFacts({ labels: ["phase: crawl"], milestone: "Walk", linkedIssues: [issue12Run] }),
    );
    expect(phase.ignored.map((c) => c.phaseIndex)).toEqual([CRAWL, WALK]);
  });

  describe("linkedIssues: false", () => {
    it.each([
      ["a Run linked issue does not lift a Crawl PR", ["phase: crawl"], CRAWL],
      ["a Run linked issue does not phase an unlabelled PR", [], null],
    ])("%s", (_name, labels, expected) => {
      const phase = effectivePhase(
        noLinkedIssuesConfig,
        prFacts({ labels, linkedIssues: [issue12Run, unreadableIssue(5)] }),
      );
      expect(phase.phaseIndex).toBe(expected);
      expect(phase.deciding.every((c) => c.source.kind !== "linked-issue")).toBe(true);
      expect(phase.ignored).toEqual([]);
      // Not even reported: the linked issues are not consulted at all.
      expect(phase.unreadable).toEqual([]);
    });
  });

  describe("unreadable linked issues", () => {
    it.each([
      ["next to a Walk label → Walk", ["phase: walk"], [], WALK],
      ["next to a readable Walk issue → Walk", [], [issue13WalkMilestone], WALK],
      [
        "with a Crawl label → Crawl, never lifted by the unreadable one",
        ["phase: crawl"],
        [],
        CRAWL,
      ],
    ])("are reported and never counted: %s", (_name, labels, others, expected) => {
      const unreadable = unreadableIssue(99);
      const phase = effectivePhase(
        defaultConfig,
        prFacts({ labels, linkedIssues: [unreadable, ...others] }),
      );
      expect(phase.unreadable).toEqual([unreadable]);
      expect(phase.phaseIndex).toBe(expected);
      expect(
        [...phase.deciding, ...phase.ignored].some(
          (c) => c.source.kind === "linked-issue" && c.source.ref.number === 99,
        ),
      ).toBe(false);
    });

    it("are reported even when nothing else puts the PR in a phase", () => {
      const unreadable = unreadableIssue(99);
      const phase = effectivePhase(defaultConfig, prFacts({ linkedIssues: [unreadable] }));
      expect(phase).toEqual({
        phaseIndex: null,
        deciding: [],
        ignored: [],
        unreadable: [unreadable],
      });
    });
  });

  it("works with a custom 4-phase config (custom label, milestone-only mapping)", () => {
    const phase = effectivePhase(
      fourPhaseConfig,
      prFacts({ labels: ["stage: BUILD"], milestone: "Design Q3" }),
    );
    expect(phase.phaseIndex).toBe(2);
    expect(phase.deciding.map((c) => c.source)).toEqual([{ kind: "label", label: "stage: BUILD" }]);
    expect(phase.ignored.map((c) => c.source)).toEqual([{ kind: "milestone", title: "Design Q3" }]);
  });
});
