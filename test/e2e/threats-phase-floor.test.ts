import { describe, expect, it } from "vitest";
import { type Actors, CONFIG_PATH, createActors } from "../../sandbox/actors.js";
import type { CheckRunRecord } from "../../sandbox/emulator/index.js";
import { useSandbox } from "./sandbox.js";
import {
  BLOCKED,
  blockedRunPr,
  expectBlocked,
  HELD,
  heldAtFloor,
  THREAT_CONFIG,
} from "./threats-stories.js";

// Threat model (SECURITY.md), part 3: a PR's own phase and its config. The
// PR's author (a writer) tries to leave the gate behind by lowering the PR's
// phase, by pushing past it, by weakening the config in the PR, by a check
// of their own, or through a config the repository extends.
const sandbox = useSandbox();

/**
 * Held at Run by the floor: once the app is done, still blocked, and the
 * summary says so and who may lower it.
 */
async function expectHeld(gh: Actors, pr: number): Promise<void> {
  await heldAtFloor(gh, pr);
  const check = await expectBlocked(gh, pr);
  expect(check.output.summary).toContain(HELD);
  expect(check.output.summary).toContain("Who may: Walk gate: anyone with maintain permission");
}

function waitForMilestone(gh: Actors, title: string) {
  return gh.waitFor(() => gh.repo().milestones.some((m) => m.title === title), {
    what: `the app to create the ${title} milestone`,
  });
}

describe("a PR's phase is never lowered past a gate by its author", { timeout: 120_000 }, () => {
  it("the author removes `phase: run` from the blocked Run PR: it stays blocked, held at its phase floor", async () => {
    const { gh, runPr } = await blockedRunPr(sandbox, "floorlabel");

    await gh.removeLabel(runPr, "phase: run", { by: "writer" });

    await expectHeld(gh, runPr);
  });

  it("the author moves the blocked Run PR to the Crawl milestone: it stays blocked, held at its phase floor", async () => {
    const { gh, runPr } = await blockedRunPr(sandbox, "floormilestone");
    await waitForMilestone(gh, "Crawl");

    await gh.setMilestone(runPr, "Crawl", { by: "writer" });

    await gh.waitFor(() => gh.labelsOf(runPr).includes("phase: crawl"), {
      what: "the app to label the PR with its milestone's phase",
    });
    await expectHeld(gh, runPr);
  });

  it("the author deletes the `Closes #N` line of a Run issue from the PR's body: it stays blocked, held at its phase floor", async () => {
    const { gh } = await blockedRunPr(sandbox, "floorbody");
    const plan = (await gh.openIssue({ title: "Launch plan", labels: ["phase: run"], by: "lead" }))
      .number;
    const pr = (
      await gh.openPullRequest({
        title: "Launch for real",
        body: `Ready to go.\n\nCloses #${plan}`,
        by: "writer",
      })
    ).number;
    await gh.waitForCheck(pr, { title: BLOCKED });

    await gh.editIssueBody(pr, "Ready to go.", { by: "writer" });

    await expectHeld(gh, pr);
  });

  it("the lead, an approver of the Walk gate, removes `phase: run`: the PR's phase is lowered and it passes", async () => {
    const { gh, runPr } = await blockedRunPr(sandbox, "floorlead");

    await gh.removeLabel(runPr, "phase: run", { by: "lead" });

    const check = await gh.waitForCheck(runPr, { conclusion: "success" });
    expect(check.output.title).toBe("No phase");
    expect(check.output.summary ?? "").not.toContain(HELD);
  });

  it("the floor survives a push: the author removes `phase: run`, then pushes a commit; the new head is still blocked", async () => {
    const { gh, runPr } = await blockedRunPr(sandbox, "floorpush");
    await gh.removeLabel(runPr, "phase: run", { by: "writer" });
    await expectHeld(gh, runPr);
    const oldHead = gh.issue(runPr).pull?.headSha;

    const newHead = await gh.pushCommit(runPr, { by: "writer" });

    expect(newHead).not.toBe(oldHead);
    await expectHeld(gh, runPr);
    expect(gh.latestCheck(runPr)?.head_sha).toBe(newHead);
  });

  // Events out of order: the `unlabeled` job runs after the push and is the
  // first to see the new head, before the `synchronize` job carries the floor.
  it("the floor survives a push made right after the label is removed, before the app has caught up", async () => {
    const { gh, runPr } = await blockedRunPr(sandbox, "floorrace");
    await gh.settle();

    await gh.removeLabel(runPr, "phase: run", { by: "writer" });
    const newHead = await gh.pushCommit(runPr, { by: "writer" });

    await gh.settle();
    const check = gh.latestCheck(runPr);
    expect(check?.head_sha).toBe(newHead);
    expect(check).toMatchObject({ conclusion: "failure", output: { title: BLOCKED } });
    expect(check?.output.summary).toContain(HELD);
  });
});

/** Drops the Walk gate: a valid config under which a Run PR would pass. */
const WEAKENED_CONFIG = `phases:
  - id: crawl
    name: Crawl
  - id: walk
    name: Walk
  - id: run
    name: Run
dashboard: false
`;

