import { describe, expect, it } from "vitest";
import { distinctLogins, gateStatus, missingForApproval } from "../../../src/core/gate-state.js";
import type { GateConfig, GateIssueFacts, GateStateName } from "../../../src/core/types.js";
import {
  approvedGate,
  checklist,
  defaultConfig,
  fourPhaseConfig,
  gateOf,
  openGate,
  quorumTwoConfig,
  stoppedGate,
} from "./helpers.js";

/** Quorum 1, every criterion must be checked (the defaults). */
const crawlGate = gateOf(defaultConfig, 0);
/** Quorum 2, criteria not required. */
const quorumTwo = gateOf(quorumTwoConfig, 0);
/** Quorum 2, criteria required. */
const quorumTwoCriteria = gateOf(fourPhaseConfig, 2);

const uncheckedCost = checklist(1, ["Cost estimate agreed"]);

type Row = {
  name: string;
  gate: GateConfig;
  issue: GateIssueFacts | null;
  state: GateStateName;
  approvals?: string[];
  missing?: (string | RegExp)[];
  closeIgnored?: RegExp | null;
};

const rows: Row[] = [
  {
    name: "no gate issue → pending",
    gate: crawlGate,
    issue: null,
    state: "pending",
    missing: ['a gate issue: no issue has the label "gate: crawl" yet'],
    closeIgnored: null,
  },
  {
    name: "open, nothing done → pending, needs an approval and a close",
    gate: crawlGate,
    issue: openGate(),
    state: "pending",
    missing: [
      "1 more approval (0/1): an approver closes the issue as completed or comments `/approve`",
    ],
    closeIgnored: null,
  },
  {
    name: "open with unchecked criteria → pending, names each criterion",
    gate: crawlGate,
    issue: openGate({ checklist: checklist(0, ["Feasibility shown", "Cost agreed"]) }),
    state: "pending",
    missing: [
      '2 unchecked criteria: "Feasibility shown", "Cost agreed"',
      "1 more approval (0/1): an approver closes the issue as completed or comments `/approve`",
    ],
  },
  {
    name: "open with quorum met by commands → still pending until closed",
    gate: quorumTwo,
    issue: openGate({ approvals: ["li", "sam"] }),
    state: "pending",
    approvals: ["li", "sam"],
    missing: ["an approver to close the issue as completed"],
  },
  {
    name: "open with an authorized /stop → pending (reopened after a stop)",
    gate: crawlGate,
    issue: openGate({ stop: { by: "li", reason: "budget" } }),
    state: "pending",
  },
  {
    name: "closed completed by an authorized approver, criteria met → approved; closer counts",
    gate: crawlGate,
    issue: approvedGate(),
    state: "approved",
    approvals: ["maria"],
    missing: [],
    closeIgnored: null,
  },
  {
    name: "quorum 2: one command approval + the closer → approved",
    gate: quorumTwo,
    issue: approvedGate({ approvals: ["li"] }),
    state: "approved",
    approvals: ["li", "maria"],
    missing: [],
  },
  {
    name: "quorum 2: the closer alone → pending",
    gate: quorumTwo,
    issue: approvedGate(),
    state: "pending",
    approvals: ["maria"],
    missing: ["1 more approval from an authorized approver (1/2)"],
    closeIgnored: /^closed as completed by @maria, but 1 more approval .*\(1\/2\)$/,
  },
  {
    name: "quorum 2: the closer also commented /approve → counts once → pending",
    gate: quorumTwo,
    issue: approvedGate({ approvals: ["Maria"] }),
    state: "pending",
    approvals: ["Maria"],
  },
  {
    name: "quorum 2: duplicate command logins count once",
    gate: quorumTwo,
    issue: openGate({ approvals: ["li", "LI"] }),
    state: "pending",
    approvals: ["li"],
    missing: [
      "1 more approval (1/2): an approver closes the issue as completed or comments `/approve`",
    ],
  },
  {
    name: "unchecked criteria with requireCriteria → pending, close ignored says why",
    gate: crawlGate,
    issue: approvedGate({ checklist: uncheckedCost }),
    state: "pending",
    approvals: ["maria"],
    missing: ['1 unchecked criterion: "Cost estimate agreed"'],
    closeIgnored:
      /^closed as completed by @maria, but 1 unchecked criterion: "Cost estimate agreed"$/,
  },
  {
    name: "unchecked criteria with requireCriteria false → approved",
    gate: quorumTwo,
    issue: approvedGate({ approvals: ["li"], checklist: uncheckedCost }),
    state: "approved",
    approvals: ["li", "maria"],
  },
  {
    name: "quorum 2 + criteria: both missing are listed",
    gate: quorumTwoCriteria,
    issue: approvedGate({ checklist: uncheckedCost }),
    state: "pending",
    missing: [
      "1 more approval from an authorized approver (1/2)",
      '1 unchecked criterion: "Cost estimate agreed"',
    ],
  },
  {
    name: "closed completed by an unauthorized user → pending",
    gate: crawlGate,
    issue: approvedGate({ closedBy: "mallory", closerAuthorized: false }),
    state: "pending",
    approvals: [],
    missing: [
      "1 more approval (0/1): an approver closes the issue as completed or comments `/approve`",
    ],
    closeIgnored: /^closed by @mallory, who is not an authorized approver$/,
  },
  {
    name: "closed completed by an unauthorized user, quorum met by commands → still pending",
    gate: quorumTwo,
    issue: approvedGate({ closedBy: "mallory", closerAuthorized: false, approvals: ["li", "sam"] }),
    state: "pending",
    approvals: ["li", "sam"],
    missing: ["an approver to close the issue as completed"],
    closeIgnored: /@mallory, who is not an authorized approver/,
  },
  {
    name: "closed completed by an unknown closer → pending",
    gate: crawlGate,
    issue: approvedGate({ closedBy: null, closerAuthorized: false }),
    state: "pending",
    closeIgnored: /^closed by @unknown, who is not an authorized approver$/,
  },
  {
    name: "not planned by an authorized approver → stopped",
    gate: crawlGate,
    issue: stoppedGate({ stop: null }),
    state: "stopped",
    missing: [],
    closeIgnored: null,
  },
  {
    name: "not planned after an authorized /stop (the app closed it) → stopped",
    gate: crawlGate,
    issue: stoppedGate(),
    state: "stopped",
  },
  {
    // The GitHub layer attributes the app's own close to the /stop author (closerAuthorized);
    // an old /stop does not make a later close by someone else count.
    name: "not planned by an unauthorized user after an older authorized /stop → pending",
    gate: crawlGate,
    issue: stoppedGate({ closedBy: "mallory", closerAuthorized: false }),
    state: "pending",
  },
  {
    name: "not planned by an unauthorized user → pending",
    gate: crawlGate,
    issue: stoppedGate({ closedBy: "mallory", closerAuthorized: false, stop: null }),
    state: "pending",
    missing: [
      "1 more approval (0/1): an approver closes the issue as completed or comments `/approve`",
    ],
    closeIgnored: /^closed as not planned by @mallory, who is not an authorized approver$/,
  },
  {
    name: "not planned by an unknown user → pending",
    gate: crawlGate,
    issue: stoppedGate({ closedBy: null, closerAuthorized: false, stop: null }),
    state: "pending",
    closeIgnored: /@unknown/,
  },
  {
    name: "closed as duplicate by an authorized approver → pending",
    gate: crawlGate,
    issue: approvedGate({ stateReason: "duplicate" }),
    state: "pending",
    missing: [
      "1 more approval (0/1): an approver closes the issue as completed or comments `/approve`",
    ],
    closeIgnored: /^closed as duplicate, which is neither completed nor not planned$/,
  },
  {
    name: "closed with no state reason (old API) → pending",
    gate: crawlGate,
    issue: approvedGate({ stateReason: null }),
    state: "pending",
    closeIgnored: /^closed as unknown, which is neither completed nor not planned$/,
  },
  {
    name: "closed with state reason 'reopened' → pending",
    gate: crawlGate,
    issue: approvedGate({ stateReason: "reopened" }),
    state: "pending",
    closeIgnored: /closed as reopened/,
  },
  {
    name: "reopened after approval (open, reason reopened) → pending",
    gate: crawlGate,
    issue: approvedGate({ state: "open", stateReason: "reopened" }),
    state: "pending",
    closeIgnored: null,
  },
  {
    name: "reopened after a stop (open) → pending",
    gate: crawlGate,
    issue: stoppedGate({ state: "open", stateReason: "reopened" }),
    state: "pending",
  },
];

