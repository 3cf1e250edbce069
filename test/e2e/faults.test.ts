import { describe, expect, it } from "vitest";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";

const sandbox = useSandbox();

// GitHub fails sometimes; SPEC §7 says no check is lost to a 5xx or a
// secondary rate limit. The emulator injects the failure, the app must recover.
describe("faults", { timeout: 180_000 }, () => {
  it("writes the check after a 500 on the first try", async () => {
    const { emu } = sandbox.get();
    const gh = await sandbox.get().repo("flaky/app", STORY_CONFIG);
    await gh.waitFor(() => gh.issueWithLabel("gate: walk"), { what: "the gate issues" });
    await gh.settle();
    emu.state.failNext("POST /repos/{owner}/{repo}/check-runs", 500);
    const pr = await gh.openPullRequest({
      title: "Crawl",
      labels: ["phase: crawl"],
      by: "contrib",
    });
    await gh.waitForCheck(pr.number, { conclusion: "success" });
    const attempts = emu.requestLog.entries.filter(
      (e) => e.route === "POST /repos/{owner}/{repo}/check-runs" && e.path.includes("/flaky/app/"),
    );
    expect(attempts.map((a) => a.status)).toEqual([500, 201]);
  });

  it("writes the check after a 403 secondary rate limit with retry-after", async () => {
    const { emu } = sandbox.get();
    const gh = await sandbox.get().repo("limited/app", STORY_CONFIG);
    await gh.waitFor(() => gh.issueWithLabel("gate: walk"), { what: "the gate issues" });
    await gh.settle();
    emu.state.failNext("POST /repos/{owner}/{repo}/check-runs", 403, {
      headers: { "retry-after": "1" },
      body: {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        documentation_url:
          "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      },
    });
    const pr = await gh.openPullRequest({
      title: "Crawl",
      labels: ["phase: crawl"],
      by: "contrib",
    });
    await gh.waitForCheck(pr.number, { conclusion: "success" });
    const attempts = emu.requestLog.entries.filter(
      (e) =>
        e.route === "POST /repos/{owner}/{repo}/check-runs" && e.path.includes("/limited/app/"),
    );
    expect(attempts[0]?.status).toBe(403);
    expect(attempts.at(-1)?.status).toBe(201);
  });
});
