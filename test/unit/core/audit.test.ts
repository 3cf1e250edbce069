import { describe, expect, it } from "vitest";
import {
  type AuditException,
  type GateHistory,
  gateRounds,
  impostorLabels,
  type LabelEvent,
} from "../../../src/core/audit-gates.js";
import { type MergedPull, type PhaseGateRun, pullRecord } from "../../../src/core/audit-pulls.js";
import {
  type AuditRecord,
  canonicalRecords,
  csvCell,
  parseWindow,
  recordInWindow,
  renderAudit,
  sortRecords,
  summarize,
} from "../../../src/core/audit-report.js";
import type { TimelineComment, TimelineEvent } from "../../../src/core/gate-timeline.js";
import { defaultConfig, gateOf, quorumTwoConfig } from "./helpers.js";

// The audit's record building from fixtures of GitHub's issue events: every
// bypass story of SECURITY.md's threat table that GitHub's record keeps shows
// as its exception, decided by the same rules the app decides gates with.

const APP = "phase-gates[bot]";
const LABEL = "gate: crawl";
const URL = "https://github.com/acme/rocket/issues/2";
const t = (minutes: number) =>
  new Date(Date.UTC(2026, 10, 1) + minutes * 60_000).toISOString().replace(/\.000Z$/, "Z");

function ev(event: string, by: string, at: number, reason?: string): TimelineEvent {
  return {
    event,
    actor: by,
    actorIsBot: by.endsWith("[bot]"),
    at: t(at),
    label: event === "labeled" || event === "unlabeled" ? LABEL : null,
    stateReason: event === "closed" ? (reason ?? "completed") : null,
  };
}

function comment(
  id: number,
  by: string,
  body: string,
  at: number,
  editedAt?: number,
): TimelineComment {
  return {
    id,
    author: by,
    authorIsBot: by.endsWith("[bot]"),
    createdAt: t(at),
    updatedAt: t(editedAt ?? at),
    url: `${URL}#issuecomment-${id}`,
    body,
  };
}

const CHECKED = "- [x] Feasibility shown with evidence\n";
const UNCHECKED = "- [ ] Feasibility shown with evidence\n";

function history(
  events: TimelineEvent[],
  comments: TimelineComment[] = [],
  options: { body?: string; quorumTwo?: boolean } = {},
): GateHistory {
  const config = options.quorumTwo ? quorumTwoConfig : defaultConfig;
  const last = [...events].reverse().find((e) => e.event === "closed" || e.event === "reopened");
  return {
    repo: "acme/rocket",
    phaseIndex: 0,
    gate: gateOf(config, 0),
    issue: {
      number: 2,
      url: URL,
      title: "Gate: Crawl → Walk",
      state: last?.event === "closed" ? "closed" : "open",
      stateReason: null,
      closedAt: last?.event === "closed" ? last.at : null,
      body: options.body ?? CHECKED,
    },
    events,
    comments,
    deciders: { appLogin: APP, approvers: new Set(["lead", "ana"]) },
  };
}

const kinds = (es: readonly AuditException[]) => es.map((e) => e.kind);
const summaryOf = (h: GateHistory) =>
  gateRounds(h, "crawl").map((r) => ({
    round: r.round,
    outcome: r.outcome,
    by: r.decision?.by ?? null,
    exceptions: kinds(r.exceptions),
  }));

