import nock from "nock";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { currentPull, type PullSnapshot } from "../../src/app/handlers/pull-request.js";
import { type AppSettings, RepoJob } from "../../src/app/jobs/repo-job.js";
import { LinkIndex } from "../../src/app/shared/link-index.js";
import { PULL_LATEST_RUN, pullRunKey } from "../../src/github/check-runs.js";
import type { GitHub } from "../../src/github/octokit.js";
import { MemoryStateStore } from "../../src/state/memory-store.js";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  replyConfig,
  replyFiles,
} from "../helpers/app.js";
import { type CheckBody, expectCreate, replyGate, replyNoCheckYet } from "../helpers/replies.js";
import { API, OWNER, pullObject, pullRequestEvent, REPO } from "../helpers/webhooks.js";

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

afterEach(() => assertAllCalled());

describe("reads shared by a repository's jobs", () => {
  it("answers a second event on the same PR within the window with no request at all", async () => {
    const app = await createTestApp({ revalidateMs: 60_000 });
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyNoCheckYet(scope, "run-sha");
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyFiles(scope, 10);
    expectCreate(scope, "run-sha", created);
    await app.receive("pull_request", pullRequestEvent("opened", RUN_PR));
    expect(created).toHaveLength(1);
    assertAllCalled();

    // An unrelated label: the PR comes with the payload, config and gates from the
    // first job, the run and the PR's files known per head SHA. Nothing is asked.
    const calls: string[] = [];
    const listen = (req: { method: string; path: string }) =>
      calls.push(`${req.method} ${req.path}`);
    nock.emitter.on("no match", listen);
    try {
      // GitHub moves `updated_at` with every change: this payload is the newer one.
      const labeled = pullRequestEvent("labeled", {
        ...RUN_PR,
        labels: ["phase: run", "documentation"],
      });
      (labeled.pull_request as Record<string, unknown>).updated_at = "2030-01-01T00:00:00Z";
      await app.receive("pull_request", labeled);
    } finally {
      nock.emitter.off("no match", listen);
    }
    expect(calls).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});

/** A job of its own on one shared store, as each webhook's job is. */
function jobOn(
  store: MemoryStateStore,
  revalidateMs: number,
  receivedAt = Date.now(),
  linkedIssuesMs?: number,
): RepoJob {
  const octokit = new ProbotOctokit({
    auth: { token: "ghs_test" },
    baseUrl: API,
    retry: { enabled: false },
    throttle: { enabled: false },
  }) as unknown as GitHub;
  const settings: AppSettings = {
    appId: 1,
    appLogin: "phase-gates[bot]",
    freshness: { revalidateMs, ...(linkedIssuesMs !== undefined ? { linkedIssuesMs } : {}) },
    graphql: { available: true },
  };
  return new RepoJob(
    octokit,
    { owner: OWNER, repo: REPO },
    pino({ level: "silent" }),
    settings,
    "d",
    {
      installationId: 4242,
      receivedAt,
      store,
      links: new LinkIndex(),
      enqueue: async () => {},
    },
  );
}

describe("RepoJob's config and gates across jobs", () => {
  it.each([
    ["the config", (job: RepoJob) => job.config(), (job: RepoJob) => job.forgetConfig()],
    ["a gate", (job: RepoJob) => job.gate(0), (job: RepoJob) => job.forgetGate(0)],
  ])("reads %s once per window, and again once an event drops it", async (_what, read, forget) => {
    const store = new MemoryStateStore();
    // The gate read needs the config first; both are read once.
    const first = nock(API);
    replyConfig(first, DEFAULTS);
    replyGate(first, "gate: crawl", CRAWL_GATE);
    await read(jobOn(store, 60_000));
    await jobOn(store, 60_000).gate(0);
    assertAllCalled();

    await read(jobOn(store, 60_000)); // within the window: no request (nock would refuse one)
    await forget(jobOn(store, 60_000));

    const again = nock(API);
    if (_what === "the config") replyConfig(again, DEFAULTS);
    else replyGate(again, "gate: crawl", CRAWL_GATE);
    await read(jobOn(store, 60_000));
    assertAllCalled();
  });

  it("revalidates once the window has passed", async () => {
    const store = new MemoryStateStore();
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    replyConfig(scope, DEFAULTS, '"cfg1"');
    await jobOn(store, 1).config();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await jobOn(store, 1).config();
    expect(scope.isDone()).toBe(true);
  });
});

describe("same-second PR snapshots that disagree", () => {
  const second = "2026-11-25T10:00:01Z";
  const snap = (labels: string[]): PullSnapshot => ({
    number: 10,
    title: "Scale out",
    state: "open",
    headSha: "run-sha",
    body: null,
    labels,
    milestone: null,
    htmlUrl: "https://github.com/acme/rocket/pull/10",
    updatedAt: second,
  });

  it("are settled by one read: an event that arrived before that read is answered by it", async () => {
    const store = new MemoryStateStore();
    const before = Date.now() - 1_000;
    // What the check reads of a PR is known from the config (a job reads it anyway).
    replyConfig(nock(API), DEFAULTS);
    await currentPull(jobOn(store, 60_000, before), 10, snap(["phase: walk"]));

    // The next payload of the same second disagrees: GitHub is asked which is newer.
    nock(API)
      .get(`/repos/${OWNER}/${REPO}/pulls/10`)
      .reply(
        200,
        pullObject({ number: 10, labels: ["phase: run"], headSha: "run-sha", updatedAt: second }),
      );
    const read = await currentPull(jobOn(store, 60_000, before), 10, snap([]));
    expect(read.labels).toEqual(["phase: run"]);
    assertAllCalled();

    // Another disagreeing payload of that second, received before the read: no second read.
    const again = await currentPull(jobOn(store, 60_000, before), 10, snap(["phase: crawl"]));
    expect(again.labels).toEqual(["phase: run"]);
  });
});

describe("same-second PR snapshots that agree on what the check reads", () => {
  const second = "2026-11-25T10:00:00Z";
  const snap = (labels: string[], body: string | null = null): PullSnapshot => ({
    number: 10,
    title: "Run work",
    state: "open",
    headSha: "run-sha",
    body,
    labels,
    milestone: null,
    htmlUrl: "https://github.com/acme/rocket/pull/10",
    updatedAt: second,
  });

  it.each([
    ["a label the config does not know", snap(["phase: run"]), snap(["phase: run", "noise"])],
    [
      "a body edit that names no issue",
      snap(["phase: run"], "Notes."),
      snap(["phase: run"], "Notes, rev 2."),
    ],
  ])("are not read again: %s", async (_what, first, second) => {
    const store = new MemoryStateStore();
    replyConfig(nock(API), DEFAULTS);
    await currentPull(jobOn(store, 60_000), 10, first);
    // No read (nock would refuse one): either snapshot gives the same check.
    const pr = await currentPull(jobOn(store, 60_000), 10, second);
    expect(pr.labels).toEqual(second.labels);
    // The same through a merged job's rival.
    await currentPull(jobOn(store, 60_000), 10, second, first);
    assertAllCalled();
  });

  it("are read when they name different issues in the body", async () => {
    const store = new MemoryStateStore();
    replyConfig(nock(API), DEFAULTS);
    await currentPull(jobOn(store, 60_000), 10, snap(["phase: run"], "Notes."));
    nock(API)
      .get(`/repos/${OWNER}/${REPO}/pulls/10`)
      .reply(
        200,
        pullObject({ number: 10, labels: ["phase: run"], headSha: "run-sha", updatedAt: second }),
      );
    await currentPull(jobOn(store, 60_000), 10, snap(["phase: run"], "Closes #4"));
    assertAllCalled();
  });
});

describe("GitHub's list of the issues a PR closes, across jobs", () => {
  /** One `POST /graphql` for PR 10, answering that it closes issue `closes`. */
  function replyClosing(closes: number) {
    nock(API)
      .post("/graphql", (b: { variables: { number: number } }) => b.variables.number === 10)
      .reply(200, {
        data: {
          repository: {
            pullRequest: {
              closingIssuesReferences: {
                nodes: [{ number: closes, repository: { name: REPO, owner: { login: OWNER } } }],
              },
            },
          },
        },
      });
  }
  const issue = (number: number) => ({ owner: OWNER, repo: REPO, number });

  it("is asked once while the body names the same issues, again when it names others", async () => {
    const store = new MemoryStateStore();
    replyClosing(7);
    expect(await jobOn(store, 1000).closingIssues(10, [])).toEqual([issue(7)]);
    assertAllCalled();
    // A label or a push a moment later: the list is not asked again (nock would refuse it).
    expect(await jobOn(store, 1000).closingIssues(10, [])).toEqual([issue(7)]);

    replyClosing(8);
    expect(await jobOn(store, 1000).closingIssues(10, [issue(8)])).toEqual([issue(8)]);
    assertAllCalled();
  });

  it("is asked again once it is older than linkedIssuesMs (a sidebar link counts from then)", async () => {
    const store = new MemoryStateStore();
    replyClosing(7);
    await jobOn(store, 1000, Date.now(), 50).closingIssues(10, []);
    await new Promise((resolve) => setTimeout(resolve, 60));
    replyClosing(9);
    expect(await jobOn(store, 1000, Date.now(), 50).closingIssues(10, [])).toEqual([issue(9)]);
    assertAllCalled();
  });

  it("is asked on every job with linkedIssuesMs 0", async () => {
    const store = new MemoryStateStore();
    replyClosing(7);
    replyClosing(9);
    await jobOn(store, 1000, Date.now(), 0).closingIssues(10, []);
    expect(await jobOn(store, 1000, Date.now(), 0).closingIssues(10, [])).toEqual([issue(9)]);
    assertAllCalled();
  });
});

describe("the app's runs on every open PR's head, read in one go", () => {
  const run = (id: number, conclusion: string) => ({
    databaseId: id,
    status: "COMPLETED",
    conclusion,
    title: "Blocked",
    summary: "Waiting.",
    externalId: "floor:run",
  });
  let numbers = 0;
  const pull = (sha: string, runs: ReturnType<typeof run>[], number = ++numbers) => ({
    number,
    headRefOid: sha,
    commits: {
      nodes: [
        {
          commit: {
            oid: sha,
            checkSuites: { nodes: runs.length > 0 ? [{ checkRuns: { nodes: runs } }] : [] },
          },
        },
      ],
    },
  });

  it("answers every PR's run from one GraphQL query: no REST read per PR, none in the next job", async () => {
    const store = new MemoryStateStore();
    nock(API)
      .post(
        "/graphql",
        (b: { query: string; variables: { appId: number } }) =>
          b.query.includes("checkSuites") && b.variables.appId === 1,
      )
      .reply(200, {
        data: {
          repository: {
            pullRequests: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [pull("sha-a", [run(11, "FAILURE")]), pull("sha-b", [run(12, "SUCCESS")])],
            },
          },
        },
      });
    expect(await jobOn(store, 1000).ourRun("sha-a")).toMatchObject({
      id: 11,
      externalId: "floor:run",
    });
    assertAllCalled();
    // Another job, another PR: already known (nock would refuse a request).
    expect(await jobOn(store, 1000).ourRun("sha-b")).toMatchObject({ id: 12 });
  });

  it("remembers each PR's run as its newest: a push to it needs no read of the run before", async () => {
    const store = new MemoryStateStore();
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: {
            pullRequests: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [pull("sha-a", [run(11, "FAILURE")], 7), pull("sha-b", [], 8)],
            },
          },
        },
      });
    await jobOn(store, 1000).ourRun("sha-a");
    assertAllCalled();
    expect(await store.get(PULL_LATEST_RUN, pullRunKey({ owner: OWNER, repo: REPO }, 7))).toEqual({
      sha: "sha-a",
      externalId: "floor:run",
    });
    // a PR whose head carries no run of ours has no newest run to remember
    expect(
      await store.get(PULL_LATEST_RUN, pullRunKey({ owner: OWNER, repo: REPO }, 8)),
    ).toBeUndefined();
  });

  it("reads them in one go again once three runs were missed since (PRs opened quietly)", async () => {
    const store = new MemoryStateStore();
    const onePage = (nodes: ReturnType<typeof pull>[]) => ({
      data: {
        repository: {
          pullRequests: { pageInfo: { hasNextPage: false, endCursor: null }, nodes },
        },
      },
    });
    nock(API).post("/graphql").reply(200, onePage([]));
    for (const sha of ["sha-1", "sha-2", "sha-3"]) {
      nock(API)
        .get(`/repos/${OWNER}/${REPO}/commits/${sha}/check-runs`)
        .query(true)
        .reply(200, { total_count: 0, check_runs: [] });
    }
    for (const sha of ["sha-1", "sha-2", "sha-3"]) await jobOn(store, 1000).ourRun(sha);
    assertAllCalled();
    nock(API)
      .post("/graphql")
      .reply(
        200,
        onePage([pull("sha-4", [run(14, "FAILURE")]), pull("sha-5", [run(15, "FAILURE")])]),
      );
    expect(await jobOn(store, 1000).ourRun("sha-4")).toMatchObject({ id: 14 });
    expect(await jobOn(store, 1000).ourRun("sha-5")).toMatchObject({ id: 15 });
    assertAllCalled();
  });

  it("reads the run over REST where GraphQL does not answer, and does not ask GraphQL again soon", async () => {
    const store = new MemoryStateStore();
    nock(API)
      .post("/graphql")
      .reply(200, { errors: [{ type: "UNSUPPORTED", message: "no" }] });
    for (const sha of ["sha-a", "sha-b"]) {
      nock(API)
        .get(`/repos/${OWNER}/${REPO}/commits/${sha}/check-runs`)
        .query(true)
        .reply(200, { total_count: 0, check_runs: [] });
    }
    expect(await jobOn(store, 1000).ourRun("sha-a")).toBeNull();
    expect(await jobOn(store, 1000).ourRun("sha-b")).toBeNull();
    assertAllCalled();
  });
});
