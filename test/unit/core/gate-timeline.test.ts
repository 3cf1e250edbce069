import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actorsToAuthorize,
  type GateDeciders,
  gateIdentity,
  readGateTimeline,
  type TimelineComment,
  type TimelineEvent,
} from "../../../src/core/gate-timeline.js";

const APP = "phase-gates[bot]";
const LABEL = "gate: walk";
/** `lead` and `ana` may decide the gate; `writer` and `contrib` may not. */
const DECIDERS: GateDeciders = { appLogin: APP, approvers: new Set(["lead", "ana"]) };

let clock = 0;
/** A timestamp `minutes` after the start of the story. */
const t = (minutes: number) => new Date(Date.UTC(2026, 10, 1) + minutes * 60_000).toISOString();

function ev(
  event: string,
  by: string,
  at: number,
  extra: { label?: string; reason?: string } = {},
): TimelineEvent {
  clock = at;
  return {
    event,
    actor: by,
    actorIsBot: by.endsWith("[bot]"),
    at: t(at),
    label: extra.label ?? (event === "labeled" || event === "unlabeled" ? LABEL : null),
    stateReason: extra.reason ?? (event === "closed" ? "completed" : null),
  };
}

function comment(id: number, by: string, body: string, at: number, editedAt?: number) {
  return {
    id,
    author: by,
    authorIsBot: by.endsWith("[bot]"),
    createdAt: t(at),
    updatedAt: t(editedAt ?? at),
    url: `https://github.com/acme/rocket/issues/2#issuecomment-${id}`,
    body,
  } satisfies TimelineComment;
}

describe("gateIdentity: who made the issue a gate issue (SPEC §3)", () => {
  it.each<[string, TimelineEvent[], boolean, string | null]>([
    ["labelled by the app when it created the issue", [ev("labeled", APP, 0)], true, null],
    ["labelled by an approver", [ev("labeled", "lead", 0)], true, null],
    ["labelled by a writer", [ev("labeled", "writer", 0)], false, "writer"],
    [
      "labelled by another bot",
      [ev("labeled", "github-actions[bot]", 0)],
      false,
      "github-actions[bot]",
    ],
    [
      "a writer removes and re-adds the label of the app's gate issue: still the gate issue",
      [ev("labeled", APP, 0), ev("unlabeled", "writer", 1), ev("labeled", "writer", 2)],
      true,
      null,
    ],
    [
      "a writer removed the label (the app restores it): still the gate issue",
      [ev("labeled", APP, 0), ev("unlabeled", "writer", 1)],
      true,
      null,
    ],
    [
      "an approver took the label off, then a writer put it back: not a gate issue",
      [ev("labeled", APP, 0), ev("unlabeled", "lead", 1), ev("labeled", "writer", 2)],
      false,
      "writer",
    ],
    [
      "a writer's label, later re-applied by an approver (after removal)",
      [ev("labeled", "writer", 0), ev("unlabeled", APP, 1), ev("labeled", "lead", 2)],
      true,
      null,
    ],
    [
      "other labels do not count",
      [ev("labeled", "lead", 0, { label: "bug" }), ev("labeled", "writer", 1)],
      false,
      "writer",
    ],
    [
      "the label compares case-insensitively, as on GitHub",
      [ev("labeled", "lead", 0, { label: "Gate: Walk" })],
      true,
      null,
    ],
  ])("%s", (_name, events, isGate, labelledBy) => {
    const identity = gateIdentity(events, LABEL, DECIDERS);
    expect(identity.isGate).toBe(isGate);
    if (!identity.isGate) expect(identity.labelledBy).toBe(labelledBy);
  });

  it("looks up the people who labelled or closed, never bots", () => {
    const events = [
      ev("labeled", APP, 0),
      ev("labeled", "Writer", 1),
      ev("labeled", "lead", 2, { label: "bug" }),
      ev("closed", "github-actions[bot]", 3),
      ev("closed", "contrib", 4),
      ev("reopened", "someone", 5),
    ];
    expect(actorsToAuthorize(events, LABEL)).toEqual(["writer", "contrib"]);
  });
});