describe("gateStatus (SPEC §3)", () => {
  it.each(rows)("$name", ({ gate, issue, state, approvals, missing, closeIgnored }) => {
    const status = gateStatus(0, gate, issue);
    expect(status.state).toBe(state);
    expect(status.phaseIndex).toBe(0);
    expect(status.gate).toBe(gate);
    expect(status.issue).toBe(issue);
    if (approvals) expect(status.approvals).toEqual(approvals);
    if (missing) {
      expect(status.missing).toHaveLength(missing.length);
      missing.forEach((m, i) => {
        if (typeof m === "string") expect(status.missing[i]).toBe(m);
        else expect(status.missing[i]).toMatch(m);
      });
    }
    if (closeIgnored === null) expect(status.closeIgnoredBecause).toBeNull();
    else if (closeIgnored) expect(status.closeIgnoredBecause).toMatch(closeIgnored);
    // Approved and stopped gates need nothing more (GateStatus.missing contract).
    if (state !== "pending") expect(status.missing).toEqual([]);
    else expect(status.missing.length).toBeGreaterThan(0);
  });

  it("derives state from the issue only: a `gate: approved` label is not an input", () => {
    // GateIssueFacts has no labels at all; an open issue is pending whatever it is labelled.
    expect(gateStatus(0, crawlGate, openGate({ approvals: ["maria"] })).state).toBe("pending");
  });

  // Fixed: when the closer is unknown (closedBy null, e.g. a ghost/deleted account) but the
  // GitHub layer says the close was authorized, the reason interpolates `null` directly.
  it("never prints @null when the closer is unknown", () => {
    const status = gateStatus(
      0,
      quorumTwo,
      approvedGate({ closedBy: null, closerAuthorized: true }),
    );
    expect(status.state).toBe("pending");
    expect(status.closeIgnoredBecause).not.toMatch(/@null/);
  });
});

