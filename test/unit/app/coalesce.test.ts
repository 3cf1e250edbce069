import { describe, expect, it } from "vitest";
import type { PullRequestInput, PullSnapshot } from "../../../src/app/handlers/pull-request.js";
import { mergeJobs } from "../../../src/app/jobs/coalesce.js";
import type { JobData } from "../../../src/app/jobs/job.js";

/** PR #1 as a payload showed it at `updatedAt`, on `headSha`. */
function snapshot(updatedAt: string, headSha: string): PullSnapshot {
  return {
    number: 1,
    title: "A change",
    state: "open",
    headSha,
    body: null,
    labels: [],
    milestone: null,
    htmlUrl: "https://github.com/acme/rocket/pull/1",
    updatedAt,
  };
}

function prJob(deliveryId: string, input: Partial<PullRequestInput>): JobData<PullRequestInput> {
  return {
    kind: "pull_request",
    deliveryId,
    installationId: 1,
    repo: { owner: "acme", repo: "rocket" },
    input: { action: "labeled", number: 1, loweringBy: null, opened: false, ...input },
    coalesce: "pr#1:",
    receivedAt: 0,
  };
}

const EARLY = snapshot("2026-11-25T10:00:01Z", "a-sha");
const LATE = snapshot("2026-11-25T10:00:02Z", "b-sha");
/** A second change within EARLY's second: GitHub's clock cannot order the two. */
const EARLY_RELABELLED: PullSnapshot = { ...EARLY, labels: ["phase: run"] };

describe("mergeJobs", () => {
  it.each([
    ["arrived first, the later PR", { pull: LATE }, { pull: EARLY }, LATE],
    ["arrived last, the later PR", { pull: EARLY }, { pull: LATE }, LATE],
    ["the same second, alike: either", { pull: EARLY }, { pull: { ...EARLY } }, EARLY],
    [
      "the same second, different: the later arrival, the other its rival",
      { pull: EARLY },
      { pull: EARLY_RELABELLED },
      EARLY_RELABELLED,
    ],
    [
      "a third of that second, different again: read",
      { pull: EARLY_RELABELLED, rival: EARLY },
      { pull: { ...EARLY, labels: ["noise"] as string[] } },
      undefined,
    ],
    ["only the first shows one: read", { pull: LATE }, {}, undefined],
    ["only the last shows one: read", {}, { pull: LATE }, undefined],
  ] as const)("keeps the PR the later payload showed (%s)", (_, older, newer, kept) => {
    const merged = mergeJobs(prJob("d1", older), prJob("d2", newer)).input as PullRequestInput;
    expect(merged.pull).toEqual(kept);
  });

  it.each([
    ["two of one second that differ", { pull: EARLY }, { pull: EARLY_RELABELLED }, EARLY],
    [
      "a later one: the tie is over",
      { pull: EARLY_RELABELLED, rival: EARLY },
      { pull: LATE },
      undefined,
    ],
    [
      "the tie's side taken again, alike",
      { pull: EARLY_RELABELLED, rival: EARLY },
      { pull: { ...EARLY_RELABELLED } },
      EARLY,
    ],
  ] as const)("keeps a rival of the same second (%s)", (_, older, newer, rival) => {
    const merged = mergeJobs(prJob("d1", older), prJob("d2", newer)).input as PullRequestInput;
    expect(merged.rival).toEqual(rival);
  });

  it("takes the action with the later PR: a late push is not the newest event", () => {
    const merged = mergeJobs(
      prJob("d1", { action: "labeled", pull: LATE }),
      prJob("d2", { action: "synchronize", previousSha: "z-sha", pull: EARLY }),
    ).input as PullRequestInput;
    expect(merged).toMatchObject({ action: "labeled", previousSha: "z-sha", pull: LATE });
  });

  it.each([
    [
      "the head before the first push",
      { previousSha: "x-sha" },
      { previousSha: "y-sha" },
      { previousSha: "x-sha" },
    ],
    ["just opened, if either was", { opened: true }, { opened: false }, { opened: true }],
  ] as const)("keeps %s", (_, older, newer, kept) => {
    const merged = mergeJobs(prJob("d1", older), prJob("d2", newer));
    expect(merged.input).toMatchObject(kept);
    expect(merged.deliveryId).toBe("d1");
  });
});

const snapshotAt = (updatedAt: string, labels: string[]): PullSnapshot => ({
  number: 7,
  title: "Scale out",
  state: "open",
  headSha: "abc",
  body: null,
  labels,
  milestone: null,
  htmlUrl: "https://github.com/acme/rocket/pull/7",
  updatedAt,
});

const queued = (input: Partial<PullRequestInput>, receivedAt: number): JobData => ({
  kind: "pull_request",
  deliveryId: `d${receivedAt}`,
  installationId: 1,
  repo: { owner: "acme", repo: "rocket" },
  input: { action: "labeled", number: 7, loweringBy: null, opened: false, ...input },
  coalesce: "pr#7:",
  receivedAt,
});

describe("mergeJobs keeps what the earlier event knew, and the later arrival", () => {
  it.each([
    [
      "keeps the head before the first push",
      queued({ action: "synchronize", previousSha: "first-before" }, 1),
      queued({ action: "synchronize", previousSha: "second-before" }, 2),
      { previousSha: "first-before" },
    ],
    [
      "keeps a push's head-before when a label event follows",
      queued({ action: "synchronize", previousSha: "before" }, 1),
      queued({ action: "labeled" }, 2),
      { previousSha: "before", action: "labeled" },
    ],
    [
      "keeps 'just opened'",
      queued({ action: "opened", opened: true }, 1),
      queued({}, 2),
      { opened: true },
    ],
    [
      "takes the newer snapshot of the PR",
      queued({ pull: snapshotAt("2026-01-01T00:00:01Z", ["a"]) }, 1),
      queued({ pull: snapshotAt("2026-01-01T00:00:02Z", ["b"]) }, 2),
      { pull: snapshotAt("2026-01-01T00:00:02Z", ["b"]) },
    ],
    [
      "keeps the newer snapshot when the later delivery carries an older one",
      queued({ pull: snapshotAt("2026-01-01T00:00:05Z", ["new"]) }, 1),
      queued({ pull: snapshotAt("2026-01-01T00:00:02Z", ["old"]) }, 2),
      { pull: snapshotAt("2026-01-01T00:00:05Z", ["new"]) },
    ],
  ])("%s", (_name, older, newer, expected) => {
    const merged = mergeJobs(older, newer);
    expect(merged.input).toMatchObject(expected);
    // The merged job answers the newer delivery too, in the older one's place in the queue.
    expect(merged.deliveryId).toBe(older.deliveryId);
    expect(merged.receivedAt).toBe(newer.receivedAt);
  });
});
