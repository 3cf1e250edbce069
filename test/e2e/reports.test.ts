import { beforeAll, describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { DASHBOARD_TITLE } from "../../src/core/dashboard.js";
import { PROGRESS_START } from "../../src/core/progress-section.js";
import { gateIssue, type Sandbox, STORY_CONFIG, useSandbox } from "./sandbox.js";

// SPEC §5 on the real app server: the dashboard issue and the gates' progress
// sections as people see them on the emulated GitHub. Activity is paced at 4 s
// here instead of a minute, so a burst and its one waiting refresh fit in a test.
const INTERVAL_MS = 4000;
const sandbox = useSandbox({ env: { DASHBOARD_INTERVAL_MS: String(INTERVAL_MS) } });

/** Writes to the dashboard issue: its creation and every edit. */
function dashboardWrites(s: Sandbox, gh: Actors): string[] {
  const number = gh.dashboard()?.number;
  const repo = gh.repoName;
  return s.emu.requestLog
    .writes()
    .filter(
      (w) =>
        (w.method === "PATCH" && w.path.endsWith(`/repos/${repo}/issues/${number}`)) ||
        (w.method === "POST" &&
          w.path.endsWith(`/repos/${repo}/issues`) &&
          w.actor?.endsWith("[bot]")),
    )
    .map((w) => `${w.method} ${w.path.replace(/^.*\/repos\//, "")}`);
}

function bodyOf(gh: Actors): string {
  return gh.dashboard()?.body ?? "";
}

describe("the dashboard of report/rocket", { timeout: 240_000 }, () => {
  let gh: Actors;
  let crawlGate: number;
  let walkGate: number;

  beforeAll(async () => {
    gh = await sandbox.get().repo("report/rocket", STORY_CONFIG);
    crawlGate = await gateIssue(gh, "gate: crawl");
    walkGate = await gateIssue(gh, "gate: walk");
  }, 60_000);

  it("appears once the app is installed, in Crawl, and each gate issue shows its progress", async () => {
    const dashboard = await gh.waitFor(() => gh.dashboard(), { what: "the dashboard issue" });
    expect(dashboard.title).toBe(DASHBOARD_TITLE);
    expect(gh.labelsOf(dashboard.number)).toEqual(["phase-gates: dashboard"]);
    await gh.waitFor(() => bodyOf(gh).includes("### Crawl (current phase)"), {
      what: "the dashboard to show Crawl as the current phase",
    });
    expect(bodyOf(gh)).toContain("```mermaid\nflowchart LR");
    const crawl = await gh.waitFor(
      () => (gh.issue(crawlGate).body ?? "").includes(PROGRESS_START) && gh.issue(crawlGate),
      { what: "the Crawl gate's progress section" },
    );
    expect(crawl.body).toContain("- **Approvals:** 0/1");
    // The task list people tick is still the body's own.
    expect(crawl.body).toContain("- [ ] Feasibility shown with evidence");
  });

  it("counts down the Walk timebox once its milestone has a due date", async () => {
    const due = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await gh.setMilestoneDue("Walk", `${due}T08:00:00Z`, { by: "lead" });
    await gh.waitFor(() => bodyOf(gh).includes(`due ${due}`), {
      what: "the Walk timebox on the dashboard",
    });
    expect(bodyOf(gh)).toMatch(/due \d{4}-\d\d-\d\d: (9|10) days left/);
  });

  it("moves to Walk when the Crawl gate is approved, and to Run when the Walk gate is", async () => {
    await gh.tickCriteria(crawlGate, { by: "lead" });
    await gh.closeIssue(crawlGate, { by: "lead", reason: "completed" });
    await gh.waitFor(() => bodyOf(gh).includes("### Walk (current phase)"), {
      what: "the dashboard to move to Walk",
    });
    expect(bodyOf(gh)).toContain("class gate0 approved");
    expect(bodyOf(gh)).toMatch(/- \d{4}-\d\d-\d\d: Crawl gate ✅ approved by @lead/);

    await gh.tickCriteria(walkGate, { by: "lead" });
    await gh.closeIssue(walkGate, { by: "lead", reason: "completed" });
    await gh.waitFor(() => bodyOf(gh).includes("### Run (current phase)"), {
      what: "the dashboard to move to Run",
    });
    expect(bodyOf(gh)).toContain("class gate1 approved");
    await gh.waitFor(
      () => (gh.issue(walkGate).body ?? "").includes("- **State:** ✅ approved") || undefined,
      { what: "the Walk gate's progress section to say approved" },
    );
  });

  it("is not rewritten when nothing it shows changed", async () => {
    const s = sandbox.get();
    await gh.settle({ quietMs: INTERVAL_MS + 1000 });
    const before = dashboardWrites(s, gh);
    const readsBefore = s.emu.requestLog.entries.length;
    // A comment on a gate issue refreshes the reports at once; nothing they show changed.
    await gh.comment(walkGate, "Great work, everyone.", { by: "contrib" });
    await gh.settle({ quietMs: INTERVAL_MS + 1000 });
    expect(s.emu.requestLog.entries.length).toBeGreaterThan(readsBefore);
    expect(dashboardWrites(s, gh)).toEqual(before);
  });
});

describe("a burst of 100 pull request label events", { timeout: 240_000 }, () => {
  it("writes the dashboard at most twice", async () => {
    const s = sandbox.get();
    const gh = await s.repo("burst/rocket", STORY_CONFIG);
    const prs: number[] = [];
    for (let i = 1; i <= 10; i++) {
      const pr = await gh.openPullRequest({
        title: `Part ${i}`,
        labels: ["phase: crawl"],
        by: "contrib",
      });
      prs.push(pr.number);
    }
    await gh.waitFor(() => bodyOf(gh).includes("| Open pull requests | 10 (0 blocked)"), {
      what: "the dashboard to list the 10 Crawl PRs",
      timeoutMs: 90_000,
    });
    await gh.settle({ quietMs: INTERVAL_MS + 1000 });
    const before = dashboardWrites(s, gh).length;

    // 100 events: every PR moves to Run, then gains nine labels that change no phase.
    for (let round = 0; round < 10; round++) {
      for (const pr of prs) {
        await gh.addLabel(pr, round === 0 ? "phase: run" : `note ${round}`, { by: "contrib" });
      }
    }
    await gh.waitFor(() => bodyOf(gh).includes("| Open pull requests | 10 (10 blocked)"), {
      what: "the dashboard to show the 10 PRs blocked in Run",
      timeoutMs: 120_000,
    });
    await gh.settle({ quietMs: INTERVAL_MS + 1000 });
    const writes = dashboardWrites(s, gh).slice(before);
    process.stdout.write(
      `[reports] dashboard writes during the burst of 100 PR label events: ${writes.length}\n`,
    );
    expect(writes.length).toBeLessThanOrEqual(2);
  });
});
