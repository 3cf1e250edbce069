import { describe, expect, it } from "vitest";
import type { PullRequestInput, PullSnapshot } from "../../../src/app/handlers/pull-request.js";
import { mergeJobs } from "../../../src/app/jobs/coalesce.js";
import type { JobData } from "../../../src/app/jobs/job.js";

const snapshot = (updatedAt: string, labels: string[]): PullSnapshot => ({
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

const job = (input: Partial<PullRequestInput>, receivedAt: number): JobData => ({
  kind: "pull_request",
  deliveryId: `d${receivedAt}`,
  installationId: 1,
  repo: { owner: "acme", repo: "rocket" },
  input: { action: "labeled", number: 7, loweringBy: null, opened: false, ...input },
  coalesce: "pr#7:",
  receivedAt,
});

describe("mergeJobs: two waiting evaluations of one PR become one", () => {
  it.each([
    [
      "keeps the head before the first push",
      job({ action: "synchronize", previousSha: "first-before" }, 1),
      job({ action: "synchronize", previousSha: "second-before" }, 2),
      { previousSha: "first-before" },
    ],
    [
      "keeps a push's head-before when a label event follows",
      job({ action: "synchronize", previousSha: "before" }, 1),
      job({ action: "labeled" }, 2),
      { previousSha: "before", action: "labeled" },
    ],
    [
      "keeps 'just opened'",
      job({ action: "opened", opened: true }, 1),
      job({}, 2),
      { opened: true },
    ],
    [
      "takes the newer snapshot of the PR",
      job({ pull: snapshot("2026-01-01T00:00:01Z", ["a"]) }, 1),
      job({ pull: snapshot("2026-01-01T00:00:02Z", ["b"]) }, 2),
      { pull: snapshot("2026-01-01T00:00:02Z", ["b"]) },
    ],
    [
      "keeps the newer snapshot when the later delivery carries an older one",
      job({ pull: snapshot("2026-01-01T00:00:05Z", ["new"]) }, 1),
      job({ pull: snapshot("2026-01-01T00:00:02Z", ["old"]) }, 2),
      { pull: snapshot("2026-01-01T00:00:05Z", ["new"]) },
    ],
  ])("%s", (_name, older, newer, expected) => {
    const merged = mergeJobs(older, newer);
    expect(merged.input).toMatchObject(expected);
    // The merged job answers the newer delivery too, in the older one's place in the queue.
    expect(merged.deliveryId).toBe(older.deliveryId);
    expect(merged.receivedAt).toBe(newer.receivedAt);
  });
});
