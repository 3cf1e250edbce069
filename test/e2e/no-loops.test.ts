import { describe, expect, it } from "vitest";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";

const sandbox = useSandbox();

// On GitHub an app's own writes come back to it as webhooks (sender = the
// bot). The emulator sends them too, so a loop would show as writes that
// never stop; here we prove the app settles and writes nothing more.
describe("the app's own writes coming back", { timeout: 180_000 }, () => {
  it("cause no further writes", async () => {
    const { emu } = sandbox.get();
    const gh = await sandbox.get().repo("echo/app", STORY_CONFIG);
    const pr = await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "contrib" });
    await gh.waitForCheck(pr.number, { conclusion: "failure" });
    await gh.settle({ quietMs: 2500 });

    // The app answers an unauthorized close by reopening and commenting: more of its own writes to echo.
    const gate = await gh.waitFor(() => gh.issueWithLabel("gate: crawl"), {
      what: "the Crawl gate issue",
    });
    await gh.closeIssue(gate.number, { by: "contrib", reason: "completed" });
    await gh.waitFor(() => gh.issue(gate.number).state === "open", {
      what: "the app to reopen the gate",
    });
    // If the echoes fed back into writes, this would never get quiet and time out.
    await gh.settle({ quietMs: 2500 });

    const mine = emu.webhooks.deliveries.filter((d) => d.repo === "echo/app");
    const echoes = mine.filter((d) => d.sender === "phase-gates[bot]");
    expect(echoes.map((d) => `${d.event}.${d.action}`)).toEqual(
      expect.arrayContaining(["check_run.created", "issues.reopened", "issue_comment.created"]),
    );
    expect(echoes.every((d) => d.status !== null && d.status < 300)).toBe(true);
    const lastEcho = Math.max(...echoes.map((d) => Date.parse(d.at) + d.durationMs));
    const writesAfterEchoes = emu.requestLog
      .writes()
      .filter((w) => w.path.includes("/echo/app/") && w.at > lastEcho);
    expect(writesAfterEchoes).toEqual([]);
  });

  it("does not rewrite an unchanged check when nothing changed", async () => {
    const { emu } = sandbox.get();
    const gh = await sandbox.get().repo("steady/app", STORY_CONFIG);
    const pr = await gh.openPullRequest({
      title: "Crawl",
      labels: ["phase: crawl"],
      by: "contrib",
    });
    await gh.waitForCheck(pr.number, { conclusion: "success" });
    await gh.settle({ quietMs: 2000 });
    const writesBefore = emu.requestLog.writes().length;
    // An unrelated edit of the PR's labels that keeps its phase.
    await gh.addLabel(pr.number, "documentation", { by: "contrib" });
    await gh.settle({ quietMs: 2000 });
    const checkWrites = emu.requestLog
      .writes()
      .slice(writesBefore)
      .filter((w) => w.route.includes("check-runs"));
    expect(checkWrites).toEqual([]);
  });
});