describe("gateRounds: every round of a gate issue, from its events and comments", () => {
  it("an approver's close approves; approvals carry who, when and a link; quorum and criteria are recorded", () => {
    const h = history(
      [ev("labeled", APP, 0), ev("closed", APP, 6)],
      [comment(1, "ana", "/approve ok", 3), comment(2, "lead", "/approve ship it", 5)],
      { quorumTwo: true },
    );
    const [round] = gateRounds(h, "crawl");
    expect(round).toMatchObject({
      record: "gate-round",
      round: 1,
      openedAt: t(0),
      openedBy: APP,
      outcome: "approved",
      decision: { state: "approved", by: "lead", at: t(6), stopReason: null },
      quorum: 2,
      criteria: { checked: 1, total: 1, unchecked: [] },
      exceptions: [],
    });
    expect(round?.approvals).toEqual([
      { login: "ana", at: t(3), url: `${URL}#issuecomment-1` },
      { login: "lead", at: t(5), url: `${URL}#issuecomment-2` },
    ]);
  });

  it("the closer's own approval is the close: its time, the issue's link", () => {
    const [round] = gateRounds(
      history([ev("labeled", "lead", 0), ev("closed", "lead", 4)]),
      "crawl",
    );
    expect(round?.approvals).toEqual([{ login: "lead", at: t(4), url: URL }]);
  });

  it.each<[string, GateHistory, ReturnType<typeof summaryOf>, RegExp]>([
    [
      "a triager closes the gate as completed themselves (the app reopens it)",
      history([ev("labeled", APP, 0), ev("closed", "contrib", 1), ev("reopened", APP, 1)]),
      [{ round: 1, outcome: "pending", by: null, exceptions: ["close-not-counted"] }],
      /not an authorized approver; reopened by phase-gates/,
    ],
    [
      "another app or workflow closes the gate as completed after an approver's /approve",
      history(
        [ev("labeled", APP, 0), ev("closed", "github-actions[bot]", 3), ev("reopened", APP, 3)],
        [comment(1, "lead", "/approve", 2)],
      ),
      [{ round: 1, outcome: "pending", by: null, exceptions: ["close-not-counted"] }],
      /is a bot, and only an approver or phase-gates itself can decide/,
    ],
    [
      "a writer edits an approver's comment into /approve: ignored; the app's close on it does not count",
      history(
        [ev("labeled", APP, 0), ev("closed", APP, 3), ev("reopened", APP, 3)],
        [comment(1, "lead", "/approve", 1, 2)],
      ),
      [
        {
          round: 1,
          outcome: "pending",
          by: null,
          exceptions: ["edited-command-ignored", "close-not-counted"],
        },
      ],
      /approval it was closed on was withdrawn/,
    ],
    [
      "the /approve the gate was closed on is deleted: the close stands no more",
      history([ev("labeled", APP, 0), ev("closed", APP, 3), ev("reopened", APP, 4)]),
      [{ round: 1, outcome: "pending", by: null, exceptions: ["close-not-counted"] }],
      /withdrawn/,
    ],
    [
      "an approver closes while a criterion is unchecked (a writer deleted or unticked it)",
      history([ev("labeled", APP, 0), ev("closed", "lead", 2), ev("reopened", APP, 2)], [], {
        body: UNCHECKED,
      }),
      [{ round: 1, outcome: "pending", by: null, exceptions: ["close-not-counted"] }],
      /unchecked criterion/,
    ],
    [
      "an approved gate reopened by a writer: a new round, its approval not carried over",
      history(
        [
          ev("labeled", APP, 0),
          ev("closed", "lead", 2),
          ev("reopened", "writer", 5),
          ev("closed", "github-actions[bot]", 6),
        ],
        [comment(1, "lead", "/approve", 1)],
      ),
      [
        { round: 1, outcome: "reopened", by: "lead", exceptions: [] },
        { round: 2, outcome: "pending", by: null, exceptions: ["close-not-counted"] },
      ],
      /is a bot/,
    ],
  ])("%s", (_story, h, expected, detail) => {
    expect(summaryOf(h)).toEqual(expected);
    const counted = gateRounds(h, "crawl")
      .flatMap((r) => r.exceptions)
      .find((e) => e.kind === "close-not-counted");
    expect(counted?.detail).toMatch(detail);
  });

  it("a writer's close and the app's reopening start no new round: the approvals before stand", () => {
    const h = history(
      [
        ev("labeled", APP, 0),
        ev("closed", "writer", 2),
        ev("reopened", APP, 2),
        ev("closed", APP, 4),
      ],
      [comment(1, "ana", "/approve", 1), comment(2, "lead", "/approve", 3)],
      { quorumTwo: true },
    );
    expect(summaryOf(h)).toEqual([
      { round: 1, outcome: "approved", by: "lead", exceptions: ["close-not-counted"] },
    ]);
    expect(gateRounds(h, "crawl")[0]?.approvals.map((a) => a.login)).toEqual(["ana", "lead"]);
  });

  it("/stop by an approver: stopped, with its reason; reopened, a new round", () => {
    const h = history(
      [ev("labeled", "lead", 0), ev("closed", APP, 2, "not_planned"), ev("reopened", "lead", 3)],
      [comment(1, "lead", "/stop no demand", 1)],
    );
    const rounds = gateRounds(h, "crawl");
    expect(
      rounds.map((r) => [r.outcome, r.decision?.state, r.decision?.stopReason, r.reopened?.by]),
    ).toEqual([
      ["reopened", "stopped", "no demand", "lead"],
      ["pending", undefined, undefined, undefined],
    ]);
  });

  it("an issue that is no gate issue (labelled by a writer) has no rounds", () => {
    expect(
      gateRounds(history([ev("labeled", "writer", 0), ev("closed", "lead", 1)]), "crawl"),
    ).toEqual([]);
  });
});

