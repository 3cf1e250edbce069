import { describe, expect, it } from "vitest";
import { type Config, configSchema } from "../../../src/config/schema.js";
import { checklistProgress } from "../../../src/core/checklist.js";
import type { ApprovalTally } from "../../../src/core/commands.js";
import { gateStatus } from "../../../src/core/gate-state.js";
import {
  approvalNotEnoughComment,
  closeRevertedComment,
  DECISION_LABELS,
  decisionRecord,
  gateIssueBody,
  MARKERS,
  refusalComment,
  stopNeedsReasonComment,
} from "../../../src/core/gate-text.js";
import { phaseMeaningWithQuestion } from "../../../src/core/phase-meaning.js";
import type { GateIssueFacts } from "../../../src/core/types.js";
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

const noTally: ApprovalTally = { approvals: [], stop: null };
const crawlStatus = (issue: GateIssueFacts | null, config: Config = defaultConfig) =>
  gateStatus(0, gateOf(config, 0), issue);

describe("markers and labels", () => {
  it.each([
    [MARKERS.decision, "<!-- phase-gates:decision -->"],
    [MARKERS.closeReverted, "<!-- phase-gates:close-reverted -->"],
    [MARKERS.refusal(42), "<!-- phase-gates:refusal:42 -->"],
    [MARKERS.commandNote(42), "<!-- phase-gates:command:42 -->"],
    [MARKERS.gateBody("walk"), "<!-- phase-gates:gate:walk -->"],
  ])("%s", (marker, expected) => {
    expect(marker).toBe(expected);
  });

  it("uses the display labels of SPEC §3", () => {
    expect(DECISION_LABELS).toEqual({ approved: "gate: approved", stopped: "gate: stopped" });
  });

  it.each([
    ["crawl", "proves feasibility: can this be done at all?"],
    ["walk", "proves value: does it help the people it is for?"],
    ["run", "scales what was proven"],
    ["explore", null],
  ])("phaseMeaningWithQuestion(%j)", (id, expected) => {
    expect(phaseMeaningWithQuestion(id)).toBe(expected);
  });
});

describe("gateIssueBody", () => {
  it.each<[string, Config, number, string[], string[]]>([
    [
      "default Crawl gate",
      defaultConfig,
      0,
      [
        "<!-- phase-gates:gate:crawl -->",
        "ends the **Crawl** phase (Crawl proves feasibility: can this be done at all?)",
        "Work in **Walk** and later phases cannot merge",
        "### Success criteria\n\n- [ ] Feasibility shown with evidence",
        "Every item above must be checked before the gate can be approved.",
        "Anyone with maintain permission or higher. Needed: 1 approval.",
        "comment `/approve [note]`",
        "comment `/stop <reason>`",
        "comment `/revoke`",
      ],
      [],
    ],
    [
      "quorum 2 without required criteria",
      quorumTwoConfig,
      1,
      ["Needed: 2 approvals from different approvers."],
      ["Every item above must be checked"],
    ],
    [
      "custom phase without a known meaning, custom approvers",
      fourPhaseConfig,
      0,
      [
        "ends the **Explore** phase. Work in **Design**",
        "@alice; members of @acme/leads; anyone with admin permission or higher.",
      ],
      ["Explore proves"],
    ],
    [
      "no criteria",
      configSchema.parse({ phases: [{ id: "a", gate: { criteria: [] } }, { id: "b" }] }),
      0,
      ["_No criteria configured._"],
      ["- [ ]"],
    ],
  ])("%s", (_name, config, index, contains, absent) => {
    const body = gateIssueBody(config, index);
    for (const text of contains) expect(body).toContain(text);
    for (const text of absent) expect(body).not.toContain(text);
    expect(body).not.toMatch(/\n{3,}/);
  });

  it("renders each criterion as one unchecked task the checklist parser finds", () => {
    const config = configSchema.parse({
      phases: [
        { id: "a", gate: { criteria: ["One", "Two `code`", "Three [link](x)"] } },
        { id: "b" },
      ],
    });
    expect(checklistProgress(gateIssueBody(config, 0))).toEqual({
      total: 3,
      checked: 0,
      unchecked: ["One", "Two `code`", "Three [link](x)"],
    });
  });

  it.each([
    ["the last phase", 2],
    ["out of range", 9],
  ])("throws for %s", (_name, index) => {
    expect(() => gateIssueBody(defaultConfig, index)).toThrow(/has no gate/);
  });

  it("throws for a phase without a gate", () => {
    expect(() => gateIssueBody(fourPhaseConfig, 1)).toThrow(/phase 1 has no gate/);
  });
});

