import { devNull } from "node:os";
import type { Actors } from "../../sandbox/actors.js";
import type { Emulator } from "../../sandbox/emulator/index.js";
import { audit } from "../../src/cli/audit.js";
import { doctor } from "../../src/cli/doctor.js";
import { explain } from "../../src/cli/explain.js";
import { status } from "../../src/cli/status.js";
import { statusMany } from "../../src/cli/status-many.js";
import type { Term } from "../../src/cli/term.js";
import { gateIssue, STORY_CONFIG } from "../e2e/sandbox.js";
import type { World } from "./world.js";

/** Gates with a team approver and deployments: every kind of read the app makes. */
export const CONTRACT_CONFIG = `${STORY_CONFIG.replace(
  "        permission: maintain",
  "        permission: maintain\n        teams: [acme/leads]",
)}deployments:
  - environment: production
    phase: run
  - environment: "release-*"
    phase: run
project:
  number: 1
`;

/**
 * Before the app arrives: a PR already open (its first check has no earlier
 * run to carry a floor from) and a phase label of the wrong colour (the app
 * corrects it).
 */
export async function beforeInstall(gh: Actors, emu: Emulator): Promise<void> {
  emu.state.user("acme", "Organization");
  emu.state.createProject("acme", { number: 1, title: "Launch" });
  await gh.openPullRequest({ title: "Old work", labels: ["phase: walk"], by: "contrib" });
  const label = gh.repo().labels.find((l) => l.name === "phase: walk");
  if (label) label.color = "000000";
}

/**
 * A day in a repository, as the demo and the e2e stories tell it: the app
 * installed, gates opened, PRs of every phase, a push, a linked issue, gate
 * decisions by comment, close and reopen, a deployment, a merge queue entry,
 * a re-run. Each step waits for the app to finish.
 */
