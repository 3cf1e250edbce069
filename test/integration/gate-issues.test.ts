import nock from "nock";
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
  replyInstallationRepos,
  replyNoOpenPulls,
  replyNotTeamMember,
  replyRole,
  replyTeamMember,
  TWO_APPROVERS,
} from "../helpers/replies.js";
import { type IssueSpec, issueCommentEvent, issueEvent } from "../helpers/webhooks.js";

// SPEC §3: every rule shows on one issue, the TWO_APPROVERS gate.

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => {
  expect(app.errors).toEqual([]);
  assertAllCalled();
});

function commentEvent(
  comment: Comment,
  issue: IssueSpec = GATE,
  action: "created" | "edited" | "deleted" = "created",
) {
  return issueCommentEvent(action, issue, { id: comment.id, body: comment.body, by: comment.by });
}

describe("gate commands", () => {
  it("counts one approval, says what is missing, and keeps the gate open (quorum 2)", async () => {
    const approve = { id: 11, body: "/approve looks feasible", by: "ana" };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", GATE, [approve]);
    replyNotTeamMember(scope, "ana");
    replyRole(scope, "ana", "maintain");
    const comments: string[] = [];
    expectComment(scope, comments);
    replyNoOpenPulls(scope);

    await app.receive("issue_comment", commentEvent(approve));

    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("Approval recorded (1/2)");
    expect(comments[0]).toContain("1 more approval");
  });

  it("closes the gate as completed when a second, distinct approver approves", async () => {
    const first = { id: 11, body: "/approve", by: "ana", at: "2026-11-20T10:00:00Z" };
    const second = { id: 12, body: "/APPROVE ship it", by: "ben", at: "2026-11-20T11:00:00Z" };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", GATE, [first, second]);
    replyTeamMember(scope, "ana");
    replyTeamMember(scope, "ben");
    const updates: Record<string, unknown>[] = [];
    expectIssueUpdate(scope, updates);
    // re-read after the close: closed by the app on ben's command
    replyGate(
      scope,
      "gate: crawl",
      {
        ...GATE,
        state: "closed",
        stateReason: "completed",
        closedBy: BOT,
        closedAt: "2026-11-20T11:00:05Z",
      },
      [first, second],
    );
    scope.post(`${REPO_PATH}/issues/1/labels`, { labels: ["gate: approved"] }).reply(200, []);
    const comments: string[] = [];
    expectComment(scope, comments);
    replyNoOpenPulls(scope);

    await app.receive("issue_comment", commentEvent(second));

    expect(updates).toEqual([{ state: "closed", state_reason: "completed" }]);
    expect(comments[0]).toContain("Gate approved");
    expect(comments[0]).toContain("| Decided by | @ben |");
    expect(comments[0]).toContain("Approvals (2/2)");
  });

  it("counts the same approver twice as one approval", async () => {
    const first = { id: 11, body: "/approve", by: "ana", at: "2026-11-20T10:00:00Z" };
    const again = { id: 12, body: "/approve again", by: "ana", at: "2026-11-20T11:00:00Z" };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", GATE, [first, again]);
    replyTeamMember(scope, "ana");
    const comments: string[] = [];
    expectComment(scope, comments);
    replyNoOpenPulls(scope);

    await app.receive("issue_comment", commentEvent(again));

    expect(comments[0]).toContain("Approval recorded (1/2)");
  });

  it("refuses a command from someone who may not approve, once, without changing anything", async () => {
    const approve = { id: 13, body: "/approve", by: "visitor" };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", GATE, [approve]);
    replyNotTeamMember(scope, "visitor");
    replyRole(scope, "visitor", null);
    const comments: string[] = [];
    expectComment(scope, comments);
    replyNoOpenPulls(scope);

    await app.receive("issue_comment", commentEvent(approve));

    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("@visitor, `/approve` was not counted");
    expect(comments[0]).toContain("members of @acme/leads");
  });

  it("stops the gate on /stop with a reason, and asks for a reason on a bare /stop", async () => {
    const bare = { id: 14, body: "/stop", by: "ana", at: "2026-11-20T10:00:00Z" };
    const stop = {
      id: 15,
      body: "/stop the pilot showed no demand",
      by: "ana",
      at: "2026-11-20T11:00:00Z",
    };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", GATE, [bare]);
    replyTeamMember(scope, "ana");
    const comments: string[] = [];
    expectComment(scope, comments);
    replyNoOpenPulls(scope);
    await app.receive("issue_comment", commentEvent(bare));
    expect(comments[0]).toContain("`/stop` needs a reason");

    const scope2 = scope; // the installation token is cached: no second token request
    replyConfig(scope2, TWO_APPROVERS);
    replyGate(scope2, "gate: crawl", GATE, [bare, stop]);
    replyTeamMember(scope2, "ana");
    const updates: Record<string, unknown>[] = [];
    expectIssueUpdate(scope2, updates);
    replyGate(
      scope2,
      "gate: crawl",
      {
        ...GATE,
        state: "closed",
        stateReason: "not_planned",
        closedBy: BOT,
        closedAt: "2026-11-20T11:00:05Z",
      },
      [bare, stop],
    );
    scope2.post(`${REPO_PATH}/issues/1/labels`, { labels: ["gate: stopped"] }).reply(200, []);
    expectComment(scope2, comments);
    replyNoOpenPulls(scope2);
    await app.receive("issue_comment", commentEvent(stop));

    expect(updates).toEqual([{ state: "closed", state_reason: "not_planned" }]);
    expect(comments[1]).toContain("Gate stopped");
    expect(comments[1]).toContain("| Reason | the pilot showed no demand |");
  });

  it("reopens an approved gate when an approver revokes and the quorum is lost", async () => {
    const a = { id: 11, body: "/approve", by: "ana", at: "2026-11-20T10:00:00Z" };
    const b = { id: 12, body: "/approve", by: "ben", at: "2026-11-20T11:00:00Z" };
    const record = {
      id: 20,
      body: "<!-- phase-gates:decision -->\n### ✅ Gate approved",
      by: BOT,
      at: "2026-11-20T11:00:06Z",
    };
    const revoke = { id: 21, body: "/revoke", by: "ben", at: "2026-11-21T09:00:00Z" };
    const closed = {
      ...GATE,
      state: "closed" as const,
      stateReason: "completed" as const,
      closedBy: BOT,
      closedAt: "2026-11-20T11:00:05Z",
      labels: ["gate: crawl", "gate: approved"],
    };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", closed, [a, b, record, revoke]);
    replyTeamMember(scope, "ana");
    replyTeamMember(scope, "ben");
    const updates: Record<string, unknown>[] = [];
    expectIssueUpdate(scope, updates);
    const comments: string[] = [];
    expectComment(scope, comments);
    replyGate(
      scope,
      "gate: crawl",
      {
        ...GATE,
        state: "open",
        stateReason: "reopened",
        labels: ["gate: crawl", "gate: approved"],
      },
      [a, b, record, revoke],
    );
    scope.delete(`${REPO_PATH}/issues/1/labels/gate%3A%20approved`).reply(200, []);
    const edits: string[] = [];
    scope
      .patch(
        `${REPO_PATH}/issues/comments/20`,
        (body: { body: string }) => edits.push(body.body) > 0,
      )
      .reply(200, {});
    replyNoOpenPulls(scope);

    await app.receive("issue_comment", commentEvent(revoke, closed));

    expect(updates).toEqual([{ state: "open" }]);
    expect(comments[0]).toContain(
      "The app's close of this gate no longer counts: the approval it was closed on was withdrawn",
    );
    expect(edits[0]).toContain("Gate pending again");
  });
});

