import { beforeAll, describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import type { ProjectRecord } from "../../sandbox/emulator/state/index.js";
import { gateIssue, type Sandbox, STORY_CONFIG, useSandbox } from "./sandbox.js";

// SPEC §5 "Projects" on the real app server: one organisation project kept in
// step with two repositories' phases and gates, as a lead sees it in GitHub.
const sandbox = useSandbox({ env: { DASHBOARD_INTERVAL_MS: "2000" } });

const WITH_PROJECT = `${STORY_CONFIG}project:\n  number: 1\n`;

function value(project: ProjectRecord, gh: Actors, number: number, field: string) {
  return sandbox.get().emu.state.projectItemValue(project, gh.issue(number), field);
}

function optionNames(project: ProjectRecord, field: string): string[] | undefined {
  return project.fields.find((f) => f.name === field)?.options?.map((o) => o.name);
}

describe("an organisation's project, kept by phase", { timeout: 240_000 }, () => {
  let s: Sandbox;
  let api: Actors;
  let web: Actors;
  let project: ProjectRecord;

  beforeAll(async () => {
    s = sandbox.get();
    // Owners who turn Projects on subscribe to projects_v2_item (README "Projects").
    s.emu.state.app.events.push("projects_v2_item");
    s.emu.state.user("initiative", "Organization");
    project = s.emu.state.createProject("initiative", { number: 1, title: "Launch" });
    api = await s.repo("initiative/api", WITH_PROJECT);
    web = await s.repo("initiative/web", WITH_PROJECT);
  }, 90_000);

  it("creates the Phase and Gate fields, one option per phase, and adds the gate issues as Pending", async () => {
    const crawlGate = await gateIssue(api, "gate: crawl");
    await api.waitFor(() => value(project, api, crawlGate, "Gate") === "Pending", {
      what: "the Crawl gate issue in the project as Pending",
    });
    expect(optionNames(project, "Phase")).toEqual(["Crawl", "Walk", "Run"]);
    expect(optionNames(project, "Gate")).toEqual(["Pending", "Approved", "Stopped"]);
    expect(value(project, api, crawlGate, "Phase")).toBe("Crawl");
    expect(project.fields.filter((f) => f.name === "Phase")).toHaveLength(1);
  });

  it("puts issues and PRs of both repositories in by phase, and clears an issue that loses its phase", async () => {
    const issue = await api.openIssue({ title: "Pilot", labels: ["phase: walk"], by: "lead" });
    const pr = await web.openPullRequest({ title: "Scale", labels: ["phase: run"], by: "lead" });
    await web.waitForCheck(pr.number, { conclusion: "failure" });
    await api.waitFor(() => value(project, api, issue.number, "Phase") === "Walk", {
      what: "the Walk issue in the project",
    });
    await web.waitFor(() => value(project, web, pr.number, "Phase") === "Run", {
      what: "the Run PR in the project",
    });
    await api.removeLabel(issue.number, "phase: walk", { by: "lead" });
    await api.waitFor(() => value(project, api, issue.number, "Phase") === null, {
      what: "the issue's phase cleared (the item stays)",
    });
  });

  it("moves a gate issue to Approved when its gate is approved", async () => {
    const crawlGate = await gateIssue(api, "gate: crawl");
    await api.tickCriteria(crawlGate, { by: "lead" });
    await api.closeIssue(crawlGate, { by: "lead", reason: "completed" });
    await api.waitFor(() => value(project, api, crawlGate, "Gate") === "Approved", {
      what: "the Crawl gate Approved in the project",
    });
  });

  it("puts back a phase a person changes in the project", async () => {
    const pr = await web.openPullRequest({ title: "Rollout", labels: ["phase: run"], by: "lead" });
    await web.waitFor(() => value(project, web, pr.number, "Phase") === "Run", {
      what: "the PR in the project as Run",
    });
    s.emu.state.editProjectItem(
      project,
      { repo: web.repo(), number: pr.number },
      "Phase",
      "Crawl",
      "lead",
    );
    await web.waitFor(() => value(project, web, pr.number, "Phase") === "Run", {
      what: "the app to put Run back",
    });
    await web.settle();
    // Its own write back is not answered again.
    expect(value(project, web, pr.number, "Phase")).toBe("Run");
  });

  it("says on the dashboard when the app may not write the project, and still checks every PR", async () => {
    s.emu.state.user("closed", "Organization");
    s.emu.state.createProject("closed", { number: 1, appAccess: false });
    const gh = await s.repo("closed/api", WITH_PROJECT);
    const pr = await gh.openPullRequest({ title: "Run work", labels: ["phase: run"], by: "lead" });
    await gh.waitForCheck(pr.number, { conclusion: "failure", title: /Blocked/ });
    await gh.waitFor(() => gh.dashboard()?.body?.includes("Projects: read and write"), {
      what: "the dashboard to say the permission is missing",
    });
  });
});
