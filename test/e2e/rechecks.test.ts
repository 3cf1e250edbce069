import { describe, expect, it } from "vitest";
import { createActors } from "../../sandbox/actors.js";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";

// SPEC §4 "Re-evaluation": every change that can alter a verdict re-checks
// exactly the PRs it affects — config removed, the owner's `.github` config,
// linked issues in other repositories, issues linked in the sidebar, re-runs.
// The real app process against the sandbox; verdicts read from the emulator.
// A PR's list of the issues it closes is kept LINKED_ISSUES_MAX_AGE_MS (a minute by
// default); a short one here, so the sidebar test waits seconds, not a minute.
const LINKED_ISSUES_MAX_AGE_MS = 1500;
const sandbox = useSandbox({ env: { LINKED_ISSUES_MAX_AGE_MS: String(LINKED_ISSUES_MAX_AGE_MS) } });

const BLOCKED = "Blocked: Walk gate pending";

describe("what re-checks a pull request", { timeout: 180_000 }, () => {
  it("config deleted: every open PR gets one final 'Not configured' success, then nothing", async () => {
    const gh = await sandbox.get().repo("gone/app", STORY_CONFIG);
    const pr = (await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "lead" }))
      .number;
    await gh.waitForCheck(pr, { title: BLOCKED });

    await gh.pushConfig(null, { by: "lead" });
    const released = await gh.waitForCheck(pr, { conclusion: "success", title: "Not configured" });
    expect(released.output.summary).toContain("not configured for this repository");

    const writes = sandbox.get().emu.requestLog.writes().length;
    await gh.addLabel(pr, "docs", { by: "lead" });
    await gh.settle();
    expect(sandbox.get().emu.requestLog.writes().length).toBe(writes);
  });

  it("the owner's .github config pushed: the repository that inherits it is re-checked, one with its own config is not", async () => {
    const { emu } = sandbox.get();
    const org = createActors(emu, { repo: "orgcfg/.github", waitTimeoutMs: 60_000 });
    const inherits = createActors(emu, { repo: "orgcfg/app", waitTimeoutMs: 60_000 });
    const own = createActors(emu, { repo: "orgcfg/own", waitTimeoutMs: 60_000 });
    for (const a of [org, inherits, own]) {
      a.repo();
      a.addCollaborator("lead", "maintain");
    }
    await org.pushConfig("dashboard: false\n", { by: "lead" });
    await own.pushConfig("dashboard: false\n", { by: "lead" });
    await org.installApp(["orgcfg/.github", "orgcfg/app", "orgcfg/own"], { by: "lead" });
    const prHere = (await inherits.openPullRequest({ title: "No phase", by: "lead" })).number;
    const prOwn = (await own.openPullRequest({ title: "No phase either", by: "lead" })).number;
    await inherits.waitForCheck(prHere, { title: "No phase" });
    await own.waitForCheck(prOwn, { title: "No phase" });

    await org.pushConfig("dashboard: false\nunphased: block\n", { by: "lead" });

    await inherits.waitForCheck(prHere, {
      conclusion: "failure",
      title: "Blocked: no phase label",
    });
    await org.settle();
    expect(own.latestCheck(prOwn)?.output.title).toBe("No phase");
  });

  it("an issue in another repository of the installation relabelled: the PR that closes it is re-checked", async () => {
    const { emu } = sandbox.get();
    const api = createActors(emu, { repo: "cross/api", waitTimeoutMs: 60_000 });
    const web = createActors(emu, { repo: "cross/web", waitTimeoutMs: 60_000 });
    for (const a of [api, web]) {
      a.repo();
      a.addCollaborator("lead", "maintain");
      await a.pushConfig(STORY_CONFIG, { by: "lead" });
    }
    await api.installApp(["cross/api", "cross/web"], { by: "lead" });
    const issue = (await api.openIssue({ title: "Scale it", labels: ["phase: crawl"], by: "lead" }))
      .number;
    const pr = (
      await web.openPullRequest({ title: "Scale", body: `Closes cross/api#${issue}`, by: "lead" })
    ).number;
    await web.waitForCheck(pr, { conclusion: "success", title: "Crawl: first phase" });

    await api.removeLabel(issue, "phase: crawl", { by: "lead" });
    await api.addLabel(issue, "phase: run", { by: "lead" });

    const check = await web.waitForCheck(pr, { conclusion: "failure", title: BLOCKED });
    expect(check.output.summary).toContain(`cross/api#${issue}`);
  });

  it("an issue linked in the PR's Development sidebar puts the PR in its phase, from the first event once the PR's list is due again", async () => {
    const gh = await sandbox.get().repo("sidebar/app", STORY_CONFIG);
    const issue = (await gh.openIssue({ title: "Launch it", labels: ["phase: run"], by: "lead" }))
      .number;
    const pr = (await gh.openPullRequest({ title: "Launch", body: "No keyword.", by: "lead" }))
      .number;
    await gh.waitForCheck(pr, { title: "No phase" });

    // GitHub sends no webhook for it: it counts from the first PR event once the
    // PR's list (read for the check above) is LINKED_ISSUES_MAX_AGE_MS old.
    gh.linkIssue(pr, `#${issue}`);
    await new Promise((resolve) => setTimeout(resolve, LINKED_ISSUES_MAX_AGE_MS + 100));
    await gh.addLabel(pr, "docs", { by: "lead" });

    const check = await gh.waitForCheck(pr, { conclusion: "failure", title: BLOCKED });
    expect(check.output.summary).toContain(`#${issue}`);
  });

  it("a re-run from GitHub's UI writes a new completed run, even when nothing changed", async () => {
    const gh = await sandbox.get().repo("rerun/app", STORY_CONFIG);
    const pr = (await gh.openPullRequest({ title: "Spike", labels: ["phase: crawl"], by: "lead" }))
      .number;
    const first = await gh.waitForCheck(pr, { conclusion: "success" });

    await gh.rerequestCheck(pr, { by: "lead" });

    const again = await gh.waitFor(
      () => {
        const run = gh.latestCheck(pr);
        return run && run.id !== first.id && run.status === "completed" && run;
      },
      { what: "a new completed Phase gate run after the re-run" },
    );
    expect(again.conclusion).toBe("success");
  });
});
