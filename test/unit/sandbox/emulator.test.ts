import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Octokit } from "@octokit/rest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator, sign } from "../../../sandbox/emulator/index.js";

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let emu: Emulator;
let octokit: Octokit;
let token: string;

beforeAll(async () => {
  emu = await createEmulator();
  const installation = emu.state.install(["acme/rocket"], emu.state.user("lead"));
  token = emu.state.issueTokenFor(installation.id).token;
  octokit = new Octokit({ baseUrl: emu.apiUrl, auth: token, log: quiet });
});

afterAll(async () => {
  await emu.close();
});

afterEach(() => {
  emu.requestLog.reset();
});

describe("app authentication", () => {
  it("mints an installation token with any JWT and acts as the bot with it", async () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.sig";
    const installation = [...emu.state.installations.values()][0];
    const res = await fetch(`${emu.apiUrl}/app/installations/${installation?.id}/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; expires_at: string };
    expect(body.token).toMatch(/^ghs_/);
    const app = await fetch(`${emu.apiUrl}/app`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(await app.json()).toMatchObject({ slug: "phase-gates", id: emu.state.app.id });
    const issue = await new Octokit({ baseUrl: emu.apiUrl, auth: body.token }).rest.issues.create({
      owner: "acme",
      repo: "rocket",
      title: "made by the app",
    });
    expect(issue.data.user?.login).toBe("phase-gates[bot]");
    expect(issue.data.user?.type).toBe("Bot");
  });

  it("rejects an unknown token", async () => {
    const res = await fetch(`${emu.apiUrl}/repos/acme/rocket`, {
      headers: { authorization: "token nope" },
    });
    expect(res.status).toBe(401);
  });
});

describe("contents", () => {
  beforeAll(() => {
    const repo = emu.state.repo("acme/rocket");
    emu.state.commitFiles(
      repo,
      "main",
      { ".github/phase-gates.yml": "unphased: block\n" },
      emu.state.user("lead"),
    );
  });

  it("serves raw text with an ETag and answers 304 when it matches (Octokit throws 304)", async () => {
    const first = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: "acme",
      repo: "rocket",
      path: ".github/phase-gates.yml",
      mediaType: { format: "raw" },
    });
    expect(first.data).toBe("unphased: block\n");
    expect(first.headers["content-type"]).toBe("text/plain; charset=utf-8");
    const etag = first.headers.etag;
    expect(etag).toBeTruthy();
    await expect(
      octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: "acme",
        repo: "rocket",
        path: ".github/phase-gates.yml",
        mediaType: { format: "raw" },
        headers: { "if-none-match": String(etag) },
      }),
    ).rejects.toMatchObject({ status: 304 });
    expect(emu.requestLog.entries.map((e) => e.status)).toEqual([200, 304]);
    expect(emu.requestLog.entries[0]?.path).toContain(".github%2Fphase-gates.yml");
  });

  it("serves the JSON contents object with base64 content, and 404s a missing file", async () => {
    const { data } = await octokit.rest.repos.getContent({
      owner: "acme",
      repo: "rocket",
      path: ".github/phase-gates.yml",
    });
    expect(data).toMatchObject({
      type: "file",
      encoding: "base64",
      path: ".github/phase-gates.yml",
    });
    const content = (data as { content: string }).content;
    expect(Buffer.from(content, "base64").toString()).toBe("unphased: block\n");
    await expect(
      octokit.rest.repos.getContent({
        owner: "acme",
        repo: ".github",
        path: ".github/phase-gates.yml",
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("reads a file at a ref", async () => {
    const repo = emu.state.repo("acme/rocket");
    const pr = emu.state.createPull(
      repo,
      { title: "config change", files: { ".github/phase-gates.yml": "unphased: allow\n" } },
      emu.state.user("dev"),
    );
    const res = await fetch(
      `${emu.apiUrl}/repos/acme/rocket/contents/.github/phase-gates.yml?ref=${pr.pull?.headSha}`,
      { headers: { accept: "application/vnd.github.v3.raw" } },
    );
    expect(await res.text()).toBe("unphased: allow\n");
    const files = await octokit.rest.pulls.listFiles({
      owner: "acme",
      repo: "rocket",
      pull_number: pr.number,
    });
    expect(files.data).toMatchObject([{ filename: ".github/phase-gates.yml", status: "modified" }]);
  });
});

describe("issues", () => {
  it("paginates with a Link header that Octokit's paginate follows", async () => {
    for (let i = 0; i < 7; i++) {
      await octokit.rest.issues.create({
        owner: "acme",
        repo: "rocket",
        title: `bulk ${i}`,
        labels: ["bulk"],
      });
    }
    const page = await octokit.rest.issues.listForRepo({
      owner: "acme",
      repo: "rocket",
      labels: "BULK",
      per_page: 3,
    });
    expect(page.data).toHaveLength(3);
    expect(page.headers.link).toContain('rel="next"');
    expect(page.headers.link).toContain('rel="last"');
    const all = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner: "acme",
      repo: "rocket",
      labels: "bulk",
      per_page: 3,
      sort: "created",
      direction: "asc",
    });
    expect(all.map((i) => i.title)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `bulk ${i}`));
    expect(emu.requestLog.count("GET /repos/{owner}/{repo}/issues")).toBe(4);
  });

  it("closes with closed_by = the actor and reopens with state_reason reopened", async () => {
    const { data: issue } = await octokit.rest.issues.create({
      owner: "acme",
      repo: "rocket",
      title: "to close",
    });
    const closed = await octokit.rest.issues.update({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
      state: "closed",
      state_reason: "not_planned",
    });
    expect(closed.data).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(closed.data.closed_by?.login).toBe("phase-gates[bot]");
    expect(closed.data.closed_at).toBeTruthy();
    const reopened = await octokit.rest.issues.update({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
      state: "open",
    });
    expect(reopened.data).toMatchObject({
      state: "open",
      state_reason: "reopened",
      closed_by: null,
      closed_at: null,
    });
  });

  it("adds, lists and removes issue labels, creating unknown labels in the repo", async () => {
    const { data: issue } = await octokit.rest.issues.create({
      owner: "acme",
      repo: "rocket",
      title: "labels",
    });
    const added = await octokit.rest.issues.addLabels({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
      labels: ["phase: run"],
    });
    expect(added.data.map((l) => l.name)).toEqual(["phase: run"]);
    const repoLabel = await octokit.rest.issues.getLabel({
      owner: "acme",
      repo: "rocket",
      name: "phase: run",
    });
    expect(repoLabel.data.url).toContain("phase%3A%20run");
    await octokit.rest.issues.removeLabel({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
      name: "phase: run",
    });
    await expect(
      octokit.rest.issues.removeLabel({
        owner: "acme",
        repo: "rocket",
        issue_number: issue.number,
        name: "phase: run",
      }),
    ).rejects.toMatchObject({ status: 404 });
    const set = await octokit.rest.issues.setLabels({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
      labels: ["a", "b"],
    });
    expect(set.data.map((l) => l.name)).toEqual(["a", "b"]);
  });

  it("manages repo labels and milestones", async () => {
    await octokit.rest.issues.createLabel({
      owner: "acme",
      repo: "rocket",
      name: "gate: crawl",
      color: "0e8a16",
    });
    await expect(
      octokit.rest.issues.createLabel({
        owner: "acme",
        repo: "rocket",
        name: "Gate: Crawl",
        color: "0e8a16",
      }),
    ).rejects.toMatchObject({ status: 422 });
    const updated = await octokit.rest.issues.updateLabel({
      owner: "acme",
      repo: "rocket",
      name: "gate: crawl",
      color: "ff0000",
      description: "The Crawl gate",
    });
    expect(updated.data).toMatchObject({ color: "ff0000", description: "The Crawl gate" });
    const ms = await octokit.rest.issues.createMilestone({
      owner: "acme",
      repo: "rocket",
      title: "Crawl",
    });
    const { data: issue } = await octokit.rest.issues.create({
      owner: "acme",
      repo: "rocket",
      title: "in crawl",
      milestone: ms.data.number,
    });
    expect(issue.milestone?.title).toBe("Crawl");
    const listed = await octokit.rest.issues.listForRepo({
      owner: "acme",
      repo: "rocket",
      milestone: String(ms.data.number),
    });
    expect(listed.data.map((i) => i.number)).toEqual([issue.number]);
    const closed = await octokit.rest.issues.updateMilestone({
      owner: "acme",
      repo: "rocket",
      milestone_number: ms.data.number,
      state: "closed",
    });
    expect(closed.data.state).toBe("closed");
    const open = await octokit.rest.issues.listMilestones({ owner: "acme", repo: "rocket" });
    expect(open.data.map((m) => m.title)).not.toContain("Crawl");
    await octokit.rest.issues.deleteLabel({ owner: "acme", repo: "rocket", name: "gate: crawl" });
  });

  it("creates, edits, lists and deletes comments", async () => {
    const { data: issue } = await octokit.rest.issues.create({
      owner: "acme",
      repo: "rocket",
      title: "comments",
    });
    const c = await octokit.rest.issues.createComment({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
      body: "hi",
    });
    expect(c.data.user?.login).toBe("phase-gates[bot]");
    expect(c.data.html_url).toBe(
      `${emu.url}/acme/rocket/issues/${issue.number}#issuecomment-${c.data.id}`,
    );
    await octokit.rest.issues.updateComment({
      owner: "acme",
      repo: "rocket",
      comment_id: c.data.id,
      body: "edited",
    });
    const list = await octokit.rest.issues.listComments({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
    });
    expect(list.data.map((x) => x.body)).toEqual(["edited"]);
    await octokit.rest.issues.deleteComment({
      owner: "acme",
      repo: "rocket",
      comment_id: c.data.id,
    });
    const after = await octokit.rest.issues.listComments({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
    });
    expect(after.data).toEqual([]);
  });
});

