import { describe, expect, it } from "vitest";
import { useSandbox } from "./sandbox.js";
import {
  APP_LOGIN,
  appComment,
  BLOCKED,
  blockedRunPr,
  expectBlocked,
  leadApproves,
  MARK,
  PEOPLE,
  reopenedByApp,
  THREAT_CONFIG,
} from "./threats-stories.js";

// Threat model (SECURITY.md), part 2: who decides a gate. Closes, commands
// and approvals by anyone below approver — or by another bot, or through an
// edited or deleted comment — never turn the Run PR green.
const sandbox = useSandbox();

/** The Walk gate needs two approvers; `lead` and `lead2` may approve. */
const QUORUM_CONFIG = THREAT_CONFIG.replace(
  "        - Early users tried it\n",
  "        - Early users tried it\n      approvals: 2\n",
);

describe("only an approver, or the app on an approver's command, decides", {
  timeout: 120_000,
}, () => {
  it("another bot's close: after the lead's premature /approve and a writer ticking the criterion, github-actions[bot] closes the Walk gate; the app reopens it and the Run PR stays blocked", async () => {
    const { gh, walkGate, runPr } = await blockedRunPr(sandbox, "actionsbot");
    // Criterion unchecked: the app answers that the approval is not enough yet.
    const approve = await gh.comment(walkGate, "/approve", { by: "lead" });
    await gh.waitFor(
      () =>
        gh
          .commentsOn(walkGate)
          .find((c) => c.user.login === APP_LOGIN && c.body.includes(String(approve.id))),
      { what: "the app's answer that the criterion is still unchecked" },
    );
    await gh.tickCriteria(walkGate, { by: "writer" });
    await gh.settle();

    await gh.closeIssue(walkGate, { by: "github-actions[bot]", reason: "completed" });

    await reopenedByApp(gh, walkGate);
    const comment = await appComment(gh, walkGate, MARK.closeReverted);
    expect(comment.body).toContain("@github-actions[bot]");
    expect(comment.body).toContain("bot");
    await expectBlocked(gh, runPr);
  });

  it("a new round: the lead approves, then reopens the Walk gate; github-actions[bot] closes it as completed and the old /approve does not count", async () => {
    const story = await blockedRunPr(sandbox, "newround");
    const { gh, walkGate, runPr } = story;
    await leadApproves(story);

    await gh.reopenIssue(walkGate, { by: "lead" });
    await gh.waitForCheck(runPr, { title: BLOCKED });
    await gh.settle();
    const revertsBefore = gh
      .commentsOn(walkGate)
      .filter((c) => c.body.includes(MARK.closeReverted)).length;

    await gh.closeIssue(walkGate, { by: "github-actions[bot]", reason: "completed" });

    await reopenedByApp(gh, walkGate);
    await gh.waitFor(
      () =>
        gh.commentsOn(walkGate).filter((c) => c.body.includes(MARK.closeReverted)).length >
        revertsBefore,
      { what: "the app's comment on the bot's close" },
    );
    await expectBlocked(gh, runPr);
  });

  it("/approve by a writer is refused: the Walk gate stays open and the Run PR blocked", async () => {
    const { gh, walkGate, runPr } = await blockedRunPr(sandbox, "writerapprove");
    await gh.tickCriteria(walkGate, { by: "writer" });

    const approve = await gh.comment(walkGate, "/approve", { by: "writer" });

    const refusal = await appComment(gh, walkGate, MARK.refusal(approve.id));
    expect(refusal.body).toContain("@writer");
    expect(refusal.body).toContain("maintain");
    await expectBlocked(gh, runPr);
    expect(gh.issue(walkGate).state).toBe("open");
  });

  it.each([
    ["triager", "contrib", "unauthtriage"],
    ["writer", "writer", "unauthwrite"],
  ])(
    "a close as completed by a %s is reverted: reopened with a comment, the Run PR stays blocked",
    async (_role, login, owner) => {
      const { gh, walkGate, runPr } = await blockedRunPr(sandbox, owner);
      await gh.tickCriteria(walkGate, { by: login });

      await gh.closeIssue(walkGate, { by: login, reason: "completed" });

      await reopenedByApp(gh, walkGate);
      const comment = await appComment(gh, walkGate, MARK.closeReverted);
      expect(comment.body).toContain(`@${login}`);
      expect(comment.body).toContain("not an authorized approver");
      await expectBlocked(gh, runPr);
    },
  );

  it("edited approval: a writer edits the lead's old 'LGTM' into /approve; it does not count and the app asks for a new comment", async () => {
    const { gh, walkGate, runPr } = await blockedRunPr(sandbox, "editlgtm");
    await gh.tickCriteria(walkGate, { by: "lead" });
    const lgtm = await gh.comment(walkGate, "LGTM", { by: "lead" });
    await gh.settle();

    await gh.editComment(lgtm.id, "/approve", { by: "writer" });

    const answer = await appComment(gh, walkGate, MARK.edited(lgtm.id));
    expect(answer.body).toContain("post a new comment");
    await expectBlocked(gh, runPr);
    expect(gh.issue(walkGate).state).toBe("open");
  });

  it("edited approval with a quorum of 2: a writer edits the lead's /approve; the second approver's /approve leaves the gate one approval short", async () => {
    expect(QUORUM_CONFIG).toContain("approvals: 2");
    const { gh, walkGate, runPr } = await blockedRunPr(sandbox, "editquorum", {
      config: QUORUM_CONFIG,
      people: { ...PEOPLE, lead2: "maintain" },
    });
    await gh.tickCriteria(walkGate, { by: "lead" });
    const first = await gh.comment(walkGate, "/approve", { by: "lead" });
    await gh.settle();

    await gh.editComment(first.id, "/approve ship it", { by: "writer" });
    await appComment(gh, walkGate, MARK.edited(first.id));
    await gh.comment(walkGate, "/approve", { by: "lead2" });

    await expectBlocked(gh, runPr);
    expect(gh.issue(walkGate).state).toBe("open");
  });

  it("deleted approval: the /approve the Walk gate was closed on is deleted; the app reopens the gate and the Run PR is blocked again", async () => {
    const story = await blockedRunPr(sandbox, "deleted");
    const { gh, walkGate, runPr } = story;
    const approve = await leadApproves(story);

    await gh.deleteComment(approve.id, { by: "writer" });

    await reopenedByApp(gh, walkGate);
    const comment = await appComment(gh, walkGate, MARK.closeReverted);
    expect(comment.body).toContain("withdrawn");
    await gh.waitForCheck(runPr, { title: BLOCKED });
    await expectBlocked(gh, runPr);
  });
});
