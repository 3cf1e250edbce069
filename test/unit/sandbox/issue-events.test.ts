import { Octokit } from "@octokit/rest";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Actors, createActors } from "../../../sandbox/actors.js";
import {
  createEmulator,
  type DomainEvent,
  type Emulator,
} from "../../../sandbox/emulator/index.js";

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const repo = { owner: "acme", repo: "rocket" };
let emu: Emulator;
let gh: Actors;
/** Acts as the app: an installation token, so writes are the `phase-gates[bot]` user's. */
let app: Octokit;

beforeAll(async () => {
  emu = await createEmulator();
  const installation = emu.state.install(["acme/rocket"], emu.state.user("lead"));
  app = new Octokit({
    baseUrl: emu.apiUrl,
    auth: emu.state.issueTokenFor(installation.id).token,
    log: quiet,
  });
  gh = createActors(emu, { repo: "acme/rocket" });
  const r = gh.repo();
  for (const title of ["Walk", "Run"])
    emu.state.createMilestone(r, { title }, emu.state.user("lead"));
});

afterAll(async () => {
  await emu.close();
});

afterEach(() => {
  vi.useRealTimers();
});

const listEvents = (issue_number: number, extra: { per_page?: number; page?: number } = {}) =>
  app.rest.issues.listEvents({ ...repo, issue_number, ...extra });

interface Summary {
  event: string;
  actor: string | undefined;
  label?: string;
  milestone?: string;
  // Octokit's type of this list leaves out closed/reopened events, which GitHub does return.
  state_reason?: unknown;
  rename?: { from: string; to: string };
}

/** What a test compares: event, who, and the event's own field. */
async function summary(issueNumber: number): Promise<Summary[]> {
  const { data } = await listEvents(issueNumber, { per_page: 100 });
  return data.map((e) => ({
    event: e.event,
    actor: e.actor?.login,
    ...("label" in e ? { label: e.label.name } : {}),
    ...("milestone" in e ? { milestone: e.milestone.title } : {}),
    ...("state_reason" in e ? { state_reason: e.state_reason } : {}),
    ...("rename" in e ? { rename: e.rename } : {}),
  }));
}

