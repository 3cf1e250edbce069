import type nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  REPO_PATH,
  replyConfig,
  type TestApp,
} from "../helpers/app.js";
import {
  BOT,
  type Comment,
  expectComment,
  expectIssueUpdate,
  GATE,
  replyGate,
  replyNoOpenPulls,
  replyTeamMember,
  TWO_APPROVERS,
} from "../helpers/replies.js";
import { type IssueSpec, issueCommentEvent } from "../helpers/webhooks.js";

// SPEC §3: editing or deleting an `/approve` comment re-evaluates the gate. Quorum of 2.

/** The two approvals the app closed the gate on, and its decision record. */
const ANA = { id: 11, body: "/approve", by: "ana", at: "2026-11-20T10:00:00Z" };
const BEN = { id: 12, body: "/approve", by: "ben", at: "2026-11-20T11:00:00Z" };
const RECORD = {
  id: 20,
  body: "<!-- phase-gates:decision -->\n\n### ✅ Gate approved: Crawl → Run",
  by: BOT,
  at: "2026-11-20T11:00:06Z",
};
/** Closed as completed by the app on ben's `/approve`, labelled approved. */
const APPROVED: IssueSpec = {
  ...GATE,
  state: "closed",
  stateReason: "completed",
  closedBy: BOT,
  closedAt: "2026-11-20T11:00:05Z",
  labels: ["gate: crawl", "gate: approved"],
};

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => {
  expect(app.errors).toEqual([]);
  assertAllCalled();
});

interface Seen {
  updates: Record<string, unknown>[];
  comments: string[];
  recordEdits: string[];
}

/**
 * The writes that undo an approval the app closed the gate on, and the re-read
 * between them: reopen, say why, drop the display label, update the record.
 */
function expectWithdrawal(scope: nock.Scope, commentsNow: Comment[]): Seen {
  const seen: Seen = { updates: [], comments: [], recordEdits: [] };
  // PATCH the gate issue: reopen it
  expectIssueUpdate(scope, seen.updates);
  // POST a comment on the gate: why it was reopened
  expectComment(scope, seen.comments);
  // the gate re-read after the reopen: open, still labelled approved
  replyGate(
    scope,
    "gate: crawl",
    { ...APPROVED, state: "open", stateReason: "reopened", closedBy: undefined },
    commentsNow,
  );
  // DELETE the `gate: approved` display label
  scope.delete(`${REPO_PATH}/issues/1/labels/gate%3A%20approved`).reply(200, []);
  // PATCH the app's decision record (comment 20)
  scope
    .patch(
      `${REPO_PATH}/issues/comments/20`,
      (b: { body: string }) => seen.recordEdits.push(b.body) > 0,
    )
    .reply(200, {});
  // the open PRs behind the gate, to re-check
  replyNoOpenPulls(scope);
  return seen;
}

function expectReopenedAsPending(seen: Seen): void {
  expect(seen.updates).toEqual([{ state: "open" }]);
  expect(seen.comments).toHaveLength(1);
  expect(seen.comments[0]).toContain("<!-- phase-gates:close-reverted -->");
  expect(seen.comments[0]).toContain("the approval it was closed on was withdrawn");
  expect(seen.comments[0]).toContain(
    "**Still needed:** 1 more approval from an authorized approver (1/2).",
  );
  expect(seen.recordEdits).toHaveLength(1);
  expect(seen.recordEdits[0]).toContain("<!-- phase-gates:decision -->");
  expect(seen.recordEdits[0]).toContain("Gate pending again");
  expect(seen.recordEdits[0]).toContain("| Approvals (1/2) | @ana ([/approve]");
  expect(seen.recordEdits[0]).not.toContain("@ben");
}

describe("editing or deleting an /approve comment", () => {
  it("reopens a gate closed on that quorum when an /approve is deleted", async () => {
    const commentsNow = [ANA, RECORD]; // ben's /approve is gone
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, TWO_APPROVERS);
    // the gate as it is now: closed by the app, one /approve left
    replyGate(scope, "gate: crawl", APPROVED, commentsNow);
    // ana, the one approver left, is in acme/leads
    replyTeamMember(scope, "ana");
    const seen = expectWithdrawal(scope, commentsNow);

    await app.receive(
      "issue_comment",
      issueCommentEvent("deleted", { ...APPROVED, comments: 3 }, BEN),
    );

    expectReopenedAsPending(seen);
  });

  it("reopens a gate closed on that quorum when an /approve is edited into plain text", async () => {
    const edited = { ...BEN, body: "Looks promising, but let me re-run the benchmark first." };
    const commentsNow = [ANA, edited, RECORD];
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, TWO_APPROVERS);
    // the gate as it is now: closed by the app, ben's comment no longer a command
    replyGate(scope, "gate: crawl", APPROVED, commentsNow);
    // ana, the one approver left, is in acme/leads (ben no longer has a command: not looked up)
    replyTeamMember(scope, "ana");
    const seen = expectWithdrawal(scope, commentsNow);

    const event = issueCommentEvent("edited", { ...APPROVED, comments: 3 }, edited);
    event.changes = { body: { from: BEN.body } };
    await app.receive("issue_comment", event);

    expectReopenedAsPending(seen);
  });

  // Fixed: the reopen comment blames a remaining approver for the close. The app closed the
  // gate (on ben's `/approve`); after ben's approval is deleted, readGate's decidingCommand
  // (src/github/gate-issues.ts) resolves `closedBy` to ana, the latest approval still
  // standing, and reconcileGate (src/app/recipes/gate-flow.ts, step 2) passes that to
  // closeRevertedComment, which says "@ana closed this gate, but the close does not count"
  // and pings ana, who neither closed the gate nor withdrew anything.
  it("does not say a remaining approver closed the gate when another's /approve is deleted", async () => {
    const commentsNow = [ANA, RECORD];
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, TWO_APPROVERS);
    // the gate as it is now: closed by the app, one /approve left
    replyGate(scope, "gate: crawl", APPROVED, commentsNow);
    // ana, the one approver left, is in acme/leads
    replyTeamMember(scope, "ana");
    const seen = expectWithdrawal(scope, commentsNow);

    await app.receive(
      "issue_comment",
      issueCommentEvent("deleted", { ...APPROVED, comments: 3 }, BEN),
    );

    expect(seen.comments[0]).toContain("the approval it was closed on was withdrawn");
    expect(seen.comments[0]).not.toContain("@ana closed this gate");
  });

  it("only reads when a comment that is not a command is edited on an open gate", async () => {
    const chat = { id: 13, body: "Benchmarks attached.", by: "carl", at: "2026-11-20T12:00:00Z" };
    const commentsNow = [ANA, chat];
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, TWO_APPROVERS);
    // the open gate and its comments
    replyGate(scope, "gate: crawl", GATE, commentsNow);
    // ana's /approve is tallied: her membership is looked up
    replyTeamMember(scope, "ana");
    // the open PRs behind the gate, to re-check
    replyNoOpenPulls(scope);
    // no POST/PATCH/DELETE mocked: any write would fail the job and the test

    const event = issueCommentEvent("edited", { ...GATE, comments: 2 }, chat);
    event.changes = { body: { from: "Benchmarks soon." } };
    await app.receive("issue_comment", event);
  });
});