describe("the config that decides is the default branch's", { timeout: 120_000 }, () => {
  it("a Run PR that drops the Walk gate from .github/phase-gates.yml is still blocked by the default branch's config", async () => {
    const gh = await sandbox.get().repo("weakened/app", THREAT_CONFIG, {
      lead: "maintain",
      writer: "write",
    });
    const pr = (
      await gh.openPullRequest({
        title: "Simplify the gates",
        labels: ["phase: run"],
        files: { [CONFIG_PATH]: WEAKENED_CONFIG },
        by: "writer",
      })
    ).number;

    const check = await gh.waitForCheck(pr, { conclusion: "failure" });
    expect(check.output.title).toBe(BLOCKED);
    await expectBlocked(gh, pr);
  });

  it("a PR whose .github/phase-gates.yml is invalid fails with the errors annotated on the file, and still shows the default branch's gates", async () => {
    const gh = await sandbox.get().repo("brokenpr/app", THREAT_CONFIG, {
      lead: "maintain",
      writer: "write",
    });
    const pr = (
      await gh.openPullRequest({
        title: "Loosen the gates",
        labels: ["phase: run"],
        files: { [CONFIG_PATH]: "phases:\n  - id: crawl\n    gaet: {}\n" },
        by: "writer",
      })
    ).number;

    const check = await gh.waitForCheck(pr, { title: "Invalid .github/phase-gates.yml" });
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain(BLOCKED);
    expect(check.output.annotations).toContainEqual(
      expect.objectContaining({ path: CONFIG_PATH, annotation_level: "failure" }),
    );
  });
});

/** GitHub Actions' app id: a workflow's check runs belong to it, not to phase-gates. */
const ACTIONS_APP_ID = 15368;

describe("checks and configs from elsewhere", { timeout: 120_000 }, () => {
  it("a workflow posts its own green `Phase gate` check (claiming a Crawl floor) on the blocked Run PR: the app's own check on that SHA still fails and never adopts the other run", async () => {
    const { gh, runPr } = await blockedRunPr(sandbox, "forgedcheck");
    const { emu } = sandbox.get();
    const sha = gh.issue(runPr).pull?.headSha ?? "";
    const ours = (): CheckRunRecord | undefined =>
      gh.checkRunsFor(sha).find((r) => r.app_id === emu.state.app.id);
    // The emulator creates every check run as this app, so the workflow's run
    // is put on the record directly, as GitHub would keep it: another app's id.
    const now = new Date().toISOString();
    const forged: CheckRunRecord = {
      id: emu.state.nextId(),
      name: "Phase gate",
      head_sha: sha,
      status: "completed",
      conclusion: "success",
      started_at: now,
      completed_at: now,
      details_url: null,
      external_id: "phase-gates:floor=crawl",
      output: { title: "Run: gates approved", summary: "All good.", text: null, annotations: [] },
      actions: [],
      app_id: ACTIONS_APP_ID,
      check_suite_id: emu.state.nextId(),
      created_at: now,
    };
    gh.repo().checkRuns.push(forged);

    // The author then lowers the PR's phase, hoping the forged floor is read.
    await gh.removeLabel(runPr, "phase: run", { by: "writer" });

    await gh.waitFor(() => ours()?.output.summary?.includes(HELD), {
      what: "the app's own check to say the PR is held at its floor",
    });
    await gh.settle();
    expect(ours()).toMatchObject({ conclusion: "failure", output: { title: BLOCKED } });
    expect(forged).toMatchObject({ conclusion: "success", external_id: "phase-gates:floor=crawl" });
    const touched = emu.requestLog.entries.filter((e) =>
      e.path.endsWith(`/check-runs/${forged.id}`),
    );
    expect(touched).toEqual([]);
  });

  // Only the same owner is trusted: another account could widen the gates at will.
  it("`_extends` naming another owner's repository is refused without reading it: the check fails on the config", async () => {
    const attacker = createActors(sandbox.get().emu, { repo: "evil-corp/gates" });
    attacker.repo();
    await attacker.pushConfig(WEAKENED_CONFIG, { by: "mallory" });
    const gh = await sandbox
      .get()
      .repo("trusting/app", "_extends: evil-corp/gates\n", { lead: "maintain", writer: "write" });
    const pr = (await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "writer" }))
      .number;

    const check = await gh.waitForCheck(pr, { title: "Invalid .github/phase-gates.yml" });
    expect(check.conclusion).toBe("failure");
    expect(check.output.summary).toContain("_extends");
    expect(check.output.summary).toContain("evil-corp/gates");
    expect(check.output.summary).toContain("another account");
    await gh.settle();
    const readsOfOtherOwner = sandbox
      .get()
      .emu.requestLog.entries.filter((e) => e.path.includes("/repos/evil-corp/"));
    expect(readsOfOtherOwner.map((e) => `${e.method} ${e.path}`)).toEqual([]);
  });
});
