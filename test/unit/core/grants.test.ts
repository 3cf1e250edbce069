import { describe, expect, it } from "vitest";
import { describeMissingGrant, missingGrants } from "../../../src/core/grants.js";

const ASKED = {
  permissions: { checks: "write", issues: "write", merge_queues: "read", metadata: "read" },
  events: ["pull_request", "merge_group", "issues"],
};

describe("missingGrants: what an installation accepted against what app.yml asks", () => {
  it.each([
    [
      "everything, and more",
      { ...ASKED.permissions, administration: "read" },
      [...ASKED.events, "push"],
      [],
    ],
    [
      "write where read is asked",
      { ...ASKED.permissions, merge_queues: "write" },
      ASKED.events,
      [],
    ],
    [
      "an owner who never accepted merge_queues",
      { checks: "write", issues: "write", metadata: "read" },
      ["pull_request", "issues"],
      ["merge_queues: read asked, none accepted", "event merge_group not subscribed"],
    ],
    [
      "read where write is asked",
      { ...ASKED.permissions, checks: "read" },
      ASKED.events,
      ["checks: write asked, read accepted"],
    ],
  ])("%s", (_what, permissions, events, missing) => {
    const found = missingGrants(ASKED, { permissions, events }).map(describeMissingGrant);
    expect(found).toHaveLength(missing.length);
    missing.forEach((m, i) => {
      expect(found[i]).toContain(m);
    });
  });

  it("says what is lost without merge_queues: no merge groups", () => {
    const [m] = missingGrants(ASKED, {
      permissions: { checks: "write", issues: "write", metadata: "read" },
      events: ASKED.events,
    });
    expect(m && describeMissingGrant(m)).toBe(
      "merge_queues: read asked, none accepted: GitHub sends no merge_group events: a merge queue waits forever for a Phase gate check",
    );
  });
});
