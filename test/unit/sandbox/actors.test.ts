import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Actors, createActors, waitFor } from "../../../sandbox/actors.js";
import { createEmulator, type Emulator, sign } from "../../../sandbox/emulator/index.js";

// biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field, as an app would
type Json = any;

interface Received {
  event: string;
  delivery: string;
  signed: boolean;
  payload: Record<string, Json>;
}

let emu: Emulator;
let receiver: Server;
let gh: Actors;
const received: Received[] = [];

// A stand-in for the app: records what the emulator delivers, answers 202.
beforeAll(async () => {
  emu = await createEmulator();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      received.push({
        event: String(req.headers["x-github-event"]),
        delivery: String(req.headers["x-github-delivery"]),
        signed: req.headers["x-hub-signature-256"] === sign("shh", body),
        payload: JSON.parse(body) as Record<string, Json>,
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  emu.connectApp({
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
    secret: "shh",
  });
  gh = createActors(emu, { repo: "acme/rocket" });
  gh.addCollaborator("lead", "maintain");
  gh.addCollaborator("contrib", "triage");
  gh.addTeamMember("acme", "leads", "lead");
});

afterAll(async () => {
  await emu.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
});

const last = (): Received => {
  const r = received.at(-1);
  if (!r) throw new Error("nothing delivered");
  return r;
};

describe("actors deliver the webhooks GitHub sends", () => {
  it("installation.created with the repositories, then nothing for an uninstalled repo", async () => {
    await gh.installApp(["acme/rocket"], { by: "lead" });
    const { event, payload, signed } = last();
    expect(event).toBe("installation");
    expect(signed).toBe(true);
    expect(payload).toMatchObject({
      action: "created",
      installation: { app_id: emu.state.app.id, account: { login: "acme" } },
      repositories: [{ full_name: "acme/rocket" }],
      sender: { login: "lead" },
    });
  });

  it("push of the config on the default branch", async () => {
    await gh.pushConfig("{}\n", { by: "lead" });
    await gh.pushConfig("unphased: block\n", { by: "lead" });
    const { event, payload } = last();
    expect(event).toBe("push");
    expect(payload.ref).toBe("refs/heads/main");
    expect(payload.commits[0].modified).toEqual([".github/phase-gates.yml"]);
    expect(payload.after).toBe(emu.state.repo("acme/rocket").branches.get("main"));
    expect(payload.repository).toMatchObject({ full_name: "acme/rocket", default_branch: "main" });
    expect(payload.installation.id).toBeGreaterThan(0);
    // Fields we do not model keep the real example's shape.
    expect(payload.head_commit).toHaveProperty("tree_id");
    expect(payload).toHaveProperty("compare");
  });

  it("pull_request.opened and .synchronize with head shas", async () => {
    const pr = await gh.openPullRequest({
      title: "Launch",
      labels: ["phase: run"],
      body: "Closes #1",
      by: "contrib",
    });
    let r = received.find((x) => x.event === "pull_request");
    expect(r?.payload).toMatchObject({
      action: "opened",
      number: pr.number,
      pull_request: {
        head: { sha: pr.pull?.headSha },
        labels: [{ name: "phase: run" }],
        body: "Closes #1",
      },
      sender: { login: "contrib", type: "User" },
    });
    const before = pr.pull?.headSha;
    const after = await gh.pushCommit(pr.number, { by: "contrib" });
    r = last();
    expect(r.payload).toMatchObject({
      action: "synchronize",
      before,
      after,
      pull_request: { head: { sha: after } },
    });
    expect(gh.latestCheck(pr.number)).toBeUndefined();
  });

  it("labeled / unlabeled / milestoned / demilestoned on issues and PRs", async () => {
    emu.state.createMilestone(gh.repo(), { title: "Run" }, emu.state.user("lead"));
    const issue = await gh.openIssue({ title: "Idea", by: "contrib" });
    await gh.addLabel(issue.number, "phase: walk", { by: "contrib" });
    await gh.removeLabel(issue.number, "phase: walk", { by: "contrib" });
    await gh.setMilestone(issue.number, "Run", { by: "lead" });
    await gh.setMilestone(issue.number, null, { by: "lead" });
    expect(received.map((r) => `${r.event}.${r.payload.action}`)).toEqual([
      "milestone.created",
      "issues.opened",
      "issues.labeled",
      "issues.unlabeled",
      "issues.milestoned",
      "issues.demilestoned",
    ]);
    expect(received[2]?.payload.label).toMatchObject({ name: "phase: walk" });
    expect(received[4]?.payload.milestone).toMatchObject({ title: "Run" });
    expect(received[5]?.payload.issue.milestone).toBeNull();
    const pr = await gh.openPullRequest({ title: "PR", by: "contrib" });
    await gh.setMilestone(pr.number, "Run", { by: "lead" });
    expect(last().payload).toMatchObject({
      action: "milestoned",
      pull_request: { milestone: { title: "Run" } },
    });
    expect(last().payload).not.toHaveProperty("label");
  });

  it("issues.closed with state_reason and sender; reopened", async () => {
    const issue = await gh.openIssue({
      title: "Gate",
      body: "- [ ] a\n- [ ] b",
      labels: ["gate: crawl"],
      by: "lead",
    });
    await gh.closeIssue(issue.number, { by: "contrib", reason: "not_planned" });
    expect(last().payload).toMatchObject({
      action: "closed",
      issue: { state: "closed", state_reason: "not_planned", closed_by: { login: "contrib" } },
      sender: { login: "contrib" },
    });
    await gh.reopenIssue(issue.number, { by: "lead" });
    expect(last().payload).toMatchObject({
      action: "reopened",
      issue: { state: "open", state_reason: "reopened", closed_by: null },
    });
  });

  it("issues.edited with changes.body.from when criteria are ticked", async () => {
    const issue = await gh.openIssue({ title: "Gate", body: "- [ ] a\n* [ ] b", by: "lead" });
    await gh.tickCriteria(issue.number, { by: "lead" });
    expect(last().payload).toMatchObject({
      action: "edited",
      changes: { body: { from: "- [ ] a\n* [ ] b" } },
      issue: { body: "- [x] a\n* [x] b" },
    });
  });

  it("issue_comment created / edited / deleted", async () => {
    const issue = await gh.openIssue({ title: "Gate", by: "lead" });
    const comment = await gh.comment(issue.number, "/approve", { by: "lead" });
    expect(last().payload).toMatchObject({
      action: "created",
      comment: { id: comment.id, body: "/approve", user: { login: "lead" } },
      issue: { number: issue.number },
    });
    await gh.editComment(comment.id, "/approve looks good", { by: "lead" });
    expect(last().payload).toMatchObject({
      action: "edited",
      changes: { body: { from: "/approve" } },
    });
    await gh.deleteComment(comment.id, { by: "lead" });
    expect(last().payload).toMatchObject({ action: "deleted", comment: { id: comment.id } });
    expect(gh.commentsOn(issue.number)).toEqual([]);
  });

  it("check_run.rerequested for the PR's latest Phase gate run; merge_group.checks_requested", async () => {
    const pr = await gh.openPullRequest({ title: "Checked", by: "contrib" });
    const sha = pr.pull?.headSha ?? "";
    emu.state.createCheckRun(
      gh.repo(),
      {
        name: "Phase gate",
        head_sha: sha,
        conclusion: "success",
        output: { title: "ok", summary: "ok" },
      },
      emu.state.bot,
    );
    await emu.webhooks.idle();
    expect(received.slice(-2).map((r) => `${r.event}.${r.payload.action}`)).toEqual([
      "check_run.created",
      "check_run.completed",
    ]);
    expect(last().payload.sender).toMatchObject({ login: "phase-gates[bot]", type: "Bot" });
    await gh.rerequestCheck(pr.number, { by: "contrib" });
    expect(last().payload).toMatchObject({
      action: "rerequested",
      check_run: { name: "Phase gate", head_sha: sha, pull_requests: [{ number: pr.number }] },
    });
    const groupSha = await gh.enqueueInMergeQueue(pr.number, { by: "lead" });
    expect(last().payload).toMatchObject({
      action: "checks_requested",
      merge_group: { head_sha: groupSha, base_ref: "refs/heads/main" },
    });
    expect(last().payload.merge_group.head_ref).toMatch(
      /^refs\/heads\/gh-readonly-queue\/main\/pr-\d+-/,
    );
  });

  it("delivers in order, one at a time, each with its own delivery id", async () => {
    const issue = await gh.openIssue({ title: "Burst", by: "contrib" });
    for (const name of ["a", "b", "c", "d"])
      emu.state.addLabels(gh.repo(), issue.number, [name], emu.state.user("contrib"));
    await emu.webhooks.idle();
    const labeled = received.filter((r) => r.payload.action === "labeled");
    expect(labeled.map((r) => r.payload.label.name)).toEqual(["a", "b", "c", "d"]);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(received.length);
  });
});

describe("waitFor", () => {
  it("returns the first truthy value and times out with what it waited for", async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : undefined), { intervalMs: 1 })).resolves.toBe(3);
    await expect(
      waitFor(() => false, { timeoutMs: 30, intervalMs: 5, what: "pigs to fly" }),
    ).rejects.toThrow(/timed out after 30 ms waiting for pigs to fly/);
  });
});
