import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { buildCliStory, type CliStory, runCli } from "../helpers/cli.js";

// `explain` in a terminal shows the check's summary as text, not Markdown
// source; `--markdown` prints what GitHub receives.

describe("phase-gates explain: the summary for a terminal, or as Markdown", {
  timeout: 60_000,
}, () => {
  let emu: Emulator;
  let story: CliStory;
  const lead = { GH_TOKEN: "user:lead" };

  beforeAll(async () => {
    emu = await createEmulator();
    story = await buildCliStory(emu, "acme/rocket");
  });
  afterAll(async () => {
    await emu?.close();
  });

  const explain = (...flags: string[]) =>
    runCli(["explain", "acme/rocket", String(story.pulls.run), "--api-url", emu.apiUrl, ...flags], {
      env: lead,
    });

  it("renders headings, the gates table and the list as text", async () => {
    const r = await explain();
    expect(r.code).toBe(7);
    const lines = r.stdout.split("\n");
    expect(lines).toContain("Gates before Run");
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^Gate {3}Issue {18}State {17}Criteria checked {2}Approvals {2}Who can approve$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^Walk {3}Gate: Walk → Run #\d+ {4}⏳ pending /),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^- Not yet, not no: Run work waits for the Walk gate \(#\d+ <http:\/\/.+\/issues\/\d+>\)/,
      ),
    );
    expect(r.stdout).not.toMatch(/\*\*|`|^\||^#/m);
  });

  it("--markdown prints the summary as GitHub shows it", async () => {
    const r = await explain("--markdown");
    expect(r.code).toBe(7);
    expect(r.stdout).toContain("### Gates before Run");
    expect(r.stdout).toContain(
      "| Gate | Issue | State | Criteria checked | Approvals | Who can approve |",
    );
    expect(r.stdout).toContain("**Phase:** Run, from label `phase: run`.");
  });
});