describe("pull requests and check runs", () => {
  it("lists PRs as issues with pull_request, and pulls with head sha", async () => {
    const repo = emu.state.repo("acme/rocket");
    const pr = emu.state.createPull(
      repo,
      { title: "a PR", labels: ["phase: run"], body: "Closes #1" },
      emu.state.user("dev"),
    );
    const asIssue = await octokit.rest.issues.get({
      owner: "acme",
      repo: "rocket",
      issue_number: pr.number,
    });
    expect(asIssue.data.pull_request?.html_url).toBe(`${emu.url}/acme/rocket/pull/${pr.number}`);
    const pulls = await octokit.paginate(octokit.rest.pulls.list, {
      owner: "acme",
      repo: "rocket",
      state: "open",
      per_page: 1,
    });
    const found = pulls.find((p) => p.number === pr.number);
    expect(found).toMatchObject({
      head: { sha: pr.pull?.headSha },
      base: { ref: "main" },
      body: "Closes #1",
      draft: false,
    });
    expect(found?.labels.map((l) => l.name)).toEqual(["phase: run"]);
  });

  it("lists a PR's commits oldest first, each with its parent, a push adding one", async () => {
    const repo = emu.state.repo("acme/rocket");
    const pr = emu.state.createPull(repo, { title: "Commits" }, emu.state.user("lead"));
    const first = pr.pull?.headSha;
    emu.state.pushToPull(repo, pr.number, emu.state.user("lead"));
    const second = emu.state.issue(repo, pr.number).pull?.headSha;
    const commits = await octokit.paginate(octokit.rest.pulls.listCommits, {
      owner: "acme",
      repo: "rocket",
      pull_number: pr.number,
    });
    expect(commits.map((c) => [c.sha, c.parents.map((p) => p.sha)])).toEqual([
      [first, []],
      [second, [first]],
    ]);
    await expect(
      octokit.rest.pulls.listCommits({ owner: "acme", repo: "rocket", pull_number: 9999 }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("creates, updates and lists check runs for a ref (latest per name)", async () => {
    const sha = "a".repeat(40);
    const created = await octokit.rest.checks.create({
      owner: "acme",
      repo: "rocket",
      name: "Phase gate",
      head_sha: sha,
      status: "in_progress",
    });
    expect(created.data).toMatchObject({ status: "in_progress", conclusion: null });
    await octokit.rest.checks.update({
      owner: "acme",
      repo: "rocket",
      check_run_id: created.data.id,
      conclusion: "failure",
      output: { title: "Blocked: Walk gate pending", summary: "why" },
    });
    const second = await octokit.rest.checks.create({
      owner: "acme",
      repo: "rocket",
      name: "Phase gate",
      head_sha: sha,
      conclusion: "success",
      output: { title: "Run: gates approved", summary: "ok" },
    });
    const latest = await octokit.rest.checks.listForRef({
      owner: "acme",
      repo: "rocket",
      ref: sha,
      check_name: "Phase gate",
    });
    expect(latest.data.total_count).toBe(1);
    expect(latest.data.check_runs[0]).toMatchObject({
      id: second.data.id,
      status: "completed",
      conclusion: "success",
    });
    const all = await octokit.rest.checks.listForRef({
      owner: "acme",
      repo: "rocket",
      ref: sha,
      filter: "all",
    });
    expect(all.data.total_count).toBe(2);
    const one = await octokit.rest.checks.get({
      owner: "acme",
      repo: "rocket",
      check_run_id: created.data.id,
    });
    expect(one.data.output).toMatchObject({ title: "Blocked: Walk gate pending", summary: "why" });
    expect(one.data.completed_at).toBeTruthy();
  });
});

describe("people", () => {
  it("reports legacy permission and role_name", async () => {
    emu.state.addCollaborator("acme/rocket", "lead", "maintain");
    emu.state.addCollaborator("acme/rocket", "contrib", "triage");
    const lead = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: "acme",
      repo: "rocket",
      username: "lead",
    });
    expect(lead.data).toMatchObject({
      permission: "write",
      role_name: "maintain",
      user: { login: "lead" },
    });
    const contrib = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: "acme",
      repo: "rocket",
      username: "contrib",
    });
    expect(contrib.data).toMatchObject({ permission: "read", role_name: "triage" });
  });

  it("answers team membership or 404", async () => {
    emu.state.addTeamMember("acme", "leads", "lead");
    const yes = await octokit.rest.teams.getMembershipForUserInOrg({
      org: "acme",
      team_slug: "leads",
      username: "lead",
    });
    expect(yes.data).toMatchObject({ state: "active", role: "member" });
    await expect(
      octokit.rest.teams.getMembershipForUserInOrg({
        org: "acme",
        team_slug: "leads",
        username: "contrib",
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("faults and logging", () => {
  it("answers 404 and records unhandled routes", async () => {
    const res = await fetch(`${emu.apiUrl}/repos/acme/rocket/deployments`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ message: "Not Found" });
    expect(emu.requestLog.unhandled).toEqual(["GET /api/v3/repos/acme/rocket/deployments"]);
  });

  it("injects a 403 secondary rate limit with retry-after once", async () => {
    emu.state.failNext("POST /repos/{owner}/{repo}/issues", 403, {
      headers: { "retry-after": "1" },
    });
    await expect(
      octokit.rest.issues.create({ owner: "acme", repo: "rocket", title: "x" }),
    ).rejects.toMatchObject({
      status: 403,
      response: { headers: { "retry-after": "1" } },
    });
    await octokit.rest.issues.create({ owner: "acme", repo: "rocket", title: "x" });
    expect(emu.requestLog.writes().map((w) => w.status)).toEqual([403, 201]);
    expect(emu.requestLog.counts()["POST /repos/{owner}/{repo}/issues"]).toBe(2);
  });
});

describe("webhooks", () => {
  let receiver: Server;
  const received: {
    event: string;
    action: unknown;
    signatureOk: boolean;
    payload: Record<string, unknown>;
  }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        const payload = JSON.parse(body) as Record<string, unknown>;
        received.push({
          event: String(req.headers["x-github-event"]),
          action: payload.action,
          signatureOk: req.headers["x-hub-signature-256"] === sign("s3cret", body),
          payload,
        });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    emu.connectApp({
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
      secret: "s3cret",
    });
  });

  afterAll(async () => {
    emu.connectApp({ url: "http://127.0.0.1:1/", secret: "x" });
    emu.webhooks.target = null;
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("delivers the app's own writes back, signed and in order, with sender = the bot", async () => {
    const { data: issue } = await octokit.rest.issues.create({
      owner: "acme",
      repo: "rocket",
      title: "hooked",
      labels: ["phase: crawl"],
    });
    await octokit.rest.issues.update({
      owner: "acme",
      repo: "rocket",
      issue_number: issue.number,
      state: "closed",
    });
    await emu.webhooks.idle();
    const mine = received.filter(
      (r) => (r.payload.issue as { number?: number } | undefined)?.number === issue.number,
    );
    expect(mine.map((r) => `${r.event}.${String(r.action)}`)).toEqual([
      "issues.opened",
      "issues.closed",
    ]);
    expect(mine.every((r) => r.signatureOk)).toBe(true);
    const closed = mine[1]?.payload as {
      sender: { login: string; type: string };
      issue: { state_reason: string; closed_by: { login: string } };
      installation: { id: number };
      repository: { full_name: string };
      organization: { login: string };
    };
    expect(closed.sender).toMatchObject({ login: "phase-gates[bot]", type: "Bot" });
    expect(closed.issue).toMatchObject({
      state_reason: "completed",
      closed_by: { login: "phase-gates[bot]" },
    });
    expect(closed.repository.full_name).toBe("acme/rocket");
    expect(closed.organization.login).toBe("acme");
    expect(closed.installation.id).toBeGreaterThan(0);
  });
});
