import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  REPO_PATH,
  replyConfig,
  replyFiles,
  type TestApp,
} from "../helpers/app.js";
import {
  type CheckBody,
  expectCreate,
  replyCommits,
  replyExistingCheck,
  replyGate,
  replyNoCheckYet,
  replyRole,
} from "../helpers/replies.js";
import {
  API,
  checkRunRerequestedEvent,
  checkSuiteEvent,
  issueEvent,
  label,
  mergeGroupEvent,
  pullObject,
  pullRequestEvent,
  pushEvent,
} from "../helpers/webhooks.js";

const DEFAULTS = "# defaults: Crawl → Walk → Run\n";
const CRAWL_GATE = {
  number: 1,
  title: "Gate: Crawl → Walk",
  labels: ["gate: crawl"],
  body: "- [x] Feasibility shown with evidence",
};
const WALK_GATE = {
  number: 2,
  title: "Gate: Walk → Run",
  labels: ["gate: walk"],
  body: "- [x] Feasibility shown with evidence",
};
const RUN_PR = { number: 10, labels: ["phase: run"], headSha: "run-sha" };

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => {
  expect(app.errors).toEqual([]);
  assertAllCalled();
});

describe("the Phase gate check on a pull request", () => {
  it("passes a Crawl PR: the first phase is never blocked", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyFiles(scope, 1); // what the PR changes: not the config
    replyNoCheckYet(scope, "crawl-sha");
    expectCreate(scope, "crawl-sha", created);

    await app.receive(
      "pull_request",
      pullRequestEvent("opened", { number: 1, labels: ["phase: crawl"], headSha: "crawl-sha" }),
    );

    expect(created).toHaveLength(1);
    expect(created[0]?.conclusion).toBe("success");
    expect(created[0]?.output.title).toBe("Crawl: first phase");
  });

  it("blocks a Run PR while the gates are pending, naming the Walk gate and linking it", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyFiles(scope, 10); // what the PR changes: not the config
    replyNoCheckYet(scope, "run-sha");
    expectCreate(scope, "run-sha", created);
    const calls: string[] = [];
    scope.on("request", (req: { method: string; path: string }) =>
      calls.push(`${req.method} ${req.path.split("?")[0]}`),
    );

    await app.receive("pull_request", pullRequestEvent("opened", RUN_PR));

    // The API budget of one PR event on a fresh process (README and the issue note quote it);
    // the PR itself comes with the payload, so it is not read.
    expect(calls).toEqual([
      "POST /app/installations/4242/access_tokens",
      "GET /repos/acme/rocket/contents/.github%2Fphase-gates.yml",
      // the app's run on the head: the PR's phase floor, and what to update
      "GET /repos/acme/rocket/commits/run-sha/check-runs",
      // each gate: the issue with its label, and GitHub's record of who labelled and closed it
      "GET /repos/acme/rocket/issues",
      "GET /repos/acme/rocket/issues/1/events",
      "GET /repos/acme/rocket/issues",
      "GET /repos/acme/rocket/issues/2/events",
      "GET /repos/acme/rocket/pulls/10/files",
      "POST /repos/acme/rocket/check-runs",
    ]);

    const check = created[0];
    expect(check?.conclusion).toBe("failure");
    expect(check?.output.title).toBe("Blocked: Walk gate pending");
    expect(check?.output.summary).toContain(
      "[Gate: Walk → Run](https://github.com/acme/rocket/issues/2)",
    );
    expect(check?.output.summary).toContain(
      "[Gate: Crawl → Walk](https://github.com/acme/rocket/issues/1)",
    );
    expect(check?.output.summary).toContain("label `phase: run`");
    expect(check?.output.summary).toContain("anyone with maintain permission or higher");
  });

  it("re-checks open Run PRs to success, with no PR event, when an approver closes the last gate as completed", async () => {
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyGate(scope, "gate: crawl", {
      ...CRAWL_GATE,
      state: "closed",
      stateReason: "completed",
      closedBy: "lead",
    });
    replyRole(scope, "lead", "maintain");
    replyGate(scope, "gate: walk", {
      ...WALK_GATE,
      state: "closed",
      stateReason: "completed",
      closedBy: "lead",
    });
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [
        pullObject(RUN_PR),
        pullObject({ number: 11, labels: ["phase: crawl"], headSha: "crawl-sha" }),
      ]);
    // the decision shown on the gate issue: display label and decision record
    scope.post(`${REPO_PATH}/issues/2/labels`, { labels: ["gate: approved"] }).reply(200, []);
    scope
      .post(`${REPO_PATH}/issues/2/comments`, (b: { body: string }) =>
        b.body.includes("Gate approved"),
      )
      .reply(201, { id: 500 });
    replyExistingCheck(scope, "run-sha", 55, {
      conclusion: "failure",
      title: "Blocked: Walk gate pending",
      summary: "old",
    });
    const updated: CheckBody[] = [];
    scope
      .patch(`${REPO_PATH}/check-runs/55`, (body: CheckBody) => updated.push(body) > 0)
      .reply(200, { id: 55 });
    replyNoCheckYet(scope, "crawl-sha");
    replyCommits(scope, 11, ["crawl-sha"]); // no earlier commit to inherit a phase floor from
    expectCreate(scope, "crawl-sha", []);

    await app.receive(
      "issues",
      issueEvent(
        "closed",
        { ...WALK_GATE, state: "closed", stateReason: "completed" },
        { sender: "lead" },
      ),
    );

    expect(updated).toHaveLength(1);
    expect(updated[0]?.conclusion).toBe("success");
    expect(updated[0]?.output.title).toBe("Run: gates approved");
  });

  it("blocks the Run PR again when the Walk gate is reopened", async () => {
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyGate(scope, "gate: walk", { ...WALK_GATE, state: "open", stateReason: "reopened" });
    replyGate(scope, "gate: crawl", {
      ...CRAWL_GATE,
      state: "closed",
      stateReason: "completed",
      closedBy: "lead",
    });
    replyRole(scope, "lead", "maintain");
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [pullObject(RUN_PR)]);
    replyExistingCheck(scope, "run-sha", 55, {
      conclusion: "success",
      title: "Run: gates approved",
      summary: "old",
    });
    const updated: CheckBody[] = [];
    scope
      .patch(`${REPO_PATH}/check-runs/55`, (body: CheckBody) => updated.push(body) > 0)
      .reply(200, { id: 55 });

    await app.receive(
      "issues",
      issueEvent("reopened", { ...WALK_GATE, stateReason: "reopened" }, { sender: "lead" }),
    );

    expect(updated[0]?.conclusion).toBe("failure");
    expect(updated[0]?.output.title).toBe("Blocked: Walk gate pending");
  });

  it("fails every PR with each config error, its line and column, when the config is invalid", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, "phases:\n  - id: crawl\n    gat: {}\n  - id: run\nunphased: sometimes\n");
    // no check-runs read on crawl-sha: a head just pushed carries no run of ours yet
    expectCreate(scope, "crawl-sha", created);

    await app.receive(
      "pull_request",
      pullRequestEvent("synchronize", {
        number: 1,
        labels: ["phase: crawl"],
        headSha: "crawl-sha",
      }),
    );

    expect(created[0]?.conclusion).toBe("failure");
    expect(created[0]?.output.title).toBe("Invalid .github/phase-gates.yml");
    expect(created[0]?.output.summary).toMatch(/2 errors/);
    expect(created[0]?.output.summary).toContain(":3:5");
    expect(created[0]?.output.summary).toContain(":5:11");
  });

  it("writes nothing on a repository with no config anywhere", async () => {
    const scope = githubScope();
    replyConfig(scope, null);

    await app.receive(
      "pull_request",
      pullRequestEvent("opened", { number: 1, labels: ["phase: run"] }),
    );
    // no check-runs mock: any write would fail the test with "no match"
  });

  it("writes nothing when a delivery is repeated or the result has not changed", async () => {
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
      .matchHeader("if-none-match", '"cfg1"')
      .reply(304);
    replyFiles(scope, 1); // what the PR changes: not the config
    replyNoCheckYet(scope, "crawl-sha");
    replyCommits(scope, 1, ["crawl-sha"]); // no earlier commit to inherit a phase floor from
    const created: CheckBody[] = [];
    expectCreate(scope, "crawl-sha", created);

    const event = pullRequestEvent("labeled", {
      number: 1,
      labels: ["phase: crawl"],
      headSha: "crawl-sha",
    });
    await app.receive("pull_request", event, "delivery-1");
    await app.receive("pull_request", event, "delivery-1"); // GitHub redelivery: same id, no work
    await app.receive("pull_request", event, "delivery-2"); // new delivery, same facts: no write

    expect(created).toHaveLength(1);
  });
});

