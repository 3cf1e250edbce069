import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createEmulator,
  type DomainEvent,
  type Emulator,
} from "../../../sandbox/emulator/index.js";

// The sandbox's sub-issues, as GitHub's REST API and webhooks have them
// (docs.github.com/rest/issues/sub-issues; @octokit/openapi-webhooks-types).

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let emu: Emulator;
let octokit: Octokit;
const events: DomainEvent[] = [];
const repo = { owner: "acme", repo: "tree" };

beforeAll(async () => {
  emu = await createEmulator();
  emu.state.createRepo("acme/tree");
  emu.state.createRepo("acme/roadmap");
  emu.state.createRepo("other/elsewhere");
  const installation = emu.state.install(["acme/tree", "acme/roadmap"], emu.state.user("lead"));
  octokit = new Octokit({
    baseUrl: emu.apiUrl,
    auth: emu.state.issueTokenFor(installation.id).token,
    log: quiet,
  });
  emu.state.onEvent((e) => events.push(e));
});

afterAll(async () => {
  await emu.close();
});

async function newIssue(title: string, where = repo) {
  return (await octokit.rest.issues.create({ ...where, title })).data;
}

describe("sub-issue routes", () => {
  it("links by the issue's id, lists, names the parent, and sends one webhook to each repository", async () => {
    const epic = await newIssue("Epic", { owner: "acme", repo: "roadmap" });
    const task = await newIssue("Task");
    events.length = 0;

    const added = await octokit.rest.issues.addSubIssue({
      owner: "acme",
      repo: "roadmap",
      issue_number: epic.number,
      sub_issue_id: task.id,
    });
    expect(added.status).toBe(201);
    expect(added.data.sub_issues_summary).toEqual({ total: 1, completed: 0, percent_completed: 0 });

    const parent = await octokit.rest.issues.getParent({ ...repo, issue_number: task.number });
    expect(parent.data.number).toBe(epic.number);
    expect(parent.data.url).toMatch(/\/repos\/acme\/roadmap\/issues\/\d+$/);
    const read = await octokit.rest.issues.get({ ...repo, issue_number: task.number });
    expect(read.data.parent_issue_url).toBe(parent.data.url);
    const children = await octokit.rest.issues.listSubIssues({
      owner: "acme",
      repo: "roadmap",
      issue_number: epic.number,
    });
    expect(children.data.map((c) => c.id)).toEqual([task.id]);

    expect(events.map((e) => [e.name, e.action, e.repo?.full_name])).toEqual([
      ["sub_issues", "sub_issue_added", "acme/roadmap"],
      ["sub_issues", "parent_issue_added", "acme/tree"],
    ]);
    expect(events[0]?.fields).toMatchObject({
      sub_issue_id: task.id,
      parent_issue_id: epic.id,
      sub_issue_repo: { full_name: "acme/tree" },
    });
    expect(events[1]?.fields).toMatchObject({ parent_issue_repo: { full_name: "acme/roadmap" } });

    events.length = 0;
    await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/sub_issue", {
      owner: "acme",
      repo: "roadmap",
      issue_number: epic.number,
      sub_issue_id: task.id,
    });
    expect(events.map((e) => e.action)).toEqual(["sub_issue_removed", "parent_issue_removed"]);
    await expect(
      octokit.rest.issues.getParent({ ...repo, issue_number: task.number }),
    ).rejects.toMatchObject({ status: 404 });
    const root = await octokit.rest.issues.get({ ...repo, issue_number: task.number });
    expect(root.data).not.toHaveProperty("parent_issue_url");
  });

  it("refuses what GitHub refuses: a loop, a second parent, another owner, more than 8 levels", async () => {
    const a = await newIssue("A");
    const b = await newIssue("B");
    await octokit.rest.issues.addSubIssue({ ...repo, issue_number: a.number, sub_issue_id: b.id });
    const refused = (issue_number: number, sub_issue_id: number) =>
      expect(
        octokit.rest.issues.addSubIssue({ ...repo, issue_number, sub_issue_id }),
      ).rejects.toMatchObject({ status: 422 });
    await refused(b.number, a.id);
    const c = await newIssue("C");
    await refused(c.number, b.id);
    const foreign = emu.state.createIssue(
      emu.state.repo("other/elsewhere"),
      { title: "Foreign" },
      emu.state.user("lead"),
    );
    await refused(a.number, foreign.id);

    const chain = [await newIssue("L0")];
    for (let i = 1; i < 8; i++) {
      const next = await newIssue(`L${i}`);
      const top = chain.at(-1);
      if (!top) throw new Error("chain is never empty");
      await octokit.rest.issues.addSubIssue({
        ...repo,
        issue_number: top.number,
        sub_issue_id: next.id,
      });
      chain.push(next);
    }
    const ninth = await newIssue("L8");
    await refused(chain[7]?.number ?? 0, ninth.id);
  });

  it("the test-only back door makes a loop GitHub would refuse, with no webhook", async () => {
    const a = await newIssue("Loop A");
    const b = await newIssue("Loop B");
    const tree = emu.state.repo("acme/tree");
    const at = (n: number) => ({ repo: tree, issue: emu.state.issue(tree, n) });
    events.length = 0;
    emu.state.forceParent(at(a.number), at(b.number));
    emu.state.forceParent(at(b.number), at(a.number));
    expect(events).toEqual([]);
    const parent = await octokit.rest.issues.getParent({ ...repo, issue_number: b.number });
    expect(parent.data.number).toBe(a.number);
  });
});
