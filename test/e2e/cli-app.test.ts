import { beforeAll, describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { runCli } from "../helpers/cli.js";
import { gateIssue, STORY_CONFIG, useSandbox } from "./sandbox.js";

// `explain` against the real app: what the CLI computes is, word for word,
// the check run the app wrote for the same PR.
const sandbox = useSandbox();

interface Explained {
  conclusion: string;
  title: string;
  summary: string;
}

describe("phase-gates explain says what the app's check says", { timeout: 120_000 }, () => {
  let gh: Actors;

  beforeAll(async () => {
    gh = await sandbox.get().repo("cli/app", STORY_CONFIG);
    await gateIssue(gh, "gate: walk");
  }, 60_000);

  async function explain(pr: number): Promise<{ code: number | null; json: Explained }> {
    const r = await runCli(
      ["explain", "cli/app", String(pr), "--json", "--api-url", sandbox.get().emu.apiUrl],
      { env: { GH_TOKEN: "user:lead" } },
    );
    return { code: r.code, json: JSON.parse(r.stdout) as Explained };
  }

  function written(pr: number): Explained {
    const run = gh.latestCheck(pr);
    return {
      conclusion: run?.conclusion ?? "",
      title: run?.output.title ?? "",
      summary: run?.output.summary ?? "",
    };
  }

  it("on a Run PR blocked by the pending Walk gate", async () => {
    const pr = (
      await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "contrib" })
    ).number;
    await gh.waitForCheck(pr, { conclusion: "failure" });
    const { code, json } = await explain(pr);
    expect(code).toBe(7);
    expect({ conclusion: json.conclusion, title: json.title, summary: json.summary }).toEqual(
      written(pr),
    );
  });

  it("on a PR held at its phase floor after a triager relabelled it Crawl", async () => {
    const pr = (
      await gh.openPullRequest({ title: "Engine", labels: ["phase: run"], by: "contrib" })
    ).number;
    await gh.waitForCheck(pr, { title: "Blocked: Walk gate pending" });
    await gh.setLabels(pr, ["phase: crawl"], { by: "contrib" });
    await gh.waitForCheck(pr, { title: "Blocked: Walk gate pending" });
    await gh.settle();
    const { code, json } = await explain(pr);
    expect(code).toBe(7);
    expect(json.summary).toContain("held: its phase floor");
    expect({ conclusion: json.conclusion, title: json.title, summary: json.summary }).toEqual(
      written(pr),
    );
  });
});