describe("the PR a pull_request event is checked on", () => {
  const recordCalls = (scope: nock.Scope): string[] => {
    const calls: string[] = [];
    scope.on("request", (req: { method: string; path: string }) =>
      calls.push(`${req.method} ${req.path.split("?")[0]}`),
    );
    return calls;
  };

  it("checks a late delivery on the newer PR seen before it, not on the head it shows", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyFiles(scope, 10); // what the PR changes: not the config
    replyNoCheckYet(scope, "run-sha");
    replyCommits(scope, 10, ["run-sha"]); // no earlier commit to inherit a phase floor from
    expectCreate(scope, "run-sha", created);
    await app.receive(
      "pull_request",
      pullRequestEvent("labeled", { ...RUN_PR, updatedAt: "2026-11-25T10:00:02Z" }),
    );
    expect(created.map((c) => c.output.title)).toEqual(["Blocked: Walk gate pending"]);
    assertAllCalled();

    // The opening, delivered last: its head and labels are older than what was checked.
    // Checked on it, old-sha would be read and written (no mock: the job would fail).
    const late = nock(API); // the installation token is cached
    late
      .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
      .matchHeader("if-none-match", '"cfg1"')
      .reply(304);
    replyGate(late, "gate: crawl", CRAWL_GATE);
    replyGate(late, "gate: walk", WALK_GATE);
    const calls = recordCalls(late);
    await app.receive(
      "pull_request",
      pullRequestEvent("opened", {
        number: 10,
        headSha: "old-sha",
        updatedAt: "2026-11-25T10:00:01Z",
      }),
    );

    // the newer PR's verdict is already written: nothing to write
    expect(calls.filter((c) => !c.startsWith("GET"))).toEqual([]);
    expect(created).toHaveLength(1);
  });

  it("reads the PR when two payloads of the same second disagree: either can arrive last", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyFiles(scope, 1); // what the PR changes: not the config
    replyNoCheckYet(scope, "crawl-sha");
    replyCommits(scope, 1, ["crawl-sha"]); // no earlier commit to inherit a phase floor from
    expectCreate(scope, "crawl-sha", created);
    // A label replaced: `phase: crawl` added just after another was removed, the same second.
    // The labeled event is delivered first.
    const second = "2026-11-25T10:00:01Z";
    const crawl = { number: 1, labels: ["phase: crawl"], headSha: "crawl-sha", updatedAt: second };
    await app.receive("pull_request", pullRequestEvent("labeled", crawl));
    expect(created.map((c) => c.output.title)).toEqual(["Crawl: first phase"]);
    assertAllCalled();

    // The unlabeled event, delivered last, shows the PR with no label in between.
    const late = nock(API); // the installation token is cached
    late.get(`${REPO_PATH}/pulls/1`).reply(200, pullObject(crawl)); // the PR as it is now
    late
      .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
      .matchHeader("if-none-match", '"cfg1"')
      .reply(304);
    const calls = recordCalls(late);
    await app.receive(
      "pull_request",
      pullRequestEvent("unlabeled", { ...crawl, labels: [] }, { label: label("phase: walk") }),
    );

    // checked as GitHub has it: unchanged, nothing written
    expect(calls.filter((c) => !c.startsWith("GET"))).toEqual([]);
    expect(created).toHaveLength(1);
  });

  it("remembers the PR it read: a delivery older than that is checked on what was read", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    // the PR as GitHub has it now
    scope.get(`${REPO_PATH}/pulls/1`).reply(
      200,
      pullObject({
        number: 1,
        labels: ["phase: crawl"],
        headSha: "crawl-sha",
        updatedAt: "2026-11-25T10:00:02Z",
      }),
    );
    replyConfig(scope, DEFAULTS);
    replyFiles(scope, 1); // what the PR changes: not the config
    replyNoCheckYet(scope, "crawl-sha");
    replyCommits(scope, 1, ["crawl-sha"]); // no earlier commit to inherit a phase floor from
    expectCreate(scope, "crawl-sha", created);
    const unknown = pullRequestEvent("labeled", { number: 1, labels: ["phase: crawl"] });
    delete (unknown.pull_request as Record<string, unknown>).updated_at;
    await app.receive("pull_request", unknown);
    expect(created.map((c) => c.output.title)).toEqual(["Crawl: first phase"]);
    assertAllCalled();

    // A delivery from before that read, on an older head: checked on it, old-sha would be
    // read and written (no mock: the job would fail).
    const late = nock(API); // the installation token is cached
    late
      .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
      .matchHeader("if-none-match", '"cfg1"')
      .reply(304);
    const calls = recordCalls(late);
    await app.receive(
      "pull_request",
      pullRequestEvent("labeled", {
        number: 1,
        headSha: "old-sha",
        updatedAt: "2026-11-25T10:00:01Z",
      }),
    );

    expect(calls.filter((c) => !c.startsWith("GET"))).toEqual([]);
    expect(created).toHaveLength(1);
  });

  it.each(["updated_at", "labels", "head"])(
    "reads the PR when the payload's PR has no %s",
    async (field) => {
      const created: CheckBody[] = [];
      const scope = githubScope();
      // the PR as GitHub has it now
      scope
        .get(`${REPO_PATH}/pulls/1`)
        .reply(200, pullObject({ number: 1, labels: ["phase: crawl"], headSha: "crawl-sha" }));
      replyConfig(scope, DEFAULTS);
      replyFiles(scope, 1); // what the PR changes: not the config
      replyNoCheckYet(scope, "crawl-sha");
      expectCreate(scope, "crawl-sha", created);
      const event = pullRequestEvent("opened", {
        number: 1,
        labels: ["phase: crawl"],
        headSha: "crawl-sha",
      });
      delete (event.pull_request as Record<string, unknown>)[field];

      await app.receive("pull_request", event);

      expect(created.map((c) => c.output.title)).toEqual(["Crawl: first phase"]);
    },
  );

  it("does not look for its run on a pushed head: the floor comes from the run on the head before", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    // the head before the push carries the floor: Run
    replyExistingCheck(scope, "before-sha", 60, {
      conclusion: "failure",
      title: "Blocked: Walk gate pending",
      summary: "old",
      externalId: "phase-gates:floor=run",
    });
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyFiles(scope, 10); // what the PR changes: not the config
    expectCreate(scope, "pushed-sha", created);
    const calls = recordCalls(scope);

    await app.receive(
      "pull_request",
      pullRequestEvent(
        "synchronize",
        { number: 10, headSha: "pushed-sha" },
        { before: "before-sha" },
      ),
    );

    expect(calls).not.toContain("GET /repos/acme/rocket/commits/pushed-sha/check-runs");
    expect(calls).toContain("GET /repos/acme/rocket/commits/before-sha/check-runs");
    expect(created[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(created[0]?.external_id).toBe("phase-gates:floor=run");
  });
});

