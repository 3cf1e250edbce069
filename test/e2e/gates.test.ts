import { beforeAll, describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { gateIssue, STORY_CONFIG, useSandbox } from "./sandbox.js";

// The real app server (lib/start.js) against the GitHub
// emulator: people act through the actors, GitHub's webhooks reach the app
// signed, and every assertion reads the emulator's state.
const sandbox = useSandbox();

describe("Crawl → Walk → Run on acme/rocket", { timeout: 180_000 }, () => {
  let gh: Actors;
  let crawlPr: number;
  let runPr: number;
  let crawlGate: number;
  let walkGate: number;

  beforeAll(async () => {
    gh = await sandbox.get().repo("acme/rocket", STORY_CONFIG);
  }, 60_000);

  it("passes a Crawl PR: the first phase is never blocked", async () => {
    crawlPr = (
      await gh.openPullRequest({
        title: "Spike the engine",
        labels: ["phase: crawl"],
        by: "contrib",
      })
    ).number;
    const check = await gh.waitForCheck(crawlPr, { conclusion: "success" });
    expect(check.name).toBe("Phase gate");
    expect(check.status).toBe("completed");
  });

  it("blocks a Run PR, naming the Walk gate it waits for and linking every gate issue", async () => {
    crawlGate = await gateIssue(gh, "gate: crawl");
    walkGate = await gateIssue(gh, "gate: walk");
    runPr = (await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "contrib" }))
      .number;
    const check = await gh.waitForCheck(runPr, { conclusion: "failure" });
    expect(check.output.title).toBe("Blocked: Walk gate pending");
    const summary = check.output.summary ?? "";
    expect(summary).toContain(`/acme/rocket/issues/${crawlGate}`);
    expect(summary).toContain(`/acme/rocket/issues/${walkGate}`);
    expect(summary).toMatch(/Run/);
  });

  it("reverts a close by someone who may not approve, and stays blocked", async () => {
    const before = gh.commentsOn(walkGate).length;
    await gh.closeIssue(walkGate, { by: "contrib", reason: "completed" });
    const reopened = await gh.waitFor(
      () => gh.issue(walkGate).state === "open" && gh.issue(walkGate),
      {
        what: "the app to reopen the Walk gate closed by a triager",
      },
    );
    expect(reopened.state_reason).toBe("reopened");
    const comment = await gh.waitFor(
      () =>
        gh
          .commentsOn(walkGate)
          .slice(before)
          .find((c) => c.user.login === "phase-gates[bot]"),
      { what: "the app's comment on the reverted close" },
    );
    // Who may approve: the comment names the people or the permission.
    expect(comment.body).toMatch(/maintain|@lead/);
    const check = gh.latestCheck(runPr);
    expect(check?.conclusion).toBe("failure");
  });

  it("turns the Run PR green without a push when the lead approves Crawl then Walk", async () => {
    const pullRequestEventsBefore = sandbox
      .get()
      .emu.webhooks.deliveries.filter((d) => d.event === "pull_request").length;
    const headBefore = gh.issue(runPr).pull?.headSha;

    await gh.tickCriteria(crawlGate, { by: "lead" });
    await gh.closeIssue(crawlGate, { by: "lead", reason: "completed" });
    const walkPending = await gh.waitForCheck(runPr, { title: "Blocked: Walk gate pending" });
    expect(walkPending.conclusion).toBe("failure");
    expect(gh.issue(crawlGate).state).toBe("closed");

    await gh.tickCriteria(walkGate, { by: "lead" });
    await gh.closeIssue(walkGate, { by: "lead", reason: "completed" });
    const green = await gh.waitForCheck(runPr, { conclusion: "success" });
    expect(green.output.title).toMatch(/approved/i);

    expect(gh.issue(runPr).pull?.headSha).toBe(headBefore);
    const pullRequestEventsAfter = sandbox
      .get()
      .emu.webhooks.deliveries.filter((d) => d.event === "pull_request").length;
    expect(pullRequestEventsAfter).toBe(pullRequestEventsBefore);
    // The gates stay closed: the closes counted.
    expect(gh.issue(crawlGate)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(gh.issue(walkGate)).toMatchObject({ state: "closed", state_reason: "completed" });
  });

  it("blocks again when the Walk gate is reopened", async () => {
    await gh.reopenIssue(walkGate, { by: "lead" });
    const check = await gh.waitForCheck(runPr, { conclusion: "failure" });
    expect(check.output.title).toBe("Blocked: Walk gate pending");
  });

  it("re-approves with /approve from the lead", async () => {
    await gh.comment(walkGate, "/approve users are happy", { by: "lead" });
    await gh.waitFor(() => gh.issue(walkGate).state === "closed", {
      what: "the app to close the Walk gate on /approve",
    });
    expect(gh.issue(walkGate).state_reason).toBe("completed");
    await gh.waitForCheck(runPr, { conclusion: "success" });
  });

  it("refuses /approve from someone who may not approve", async () => {
    await gh.reopenIssue(crawlGate, { by: "lead" });
    await gh.waitForCheck(runPr, { title: "Blocked: Crawl gate pending" });
    const before = gh.commentsOn(crawlGate).length;
    await gh.comment(crawlGate, "/approve", { by: "contrib" });
    await gh.waitFor(
      () =>
        gh
          .commentsOn(crawlGate)
          .slice(before)
          .find((c) => c.user.login === "phase-gates[bot]"),
      { what: "the app's refusal of an unauthorized /approve" },
    );
    expect(gh.issue(crawlGate).state).toBe("open");
    expect(gh.latestCheck(runPr)?.conclusion).toBe("failure");
    // A Crawl PR is never blocked, whatever happens to the gates.
    expect(gh.latestCheck(crawlPr)?.conclusion).toBe("success");
  });
});

