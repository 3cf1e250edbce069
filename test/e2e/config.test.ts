import { describe, expect, it } from "vitest";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";

const sandbox = useSandbox();

describe("configuration", { timeout: 180_000 }, () => {
  it("does nothing on a repository without .github/phase-gates.yml: no checks, zero writes", async () => {
    const { emu } = sandbox.get();
    const gh = await sandbox.get().repo("nocfg/app", null);
    await gh.settle();
    const writesBefore = emu.requestLog.writes().length;
    const pr = await gh.openPullRequest({
      title: "Anything",
      labels: ["phase: run"],
      by: "contrib",
    });
    await gh.addLabel(pr.number, "phase: walk", { by: "contrib" });
    await gh.settle();
    expect(gh.checkRunsFor(pr.pull?.headSha ?? "")).toEqual([]);
    expect(emu.requestLog.writes().slice(writesBefore)).toEqual([]);
    expect(gh.repo().milestones).toEqual([]);
    // The labels are the ones the contributor added, none from the app.
    expect(
      gh
        .repo()
        .labels.map((l) => l.name)
        .sort(),
    ).toEqual(["phase: run", "phase: walk"]);
  });

  it("syncs labels, milestones and gate issues when installed with a config", async () => {
    const gh = await sandbox.get().repo("synced/app", STORY_CONFIG);
    const labels = await gh.waitFor(
      () => {
        const names = gh.repo().labels.map((l) => l.name);
        return ["phase: crawl", "phase: walk", "phase: run", "gate: crawl", "gate: walk"].every(
          (n) => names.includes(n),
        )
          ? names
          : undefined;
      },
      { what: "the phase and gate labels" },
    );
    expect(labels).toEqual(expect.arrayContaining(["phase: crawl", "gate: walk"]));
    await gh.waitFor(
      () => ["Crawl", "Walk", "Run"].every((t) => gh.repo().milestones.some((m) => m.title === t)),
      { what: "the Crawl, Walk and Run milestones" },
    );
    const crawlGate = await gh.waitFor(() => gh.issueWithLabel("gate: crawl"), {
      what: "the Crawl gate issue",
    });
    const walkGate = await gh.waitFor(() => gh.issueWithLabel("gate: walk"), {
      what: "the Walk gate issue",
    });
    expect(crawlGate.title).toBe("Gate: Crawl → Walk");
    expect(walkGate.title).toBe("Gate: Walk → Run");
    expect(crawlGate.body).toContain("- [ ] Feasibility shown with evidence");
    expect(walkGate.body).toContain("- [ ] Early users tried it");
    expect(crawlGate.user.login).toBe("phase-gates[bot]");
    // Nothing is written twice: one issue per gate.
    await gh.settle();
    const gateIssues = [...gh.repo().issues.values()].filter((i) => i.title.startsWith("Gate: "));
    expect(gateIssues).toHaveLength(2);
  });

  it("fails every PR with the errors and their line numbers when the config is invalid", async () => {
    const invalid = [
      "phases:",
      "  - id: crawl",
      "    gate:",
      "      aprovals: 2",
      "  - id: run",
      "unphased: sometimes",
      "",
    ].join("\n");
    const gh = await sandbox.get().repo("broken/app", invalid);
    const pr = await gh.openPullRequest({
      title: "Feature",
      labels: ["phase: run"],
      by: "contrib",
    });
    const check = await gh.waitForCheck(pr.number, { conclusion: "failure" });
    expect(check.output.title).toBe("Invalid .github/phase-gates.yml");
    const summary = check.output.summary ?? "";
    // "aprovals" is on line 4, "unphased" on line 6.
    expect(summary).toMatch(/phase-gates\.yml:4:\d+/);
    expect(summary).toMatch(/phase-gates\.yml:6:\d+/);
    expect(summary).toContain("aprovals");
  });

  it("re-checks open PRs when a fixed config is pushed to the default branch", async () => {
    const gh = await sandbox.get().repo("fixed/app", "phases: 3\n");
    const pr = await gh.openPullRequest({
      title: "Crawl work",
      labels: ["phase: crawl"],
      by: "contrib",
    });
    await gh.waitForCheck(pr.number, { title: "Invalid .github/phase-gates.yml" });
    await gh.pushConfig(STORY_CONFIG, { by: "lead" });
    const check = await gh.waitForCheck(pr.number, { conclusion: "success" });
    expect(check.head_sha).toBe(gh.issue(pr.number).pull?.headSha);
  });

  it("re-evaluates when someone asks to re-run the check", async () => {
    const { emu } = sandbox.get();
    const gh = await sandbox.get().repo("rerun/app", STORY_CONFIG);
    const pr = await gh.openPullRequest({
      title: "Crawl work",
      labels: ["phase: crawl"],
      by: "contrib",
    });
    await gh.waitForCheck(pr.number, { conclusion: "success" });
    await gh.settle();
    const readsBefore = emu.requestLog.entries.length;
    await gh.rerequestCheck(pr.number, { by: "contrib" });
    // The app reads the PR again (an unchanged result need not be re-written, SPEC §4).
    await gh.waitFor(
      () =>
        emu.requestLog.entries
          .slice(readsBefore)
          .some(
            (e) => e.path.startsWith("/api/v3/repos/rerun/app/") && e.actor === "phase-gates[bot]",
          ),
      { what: "the app to re-read rerun/app after check_run.rerequested" },
    );
    await gh.settle();
    expect(gh.latestCheck(pr.number)?.conclusion).toBe("success");
  });
});

describe("a pull request that proposes a config", { timeout: 180_000 }, () => {
  it("fails with its own errors annotated on the file, and passes once the PR fixes them", async () => {
    const gh = await sandbox.get().repo("proposes/app", STORY_CONFIG);
    await gh.settle();
    const pr = await gh.openPullRequest({
      title: "Tune the gates",
      labels: ["phase: crawl"],
      by: "contrib",
      files: {
        ".github/phase-gates.yml":
          "phases:\n  - id: crawl\n    gate: { approvals: 0 }\n  - id: run\n",
      },
    });
    const failing = await gh.waitForCheck(pr.number, { title: "Invalid .github/phase-gates.yml" });
    expect(failing.conclusion).toBe("failure");
    expect(failing.output.summary).toContain("This pull request changes `.github/phase-gates.yml`");
    expect(failing.output.summary).toContain(":3:");

    await gh.pushCommit(pr.number, {
      by: "contrib",
      files: {
        ".github/phase-gates.yml":
          "phases:\n  - id: crawl\n    gate: { approvals: 2 }\n  - id: run\n",
      },
    });
    const fixed = await gh.waitForCheck(pr.number, { conclusion: "success" });
    expect(fixed.output.title).toBe("Crawl: first phase");
  });
});