describe("GET /repos/{owner}/{repo}/issues/{issue_number}/events", () => {
  it("records who labeled, closed, reopened, milestoned, renamed, oldest first", async () => {
    const issue = await gh.openIssue({ title: "Walk gate", labels: ["gate: walk"], by: "lead" });
    await gh.closeIssue(issue.number, { by: "contrib", reason: "not_planned" });
    await gh.reopenIssue(issue.number, { by: "lead" });
    await gh.addLabel(issue.number, "approved", { by: "lead" });
    await gh.removeLabel(issue.number, "approved", { by: "contrib" });
    await gh.setMilestone(issue.number, "Walk", { by: "lead" });
    await gh.setMilestone(issue.number, "Run", { by: "lead" });
    await gh.setMilestone(issue.number, null, { by: "contrib" });
    await gh.renameIssue(issue.number, "Walk gate (v2)", { by: "lead" });
    await app.rest.issues.update({ ...repo, issue_number: issue.number, state: "closed" });
    await app.rest.issues.setLabels({ ...repo, issue_number: issue.number, labels: ["done"] });

    expect(await summary(issue.number)).toEqual([
      { event: "labeled", actor: "lead", label: "gate: walk" },
      { event: "closed", actor: "contrib", state_reason: "not_planned" },
      { event: "reopened", actor: "lead", state_reason: "reopened" },
      { event: "labeled", actor: "lead", label: "approved" },
      { event: "unlabeled", actor: "contrib", label: "approved" },
      { event: "milestoned", actor: "lead", milestone: "Walk" },
      { event: "demilestoned", actor: "lead", milestone: "Walk" },
      { event: "milestoned", actor: "lead", milestone: "Run" },
      { event: "demilestoned", actor: "contrib", milestone: "Run" },
      {
        event: "renamed",
        actor: "lead",
        rename: { from: "Walk gate", to: "Walk gate (v2)" },
      },
      { event: "closed", actor: "phase-gates[bot]", state_reason: "completed" },
      { event: "unlabeled", actor: "phase-gates[bot]", label: "gate: walk" },
      { event: "labeled", actor: "phase-gates[bot]", label: "done" },
    ]);
    expect(gh.eventsOf(issue.number).map((e) => e.event)).toHaveLength(13);
  });

  it("has GitHub's fields; the app is named only on the app bot's own events", async () => {
    const issue = await gh.openIssue({ title: "Shape", labels: ["gate: crawl"], by: "lead" });
    await app.rest.issues.update({
      ...repo,
      issue_number: issue.number,
      state: "closed",
      state_reason: "not_planned",
    });
    const { data } = await listEvents(issue.number);
    const [labeled, closed] = data;
    const api = `${emu.apiUrl}/repos/acme/rocket/issues/events`;
    expect(labeled).toEqual({
      id: expect.any(Number),
      node_id: expect.stringMatching(/^LE_/),
      url: `${api}/${labeled?.id}`,
      actor: expect.objectContaining({ login: "lead", type: "User" }),
      event: "labeled",
      commit_id: null,
      commit_url: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      performed_via_github_app: null,
      label: { name: "gate: crawl", color: "ededed" },
    });
    expect(closed).toEqual({
      id: expect.any(Number),
      node_id: expect.stringMatching(/^CE_/),
      url: `${api}/${closed?.id}`,
      actor: expect.objectContaining({ login: "phase-gates[bot]", type: "Bot" }),
      event: "closed",
      commit_id: null,
      commit_url: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      performed_via_github_app: expect.objectContaining({
        id: emu.state.app.id,
        slug: "phase-gates",
      }),
      state_reason: "not_planned",
    });
    expect(labeled?.id).not.toBe(closed?.id);
  });

  it("a workflow's bot closes as a Bot that is not the app", async () => {
    const issue = await gh.openIssue({ title: "Closed by a workflow", by: "lead" });
    await gh.closeIssue(issue.number, { by: "github-actions[bot]", reason: "completed" });
    await gh.reopenIssue(issue.number, { by: "github-actions[bot]" });
    const { data } = await listEvents(issue.number);
    expect(data).toMatchObject([
      {
        event: "closed",
        actor: { login: "github-actions[bot]", type: "Bot" },
        performed_via_github_app: null,
      },
      {
        event: "reopened",
        actor: { login: "github-actions[bot]", type: "Bot" },
        performed_via_github_app: null,
      },
    ]);
  });

  it("records a PR's labels and milestone at creation, its close, and no event for a body edit", async () => {
    const pr = await gh.openPullRequest({
      title: "Run work",
      labels: ["phase: run"],
      milestone: "Run",
      by: "contrib",
    });
    await gh.editIssueBody(pr.number, "now with a body", { by: "lead" });
    await gh.closeIssue(pr.number, { by: "lead" });
    expect(gh.issue(pr.number).body).toBe("now with a body");
    expect(await summary(pr.number)).toEqual([
      { event: "labeled", actor: "contrib", label: "phase: run" },
      { event: "milestoned", actor: "contrib", milestone: "Run" },
      { event: "closed", actor: "lead", state_reason: "completed" },
    ]);
  });

  it("a label deleted from the repository leaves an unlabeled event by whoever deleted it", async () => {
    const issue = await gh.openIssue({ title: "Doomed label", labels: ["temp"], by: "lead" });
    const other = await gh.openIssue({ title: "Untouched", by: "lead" });
    await gh.deleteLabel("temp", { by: "contrib" });
    expect(await summary(issue.number)).toEqual([
      { event: "labeled", actor: "lead", label: "temp" },
      { event: "unlabeled", actor: "contrib", label: "temp" },
    ]);
    expect(await summary(other.number)).toEqual([]);
  });

  it("holds the event before the webhook goes out, so the app finds it when it reads", async () => {
    const issue = await gh.openIssue({ title: "Order", by: "lead" });
    const seen: { action: string | null; events: string[] }[] = [];
    const listener = (event: DomainEvent): void => {
      if (event.name !== "issues") return;
      seen.push({ action: event.action, events: gh.eventsOf(issue.number).map((e) => e.event) });
    };
    emu.state.onEvent(listener);
    await gh.addLabel(issue.number, "approved", { by: "lead" });
    await gh.closeIssue(issue.number, { by: "lead" });
    expect(seen).toEqual([
      { action: "labeled", events: ["labeled"] },
      { action: "closed", events: ["labeled", "closed"] },
    ]);
  });

  it("paginates with per_page and page and a Link header Octokit's paginate follows", async () => {
    const issue = await gh.openIssue({ title: "Many labels", by: "lead" });
    const names = Array.from({ length: 7 }, (_, i) => `many-${i}`);
    await gh.addLabels(issue.number, names, { by: "lead" });
    const first = await listEvents(issue.number, { per_page: 3 });
    expect(first.data.map((e) => ("label" in e ? e.label.name : ""))).toEqual(names.slice(0, 3));
    expect(first.headers.link).toContain(
      `/repos/acme/rocket/issues/${issue.number}/events?per_page=3&page=2>; rel="next"`,
    );
    expect(first.headers.link).toContain(`page=3>; rel="last"`);
    const third = await listEvents(issue.number, { per_page: 3, page: 3 });
    expect(third.data).toHaveLength(1);
    expect(third.headers.link).not.toContain('rel="next"');
    const all = await app.paginate(app.rest.issues.listEvents, {
      ...repo,
      issue_number: issue.number,
      per_page: 3,
    });
    expect(all.map((e) => ("label" in e ? e.label.name : ""))).toEqual(names);
  });

  it.each([
    { perPage: undefined, length: 30 },
    { perPage: 500, length: 100 },
  ])("answers $length events a page when per_page is $perPage", async ({ perPage, length }) => {
    const issue = await gh.openIssue({ title: "Labelled to the hilt", by: "lead" });
    const names = Array.from({ length: 105 }, (_, i) => `bulk-${perPage}-${i}`);
    await gh.addLabels(issue.number, names, { by: "lead" });
    const { data } = await listEvents(
      issue.number,
      perPage === undefined ? {} : { per_page: perPage },
    );
    expect(data).toHaveLength(length);
  });

  it("answers 304 with no body to If-None-Match while unchanged, and 200 once an event is added", async () => {
    const issue = await gh.openIssue({ title: "Cached", labels: ["gate: run"], by: "lead" });
    const url = `${emu.apiUrl}/repos/acme/rocket/issues/${issue.number}/events`;
    const first = await fetch(url);
    const etag = first.headers.get("etag");
    expect(first.status).toBe(200);
    expect(etag).toBeTruthy();
    const again = await fetch(url, { headers: { "if-none-match": String(etag) } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    await gh.closeIssue(issue.number, { by: "lead" });
    const changed = await fetch(url, { headers: { "if-none-match": String(etag) } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(((await changed.json()) as { event: string }[]).map((e) => e.event)).toEqual([
      "labeled",
      "closed",
    ]);
  });

  it.each([
    { what: "an issue number that does not exist", path: "/repos/acme/rocket/issues/9999/events" },
    { what: "a repository that does not exist", path: "/repos/acme/nowhere/issues/1/events" },
    {
      what: "a repository the app is not installed on",
      path: "/repos/acme/private/issues/1/events",
    },
  ])("404s $what", async ({ path }) => {
    const secret = emu.state.createRepo("acme/private");
    if (secret.issues.size === 0)
      emu.state.createIssue(secret, { title: "hidden" }, emu.state.user("lead"));
    await expect(app.request(`GET ${path}`)).rejects.toMatchObject({ status: 404 });
  });
});

describe("comment edits", () => {
  const T = "2026-05-01T10:00:00.000Z";

  it.each([
    { editedAfterMs: 0, updatedAt: "2026-05-01T10:00:01Z" },
    { editedAfterMs: 999, updatedAt: "2026-05-01T10:00:01Z" },
    { editedAfterMs: 5_000, updatedAt: "2026-05-01T10:00:05Z" },
  ])(
    "an edit $editedAfterMs ms after creation reads as edited at $updatedAt",
    async ({ editedAfterMs, updatedAt }) => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date(T));
      const issue = await gh.openIssue({ title: "Commented", by: "lead" });
      const comment = await gh.comment(issue.number, "/approve", { by: "contrib" });
      vi.setSystemTime(new Date(Date.parse(T) + editedAfterMs));
      await gh.editComment(comment.id, "/approve (edited)", { by: "lead" });
      const { data } = await app.rest.issues.getComment({ ...repo, comment_id: comment.id });
      expect(data).toMatchObject({
        body: "/approve (edited)",
        user: { login: "contrib" },
        created_at: "2026-05-01T10:00:00Z",
        updated_at: updatedAt,
      });
    },
  );

  it("a second edit within the same second never moves updated_at back", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(T));
    const issue = await gh.openIssue({ title: "Twice", by: "lead" });
    const comment = await gh.comment(issue.number, "one", { by: "contrib" });
    await gh.editComment(comment.id, "two", { by: "lead" });
    await gh.editComment(comment.id, "three", { by: "lead" });
    expect(gh.commentsOn(issue.number)[0]).toMatchObject({
      body: "three",
      created_at: "2026-05-01T10:00:00Z",
      updated_at: "2026-05-01T10:00:01Z",
    });
  });

  it("the edit's webhook names the editor while the comment keeps its author", async () => {
    const issue = await gh.openIssue({ title: "Edited by another", by: "lead" });
    const comment = await gh.comment(issue.number, "/approve", { by: "contrib" });
    const senders: string[] = [];
    emu.state.onEvent((e) => {
      if (e.name === "issue_comment" && e.action === "edited") senders.push(e.sender.login);
    });
    await gh.editComment(comment.id, "/approve please", { by: "lead" });
    expect(senders).toEqual(["lead"]);
    expect(gh.commentsOn(issue.number)[0]?.user.login).toBe("contrib");
  });
});