describe("missingForApproval", () => {
  it.each<[string, GateConfig, GateIssueFacts["checklist"], string[], string[]]>([
    ["nothing missing", crawlGate, checklist(2), ["maria"], []],
    [
      "one approval short",
      crawlGate,
      checklist(1),
      [],
      ["1 more approval from an authorized approver (0/1)"],
    ],
    [
      "two approvals short",
      quorumTwo,
      checklist(1),
      [],
      ["2 more approvals from an authorized approver (0/2)"],
    ],
    ["more approvals than needed", quorumTwo, checklist(0), ["a", "b", "c"], []],
    ["one unchecked", crawlGate, checklist(0, ["x"]), ["maria"], ['1 unchecked criterion: "x"']],
    ["unchecked but not required", quorumTwo, checklist(0, ["x"]), ["a", "b"], []],
    ["no criteria at all", crawlGate, checklist(0), ["maria"], []],
  ])("%s", (_name, gate, progress, approvals, expected) => {
    expect(missingForApproval(gate, { checklist: progress }, approvals)).toEqual(expected);
  });
});

describe("distinctLogins", () => {
  it.each<[string[], string[]]>([
    [[], []],
    [["maria"], ["maria"]],
    [["Maria", "maria", "MARIA"], ["Maria"]],
    [
      ["li", "maria", "LI", "sam"],
      ["li", "maria", "sam"],
    ],
  ])("%j → %j", (logins, expected) => {
    expect(distinctLogins(logins)).toEqual(expected);
  });
});