interface Story {
  events: TimelineEvent[];
  comments?: TimelineComment[];
  state?: "open" | "closed";
  reason?: "completed" | "not_planned";
  body?: string;
  criteria?: string[];
}

function read(story: Story) {
  const identity = gateIdentity(story.events, LABEL, DECIDERS);
  if (!identity.isGate) throw new Error("not a gate issue");
  return readGateTimeline({
    issue: {
      number: 2,
      url: "https://github.com/acme/rocket/issues/2",
      title: "Gate: Walk → Run",
      state: story.state ?? "closed",
      stateReason: story.state === "open" ? null : (story.reason ?? "completed"),
      closedAt: story.state === "open" ? null : t(clock),
      body: story.body ?? null,
    },
    identity,
    events: story.events,
    comments: story.comments ?? [],
    criteria: story.criteria ?? [],
    deciders: DECIDERS,
  });
}

describe("readGateTimeline: which close counts (SPEC §3 What counts)", () => {
  it.each<[string, Story, { by: string | null; authorized: boolean; rejected: RegExp | null }]>([
    [
      "an approver's close counts",
      { events: [ev("labeled", APP, 0), ev("closed", "lead", 5)] },
      { by: "lead", authorized: true, rejected: null },
    ],
    [
      "a writer's close does not",
      { events: [ev("labeled", APP, 0), ev("closed", "writer", 5)] },
      { by: "writer", authorized: false, rejected: null },
    ],
    [
      "another bot's close never counts, whatever command preceded it",
      {
        events: [ev("labeled", APP, 0), ev("closed", "github-actions[bot]", 5)],
        comments: [comment(1, "lead", "/approve", 3)],
      },
      { by: "github-actions[bot]", authorized: false, rejected: /is a bot/ },
    ],
    [
      "the app's close counts for the approver whose command it carried out",
      {
        events: [ev("labeled", APP, 0), ev("closed", APP, 5)],
        comments: [comment(1, "lead", "/approve", 4)],
      },
      { by: "lead", authorized: true, rejected: null },
    ],
    [
      "the app's close on an approval since revoked does not count",
      {
        events: [ev("labeled", APP, 0), ev("closed", APP, 5)],
        comments: [comment(1, "lead", "/approve", 4), comment(2, "lead", "/revoke", 6)],
      },
      { by: APP, authorized: false, rejected: /withdrawn/ },
    ],
    [
      "a close from before the issue became the gate issue (label hijack) does not count",
      {
        events: [ev("closed", "lead", 0), ev("labeled", "ana", 5)],
      },
      { by: "lead", authorized: false, rejected: /before it became the gate issue/ },
    ],
    [
      "only the latest close counts: an approver's earlier close is gone after a reopen",
      {
        events: [
          ev("labeled", APP, 0),
          ev("closed", "lead", 2),
          ev("reopened", "writer", 3),
          ev("closed", "writer", 4),
        ],
      },
      { by: "writer", authorized: false, rejected: null },
    ],
    [
      "a closed issue with no close in its record does not count",
      { events: [ev("labeled", APP, 0)] },
      { by: null, authorized: false, rejected: /does not say who closed it/ },
    ],
  ])("%s", (_name, story, want) => {
    const { facts } = read(story);
    expect(facts.closedBy).toBe(want.by);
    expect(facts.closerAuthorized).toBe(want.authorized);
    if (want.rejected) expect(facts.closeRejected).toMatch(want.rejected);
    else expect(facts.closeRejected).toBeNull();
  });
});

