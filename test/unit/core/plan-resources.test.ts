import { describe, expect, it } from "vitest";
import { DASHBOARD_TITLE, ISSUE_BODY_LIMIT, planDashboard } from "../../../src/core/dashboard.js";
import { gateIssueBody } from "../../../src/core/gate-text.js";
import {
  checkFingerprint,
  type ExistingRun,
  planCheckRun,
  runFingerprint,
} from "../../../src/core/plan-check-run.js";
import {
  type ExistingComment,
  type MarkedCommentRules,
  planGateIssues,
  planMarkedComment,
} from "../../../src/core/plan-issues.js";
import { planDecisionLabel } from "../../../src/core/plan-labels.js";
import {
  PROGRESS_END,
  PROGRESS_START,
  planProgressSection,
} from "../../../src/core/progress-section.js";
import { nothingToWrite } from "../../../src/core/reconcile.js";
import { defaultConfig, fourPhaseConfig } from "./helpers.js";

/** The kind of write a plan stands for, in one word a table row can hold. */
function writes(p: {
  create: unknown[];
  update: unknown[];
  remove: unknown[];
}): "create" | "update" | "remove" | "nothing" | "several" {
  const kinds = (["create", "update", "remove"] as const).filter((k) => p[k].length > 0);
  return kinds.length === 0 ? "nothing" : kinds.length === 1 ? (kinds[0] ?? "nothing") : "several";
}

describe("planDecisionLabel", () => {
  it.each<[string, string[], "approved" | "stopped" | null, string[], string[]]>([
    ["pending, no decision label: nothing", ["gate: crawl"], null, [], []],
    ["approved: the label is added", ["gate: crawl"], "approved", ["gate: approved"], []],
    ["approved and labelled: nothing", ["gate: approved"], "approved", [], []],
    ["labelled in another case: nothing", ["Gate: Approved"], "approved", [], []],
    [
      "stopped after approved: swapped",
      ["gate: approved"],
      "stopped",
      ["gate: stopped"],
      ["gate: approved"],
    ],
    ["pending again: the label goes", ["gate: stopped", "bug"], null, [], ["gate: stopped"]],
    [
      "a label a person added in another case goes under the app's spelling",
      ["GATE: STOPPED"],
      null,
      [],
      ["gate: stopped"],
    ],
    [
      "both present: the wrong one goes",
      ["gate: approved", "gate: stopped"],
      "approved",
      [],
      ["gate: stopped"],
    ],
    ["other labels are never touched", ["bug", "gate: crawl", "phase: walk"], null, [], []],
  ])("%s", (_name, labels, decision, add, remove) => {
    const plan = planDecisionLabel(labels, decision);
    expect(plan.create).toEqual(add);
    expect(plan.remove).toEqual(remove);
    expect(plan.update).toEqual([]);
  });
});