describe("closing a gate issue", () => {
  it("reverts a close by someone who may not approve, saying who may", async () => {
    const closed = {
      ...GATE,
      state: "closed" as const,
      stateReason: "completed" as const,
      closedBy: "contributor",
    };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", closed);
    replyNotTeamMember(scope, "contributor");
    replyRole(scope, "contributor", "triage");
    const updates: Record<string, unknown>[] = [];
    expectIssueUpdate(scope, updates);
    const comments: string[] = [];
    expectComment(scope, comments);
    replyGate(scope, "gate: crawl", { ...GATE, state: "open", stateReason: "reopened" });
    replyNoOpenPulls(scope);

    await app.receive("issues", issueEvent("closed", closed, { sender: "contributor" }));

    expect(updates).toEqual([{ state: "open" }]);
    expect(comments[0]).toContain("@contributor closed this gate, but the close does not count");
    expect(comments[0]).toContain("not an authorized approver");
    expect(comments[0]).toContain(
      "**Who can approve:** members of @acme/leads; anyone with maintain permission or higher",
    );
  });

  it("counts the closer as one approval: one /approve plus an approver's close meets a quorum of 2", async () => {
    const a = { id: 11, body: "/approve", by: "ana", at: "2026-11-20T10:00:00Z" };
    const closed = {
      ...GATE,
      state: "closed" as const,
      stateReason: "completed" as const,
      closedBy: "ben",
    };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", closed, [a]);
    replyTeamMember(scope, "ana");
    replyTeamMember(scope, "ben");
    scope.post(`${REPO_PATH}/issues/1/labels`, { labels: ["gate: approved"] }).reply(200, []);
    const comments: string[] = [];
    expectComment(scope, comments);
    replyNoOpenPulls(scope);

    await app.receive("issues", issueEvent("closed", closed, { sender: "ben" }));

    expect(comments[0]).toContain("@ben (closed the issue)");
    expect(comments[0]).toContain("@ana ([/approve]");
  });

  it("reverts an approver's close while a criterion is unchecked", async () => {
    const unchecked = {
      ...GATE,
      body: "- [ ] Feasibility shown with evidence",
      state: "closed" as const,
      stateReason: "completed" as const,
      closedBy: "ben",
    };
    const a = { id: 11, body: "/approve", by: "ana" };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", unchecked, [a]);
    replyTeamMember(scope, "ana");
    replyTeamMember(scope, "ben");
    expectIssueUpdate(scope, []);
    const comments: string[] = [];
    expectComment(scope, comments);
    replyGate(scope, "gate: crawl", { ...unchecked, state: "open", stateReason: "reopened" }, [a]);
    replyNoOpenPulls(scope);

    await app.receive("issues", issueEvent("closed", unchecked, { sender: "ben" }));

    expect(comments[0]).toContain('1 unchecked criterion: "Feasibility shown with evidence"');
  });

  it.each([
    ["404: not a member, and write is below maintain", 404, "write"],
    ["500: fails closed, nobody passes a gate because GitHub erred", 500, "admin"],
  ])("treats a team membership %s", async (_, teamStatus, role) => {
    const closed = {
      ...GATE,
      state: "closed" as const,
      stateReason: "not_planned" as const,
      closedBy: "tm",
    };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", closed);
    replyNotTeamMember(scope, "tm", teamStatus);
    if (teamStatus === 404) replyRole(scope, "tm", role);
    else scope.get(`${REPO_PATH}/collaborators/tm/permission`).reply(500, { message: "boom" });
    const updates: Record<string, unknown>[] = [];
    expectIssueUpdate(scope, updates);
    expectComment(scope, []);
    replyGate(scope, "gate: crawl", { ...GATE, state: "open", stateReason: "reopened" });
    replyNoOpenPulls(scope);

    await app.receive("issues", issueEvent("closed", closed, { sender: "tm" }));

    expect(updates).toEqual([{ state: "open" }]);
  });

  it("removes a forged `gate: approved` label: the label decides nothing", async () => {
    const forged = { ...GATE, labels: ["gate: crawl", "gate: approved"] };
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", forged);
    scope.delete(`${REPO_PATH}/issues/1/labels/gate%3A%20approved`).reply(200, []);
    replyNoOpenPulls(scope);
    replyInstallationRepos(scope); // PRs elsewhere that close this issue: none

    await app.receive(
      "issues",
      issueEvent("labeled", forged, { sender: "contributor", label: "gate: approved" }),
    );
  });

  it("writes nothing when its own writes come back as webhooks", async () => {
    const a = { id: 11, body: "/approve", by: "ana", at: "2026-11-20T10:00:00Z" };
    const b = { id: 12, body: "/approve", by: "ben", at: "2026-11-20T11:00:00Z" };
    const approved = {
      ...GATE,
      state: "closed" as const,
      stateReason: "completed" as const,
      closedBy: BOT,
      closedAt: "2026-11-20T11:00:05Z",
    };
    // 1. the app's own close comes back: it labels the gate and writes the record
    const scope = githubScope();
    replyConfig(scope, TWO_APPROVERS);
    replyGate(scope, "gate: crawl", approved, [a, b]);
    replyTeamMember(scope, "ana");
    replyTeamMember(scope, "ben");
    scope.post(`${REPO_PATH}/issues/1/labels`, { labels: ["gate: approved"] }).reply(200, []);
    const records: string[] = [];
    expectComment(scope, records);
    replyNoOpenPulls(scope);
    await app.receive("issues", issueEvent("closed", approved, { sender: BOT }));
    assertAllCalled();

    // 2. its label and comment come back too: everything already matches, so nothing is written
    const labelled = { ...approved, labels: ["gate: crawl", "gate: approved"] };
    const record = { id: 20, body: records[0] ?? "", by: BOT, at: "2026-11-20T11:00:06Z" };
    const scope2 = nock("https://api.github.com");
    scope2.get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`).reply(304);
    replyGate(scope2, "gate: crawl", labelled, [a, b, record]);
    replyTeamMember(scope2, "ana");
    replyTeamMember(scope2, "ben");
    replyNoOpenPulls(scope2);
    replyInstallationRepos(scope2); // PRs elsewhere that close this issue: none
    await app.receive(
      "issues",
      issueEvent("labeled", labelled, { sender: BOT, label: "gate: approved" }),
    );
    // no POST/PATCH/DELETE mocked: any write would fail the job and the test
  });
});
