import { describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";
import {
  BLOCKED,
  expectBlocked,
  HELD,
  heldAtFloor,
  PEOPLE,
  THREAT_CONFIG,
} from "./threats-stories.js";

// SPEC §2 "Parent issues": a PR that closes a sub-issue of a Run epic is Run,
// and so held by the Walk gate, without anyone labelling the PR or the task.
// Reports refresh from issue activity at most every half second here (a minute by default).
const sandbox = useSandbox({ env: { DASHBOARD_INTERVAL_MS: "500" } });

interface EpicStory {
  gh: Actors;
  epic: number;
  task: number;
  pr: number;
}

/** A Run epic, a task with no phase of its own linked under it by the lead, and the writer's PR closing the task. */
async function runEpicTaskPr(owner: string): Promise<EpicStory> {
  const gh = await sandbox.get().repo(`${owner}/app`, THREAT_CONFIG, PEOPLE);
  await gh.waitFor(() => gh.issueWithLabel("gate: walk"), { what: "the Walk gate issue" });
  const epic = (await gh.openIssue({ title: "Launch epic", labels: ["phase: run"], by: "lead" }))
    .number;
  const task = (await gh.openIssue({ title: "Wire the launch button", by: "lead" })).number;
  await gh.addSubIssue(epic, task, { by: "lead" });
  const pr = (
    await gh.openPullRequest({ title: "Launch button", body: `Closes #${task}`, by: "writer" })
  ).number;
  await gh.waitForCheck(pr, { title: BLOCKED });
  return { gh, epic, task, pr };
}

describe("a PR's phase from the parent issues of the issue it closes", { timeout: 120_000 }, () => {
  it("a PR closing a sub-issue of a Run epic is Run: blocked by the Walk gate, and the check says where the phase came from", async () => {
    const { gh, epic, task, pr } = await runEpicTaskPr("subinherit");

    const check = await expectBlocked(gh, pr);
    expect(check.output.summary).toContain(`linked issue [#${task}]`);
    expect(check.output.summary).toContain(`inherited from [#${epic}]`);
  });

  it("a triager detaches the Run sub-issue from its epic: the PR is held at its phase floor", async () => {
    const { gh, epic, task, pr } = await runEpicTaskPr("subtriage");

    await gh.removeSubIssue(epic, task, { by: "contrib" });

    await heldAtFloor(gh, pr);
    const check = await expectBlocked(gh, pr);
    expect(check.output.summary).toContain(HELD);
  });

  it("an approver detaches the Run sub-issue from its epic: the PR's phase is lowered and it passes", async () => {
    const { gh, epic, task, pr } = await runEpicTaskPr("sublead");

    await gh.removeSubIssue(epic, task, { by: "lead" });

    const check = await gh.waitForCheck(pr, { conclusion: "success" });
    expect(check.output.summary).not.toContain(HELD);
  });

  it("a triager takes `phase: run` off the epic: the PR below it is held at its phase floor", async () => {
    const { gh, epic, pr } = await runEpicTaskPr("subunlabel");

    await gh.removeLabel(epic, "phase: run", { by: "contrib" });

    await heldAtFloor(gh, pr);
    await expectBlocked(gh, pr);
  });

  it("a task linked under a Run epic after its PR was checked re-checks the PR: it turns Run and blocked", async () => {
    const gh = await sandbox.get().repo("sublater/app", THREAT_CONFIG, PEOPLE);
    const epic = (await gh.openIssue({ title: "Launch epic", labels: ["phase: run"], by: "lead" }))
      .number;
    const task = (await gh.openIssue({ title: "Wire it", by: "lead" })).number;
    const pr = (await gh.openPullRequest({ title: "Wire", body: `Fixes #${task}`, by: "writer" }))
      .number;
    await gh.waitForCheck(pr, { conclusion: "success", title: "No phase" });

    await gh.addSubIssue(epic, task, { by: "contrib" });

    await gh.waitForCheck(pr, { title: BLOCKED });
    // One link change, two deliveries: both answered.
    const deliveries = sandbox
      .get()
      .emu.webhooks.deliveries.filter((d) => d.event === "sub_issues" && d.repo === "sublater/app");
    expect(deliveries.map((d) => d.action).sort()).toEqual([
      "parent_issue_added",
      "sub_issue_added",
    ]);
    expect(deliveries.every((d) => d.status !== null && d.status < 300)).toBe(true);
  });

  it("labelling an epic Run re-checks the PRs that close the issues below it", async () => {
    const gh = await sandbox.get().repo("sublabel/app", THREAT_CONFIG, PEOPLE);
    const epic = (await gh.openIssue({ title: "Epic", by: "lead" })).number;
    const story = (await gh.openIssue({ title: "Story", by: "lead" })).number;
    const task = (await gh.openIssue({ title: "Task", by: "lead" })).number;
    await gh.addSubIssue(epic, story, { by: "lead" });
    await gh.addSubIssue(story, task, { by: "lead" });
    const pr = (await gh.openPullRequest({ title: "Task", body: `Closes #${task}`, by: "writer" }))
      .number;
    await gh.waitForCheck(pr, { conclusion: "success", title: "No phase" });

    await gh.addLabel(epic, "phase: run", { by: "lead" });

    const check = await gh.waitForCheck(pr, { title: BLOCKED });
    expect(check.output.summary).toContain(`inherited from [#${epic}]`);
  });

  it("the dashboard counts a task under a Run epic in Run, inherited from the epic", async () => {
    const gh = await sandbox.get().repo("subdash/app", STORY_CONFIG);
    await gh.waitFor(() => gh.dashboard(), { what: "the dashboard issue" });
    const epic = (await gh.openIssue({ title: "Epic", labels: ["phase: run"], by: "lead" })).number;
    const task = (await gh.openIssue({ title: "Task", by: "lead" })).number;

    await gh.addSubIssue(epic, task, { by: "lead" });

    await gh.waitFor(
      () => (gh.dashboard()?.body ?? "").includes(`· 1 open, 0 closed inherited from #${epic} |`),
      { what: "the dashboard to count the task in Run, inherited from the epic" },
    );
  });

  it("parent links that loop (GitHub refuses them; the sandbox's back door makes one): the check completes and says where it stopped", async () => {
    const gh = await sandbox.get().repo("subcycle/app", THREAT_CONFIG, PEOPLE);
    const a = (await gh.openIssue({ title: "A", by: "lead" })).number;
    const b = (await gh.openIssue({ title: "B", by: "lead" })).number;
    gh.forceParent(a, b);
    gh.forceParent(b, a);

    const pr = (await gh.openPullRequest({ title: "A", body: `Closes #${a}`, by: "writer" }))
      .number;

    const check = await gh.waitForCheck(pr, { conclusion: "success" });
    expect(check.output.summary).toContain(
      `The parent issues of linked issue #${a} loop back to #${a}`,
    );
  });

  it("a chain of parents deeper than 8 levels: the walk stops after 8, the check completes and says where", async () => {
    const gh = await sandbox.get().repo("subdeep/app", THREAT_CONFIG, PEOPLE);
    const chain: number[] = [];
    for (let i = 0; i < 11; i++)
      chain.push((await gh.openIssue({ title: `Level ${i}`, by: "lead" })).number);
    const top = chain.at(-1) as number;
    await gh.addLabel(top, "phase: run", { by: "lead" });
    for (let i = 0; i + 1 < chain.length; i++)
      gh.forceParent(chain[i] as number, chain[i + 1] as number);

    const pr = (
      await gh.openPullRequest({ title: "Deep", body: `Closes #${chain[0]}`, by: "writer" })
    ).number;

    const check = await gh.waitForCheck(pr, { conclusion: "success" });
    expect(check.output.summary).toContain(
      `were followed 8 levels up and stopped before #${chain[9]}`,
    );
  });
});