describe("impostorLabels: a gate label applied by someone who may not", () => {
  const label = (event: string, by: string, at: number, issueNumber: number): LabelEvent => ({
    ...ev(event, by, at),
    issueNumber,
    issueUrl: `https://github.com/acme/rocket/issues/${issueNumber}`,
  });
  const approvers = () => new Set(["lead"]);

  it("label hijack: a writer labels an ordinary issue, the app removes it", () => {
    const found = impostorLabels({
      config: defaultConfig,
      events: [label("labeled", "writer", 1, 7), label("unlabeled", APP, 1, 7)],
      appLogin: APP,
      approversOf: approvers,
    });
    expect(found).toEqual([
      {
        kind: "impostor-label",
        at: t(1),
        by: "writer",
        detail:
          '"gate: crawl" applied to #7 by @writer, who may not make a gate issue; removed by @phase-gates[bot]',
        url: "https://github.com/acme/rocket/issues/7",
      },
    ]);
  });

  it("an approver's or the app's label is no exception", () => {
    expect(
      impostorLabels({
        config: defaultConfig,
        events: [label("labeled", "lead", 1, 7), label("labeled", APP, 2, 8)],
        appLogin: APP,
        approversOf: approvers,
      }),
    ).toEqual([]);
  });
});

const run = (over: Partial<PhaseGateRun>): PhaseGateRun => ({
  appId: 42,
  appSlug: "phase-gates",
  id: 100,
  status: "completed",
  conclusion: "success",
  title: "Walk: gates approved",
  completedAt: t(5),
  externalId: "phase-gates:floor=walk",
  url: "https://github.com/acme/rocket/runs/100",
  ...over,
});
const merged = (over: Partial<MergedPull>): MergedPull => ({
  number: 9,
  title: "Beta sign-up",
  url: "https://github.com/acme/rocket/pull/9",
  author: "contrib",
  mergedBy: "lead",
  mergedAt: t(10),
  base: "main",
  headSha: "a".repeat(40),
  labels: ["phase: walk"],
  milestone: null,
  linkedIssues: [],
  runs: [run({})],
  ...over,
});

describe("pullRecord: a merged PR, its phase, this app's run and the exceptions", () => {
  it.each<[string, Partial<MergedPull>, string[], string | null]>([
    ["merged on a green run from this app", {}, [], "success"],
    [
      "merged while the app's run failed (an admin's bypass)",
      { runs: [run({ conclusion: "failure" })] },
      ["merged-while-failing"],
      "failure",
    ],
    ["merged with no run from this app", { runs: [] }, ["merged-without-run"], null],
    [
      "merged with a workflow's green Phase gate beside the app's",
      {
        runs: [
          run({}),
          run({ id: 101, appId: 15368, appSlug: "github-actions", externalId: null }),
        ],
      },
      ["foreign-phase-gate"],
      "success",
    ],
    [
      "only a workflow's Phase gate: no run from this app, and a foreign one",
      { runs: [run({ appId: 15368, appSlug: "github-actions" })] },
      ["merged-without-run", "foreign-phase-gate"],
      null,
    ],
    [
      "the newest of the app's runs counts",
      { runs: [run({ id: 1, conclusion: "failure" }), run({ id: 2 })] },
      [],
      "success",
    ],
  ])("%s", (_what, over, expected, conclusion) => {
    const r = pullRecord({
      repo: "acme/rocket",
      config: defaultConfig,
      appId: 42,
      appSlug: "phase-gates",
      pull: merged(over),
    });
    expect(kinds(r.exceptions)).toEqual(expected);
    expect(r.run?.conclusion ?? null).toBe(conclusion);
  });

  it("the phase at merge: the latest of labels, milestone, linked issues and the app's phase floor", () => {
    const floor = pullRecord({
      repo: "acme/rocket",
      config: defaultConfig,
      appId: 42,
      appSlug: "phase-gates",
      pull: merged({
        labels: ["phase: crawl"],
        runs: [run({ externalId: "phase-gates:floor=run" })],
      }),
    });
    expect([floor.phase, floor.phaseSources]).toEqual([
      "run",
      ["phase floor on the app's Phase gate run", 'lowered to label "phase: crawl"'],
    ]);
    const linked = pullRecord({
      repo: "acme/rocket",
      config: defaultConfig,
      appId: 42,
      appSlug: "phase-gates",
      pull: merged({
        labels: [],
        runs: [run({ externalId: null })],
        linkedIssues: [
          {
            ref: { owner: "acme", repo: "rocket", number: 3 },
            readable: true,
            url: "u",
            labels: ["phase: run"],
            milestone: null,
          },
        ],
      }),
    });
    expect([linked.phase, linked.phaseSources]).toEqual([
      "run",
      ['linked issue acme/rocket#3 (label "phase: run")'],
    ]);
  });

  it("without the app's id, its runs are found by slug", () => {
    const r = pullRecord({
      repo: "acme/rocket",
      config: defaultConfig,
      appId: null,
      appSlug: "Phase-Gates",
      pull: merged({}),
    });
    expect(r.exceptions).toEqual([]);
  });
});

