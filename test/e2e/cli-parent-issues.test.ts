import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { runCli } from "../helpers/cli.js";

// SPEC §2 "Parent issues" in `phase-gates status`: an open issue with no phase
// of its own is counted in its parent issue's phase, and says so.

describe("phase-gates status with sub-issues", { timeout: 60_000 }, () => {
  let emu: Emulator;
  const lead = { GH_TOKEN: "user:lead" };
  let epic = 0;
  let story = 0;
  let task = 0;

  beforeAll(async () => {
    emu = await createEmulator();
    const gh = createActors(emu, { repo: "acme/tree" });
    gh.repo();
    gh.addCollaborator("lead", "maintain");
    await gh.pushConfig("# defaults\n", { by: "lead" });
    epic = (await gh.openIssue({ title: "Epic", labels: ["phase: run"], by: "lead" })).number;
    story = (await gh.openIssue({ title: "Story", by: "lead" })).number;
    task = (await gh.openIssue({ title: "Task", labels: ["phase: walk"], by: "lead" })).number;
    await gh.addSubIssue(epic, story, { by: "lead" });
    await gh.addSubIssue(story, task, { by: "lead" });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("counts a sub-issue with no phase in its nearest phased parent's, inherited from it; one with its own phase keeps it", async () => {
    const r = await runCli(["status", "acme/tree", "--json", "--api-url", emu.apiUrl], {
      env: lead,
    });
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as {
      phases: { id: string; openIssues: { number: number; inheritedFrom?: string }[] }[];
    };
    const issues = (id: string) => report.phases.find((p) => p.id === id)?.openIssues ?? [];
    expect(issues("run")).toEqual([
      expect.objectContaining({ number: story, inheritedFrom: `#${epic}` }),
      expect.objectContaining({ number: epic }),
    ]);
    expect(issues("walk")).toEqual([
      expect.not.objectContaining({ inheritedFrom: expect.anything() }),
    ]);
    expect(issues("walk")[0]?.number).toBe(task);

    const text = await runCli(["status", "acme/tree", "--api-url", emu.apiUrl], { env: lead });
    expect(text.stdout).toContain(
      `Issues in a phase through a parent issue: #${story} (Run, inherited from #${epic})`,
    );
  });
});