describe("planGateIssues", () => {
  const crawl = {
    phaseIndex: 0,
    title: defaultConfig.phases[0]?.gate?.title,
    body: gateIssueBody(defaultConfig, 0),
    labels: ["gate: crawl"],
  };
  const walk = {
    phaseIndex: 1,
    title: defaultConfig.phases[1]?.gate?.title,
    body: gateIssueBody(defaultConfig, 1),
    labels: ["gate: walk"],
  };
  it.each<[string, number[], unknown[]]>([
    ["a fresh repository: one per gate, in phase order", [], [crawl, walk]],
    ["only the missing one", [0], [walk]],
    ["every gate has one: nothing", [0, 1], []],
  ])("%s", (_name, existing, create) => {
    const plan = planGateIssues(defaultConfig, existing);
    expect(plan.create).toEqual(create);
    expect(plan.update).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it("skips phases without a gate and uses the configured label", () => {
    expect(planGateIssues(fourPhaseConfig, []).create.map((s) => [s.phaseIndex, s.labels])).toEqual(
      [
        [0, ["gate: explore"]],
        [2, ["gate: build"]],
      ],
    );
  });
});

describe("planMarkedComment", () => {
  const MARKER = "<!-- phase-gates:decision -->";
  const BODY = `${MARKER}\nApproved.`;
  const APP = "phase-gates[bot]";
  const by = (id: number, author: string, body: string): ExistingComment => ({ id, author, body });
  const record: MarkedCommentRules = { author: APP };
  const onlyUpdate: MarkedCommentRules = { author: APP, create: false };
  const once: MarkedCommentRules = { author: null, update: false };

  it.each<[string, ExistingComment[], MarkedCommentRules, string, number | null]>([
    ["none yet: created", [by(1, "alice", "hi")], record, "create", null],
    ["the same text: nothing", [by(1, APP, BODY)], record, "nothing", null],
    [
      "the same text but for surrounding space: nothing",
      [by(1, APP, `\n${BODY}  \n`)],
      record,
      "nothing",
      null,
    ],
    [
      "changed text: that comment is updated",
      [by(7, APP, `${MARKER}\nPending.`)],
      record,
      "update",
      7,
    ],
    [
      "the app's login in another case is the app",
      [by(7, "Phase-Gates[bot]", BODY)],
      record,
      "nothing",
      null,
    ],
    [
      "a marker pasted by someone else is not the app's comment",
      [by(3, "mallory", `${MARKER}\nfake`)],
      record,
      "create",
      null,
    ],
    [
      "the first marked comment is the one; a copy is never added",
      [by(4, APP, `${MARKER}\nold`), by(5, APP, `${MARKER}\nolder`)],
      record,
      "update",
      4,
    ],
    ["create: false and none: nothing", [], onlyUpdate, "nothing", null],
    [
      "create: false and one exists: kept up to date",
      [by(8, APP, `${MARKER}\nold`)],
      onlyUpdate,
      "update",
      8,
    ],
    ["once: none yet → posted", [], once, "create", null],
    [
      "once: any author's copy of the marker counts",
      [by(9, "alice", `${MARKER} x`)],
      once,
      "nothing",
      null,
    ],
    ["once: never edited", [by(9, APP, `${MARKER}\nold text`)], once, "nothing", null],
  ])("%s", (_name, comments, rules, expected, updatedId) => {
    const plan = planMarkedComment(comments, { marker: MARKER, body: BODY }, rules);
    expect(writes(plan)).toBe(expected);
    expect(plan.update.map((u) => u.actual.id)).toEqual(updatedId === null ? [] : [updatedId]);
    for (const u of plan.update) expect(u.desired.body).toBe(BODY);
  });
});

describe("planCheckRun", () => {
  const content = { conclusion: "failure", title: "Blocked", summary: "s", externalId: "phase:1" };
  const want = { headSha: "abc", fingerprint: checkFingerprint(content) };
  const run = (id: number, fingerprint: string): ExistingRun => ({ id, fingerprint });

  it.each<[string, ExistingRun | null, string]>([
    ["no run of ours on the head: created", null, "create"],
    ["the same conclusion, title, summary and floor: nothing", run(1, want.fingerprint), "nothing"],
    [
      "another conclusion: updated",
      run(1, checkFingerprint({ ...content, conclusion: "success" })),
      "update",
    ],
    [
      "another title: updated",
      run(1, checkFingerprint({ ...content, title: "Allowed" })),
      "update",
    ],
    ["another summary: updated", run(1, checkFingerprint({ ...content, summary: "t" })), "update"],
    [
      "another floor: updated",
      run(1, checkFingerprint({ ...content, externalId: null })),
      "update",
    ],
    [
      "a run still in progress: updated",
      run(1, runFingerprint({ ...content, status: "in_progress" })),
      "update",
    ],
  ])("%s", (_name, ours, expected) => {
    const plan = planCheckRun(want, ours);
    expect(writes(plan)).toBe(expected);
    expect(plan.update.map((u) => u.actual)).toEqual(expected === "update" ? [ours] : []);
  });

  it("a completed run listed by GitHub fingerprints as written", () => {
    expect(runFingerprint({ ...content, status: "completed" })).toBe(want.fingerprint);
  });
});

describe("planDashboard", () => {
  const existing = { number: 5, title: DASHBOARD_TITLE, body: "text" };
  it.each<[string, typeof existing | null, string]>([
    ["none yet: created", null, "create"],
    ["the same text: nothing", existing, "nothing"],
    ["another body: updated", { ...existing, body: "old" }, "update"],
    ["a title someone edited: updated", { ...existing, title: "Mine" }, "update"],
  ])("%s", (_name, found, expected) => {
    const plan = planDashboard(found, "text");
    expect(writes(plan)).toBe(expected);
    for (const d of [...plan.create, ...plan.update.map((u) => u.desired)])
      expect(d).toEqual({ title: DASHBOARD_TITLE, body: "text" });
  });
});

describe("planProgressSection", () => {
  const section = `${PROGRESS_START}\nnow\n${PROGRESS_END}`;
  const people = "- [ ] criterion";
  it.each<[string, string | null, string, string | null, boolean]>([
    ["a body without the section: appended", people, "update", `${people}\n\n${section}`, false],
    ["an empty body: the section alone", null, "update", section, false],
    ["the section as it is: nothing", `${people}\n\n${section}`, "nothing", null, false],
    [
      "an old section: replaced, people's text kept",
      `${people}\n\n${PROGRESS_START}\nthen\n${PROGRESS_END}\nafter`,
      "update",
      `${people}\n\n${section}\nafter`,
      false,
    ],
    [
      "a body that would pass GitHub's limit: nothing, said so",
      "x".repeat(ISSUE_BODY_LIMIT),
      "nothing",
      null,
      true,
    ],
  ])("%s", (_name, body, expected, next, overLimit) => {
    const plan = planProgressSection({ number: 3, body }, section);
    expect(writes(plan)).toBe(expected);
    expect(plan.update.map((u) => u.desired)).toEqual(
      next === null ? [] : [{ number: 3, body: next }],
    );
    expect(plan.overLimit).toBe(overLimit);
    expect(nothingToWrite(plan)).toBe(next === null);
  });
});
