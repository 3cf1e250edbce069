import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import {
  ancestryStillAnswers,
  MAX_PARENT_DEPTH,
  nextAncestryStep,
} from "../../../src/core/ancestry.js";
import { decide } from "../../../src/core/evaluate.js";
import { applyPhaseFloor } from "../../../src/core/phase-floor.js";
import { effectivePhase } from "../../../src/core/phases.js";
import { renderVerdict } from "../../../src/core/render-check.js";
import type {
  AncestorFacts,
  Ancestry,
  IssueRef,
  LinkedIssueFacts,
} from "../../../src/core/types.js";
import { defaultConfig, linkedIssue, prFacts, REPO } from "./helpers.js";

const RUN = 2;
const ref = (number: number, repo: string = REPO.repo): IssueRef => ({ ...REPO, repo, number });

/** Ancestor #number with these labels, whose parent is `parent` (a number, null, or unknown). */
function ancestor(
  number: number,
  labels: string[] = [],
  parent?: number | null,
  repo: string = REPO.repo,
): AncestorFacts {
  return {
    ref: ref(number, repo),
    url: `https://github.com/acme/${repo}/issues/${number}`,
    labels,
    milestone: null,
    ...(parent === undefined ? {} : { parent: parent === null ? null : ref(parent) }),
  };
}

const start = (parent: number | null) => ({
  ref: ref(1),
  parent: parent === null ? null : ref(parent),
});

describe("nextAncestryStep: the walk up an issue's parents", () => {
  it.each<
    [string, { parent: number | null }, AncestorFacts[], ReturnType<typeof nextAncestryStep>]
  >([
    ["no parent: the top", { parent: null }, [], { kind: "done", end: { kind: "root" } }],
    ["a parent: read it", { parent: 2 }, [], { kind: "read", ref: ref(2) }],
    [
      "the parent has a phase: stop there",
      { parent: 2 },
      [ancestor(2, ["phase: run"], 3)],
      { kind: "done", end: { kind: "phased" } },
    ],
    [
      "the parent has none: read its parent",
      { parent: 2 },
      [ancestor(2, ["bug"], 3)],
      { kind: "read", ref: ref(3) },
    ],
    [
      "the grandparent is the top",
      { parent: 2 },
      [ancestor(2, [], 3), ancestor(3, [], null)],
      { kind: "done", end: { kind: "root" } },
    ],
    [
      "a loop back to the start",
      { parent: 2 },
      [ancestor(2, [], 1)],
      { kind: "done", end: { kind: "cycle", at: ref(1) } },
    ],
    [
      "a loop back to an ancestor",
      { parent: 2 },
      [ancestor(2, [], 3), ancestor(3, [], 2)],
      { kind: "done", end: { kind: "cycle", at: ref(2) } },
    ],
    [
      "an issue that is its own parent",
      { parent: 1 },
      [],
      { kind: "done", end: { kind: "cycle", at: ref(1) } },
    ],
  ])("%s", (_name, from, ancestors, expected) => {
    expect(nextAncestryStep(defaultConfig, start(from.parent), ancestors)).toEqual(expected);
  });

  it("stops after 8 ancestors and names the parent it did not read", () => {
    const eight = Array.from({ length: MAX_PARENT_DEPTH }, (_, i) => ancestor(i + 2, [], i + 3));
    expect(nextAncestryStep(defaultConfig, start(2), eight)).toEqual({
      kind: "done",
      end: { kind: "depth", at: ref(MAX_PARENT_DEPTH + 2) },
    });
    expect(nextAncestryStep(defaultConfig, start(2), eight.slice(0, 7))).toEqual({
      kind: "read",
      ref: ref(9),
    });
  });

  it("tells the same issue across case: `Acme/Rocket#2` is `acme/rocket#2`", () => {
    const loop = { ...ancestor(2, []), parent: { owner: "ACME", repo: "ROCKET", number: 1 } };
    expect(nextAncestryStep(defaultConfig, start(2), [loop])).toMatchObject({
      end: { kind: "cycle" },
    });
  });

  it("refuses to guess a parent it was not told", () => {
    expect(() => nextAncestryStep(defaultConfig, start(2), [ancestor(2, [])])).toThrow(/not known/);
  });
});

/** A linked issue with no phase of its own and the given ancestry. */
function withAncestry(ancestry: Ancestry, number = 5): LinkedIssueFacts {
  const issue = linkedIssue(number);
  if (!issue.readable) throw new Error("linkedIssue() is readable");
  return { ...issue, ancestry };
}

const epicRun: Ancestry = { ancestors: [ancestor(12, ["phase: run"])], end: { kind: "phased" } };