export async function runStory(world: World): Promise<void> {
  const { gh, settle } = world;
  gh.addTeamMember("acme", "leads", "lead");
  const crawlGate = await gateIssue(gh, "gate: crawl");
  const walkGate = await gateIssue(gh, "gate: walk");
  const steps: Array<() => Promise<unknown>> = [
    () => gh.openPullRequest({ title: "Test stand", labels: ["phase: crawl"], by: "contrib" }),
    () => gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "contrib" }),
    async () => {
      const issue = await gh.openIssue({ title: "Walk work", milestone: "Walk", by: "lead" });
      const pr = await gh.openPullRequest({
        title: "Walk feature",
        body: `Closes #${issue.number}`,
        by: "contrib",
      });
      await gh.pushCommit(pr.number, { by: "contrib" });
      gh.linkIssue(pr.number, `#${crawlGate}`);
      await gh.editIssueBody(pr.number, `Closes #${issue.number}\n\nmore`, { by: "contrib" });
    },
    () => gh.requestDeployment("production", { by: "lead" }),
    () => gh.requestDeployment("staging", { by: "lead" }),
    () => gh.closeIssue(crawlGate, { by: "contrib", reason: "completed" }),
    () => gh.comment(crawlGate, "/approve feasibility shown", { by: "lead" }),
    () => gh.tickCriteria(walkGate, { by: "lead" }),
    () => gh.closeIssue(walkGate, { by: "lead", reason: "completed" }),
    () => gh.reopenIssue(walkGate, { by: "lead" }),
    () => gh.comment(walkGate, "/approve users are happy", { by: "lead" }),
    async () => {
      const pr = [...gh.repo().issues.values()].find((i) => i.pull && i.title === "Launch");
      if (!pr) throw new Error("the Launch PR is missing");
      await gh.enqueueInMergeQueue(pr.number, { by: "lead" });
      await gh.rerequestCheck(pr.number, { by: "lead" });
      await gh.setMilestone(pr.number, "Walk", { by: "lead" });
    },
    // Sub-issues: a parent's phase reaches the PR closing its sub-issue; the parent's
    // label change re-reads what is below it (`GET …/sub_issues`, 404 on GHES: none).
    async () => {
      const parent = await gh.openIssue({ title: "Epic", by: "lead" });
      const child = await gh.openIssue({ title: "Part", by: "lead" });
      await gh.openPullRequest({
        title: "Part one",
        body: `Closes #${child.number}`,
        by: "contrib",
      });
      await gh.addSubIssue(parent.number, child.number, { by: "lead" });
      await settle();
      await gh.addLabel(parent.number, "phase: walk", { by: "lead" });
      await settle();
      await gh.removeSubIssue(parent.number, child.number, { by: "lead" });
    },
    // Projects: a person changes a PR's phase in the project; the app puts it back.
    async () => {
      const pr = [...gh.repo().issues.values()].find((i) => i.pull && i.title === "Test stand");
      const project = world.emu.state.findProject("acme", 1);
      if (!pr || !project) throw new Error("the Test stand PR or the project is missing");
      world.emu.state.editProjectItem(
        project,
        { repo: gh.repo(), number: pr.number },
        "Phase",
        "Run",
        "lead",
      );
    },
    // Every other event the sandbox sends, so each payload is checked.
    async () => {
      const issue = await gh.openIssue({ title: "Chores", by: "lead" });
      await gh.setMilestone(issue.number, "Crawl", { by: "lead" });
      await gh.setMilestone(issue.number, null, { by: "lead" });
      await gh.renameIssue(issue.number, "Chores, renamed", { by: "lead" });
      const note = await gh.comment(issue.number, "a note", { by: "contrib" });
      await gh.editComment(note.id, "a note, edited", { by: "contrib" });
      await gh.deleteComment(note.id, { by: "contrib" });
      await gh.setMilestoneDue("Walk", "2030-01-01T00:00:00Z", { by: "lead" });
      const pr = await gh.openPullRequest({ title: "Spike", milestone: "Crawl", by: "contrib" });
      await gh.setMilestone(pr.number, null, { by: "lead" });
      await gh.closeIssue(pr.number, { by: "contrib" });
      await gh.reopenIssue(pr.number, { by: "contrib" });
      await gh.deleteLabel("phase: run", { by: "lead" });
      gh.repo();
      world.emu.state.createRepo("acme/booster");
      await gh.installApp(["acme/booster"], { by: "lead" });
    },
  ];
  for (const step of steps) {
    await step();
    await settle();
  }
}

const quiet: Term = {
  out: () => undefined,
  err: () => undefined,
  color: false,
  progress: () => ({ tick: () => undefined, done: () => undefined }),
};

/** The CLI's reads, in this process, with a person's token (as `GH_TOKEN=… phase-gates status`). */
export async function runCli(world: World): Promise<void> {
  const saved = process.env.GH_TOKEN;
  process.env.GH_TOKEN = "user:lead";
  try {
    const options = { apiUrl: world.emu.apiUrl, appSlug: world.emu.state.app.slug, json: true };
    await status(quiet, "acme/rocket", options, "0.0.0");
    const pulls = [...world.gh.repo().issues.values()].filter((i) => i.pull);
    for (const pr of pulls)
      await explain(quiet, "acme/rocket", String(pr.number), options, "0.0.0");
    await explain(quiet, "acme/rocket", "999", options, "0.0.0").catch(() => undefined);
    await statusMany(quiet, [], "acme", options, "0.0.0");
    // doctor: the gated environments exist with the app's rule, main is protected.
    const { state } = world.emu;
    const repo = world.gh.repo();
    for (const env of ["production", "release-eu"])
      state.ensureEnvironment(repo, env, { appRule: true });
    state.setBranchProtection(repo, repo.default_branch, {
      checks: [{ context: "Phase gate", app_id: state.app.id }],
      strict: false,
    });
    await doctor(quiet, "acme/rocket", options, "0.0.0");
    const { json: _json, ...network } = options;
    await audit(
      quiet,
      ["acme/rocket"],
      { ...network, since: "30d", format: "jsonl", out: devNull },
      "0.0.0",
    );
  } finally {
    if (saved === undefined) delete process.env.GH_TOKEN;
    else process.env.GH_TOKEN = saved;
  }
}
