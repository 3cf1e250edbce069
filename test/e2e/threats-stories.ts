import { expect } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import type { CheckRunRecord, CommentRecord } from "../../sandbox/emulator/index.js";
import { gateIssue, type Sandbox } from "./sandbox.js";

// Shared setup of the threat-model stories (SECURITY.md): one repository per
// story, a Walk gate with one criterion, and a writer's Run PR that it blocks.

/**
 * Crawl has no gate, so a Run PR waits on the Walk gate alone and every story
 * reads "Blocked: Walk gate pending". No dashboard: fewer writes per story.
 */
export const THREAT_CONFIG = `phases:
  - id: crawl
    name: Crawl
    milestone: Crawl
  - id: walk
    name: Walk
    milestone: Walk
    gate:
      criteria:
        - Early users tried it
  - id: run
    name: Run
    milestone: Run
dashboard: false
`;

export const WALK_CRITERION = "Early users tried it";

/** The lead may approve (default `permission: maintain`); the writer and the triager may not. */
export const PEOPLE = { lead: "maintain", writer: "write", contrib: "triage" };

export const APP_LOGIN = "phase-gates[bot]";
export const BLOCKED = "Blocked: Walk gate pending";
export const HELD = "held: its phase floor";

/** Markers of the comments the app writes when it defends a gate. */
export const MARK = {
  impostor: "<!-- phase-gates:impostor -->",
  restored: "<!-- phase-gates:label-restored -->",
  closeReverted: "<!-- phase-gates:close-reverted -->",
  refusal: (commentId: number) => `<!-- phase-gates:refusal:${commentId} -->`,
  edited: (commentId: number) => `<!-- phase-gates:edited:${commentId} -->`,
};

export interface Story {
  gh: Actors;
  walkGate: number;
  runPr: number;
}

/** A repository where the writer's Run PR is blocked by the app-created Walk gate issue. */
export async function blockedRunPr(
  sandbox: { get: () => Sandbox },
  owner: string,
  options: { config?: string; people?: Record<string, string> } = {},
): Promise<Story> {
  const gh = await sandbox
    .get()
    .repo(`${owner}/app`, options.config ?? THREAT_CONFIG, options.people ?? PEOPLE);
  const walkGate = await gateIssue(gh, "gate: walk");
  const runPr = (
    await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "writer" })
  ).number;
  await gh.waitForCheck(runPr, { title: BLOCKED });
  return { gh, walkGate, runPr };
}

/** The app's comment on `issue` that carries `marker`. */
export function appComment(gh: Actors, issue: number, marker: string): Promise<CommentRecord> {
  return gh.waitFor(
    () => gh.commentsOn(issue).find((c) => c.user.login === APP_LOGIN && c.body.includes(marker)),
    { what: `the app's comment ${marker} on #${issue}` },
  );
}

/** Once the app has gone quiet: the PR's latest check is still the Walk gate's block. */
export async function expectBlocked(gh: Actors, pr: number): Promise<CheckRunRecord> {
  await gh.settle();
  const check = gh.latestCheck(pr);
  expect(check?.status).toBe("completed");
  expect(check?.conclusion).toBe("failure");
  expect(check?.output.title).toBe(BLOCKED);
  return check as CheckRunRecord;
}

/** Waits for the issue to be open again (the app reopening a close that does not count). */
export function reopenedByApp(gh: Actors, issue: number) {
  return gh.waitFor(() => gh.issue(issue).state === "open" && gh.issue(issue), {
    what: `the app to reopen #${issue}`,
  });
}

/** Waits for the PR's latest check to say it is held at its phase floor. */
export function heldAtFloor(gh: Actors, pr: number): Promise<CheckRunRecord> {
  return gh.waitFor(
    () => {
      const run = gh.latestCheck(pr);
      return run?.status === "completed" && run.output.summary?.includes(HELD) ? run : undefined;
    },
    { what: `#${pr}'s check to say it is held at its phase floor` },
  );
}

/** The lead approves the Walk gate the ordinary way: tick the criterion, then `/approve`. */
export async function leadApproves(story: Story): Promise<CommentRecord> {
  const { gh, walkGate, runPr } = story;
  await gh.tickCriteria(walkGate, { by: "lead" });
  const approve = await gh.comment(walkGate, "/approve users are happy", { by: "lead" });
  await gh.waitFor(() => gh.issue(walkGate).state === "closed", {
    what: "the app to close the Walk gate on the lead's /approve",
  });
  await gh.waitForCheck(runPr, { conclusion: "success" });
  return approve;
}