describe("other triggers of the Phase gate check", () => {
  it("re-checks the PR of a re-requested check run", async () => {
    const scope = githubScope();
    scope
      .get(`${REPO_PATH}/pulls/1`)
      .reply(200, pullObject({ number: 1, labels: ["phase: crawl"], headSha: "crawl-sha" }));
    replyConfig(scope, DEFAULTS);
    replyNoCheckYet(scope, "crawl-sha");
    replyCommits(scope, 1, ["crawl-sha"]); // no earlier commit to inherit a phase floor from
    expectCreate(scope, "crawl-sha", []);
    await app.receive("check_run", checkRunRerequestedEvent("crawl-sha", [1]));
  });

  it("writes a new completed run on a re-run even when the verdict is unchanged", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    scope
      .get(`${REPO_PATH}/pulls/1`)
      .reply(200, pullObject({ number: 1, labels: ["phase: crawl"], headSha: "crawl-sha" }));
    replyConfig(scope, DEFAULTS);
    // the app's run on the head says exactly what the app would write now
    replyExistingCheck(scope, "crawl-sha", 40, {
      conclusion: "success",
      title: "Crawl: first phase",
      summary: "unchanged",
      externalId: "phase-gates:floor=crawl",
    });
    expectCreate(scope, "crawl-sha", created);
    await app.receive("check_run", checkRunRerequestedEvent("crawl-sha", [1]));
    expect(created).toHaveLength(1);
    expect(created[0]?.conclusion).toBe("success");
  });

  it("ignores a re-run of another app's check", async () => {
    // no GitHub mock at all: any call would fail the job and the test
    await app.receive("check_run", checkRunRerequestedEvent("crawl-sha", [1], "CI"));
  });

  it("finds a fork PR by head SHA when the check suite lists no PRs", async () => {
    const scope = githubScope();
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [
        pullObject({ number: 4, headSha: "other" }),
        pullObject({ number: 5, labels: ["phase: crawl"], headSha: "fork-sha" }),
      ]);
    replyConfig(scope, DEFAULTS);
    replyNoCheckYet(scope, "fork-sha");
    replyCommits(scope, 5, ["fork-sha"]); // no earlier commit to inherit a phase floor from
    expectCreate(scope, "fork-sha", []);
    await app.receive("check_suite", checkSuiteEvent("requested", "fork-sha", []));
  });

  it("reports the check on a merge group's head SHA, evaluating the queued PR against the gates as they are now", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    scope.get(`${REPO_PATH}/pulls/10`).reply(200, pullObject(RUN_PR));
    replyConfig(scope, DEFAULTS);
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyNoCheckYet(scope, "run-sha"); // the queued PR's own run: its phase floor
    replyCommits(scope, 10, ["run-sha"]); // no earlier commit to inherit it from
    replyNoCheckYet(scope, "group-sha");
    expectCreate(scope, "group-sha", created);
    await app.receive("merge_group", mergeGroupEvent(10, "group-sha"));
    expect(created[0]?.conclusion).toBe("failure");
  });

  it("re-checks open PRs when the config changes on the default branch, and ignores other pushes", async () => {
    const scope = githubScope();
    replyConfig(
      scope,
      "unphased: block\nsync: { labels: false, milestones: false, gateIssues: false }\n",
    );
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [pullObject({ number: 3, headSha: "nophase-sha" })]);
    replyNoCheckYet(scope, "nophase-sha");
    replyCommits(scope, 3, ["nophase-sha"]); // no earlier commit to inherit a phase floor from
    const created: CheckBody[] = [];
    expectCreate(scope, "nophase-sha", created);

    await app.receive("push", pushEvent({ modified: ["README.md"] }));
    await app.receive(
      "push",
      pushEvent({ modified: [".github/phase-gates.yml"] }, "refs/heads/feature"),
    );
    await app.receive("push", pushEvent({ modified: [".github/phase-gates.yml"] }));

    expect(created.map((c) => c.output.title)).toEqual(["Blocked: no phase label"]);
  });
});

