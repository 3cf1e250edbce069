import { describe, expect, it } from "vitest";
import { requiredChecksRule } from "../../sandbox/emulator/state/index.js";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";

// SPEC §5 "Does the gate bite?" on the real app server: the dashboard's first
// block, read from the issue the app wrote, as a ruleset comes and goes.

const sandbox = useSandbox();

describe("the dashboard says whether the gate bites", { timeout: 180_000 }, () => {
  it("enforced with a ruleset pinned to the app; not required once it is removed; bypassable when required from any source", async () => {
    const s = sandbox.get();
    const state = s.emu.state;
    const record = state.createRepo("bite/rocket");
    const pinned = state.createRuleset(record, {
      name: "Phase gate from phase-gates",
      rules: [requiredChecksRule([{ context: "Phase gate", appId: state.app.id }])],
    });
    const gh = await s.repo("bite/rocket", STORY_CONFIG);
    const body = () => gh.dashboard()?.body ?? "";
    const blockOf = (text: string) => text.split("## Phase gates status\n\n")[1]?.split("\n")[0];

    await gh.waitFor(() => body().includes("🔒 **Enforced:**") || undefined, {
      what: "the dashboard to say the gate is enforced",
    });
    expect(blockOf(body())).toBe(
      `🔒 **Enforced:** \`Phase gate\` is required on \`main\` from phase-gates (ruleset #${pinned.id}): a blocked pull request cannot merge.`,
    );

    // The ruleset is removed; the next config push reads the rules again.
    state.deleteRuleset(record, pinned.id);
    await gh.pushConfig(`${STORY_CONFIG}# no ruleset any more\n`, { by: "lead" });
    await gh.waitFor(() => body().includes("The gate does not bite") || undefined, {
      what: "the dashboard to warn that nothing requires Phase gate",
    });
    expect(body()).toContain(
      "> [!WARNING]\n> **The gate does not bite:** Nothing requires `Phase gate` on `main`: a pull request the gate blocks can still be merged.\n>\n> **Fix:** Settings → Rules → Rulesets → New ruleset → New branch ruleset:",
    );
    expect(body()).toContain(`(${s.emu.url}/bite/rocket/settings/rules/new?target=branch)`);

    // Required from any source: any workflow could post a green Phase gate.
    const loose = state.createRuleset(record, {
      rules: [requiredChecksRule([{ context: "Phase gate" }])],
    });
    await gh.pushConfig(`${STORY_CONFIG}# a ruleset from any source\n`, { by: "lead" });
    await gh.waitFor(() => body().includes("The gate can be bypassed") || undefined, {
      what: "the dashboard to warn that Phase gate is not pinned to the app",
    });
    expect(body()).toContain(
      "> **The gate can be bypassed:** `main` requires `Phase gate` from any source: any app or workflow could post a green `Phase gate`.",
    );
    expect(body()).toContain(`${s.emu.url}/bite/rocket/settings/rules/${loose.id}`);
    // The headline is still there, below the warning.
    expect(body().indexOf("**Now in Crawl**")).toBeGreaterThan(body().indexOf("can be bypassed"));
  });
});
