import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  assertAllCalled,
  githubScope,
  REPO_PATH,
  replyConfig,
  replyFiles,
  useTestApp,
} from "../helpers/app.js";
import {
  type CheckBody,
  expectCreate,
  expectUpdate,
  replyCommits,
  replyExistingCheck,
  replyGate,
  replyNoCheckYet,
  replyRole,
} from "../helpers/replies.js";
import { API, issueObject, milestone, pullObject, pullRequestEvent } from "../helpers/webhooks.js";

// SPEC §2 "Phase floor": a PR's phase is never lowered by someone who is not an
// approver of a gate it would skip; the floor lives in the check run's external_id.

const DEFAULTS = "# defaults: Crawl → Walk → Run\n";
const CRAWL_GATE = { number: 1, title: "Gate: Crawl → Walk", labels: ["gate: crawl"] };
const WALK_GATE = { number: 2, title: "Gate: Walk → Run", labels: ["gate: walk"] };
/** PR #10 after its `phase: run` label was removed. */
const UNLABELLED = { number: 10, labels: [], headSha: "run-sha" };
/** What the app last wrote on PR #10's head: blocked, floor Run. */
const BLOCKED_AT_RUN = {
  conclusion: "failure",
  title: "Blocked: Walk gate pending",
  summary: "…",
  externalId: "phase-gates:floor=run",
};

const app = useTestApp();