describe("readGateTimeline: which commands count", () => {
  it.each<[string, Story, string[]]>([
    [
      "approvals from before a human reopened a decision start over",
      {
        state: "open",
        events: [ev("labeled", APP, 0), ev("closed", APP, 3), ev("reopened", "lead", 4)],
        comments: [comment(1, "lead", "/approve", 2), comment(2, "ana", "/approve", 5)],
      },
      ["ana"],
    ],
    [
      "the app reopening a close that did not count resets nothing",
      {
        state: "open",
        events: [ev("labeled", APP, 0), ev("closed", "writer", 3), ev("reopened", APP, 4)],
        comments: [comment(1, "lead", "/approve", 2)],
      },
      ["lead"],
    ],
    [
      "a writer reopening a close that was not a decision resets nothing",
      {
        state: "open",
        events: [ev("labeled", APP, 0), ev("closed", "writer", 3), ev("reopened", "writer", 4)],
        comments: [comment(1, "lead", "/approve", 2)],
      },
      ["lead"],
    ],
    [
      "a command edited after it was posted does not count",
      {
        state: "open",
        events: [ev("labeled", APP, 0)],
        comments: [comment(1, "lead", "/approve", 2, 3), comment(2, "ana", "/approve", 4)],
      },
      ["ana"],
    ],
    [
      "commands posted before the issue became the gate issue do not count",
      {
        state: "open",
        events: [ev("labeled", "lead", 5)],
        comments: [comment(1, "ana", "/approve", 2), comment(2, "lead", "/approve", 6)],
      },
      ["lead"],
    ],
    [
      "bots' and non-approvers' commands never count",
      {
        state: "open",
        events: [ev("labeled", APP, 0)],
        comments: [
          comment(1, "github-actions[bot]", "/approve", 2),
          comment(2, "writer", "/approve", 3),
        ],
      },
      [],
    ],
  ])("%s", (_name, story, approvals) => {
    expect(read(story).facts.approvals).toEqual(approvals);
  });

  it("lists edited commands so the app can say 'post a new comment'", () => {
    const reading = read({
      state: "open",
      events: [ev("labeled", APP, 0)],
      comments: [comment(7, "lead", "/approve", 2, 3)],
    });
    expect(reading.editedCommands.map((c) => c.id)).toEqual([7]);
    expect(reading.facts.editedCommands).toBe(1);
  });

  it("a /stop from an earlier round does not stop the gate now", () => {
    const reading = read({
      state: "open",
      events: [
        ev("labeled", APP, 0),
        ev("closed", APP, 3, { reason: "not_planned" }),
        ev("reopened", "lead", 4),
      ],
      comments: [comment(1, "lead", "/stop no demand", 2)],
    });
    expect(reading.facts.stop).toBeNull();
  });
});

describe("readGateTimeline: criteria", () => {
  it("counts a configured criterion missing from the body as unchecked", () => {
    const { facts } = read({
      state: "open",
      events: [ev("labeled", APP, 0)],
      body: "- [x] Users retained",
      criteria: ["Users retained", "Costs known"],
    });
    expect(facts.checklist).toEqual({
      total: 2,
      checked: 1,
      unchecked: ["Costs known (missing from the issue)"],
    });
  });
});

describe("properties", () => {
  const actors = fc.constantFrom("lead", "ana", "writer", "contrib", APP, "github-actions[bot]");
  const event = fc.record({
    event: fc.constantFrom("labeled", "unlabeled", "closed", "reopened"),
    actor: actors,
    reason: fc.constantFrom("completed", "not_planned"),
  });

  it("nobody below approver makes an issue a gate issue: without an app or approver label event, it is none", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), (raw) => {
        const events = raw.map((e, i) => ev(e.event, e.actor, i, { reason: e.reason }));
        const trusted = events.some(
          (e) =>
            e.event === "labeled" && (e.actor === APP || e.actor === "lead" || e.actor === "ana"),
        );
        if (!trusted) expect(gateIdentity(events, LABEL, DECIDERS).isGate).toBe(false);
      }),
    );
  });

  it("a close counts only when an approver or the app made it", () => {
    const closeOrReopen = fc.record({
      event: fc.constantFrom("closed", "reopened"),
      actor: actors,
      reason: fc.constantFrom("completed", "not_planned"),
    });
    fc.assert(
      fc.property(fc.array(closeOrReopen, { minLength: 1, maxLength: 12 }), (raw) => {
        const events = [
          ev("labeled", APP, 0),
          ...raw.map((e, i) => ev(e.event, e.actor, i + 1, { reason: e.reason })),
        ];
        const { facts } = read({ events, comments: [comment(1, "lead", "/approve", 0)] });
        const last = [...events].reverse().find((e) => e.event === "closed");
        if (facts.closerAuthorized) expect([APP, "lead", "ana"]).toContain(last?.actor);
      }),
    );
  });
});