describe("the window, the order, the formats", () => {
  const now = Date.parse("2026-12-07T05:00:30.500Z");
  it.each<[string | undefined, string | undefined, string | null, string | null]>([
    [undefined, undefined, "2026-09-08T05:00:30Z", "2026-12-07T05:00:30Z"],
    ["30d", "2026-12-01", "2026-11-07T05:00:30Z", "2026-12-01T23:59:59Z"],
    ["2026-01-01", "2026-06-30", "2026-01-01T00:00:00Z", "2026-06-30T23:59:59Z"],
    ["2026-01-01T10:00:00+02:00", undefined, "2026-01-01T08:00:00Z", "2026-12-07T05:00:30Z"],
    ["2026-02-30", undefined, null, null],
    ["last week", undefined, null, null],
    ["2026-06-01", "2026-01-01", null, null],
  ])("--since %s --until %s", (since, until, s, u) => {
    const w = parseWindow(since, until, now);
    expect(w.ok ? [w.window.since, w.window.until] : [null, null]).toEqual([s, u]);
  });

  it("CSV cells: quoted when needed, and never a formula a spreadsheet would run", () => {
    expect(
      ["plain", "a,b", 'say "hi"', "=HYPERLINK(1)", "+1", "-x", "@sum", null, 3].map(csvCell),
    ).toEqual(["plain", '"a,b"', '"say ""hi"""', "'=HYPERLINK(1)", "'+1", "'-x", "'@sum", "", "3"]);
  });

  it("records sort the same whatever order they were read in, and every format renders them byte for byte the same", () => {
    const rounds = gateRounds(
      history([ev("labeled", "lead", 0), ev("closed", "lead", 2), ev("reopened", "lead", 3)]),
      "crawl",
    );
    const pr = pullRecord({
      repo: "acme/rocket",
      config: defaultConfig,
      appId: 42,
      appSlug: "phase-gates",
      pull: merged({ runs: [] }),
    });
    const records: AuditRecord[] = [pr, ...rounds];
    const w = { since: t(0), until: t(60) };
    const a = sortRecords(records);
    const b = sortRecords([...records].reverse());
    expect(canonicalRecords(a)).toBe(canonicalRecords(b));
    expect(a.map((r) => r.record)).toEqual(["gate-round", "gate-round", "pull-request"]);
    expect(a.every((r) => recordInWindow(w, r))).toBe(true);
    expect(recordInWindow({ since: t(20), until: t(30) }, pr)).toBe(false);
    const summary = summarize({
      window: w,
      repos: ["acme/rocket"],
      records: a,
      incompleteBecause: null,
      sha256: "0".repeat(64),
    });
    expect(summary.counts).toEqual({
      gateRounds: 2,
      approved: 0,
      stopped: 0,
      reopened: 1,
      pending: 1,
      mergedPullRequests: 1,
    });
    expect(summary.exceptions).toMatchObject({ "merged-without-run": 1, total: 1 });
    for (const format of ["jsonl", "csv", "md"] as const)
      expect(renderAudit(format, a, summary)).toBe(renderAudit(format, b, summary));
    expect(renderAudit("md", a, summary)).toContain("| Exceptions: merged-without-run | 1 |");
  });

  it("an incomplete audit says so at the top of the Markdown and in the summary", () => {
    const s = summarize({
      window: { since: t(0), until: t(1) },
      repos: ["acme/rocket"],
      records: [],
      incompleteBecause: "rate limited",
      sha256: "e".repeat(64),
    });
    expect(s.complete).toBe(false);
    expect(renderAudit("md", [], s)).toContain("> **Incomplete:** rate limited");
  });
});