describe("effectivePhase with parent issues", () => {
  it("a PR closing a sub-issue of a Run epic is Run, inherited from the epic", () => {
    const phase = effectivePhase(defaultConfig, prFacts({ linkedIssues: [withAncestry(epicRun)] }));
    expect(phase.phaseIndex).toBe(RUN);
    expect(phase.deciding[0]?.source).toMatchObject({
      kind: "linked-issue",
      ref: ref(5),
      via: "label",
      value: "phase: run",
      inheritedFrom: { ref: ref(12) },
    });
  });

  it("the nearest ancestor with a phase decides, not a farther one", () => {
    const ancestry: Ancestry = {
      ancestors: [ancestor(10, []), ancestor(11, ["phase: walk"]), ancestor(12, ["phase: run"])],
      end: { kind: "phased" },
    };
    expect(
      effectivePhase(defaultConfig, prFacts({ linkedIssues: [withAncestry(ancestry)] })).phaseIndex,
    ).toBe(1);
  });

  it("an issue's own phase wins over its parents'", () => {
    const own: LinkedIssueFacts = {
      ...(withAncestry(epicRun) as Extract<LinkedIssueFacts, { readable: true }>),
      labels: ["phase: crawl"],
    };
    const phase = effectivePhase(defaultConfig, prFacts({ linkedIssues: [own] }));
    expect(phase.phaseIndex).toBe(0);
    expect(phase.deciding[0]?.source).not.toHaveProperty("inheritedFrom");
  });

  it.each([
    ["parentIssues: false", configSchema.parse({ parentIssues: false })],
    ["linkedIssues: false", configSchema.parse({ linkedIssues: false })],
  ])("%s: nothing is inherited", (_name, config) => {
    expect(
      effectivePhase(config, prFacts({ linkedIssues: [withAncestry(epicRun)] })).phaseIndex,
    ).toBeNull();
  });

  it.each<[string, Ancestry["end"]]>([
    ["a loop", { kind: "cycle", at: ref(5) }],
    ["more than 8 levels", { kind: "depth", at: ref(20) }],
    ["an unreadable parent", { kind: "unreadable", at: ref(3, "secret"), reason: "no access" }],
  ])("a walk stopped by %s with no phase found is reported", (_name, end) => {
    const phase = effectivePhase(
      defaultConfig,
      prFacts({ linkedIssues: [withAncestry({ ancestors: [ancestor(6, [])], end })] }),
    );
    expect(phase.phaseIndex).toBeNull();
    expect(phase.ancestryStops).toEqual([{ issue: ref(5), end }]);
  });

  it("a walk that reached the top is not reported", () => {
    const phase = effectivePhase(
      defaultConfig,
      prFacts({ linkedIssues: [withAncestry({ ancestors: [], end: { kind: "root" } })] }),
    );
    expect(phase.ancestryStops).toBeUndefined();
  });

  it("the phase floor keeps the stops it reports", () => {
    const stopped = withAncestry({ ancestors: [], end: { kind: "cycle", at: ref(5) } });
    const phase = effectivePhase(defaultConfig, prFacts({ linkedIssues: [stopped] }));
    const held = applyPhaseFloor(defaultConfig, phase, RUN, { by: "triager", mayLower: false });
    expect(held.floor?.phaseIndex).toBe(RUN);
    expect(held.ancestryStops).toEqual(phase.ancestryStops);
  });
});

describe("ancestryStillAnswers: a remembered walk under today's config", () => {
  it("holds while the ancestor it stopped at still has a phase", () => {
    expect(ancestryStillAnswers(defaultConfig, epicRun)).toBe(true);
  });
  it("is walked again when that ancestor's label no longer names a phase", () => {
    const renamed = configSchema.parse({
      phases: [{ id: "crawl" }, { id: "walk" }, { id: "run", label: "stage: run" }],
    });
    expect(ancestryStillAnswers(renamed, epicRun)).toBe(false);
  });
  it("a walk that reached the top holds whatever the phases", () => {
    expect(ancestryStillAnswers(defaultConfig, { ancestors: [], end: { kind: "root" } })).toBe(
      true,
    );
  });
});

describe("the check summary", () => {
  const render = (linked: LinkedIssueFacts) => {
    const phase = effectivePhase(defaultConfig, prFacts({ linkedIssues: [linked] }));
    return renderVerdict(defaultConfig, decide(defaultConfig, phase, []), REPO).summary;
  };

  it("says the phase is inherited from the parent issue, with its link", () => {
    expect(render(withAncestry(epicRun))).toContain(
      "linked issue [#5](https://github.com/acme/rocket/issues/5) (label `phase: run`, inherited from [#12](https://github.com/acme/rocket/issues/12), its parent issue)",
    );
  });

  it("names another repository's ancestor as owner/repo#12", () => {
    const elsewhere: Ancestry = {
      ancestors: [ancestor(12, ["phase: run"], undefined, "roadmap")],
      end: { kind: "phased" },
    };
    expect(render(withAncestry(elsewhere))).toContain("inherited from [acme/roadmap#12]");
  });

  it.each<[Ancestry["end"], string]>([
    [{ kind: "cycle", at: ref(7) }, "The parent issues of linked issue #5 loop back to #7"],
    [{ kind: "depth", at: ref(20) }, "followed 8 levels up and stopped before #20"],
    [
      { kind: "unreadable", at: ref(3, "secret"), reason: "no access" },
      "Could not read acme/secret#3, a parent issue of linked issue #5 (no access)",
    ],
  ])("says where a walk stopped: %j", (end, text) => {
    expect(render(withAncestry({ ancestors: [], end }))).toContain(text);
  });
});