describe("decisionRecord", () => {
  const tally: ApprovalTally = {
    approvals: [
      { login: "li", at: "2024-05-01T09:00:00Z", url: "https://c/1", note: "evidence | in wiki" },
      { login: "sam", at: "2024-05-01T09:30:00Z", url: "https://c/2", note: "" },
    ],
    stop: null,
  };

  it.each<[string, GateIssueFacts, ApprovalTally, string[], string[]]>([
    [
      "approved by a closer with command approvals",
      approvedGate({ approvals: ["li", "sam"], closedAt: "2024-05-01T10:00:00.123Z" }),
      tally,
      [
        "<!-- phase-gates:decision -->",
        "### ✅ Gate approved: Crawl",
        "| Decision | approved |",
        "| Decided by | @maria |",
        "| When | 2024-05-01 10:00:00 UTC |",
        "| Approvals (3/1) | @li ([/approve](https://c/1): evidence \\| in wiki), @sam ([/approve](https://c/2)), @maria (closed the issue) |",
        "| Criteria | 1/1 checked |",
        "| Notes | @li: evidence \\| in wiki |",
        "Pull requests behind this gate are re-checked now.",
      ],
      ["| Reason |"],
    ],
    [
      "stopped with /stop",
      stoppedGate({ stop: { by: "li", reason: "budget cut" } }),
      noTally,
      [
        "### ⛔ Gate stopped: the team decided not to proceed past Crawl",
        "| Decided by | @li |",
        "| Approvals (0/1) | none |",
        "| Reason | budget cut |",
        "Pull requests behind this gate stay blocked.",
      ],
      ["| Notes |"],
    ],
    [
      "stopped by closing as not planned, no /stop",
      stoppedGate({ stop: null, closedAt: null }),
      noTally,
      ["| Decided by | @maria |", "| When | — |"],
      ["| Reason |"],
    ],
    [
      "pending again after a reopen",
      openGate({ stateReason: "reopened" }),
      tally,
      [
        "### ⏳ Gate pending again: this gate was reopened",
        "| Decision | pending (reopened) |",
        "| Decided by | — |",
        "| When | — |",
        "Pull requests behind this gate are blocked again until it is decided.",
      ],
      ["| Notes |"],
    ],
  ])("%s", (_name, issue, t, contains, absent) => {
    const record = decisionRecord(defaultConfig, crawlStatus(issue), t);
    for (const text of contains) expect(record).toContain(text);
    for (const text of absent) expect(record).not.toContain(text);
  });

  it("handles a gate with no issue", () => {
    const record = decisionRecord(defaultConfig, crawlStatus(null), noTally);
    expect(record).toContain("| Criteria | — |");
  });

  it("keeps table cells on one line", () => {
    const issue = stoppedGate({ stop: { by: "li", reason: "line one\nline two" } });
    expect(decisionRecord(defaultConfig, crawlStatus(issue), noTally)).toContain(
      "| Reason | line one line two |",
    );
  });
});

describe("closeRevertedComment", () => {
  it("says who closed, why it does not count, what is missing and who can approve", () => {
    const status = crawlStatus(
      approvedGate({
        closedBy: "mallory",
        closerAuthorized: false,
        checklist: checklist(0, ["X"]),
      }),
    );
    const text = closeRevertedComment(status, "mallory", "not an approver");
    expect(text.startsWith("<!-- phase-gates:close-reverted -->")).toBe(true);
    expect(text).toContain(
      "@mallory closed this gate, but the close does not count: not an approver.",
    );
    expect(text).toContain(
      '**Still needed:** 1 unchecked criterion: "X"; 1 more approval (0/1): an approver closes the issue as completed or comments `/approve`.',
    );
    expect(text).not.toContain("an approver to close");
    expect(text).toContain("**Who can approve:** anyone with maintain permission or higher.");
  });

  it("omits 'Still needed' when only the close was missing", () => {
    const status = gateStatus(
      0,
      gateOf(quorumTwoConfig, 0),
      approvedGate({ closedBy: "mallory", closerAuthorized: false, approvals: ["li", "sam"] }),
    );
    expect(closeRevertedComment(status, "mallory", "x")).not.toContain("Still needed");
  });
});

