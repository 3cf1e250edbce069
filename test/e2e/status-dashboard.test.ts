import { beforeAll, describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { runCli } from "../helpers/cli.js";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";

// The dashboard and `phase-gates status` count a repository the same way:
// each open PR in the phase its `Phase gate` check gives it (held at its
// phase floor), blocked when that check fails; the dashboard issue itself is
// no work item in either.
const sandbox = useSandbox({ env: { DASHBOARD_INTERVAL_MS: "300" } });

/** The "Open pull requests" cell of a phase's table on the dashboard. */
function openPullsCell(body: string, phase: string): string {
  const section = body.split(/^### /m).find((s) => s.startsWith(phase)) ?? "";
  return /^\| Open pull requests +\| (.*?) +\|$/m.exec(section)?.[1] ?? "";
}

describe("status and the dashboard agree", { timeout: 180_000 }, () => {
  let gh: Actors;
  let held: number;

  beforeAll(async () => {
    gh = await sandbox.get().repo("counts/rocket", STORY_CONFIG);
    await gh.waitFor(() => gh.dashboard(), { what: "the dashboard issue" });
    held = (await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "contrib" }))
      .number;
    await gh.waitForCheck(held, { title: "Blocked: Walk gate pending" });
    // A triager relabels it Crawl: the check holds it at its Run floor.
    await gh.setLabels(held, ["phase: crawl"], { by: "contrib" });
    await gh.waitForCheck(held, { conclusion: "failure" });
    await gh.waitFor(() => openPullsCell(gh.dashboard()?.body ?? "", "Run").startsWith("1 "), {
      what: "the dashboard to count the held PR under Run",
    });
  }, 120_000);

  it("counts a PR held at its phase floor in the floor's phase, blocked, in both", async () => {
    const body = gh.dashboard()?.body ?? "";
    expect(openPullsCell(body, "Run")).toMatch(new RegExp(`^1 \\(1 blocked\\): \\[#${held}\\]`));
    expect(openPullsCell(body, "Crawl")).toBe("none");

    const r = await runCli(
      ["status", "counts/rocket", "--json", "--api-url", sandbox.get().emu.apiUrl],
      {
        env: { GH_TOKEN: "user:lead" },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as {
      phases: { id: string; openPulls: { number: number }[] }[];
      unphased: { openIssues: { number: number }[] };
      blocked: { number: number }[];
    };
    const pullsIn = (id: string) =>
      report.phases.find((p) => p.id === id)?.openPulls.map((p) => p.number);
    expect(pullsIn("run")).toEqual([held]);
    expect(pullsIn("crawl")).toEqual([]);
    expect(report.blocked.map((p) => p.number)).toEqual([held]);
  });

  it("leaves the dashboard issue out of status's counts", async () => {
    const dashboard = gh.dashboard()?.number;
    const r = await runCli(
      ["status", "counts/rocket", "--json", "--api-url", sandbox.get().emu.apiUrl],
      {
        env: { GH_TOKEN: "user:lead" },
      },
    );
    const report = JSON.parse(r.stdout) as { unphased: { openIssues: { number: number }[] } };
    expect(dashboard).toBeDefined();
    expect(report.unphased.openIssues.map((i) => i.number)).not.toContain(dashboard);
  });
});