describe("the phase floor", () => {
  it("keeps a Run PR blocked when a writer removes its phase label, and says who may lower it", async () => {
    const written: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    // the app's run on the head: the floor it remembered
    replyExistingCheck(scope, "run-sha", 55, BLOCKED_AT_RUN);
    // the gates before Run, both pending
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    // who removed the label: a writer, not an approver of the gates it would skip
    replyRole(scope, "writer", "write");
    replyFiles(scope, 10);
    expectUpdate(scope, 55, written);

    await app().receive(
      "pull_request",
      pullRequestEvent(
        "unlabeled",
        { ...UNLABELLED, by: "writer" },
        { label: { name: "phase: run" } },
      ),
    );

    expect(written[0]?.conclusion).toBe("failure");
    expect(written[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(written[0]?.output.summary).toContain("**Phase:** Run (held: its phase floor)");
    expect(written[0]?.output.summary).toContain(
      "not made by an approver of the **Crawl**, **Walk** gates",
    );
    expect(written[0]?.external_id).toBe("phase-gates:floor=run");
  });

  it("lowers the phase when an approver removes the label", async () => {
    const written: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyExistingCheck(scope, "run-sha", 55, BLOCKED_AT_RUN);
    // the lead has maintain: an approver of both gates (looked up once)
    replyRole(scope, "lead", "maintain");
    replyFiles(scope, 10);
    expectUpdate(scope, 55, written);

    await app().receive(
      "pull_request",
      pullRequestEvent(
        "unlabeled",
        { ...UNLABELLED, by: "lead" },
        { label: { name: "phase: run" } },
      ),
    );

    expect(written[0]?.conclusion).toBe("success");
    expect(written[0]?.output.title).toBe("No phase");
    expect(written[0]?.external_id).toBe("phase-gates:floor=");
  });

  it("lowers the phase when an approver removes the milestone: the PR is checked as the label sync left it", async () => {
    const written: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    // the label sync: the PR as the issues API has it now, and the label its old milestone implied
    scope
      .get(`${REPO_PATH}/issues/10`)
      .reply(200, { ...issueObject({ number: 10, labels: ["phase: run"] }), pull_request: {} });
    scope.delete(`${REPO_PATH}/issues/10/labels/phase%3A%20run`).reply(200, []);
    // the PR after the sync: its payload still shows the label the sync removed
    scope.get(`${REPO_PATH}/pulls/10`).reply(200, pullObject(UNLABELLED));
    replyExistingCheck(scope, "run-sha", 55, BLOCKED_AT_RUN);
    // the lead has maintain: an approver of both gates (looked up once)
    replyRole(scope, "lead", "maintain");
    replyFiles(scope, 10);
    expectUpdate(scope, 55, written);

    await app().receive(
      "pull_request",
      pullRequestEvent(
        "demilestoned",
        { ...UNLABELLED, labels: ["phase: run"], by: "lead" },
        { milestone: milestone("Run") },
      ),
    );

    expect(written[0]?.output.title).toBe("No phase");
    expect(written[0]?.external_id).toBe("phase-gates:floor=");
  });

  it("does not credit a lowering to the sender of an event that cannot lower (a label added)", async () => {
    const written: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyExistingCheck(scope, "run-sha", 55, BLOCKED_AT_RUN);
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyFiles(scope, 10);
    expectUpdate(scope, 55, written);

    // the lead adds an unrelated label after a writer removed `phase: run`
    await app().receive(
      "pull_request",
      pullRequestEvent(
        "labeled",
        { ...UNLABELLED, labels: ["docs"], by: "lead" },
        { label: { name: "docs" } },
      ),
    );

    expect(written[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(written[0]?.output.summary).toContain("held: its phase floor");
  });

  it("carries the floor to a new head when the PR is pushed to", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    const pushed = { ...UNLABELLED, headSha: "new-sha" };
    replyConfig(scope, DEFAULTS);
    // a head just pushed carries no run of ours (not asked); the floor comes from the head before the push
    replyExistingCheck(scope, "run-sha", 55, BLOCKED_AT_RUN);
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyFiles(scope, 10);
    expectCreate(scope, "new-sha", created);

    await app().receive(
      "pull_request",
      pullRequestEvent("synchronize", { ...pushed, by: "writer" }, { before: "run-sha" }),
    );

    expect(created[0]?.conclusion).toBe("failure");
    expect(created[0]?.external_id).toBe("phase-gates:floor=run");
  });

  it("finds the floor on an earlier commit when a push raced the label removal", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    const pushed = { ...UNLABELLED, headSha: "new-sha" };
    // the label is removed after the push, and that event is handled before the push's:
    // its PR already has the new head, where the app has no run yet
    replyConfig(scope, DEFAULTS);
    replyNoCheckYet(scope, "new-sha");
    // the PR's commits: the app's run on the one before the head holds the floor
    replyCommits(scope, 10, ["first-sha", "run-sha", "new-sha"]);
    replyExistingCheck(scope, "run-sha", 55, BLOCKED_AT_RUN);
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyRole(scope, "writer", "write");
    replyFiles(scope, 10);
    expectCreate(scope, "new-sha", created);

    await app().receive(
      "pull_request",
      pullRequestEvent("unlabeled", { ...pushed, by: "writer" }, { label: { name: "phase: run" } }),
    );

    expect(created[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(created[0]?.external_id).toBe("phase-gates:floor=run");
  });

  it("keeps the higher floor when a new head already has a lower one", async () => {
    const written: CheckBody[] = [];
    const scope = githubScope();
    const pushed = { ...UNLABELLED, headSha: "new-sha" };
    // A force-push whose event comes late: a later label event on the new head is handled
    // first and writes "No phase" there (run-sha is no longer among the PR's commits).
    // The app knows a pushed head's run only from what it wrote itself (it does not ask).
    replyConfig(scope, DEFAULTS);
    replyNoCheckYet(scope, "new-sha");
    replyCommits(scope, 10, ["new-sha"]);
    replyFiles(scope, 10);
    expectCreate(scope, "new-sha", written);
    await app().receive(
      "pull_request",
      pullRequestEvent(
        "labeled",
        { ...pushed, labels: ["docs"], by: "writer", updatedAt: "2026-11-25T10:00:02Z" },
        { label: { name: "docs" } },
      ),
    );
    expect(written.map((w) => [w.output.title, w.external_id])).toEqual([
      ["No phase", "phase-gates:floor="],
    ]);
    assertAllCalled();

    // the push: the head before it says Run
    const later = nock(API); // the installation token is cached
    replyConfig(later, DEFAULTS);
    replyExistingCheck(later, "run-sha", 55, BLOCKED_AT_RUN);
    replyGate(later, "gate: crawl", CRAWL_GATE);
    replyGate(later, "gate: walk", WALK_GATE);
    expectUpdate(later, 99, written); // the run the label event created on the new head
    await app().receive(
      "pull_request",
      pullRequestEvent(
        "synchronize",
        { ...pushed, by: "writer", updatedAt: "2026-11-25T10:00:01Z" },
        { before: "run-sha" },
      ),
    );

    expect(written[1]?.output.title).toBe("Blocked: Walk gate pending");
    expect(written[1]?.external_id).toBe("phase-gates:floor=run");
  });
  describe("from the PR's newest run the store knows (no read of older runs)", () => {
    /** A Run PR's check with both gates pending: the config, the gates, the head's files. */
    function replyRunChecked(scope: nock.Scope): void {
      replyConfig(scope, DEFAULTS);
      replyGate(scope, "gate: crawl", CRAWL_GATE);
      replyGate(scope, "gate: walk", WALK_GATE);
      replyFiles(scope, 10);
    }
    const push = (before: string, headSha: string, second: number) =>
      pullRequestEvent(
        "synchronize",
        { ...UNLABELLED, headSha, by: "writer", updatedAt: `2026-11-25T10:00:0${second}Z` },
        { before },
      );

    /** A push the app handles from the start: the floor from the run before it (read), written on new-sha. */
    async function firstPush(written: CheckBody[]): Promise<void> {
      const scope = githubScope();
      replyRunChecked(scope);
      replyExistingCheck(scope, "run-sha", 55, BLOCKED_AT_RUN);
      expectCreate(scope, "new-sha", written);
      await app().receive("pull_request", push("run-sha", "new-sha", 1));
      assertAllCalled();
    }

    it("a second push reads no run before it: the floor is the PR's newest run", async () => {
      const written: CheckBody[] = [];
      await firstPush(written);
      const later = nock(API);
      replyRunChecked(later);
      // no GET …/commits/new-sha/check-runs: any request not stated here fails the test
      expectCreate(later, "third-sha", written);
      await app().receive("pull_request", push("new-sha", "third-sha", 2));
      assertAllCalled();
      expect(written.map((w) => [w.head_sha, w.external_id])).toEqual([
        ["new-sha", "phase-gates:floor=run"],
        ["third-sha", "phase-gates:floor=run"],
      ]);
    });

    it("an event on a head not checked yet reads no run and lists no earlier commits: the floor is the PR's newest run", async () => {
      const written: CheckBody[] = [];
      await firstPush(written);
      const later = nock(API);
      // a label removal handled before the push to third-sha that it raced;
      // no run read on third-sha either: the app's runs on this PR all pass through the store
      replyRunChecked(later);
      replyRole(later, "writer", "write");
      // no GET …/pulls/10/commits, no run read on earlier commits
      expectCreate(later, "third-sha", written);
      await app().receive(
        "pull_request",
        pullRequestEvent(
          "unlabeled",
          { ...UNLABELLED, headSha: "third-sha", by: "writer", updatedAt: "2026-11-25T10:00:02Z" },
          { label: { name: "phase: run" } },
        ),
      );
      assertAllCalled();
      expect(written[1]?.output.title).toBe("Blocked: Walk gate pending");
      expect(written[1]?.external_id).toBe("phase-gates:floor=run");
    });

    it("a push while the config is invalid carries the floor to the new head", async () => {
      const written: CheckBody[] = [];
      await firstPush(written);
      const later = nock(API);
      replyConfig(later, "phases: [", '"cfg2"');
      // the config is broken: no gate is read, and the PR's own config is not inspected
      expectCreate(later, "third-sha", written);
      await app().receive("pull_request", push("new-sha", "third-sha", 2));
      assertAllCalled();
      expect(written[1]?.output.title).toBe("Invalid .github/phase-gates.yml");
      expect(written[1]?.external_id).toBe("phase-gates:floor=run");
    });
  });
});