describe("short command replies", () => {
  it("refusalComment names the command and who may decide", () => {
    expect(refusalComment(9, "mallory", "approve", crawlStatus(openGate()))).toBe(
      "<!-- phase-gates:refusal:9 -->\n@mallory, `/approve` was not counted: only approvers can decide this gate (anyone with maintain permission or higher).",
    );
  });

  it("stopNeedsReasonComment gives an example", () => {
    expect(stopNeedsReasonComment(3, "li")).toContain(
      "@li, `/stop` needs a reason, e.g. `/stop the pilot showed no demand`. Nothing was changed.",
    );
  });

  it("approvalNotEnoughComment lists what is still missing", () => {
    const status = gateStatus(0, gateOf(quorumTwoConfig, 0), openGate({ approvals: ["li"] }));
    expect(approvalNotEnoughComment(5, status)).toBe(
      "<!-- phase-gates:command:5 -->\nApproval recorded (1/2). The gate stays open: 1 more approval (1/2): an approver closes the issue as completed or comments `/approve`.",
    );
  });
});

describe("user text cannot plant the app's markers or break its tables", () => {
  const planted = "<!-- phase-gates:refusal:9 -->";
  const onlyOwnMarker = (text: string, marker: string) => {
    expect(text.startsWith(marker)).toBe(true);
    expect(text.split("<!--")).toHaveLength(2);
  };

  it.each<[string, GateIssueFacts, ApprovalTally]>([
    [
      "an approval note",
      approvedGate({ approvals: ["li"] }),
      {
        approvals: [{ login: "li", at: "2024-05-01T09:00:00Z", url: "https://c/1", note: planted }],
        stop: null,
      },
    ],
    ["a stop reason", stoppedGate({ stop: { by: "li", reason: planted } }), noTally],
  ])("decisionRecord: %s", (_name, issue, tally) => {
    const record = decisionRecord(defaultConfig, crawlStatus(issue), tally);
    onlyOwnMarker(record, MARKERS.decision);
    expect(record).toContain("<\\!-- phase-gates:refusal:9 -->");
  });

  it("decisionRecord: a reason with pipes, backslashes and line breaks stays one row of two cells", () => {
    const issue = stoppedGate({ stop: { by: "li", reason: "a \\| b\n| c" } });
    const row =
      decisionRecord(defaultConfig, crawlStatus(issue), noTally)
        .split("\n")
        .find((l) => l.startsWith("| Reason |")) ?? "";
    expect(row).toBe("| Reason | a \\\\\\| b \\| c |");
    // cmark-gfm: a backslash escapes the next character; other pipes split cells.
    const separators = row.replace(/\\./g, "").split("|").length - 1;
    expect(separators).toBe(3);
  });

  it("closeRevertedComment: a criterion and the reason", () => {
    const status = crawlStatus(
      approvedGate({
        closedBy: "mallory",
        closerAuthorized: false,
        checklist: checklist(0, [planted]),
      }),
    );
    onlyOwnMarker(closeRevertedComment(status, "mallory", `why ${planted}`), MARKERS.closeReverted);
  });

  it("approvalNotEnoughComment: a criterion", () => {
    const status = crawlStatus(openGate({ approvals: ["li"], checklist: checklist(0, [planted]) }));
    onlyOwnMarker(approvalNotEnoughComment(5, status), MARKERS.commandNote(5));
  });

  it("a phase name in the decision heading", () => {
    const config = configSchema.parse({
      phases: [{ id: "a", name: `A ${planted}`, gate: {} }, { id: "b" }],
    });
    const record = decisionRecord(
      config,
      gateStatus(0, gateOf(config, 0), approvedGate()),
      noTally,
    );
    onlyOwnMarker(record, MARKERS.decision);
  });
});