describe("a pull request that changes the config", () => {
  it("fails with every error of its own version, annotated on the file, while the default branch's config decides the gates", async () => {
    const created: (CheckBody & {
      output: { annotations?: { path: string; start_line: number; message: string }[] };
    })[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyFiles(scope, 7, ["README.md", ".github/phase-gates.yml"]);
    // the PR's version of the config, at its head
    scope
      .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
      .query({ ref: "cfg-sha" })
      .reply(200, "phases:\n  - id: crawl\n    gate: { approvals: 0 }\n  - id: run\n", {
        "content-type": "text/plain",
      });
    // no check-runs read on cfg-sha: a head just pushed carries no run of ours yet
    replyNoCheckYet(scope, "cfg-old-sha"); // the head before the push: where the phase floor was kept
    scope.post(`${REPO_PATH}/check-runs`, (body) => created.push(body) > 0).reply(201, { id: 5 });

    await app.receive(
      "pull_request",
      pullRequestEvent(
        "synchronize",
        { number: 7, labels: ["phase: crawl"], headSha: "cfg-sha" },
        { before: "cfg-old-sha" },
      ),
    );

    const check = created[0];
    expect(check?.conclusion).toBe("failure");
    expect(check?.output.title).toBe("Invalid .github/phase-gates.yml");
    expect(check?.output.summary).toContain("This pull request changes `.github/phase-gates.yml`");
    expect(check?.output.summary).toContain("**Crawl: first phase** (success)");
    expect(check?.output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/phase-gates.yml",
        start_line: 3,
        annotation_level: "failure",
      }),
    ]);
  });
});

describe("when the files of a PR cannot be listed", () => {
  it("still writes the gate verdict", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    // an API without the files route (or a PR gone since the event)
    scope
      .get(`${REPO_PATH}/pulls/8/files`)
      .query({ per_page: "100" })
      .reply(404, { message: "Not Found" });
    replyNoCheckYet(scope, "nofiles-sha");
    expectCreate(scope, "nofiles-sha", created);

    await app.receive(
      "pull_request",
      pullRequestEvent("opened", { number: 8, labels: ["phase: crawl"], headSha: "nofiles-sha" }),
    );

    expect(created[0]?.output.title).toBe("Crawl: first phase");
  });
});