describe("stopping an experiment", { timeout: 180_000 }, () => {
  it('blocks a PR behind a gate stopped with /stop, with "stopped" in the title', async () => {
    const gh = await sandbox.get().repo("lunar/moonshot", STORY_CONFIG);
    const crawlGate = await gateIssue(gh, "gate: crawl");
    const walkPr = (
      await gh.openPullRequest({ title: "Walk it", labels: ["phase: walk"], by: "contrib" })
    ).number;
    await gh.waitForCheck(walkPr, { title: "Blocked: Crawl gate pending" });

    await gh.comment(crawlGate, "/stop the numbers do not add up", { by: "lead" });
    const closed = await gh.waitFor(
      () => gh.issue(crawlGate).state === "closed" && gh.issue(crawlGate),
      {
        what: "the app to close the Crawl gate as not planned on /stop",
      },
    );
    expect(closed.state_reason).toBe("not_planned");
    const check = await gh.waitForCheck(walkPr, { title: "Blocked: Crawl gate stopped" });
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("the numbers do not add up");
  });

  it("counts a close as not planned by the lead as a stop", async () => {
    const gh = await sandbox.get().repo("parked/lab", STORY_CONFIG);
    const crawlGate = await gateIssue(gh, "gate: crawl");
    const walkPr = (
      await gh.openPullRequest({ title: "Walk it", labels: ["phase: walk"], by: "contrib" })
    ).number;
    await gh.waitForCheck(walkPr, { conclusion: "failure" });
    await gh.closeIssue(crawlGate, { by: "lead", reason: "not_planned" });
    await gh.waitForCheck(walkPr, { title: "Blocked: Crawl gate stopped" });
    expect(gh.issue(crawlGate)).toMatchObject({ state: "closed", state_reason: "not_planned" });
  });
});

describe("merge queue", { timeout: 180_000 }, () => {
  it("reports Phase gate on the merge group, evaluated against the gates as they are now", async () => {
    const gh = await sandbox.get().repo("queue/app", STORY_CONFIG);
    const crawlGate = await gateIssue(gh, "gate: crawl");
    const walkGate = await gateIssue(gh, "gate: walk");
    const runPr = (
      await gh.openPullRequest({ title: "Ship", labels: ["phase: run"], by: "contrib" })
    ).number;
    for (const gate of [crawlGate, walkGate]) {
      await gh.tickCriteria(gate, { by: "lead" });
      await gh.closeIssue(gate, { by: "lead", reason: "completed" });
    }
    await gh.waitForCheck(runPr, { conclusion: "success" });

    const groupSha = await gh.enqueueInMergeQueue(runPr, { by: "lead" });
    const passed = await gh.waitFor(
      () => gh.checkRunsFor(groupSha).find((r) => r.status === "completed"),
      {
        what: "a completed Phase gate check on the merge group",
      },
    );
    expect(passed.conclusion).toBe("success");

    // A gate reopened after the PR was queued fails its next merge group.
    await gh.reopenIssue(walkGate, { by: "lead" });
    await gh.waitForCheck(runPr, { conclusion: "failure" });
    const secondSha = await gh.enqueueInMergeQueue(runPr, { by: "lead" });
    const failed = await gh.waitFor(
      () => gh.checkRunsFor(secondSha).find((r) => r.status === "completed"),
      {
        what: "a completed Phase gate check on the second merge group",
      },
    );
    expect(failed.conclusion).toBe("failure");
  });
});
