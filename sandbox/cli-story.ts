import { type Actors, createActors } from "./actors.js";
import type { Emulator } from "./emulator/index.js";
import { requiredChecksRule } from "./emulator/state/index.js";

/** Four phases, so one repository has an approved, a pending and a stopped gate. */
export const CLI_STORY_CONFIG = `phases:
  - id: crawl
    milestone: Crawl
    gate:
      criteria: [Feasibility shown with evidence]
  - id: walk
    milestone: Walk
    gate:
      criteria: [Early users tried it, Costs are known]
      approvals: 2
  - id: run
    gate:
      criteria: [Demand proven]
  - id: fly
`;

export interface CliStory {
  gh: Actors;
  gates: { crawl: number; walk: number; run: number };
  pulls: { crawl: number; walk: number; run: number; fly: number; unphased: number; held: number };
  issues: { walk: number; fly: number; unphased: number };
}

/**
 * A repository as people and the app would have left it, made with the
 * actors alone (no app process): the lead (maintain) applies the gate labels,
 * so each labelled issue is its gate's issue, and decides two of them.
 */
export async function buildCliStory(emu: Emulator, fullName: string): Promise<CliStory> {
  const gh = createActors(emu, { repo: fullName });
  gh.repo();
  gh.addCollaborator("lead", "maintain");
  gh.addCollaborator("contrib", "triage");
  await gh.pushConfig(CLI_STORY_CONFIG, { by: "lead" });
  const state = emu.state;
  // The app is installed and a ruleset requires its Phase gate: `doctor` and `status` say it bites.
  state.createRuleset(gh.repo(), {
    name: "Phase gate from phase-gates",
    rules: [requiredChecksRule([{ context: "Phase gate", appId: state.app.id }])],
  });
  await gh.installApp([fullName], { by: "lead" });
  for (const title of ["Crawl", "Walk"])
    state.createMilestone(gh.repo(), { title }, state.user("lead"));

  const crawl = await gh.openIssue({
    title: "Gate: Crawl → Walk",
    body: "- [x] Feasibility shown with evidence\n",
    labels: ["gate: crawl"],
    by: "lead",
  });
  await gh.closeIssue(crawl.number, { by: "lead", reason: "completed" });
  const walk = await gh.openIssue({
    title: "Gate: Walk → Run",
    body: "- [x] Early users tried it\n- [ ] Costs are known\n",
    labels: ["gate: walk"],
    by: "lead",
  });
  await gh.comment(walk.number, "/approve the beta went well", { by: "lead" });
  const run = await gh.openIssue({
    title: "Gate: Run → Fly",
    body: "- [ ] Demand proven\n",
    labels: ["gate: run"],
    by: "lead",
  });
  await gh.comment(run.number, "/stop no demand beyond the pilot", { by: "lead" });
  await gh.closeIssue(run.number, { by: "lead", reason: "not_planned" });

  const walkIssue = await gh.openIssue({
    title: "Collect feedback",
    labels: ["phase: walk"],
    by: "contrib",
  });
  const flyIssue = await gh.openIssue({
    title: "Orbital insertion",
    labels: ["phase: fly"],
    by: "lead",
  });
  const unphasedIssue = await gh.openIssue({ title: "Tidy the docs", by: "contrib" });

  const pr = async (
    title: string,
    extra: { labels?: string[]; milestone?: string; body?: string },
  ) => (await gh.openPullRequest({ title, by: "contrib", ...extra })).number;
  const crawlPr = await pr("Spike the engine", { labels: ["phase: crawl"] });
  const walkPr = await pr("Beta sign-up", { milestone: "Walk" });
  const runPr = await pr("Launch", { labels: ["phase: run"] });
  const flyPr = await pr("Orbit", { body: `Closes #${flyIssue.number}` });
  const unphasedPr = await pr("Fix a typo", {});
  // Was a Run PR when the app last checked it (its run remembers the floor); now labelled Crawl by a triager.
  const held = await pr("Quietly downgraded", { labels: ["phase: crawl"] });
  const headSha = gh.issue(held).pull?.headSha ?? "";
  state.createCheckRun(
    gh.repo(),
    {
      name: "Phase gate",
      head_sha: headSha,
      status: "completed",
      conclusion: "failure",
      external_id: "phase-gates:floor=run",
      output: { title: "Blocked: Walk gate pending", summary: "…" },
    },
    state.bot,
  );

  return {
    gh,
    gates: { crawl: crawl.number, walk: walk.number, run: run.number },
    pulls: { crawl: crawlPr, walk: walkPr, run: runPr, fly: flyPr, unphased: unphasedPr, held },
    issues: { walk: walkIssue.number, fly: flyIssue.number, unphased: unphasedIssue.number },
  };
}
