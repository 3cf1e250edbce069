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
  reopenedByApp,
  WALK_CRITERION,
} from "./threats-stories.js";

// Threat model (SECURITY.md), part 1: which issue is the gate's review
// record, and what it says. Each story is an attempt by someone below
// approver to make a gate read as approved; each runs on its own owner.
const sandbox = useSandbox();

describe("the gate issue is the one an approver or the app labelled", { timeout: 120_000 }, () => {
  it("label hijack: a writer labels the lead's closed 'Fix typo' issue as the Walk gate; the app takes the label off and the Run PR stays blocked", async () => {
    const { gh, walkGate, runPr } = await blockedRunPr(sandbox, "hijack");
    const typo = (await gh.openIssue({ title: "Fix typo", by: "lead" })).number;
    await gh.closeIssue(typo, { by: "lead", reason: "completed" });

    await gh.addLabel(typo, "gate: walk", { by: "writer" });

    const comment = await appComment(gh, typo, MARK.impostor);
    expect(comment.body).toContain("@writer");
    expect(comment.body).toContain(`#${walkGate}`);
    await gh.waitFor(() => !gh.labelsOf(typo).includes("gate: walk"), {
      what: "the app to remove the gate label from 'Fix typo'",
    });
    await expectBlocked(gh, runPr);
    expect(gh.issue(walkGate).state).toBe("open");
  });

  it("label removal: a writer takes the gate label off the open Walk gate so an older approved one would stand in; the app puts it back and the Run PR stays blocked", async () => {
    const story = await blockedRunPr(sandbox, "unlabel");
    const { gh, runPr } = story;
    // An earlier round: the first Walk gate issue was approved and stays closed.
    const oldGate = story.walkGate;
    await leadApproves(story);
    // The lead opens a new review; the Run PR waits for it.
    const newGate = (
      await gh.openIssue({
        title: "Gate: Walk → Run (second review)",
        body: `- [ ] ${WALK_CRITERION}`,
        labels: ["gate: walk"],
        by: "lead",
      })
    ).number;
    await gh.waitForCheck(runPr, { title: "Blocked: Walk gate pending" });

    await gh.removeLabel(newGate, "gate: walk", { by: "writer" });

    const comment = await appComment(gh, newGate, MARK.restored);
    expect(comment.body).toContain("@writer");
    await gh.waitFor(() => gh.labelsOf(newGate).includes("gate: walk"), {
      what: "the app to put the gate label back",
    });
    const check = await expectBlocked(gh, runPr);
    expect(check.output.summary).toContain(`/issues/${newGate}`);
    expect(gh.issue(oldGate)).toMatchObject({ state: "closed", state_reason: "completed" });
  });

  // Between the writer's removal and the app's restore, the newest issue
  // carrying the label is the old approved one; a re-check in that window (here:
  // the PR's `labeled` job, delivered just before) must not take it as the gate:
  // the repository's recent issue events show the real one lost its label.
  it("label removal racing another event: the Run PR never turns green, even for a moment", async () => {
    const story = await blockedRunPr(sandbox, "unlabelrace");
    const { gh, runPr } = story;
    await leadApproves(story);
    const newGate = (
      await gh.openIssue({
        title: "Gate: Walk → Run (second review)",
        body: `- [ ] ${WALK_CRITERION}`,
        labels: ["gate: walk"],
        by: "lead",
      })
    ).number;
    await gh.waitForCheck(runPr, { title: BLOCKED });
    await gh.settle();
    const conclusions: string[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const run = gh.latestCheck(runPr);
        const seen = `${run?.conclusion}: ${run?.output.title}`;
        if (conclusions.at(-1) !== seen) conclusions.push(seen);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await gh.addLabel(runPr, "docs", { by: "writer" });
    await gh.removeLabel(newGate, "gate: walk", { by: "writer" });

    await appComment(gh, newGate, MARK.restored);
    await gh.settle();
    watching = false;
    await watch;
    expect(conclusions).toEqual([`failure: ${BLOCKED}`]);
  });

  it("display label: a writer adds `gate: approved` to the open Walk gate; the app removes it and the Run PR stays blocked", async () => {
    const { gh, walkGate, runPr } = await blockedRunPr(sandbox, "displaylabel");

    await gh.addLabel(walkGate, "gate: approved", { by: "writer" });

    await gh.waitFor(() => !gh.labelsOf(walkGate).includes("gate: approved"), {
      what: "the app to remove the hand-made decision label",
    });
    const removal = gh
      .eventsOf(walkGate)
      .find((e) => e.event === "unlabeled" && e.label.name === "gate: approved");
    expect(removal?.actor.login).toBe(APP_LOGIN);
    await expectBlocked(gh, runPr);
    expect(gh.issue(walkGate).state).toBe("open");
  });

  it("criteria: a writer deletes the criterion from the Walk gate's body, the lead closes it as completed; the close does not count and the gate is reopened", async () => {
    const { gh, walkGate, runPr } = await blockedRunPr(sandbox, "criteria");
    const body = gh.issue(walkGate).body ?? "";
    expect(body).toContain(WALK_CRITERION);
    const withoutCriterion = body
      .split("\n")
      .filter((line) => !line.includes(WALK_CRITERION))
      .join("\n");
    await gh.editIssueBody(walkGate, withoutCriterion, { by: "writer" });

    await gh.closeIssue(walkGate, { by: "lead", reason: "completed" });

    await reopenedByApp(gh, walkGate);
    const comment = await appComment(gh, walkGate, MARK.closeReverted);
    expect(comment.body).toContain(WALK_CRITERION);
    expect(comment.body).toContain("missing from the issue");
    await expectBlocked(gh, runPr);
  });
});
