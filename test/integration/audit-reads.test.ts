import nock from "nock";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { RepoJob } from "../../src/app/jobs/repo-job.js";
import {
  type AuditRun,
  auditExitCode,
  auditRepositories,
  auditSummary,
} from "../../src/cli/audit.js";
import { EXIT } from "../../src/cli/exit-codes.js";
import { auditClient } from "../../src/github/audit-client.js";
import { MERGED_PULLS_QUERY } from "../../src/github/audit-reads.js";
import type { BudgetClock } from "../../src/github/request-budget.js";
import { assertAllCalled, gateIssueQuery, REPO_PATH } from "../helpers/app.js";
import { defaultConfig } from "../unit/core/helpers.js";

// The audit's reads through nock: GraphQL (100 merged PRs a query) and REST
// (100 PRs a page, one check-runs read per merged head), the requests counted;
// a rate limit waited out, and one longer than --max-wait ending the audit.

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "rocket" };
const APP_ID = 42;
const START = Date.parse("2026-12-07T05:00:00Z");
const WINDOW = { since: "2026-11-01T00:00:00Z", until: "2026-12-01T23:59:59Z" };
const IN = "2026-11-15T10:00:00Z";
const BEFORE = "2026-10-01T10:00:00Z";

afterEach(() => assertAllCalled());

function fakeClock(): BudgetClock & { slept: number[] } {
  let now = START;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function setup(maxWaitMs = 3_600_000) {
  const requests: string[] = [];
  const clock = fakeClock();
  const waits: number[] = [];
  const octokit = auditClient({
    token: "ghp_test",
    baseUrl: API,
    userAgent: "test",
    maxWaitMs,
    clock,
    onWait: (ms) => waits.push(ms),
    onRequest: (method, url, status) =>
      requests.push(`${method} ${new URL(url).pathname} ${status}`),
  });
  const log = pino({ level: "silent" });
  const job = new RepoJob(octokit, REPO, log, { appId: APP_ID, appLogin: "phase-gates[bot]" }, "t");
  const run = (api: AuditRun["api"]): AuditRun => ({
    octokit,
    targets: [{ repo: REPO, config: defaultConfig, job }],
    window: WINDOW,
    api,
    app: { id: APP_ID, slug: "phase-gates" },
  });
  return { requests, clock, waits, run };
}

/** Each gate's issue list (no gate issue yet) and the writer's role: what every audit reads besides PRs. */
function replyGatesAndPeople(scope: nock.Scope, people = true) {
  for (const label of ["gate: crawl", "gate: walk"])
    scope.get(`${REPO_PATH}/issues`).query(gateIssueQuery(label)).reply(200, []);
  if (!people) return;
  scope
    .get(`${REPO_PATH}/collaborators/writer/permission`)
    .reply(200, { permission: "write", role_name: "write", user: { login: "writer" } });
}

const gqlRun = (id: number, appId: number, slug: string, conclusion: string) => ({
  app: { databaseId: appId, slug },
  checkRuns: {
    nodes: [
      {
        databaseId: id,
        name: "Phase gate",
        status: "COMPLETED",
        conclusion,
        title: conclusion === "SUCCESS" ? "Run: gates approved" : "Blocked: Walk gate pending",
        completedAt: IN,
        externalId: "phase-gates:floor=run",
        url: `https://github.com/acme/rocket/runs/${id}`,
      },
    ],
  },
});

function gqlPull(number: number, mergedAt: string | null, suites: ReturnType<typeof gqlRun>[]) {
  return {
    number,
    title: `PR ${number}`,
    url: `https://github.com/acme/rocket/pull/${number}`,
    updatedAt: mergedAt ?? BEFORE,
    mergedAt,
    baseRefName: "main",
    headRefOid: `sha${number}`,
    author: { __typename: "User", login: "contrib" },
    mergedBy: { __typename: "Bot", login: "merge-bot" },
    labels: { nodes: [{ name: "phase: run" }] },
    milestone: null,
    closingIssuesReferences: { nodes: [] },
    commits: {
      nodes: [
        {
          commit: {
            oid: `sha${number}`,
            ours: { nodes: suites.filter((s) => s.app.databaseId === APP_ID) },
            others: { nodes: suites },
          },
        },
      ],
    },
  };
}

const labelNode = (typename: string, login: string, actorType: string) => ({
  __typename: typename,
  createdAt: IN,
  actor: { __typename: actorType, login },
  label: { name: "gate: crawl" },
});

describe("audit reads through GraphQL", () => {
  it("reads 100 merged PRs a query with their runs, stops at the first page older than the window, and counts 6 requests", async () => {
    const { requests, run } = setup();
    const scope = nock(API);
    replyGatesAndPeople(scope);
    scope
      .post("/graphql", (b: { query: string; variables: Record<string, unknown> }) => {
        return (
          b.query === MERGED_PULLS_QUERY &&
          b.variables.appId === APP_ID &&
          b.variables.cursor === null
        );
      })
      .reply(200, {
        data: {
          repository: {
            pullRequests: {
              pageInfo: { hasNextPage: true, endCursor: "c1" },
              nodes: [
                gqlPull(3, IN, [gqlRun(31, APP_ID, "phase-gates", "SUCCESS")]),
                gqlPull(2, IN, [
                  gqlRun(21, APP_ID, "phase-gates", "FAILURE"),
                  gqlRun(22, 15368, "github-actions", "SUCCESS"),
                ]),
              ],
            },
          },
        },
      })
      .post("/graphql", (b: { variables: Record<string, unknown> }) => b.variables.cursor === "c1")
      .reply(200, {
        data: {
          repository: {
            pullRequests: {
              pageInfo: { hasNextPage: true, endCursor: "c2" },
              nodes: [gqlPull(1, IN, []), gqlPull(0, BEFORE, [])],
            },
          },
        },
      })
      .post("/graphql", (b: { query: string }) => b.query.includes("AuditIssueLabels"))
      .reply(200, {
        data: {
          repository: {
            issues: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [
                {
                  number: 7,
                  url: "https://github.com/acme/rocket/issues/7",
                  timelineItems: {
                    nodes: [
                      labelNode("LabeledEvent", "writer", "User"),
                      labelNode("UnlabeledEvent", "phase-gates", "Bot"),
                    ],
                  },
                },
              ],
            },
          },
        },
      });

    const result = await auditRepositories(run("graphql"));
    expect(requests).toHaveLength(6);
    const pulls = result.records.filter((r) => r.record === "pull-request");
    expect(pulls.map((p) => [p.number, p.mergedBy, p.exceptions.map((e) => e.kind)])).toEqual([
      [1, "merge-bot[bot]", ["merged-without-run"]],
      [2, "merge-bot[bot]", ["merged-while-failing", "foreign-phase-gate"]],
      [3, "merge-bot[bot]", []],
    ]);
    expect(result.records.filter((r) => r.record === "exception")).toEqual([
      expect.objectContaining({
        kind: "impostor-label",
        by: "writer",
        detail: expect.stringContaining("removed by @phase-gates[bot]"),
      }),
    ]);
    expect(auditExitCode(auditSummary(WINDOW, result))).toBe(EXIT.auditExceptions);
  });

  it("--api auto falls back to REST where GitHub does not answer the audit's GraphQL (older GHES)", async () => {
    const { requests, run } = setup();
    const scope = nock(API);
    replyGatesAndPeople(scope, false); // no label events, so nobody's role is read
    scope
      .post("/graphql")
      .reply(200, {
        errors: [{ type: "undefinedField", message: "Field 'checkSuites' doesn't exist" }],
      })
      .get(`${REPO_PATH}/issues/events`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [])
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "closed", sort: "updated", direction: "desc", per_page: "100", page: "1" })
      .reply(200, []);
    const result = await auditRepositories(run("auto"));
    expect(result.records).toEqual([]);
    expect(requests).toHaveLength(5);
  });
});

interface RestPullSpec {
  number: number;
  merged_at: string | null;
  updated_at: string;
}
const restPull = (p: RestPullSpec) => ({
  number: p.number,
  title: `PR ${p.number}`,
  html_url: `https://github.com/acme/rocket/pull/${p.number}`,
  updated_at: p.updated_at,
  merged_at: p.merged_at,
  user: { login: "contrib" },
  base: { ref: "main" },
  head: { sha: `sha${p.number}` },
  labels: [{ name: "phase: run" }],
  milestone: null,
});
const restEvent = (
  event: string,
  login: string,
  number: number,
  at: string,
  extra: object = {},
) => ({
  event,
  actor: { login, type: login.endsWith("[bot]") ? "Bot" : "User" },
  created_at: at,
  issue: { number, html_url: `https://github.com/acme/rocket/issues/${number}`, ...extra },
});
const restRun = (id: number, appId: number, slug: string, conclusion: string) => ({
  id,
  name: "Phase gate",
  status: "completed",
  conclusion,
  output: { title: "t" },
  completed_at: IN,
  external_id: "phase-gates:floor=run",
  html_url: `https://github.com/acme/rocket/runs/${id}`,
  app: { id: appId, slug },
});

function replyRest(scope: nock.Scope, options: { limitedOnce?: boolean } = {}) {
  replyGatesAndPeople(scope);
  const link = `<${API}${REPO_PATH}/issues/events?per_page=100&page=2>; rel="next"`;
  scope
    .get(`${REPO_PATH}/issues/events`)
    .query({ per_page: "100", page: "1" })
    .reply(
      200,
      [
        restEvent("merged", "lead", 5, IN, { pull_request: {} }),
        { ...restEvent("unlabeled", "phase-gates[bot]", 7, IN), label: { name: "gate: crawl" } },
        { ...restEvent("labeled", "writer", 7, IN), label: { name: "gate: crawl" } },
      ],
      { link },
    )
    .get(`${REPO_PATH}/issues/events`)
    .query({ per_page: "100", page: "2" })
    .reply(200, [restEvent("merged", "lead", 1, BEFORE, { pull_request: {} })], { link: "" });
  const pulls = scope
    .get(`${REPO_PATH}/pulls`)
    .query({ state: "closed", sort: "updated", direction: "desc", per_page: "100", page: "1" });
  if (options.limitedOnce)
    pulls.reply(
      403,
      { message: "API rate limit exceeded" },
      {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(START / 1000 + 30),
      },
    );
  const again = options.limitedOnce
    ? scope
        .get(`${REPO_PATH}/pulls`)
        .query({ state: "closed", sort: "updated", direction: "desc", per_page: "100", page: "1" })
    : pulls;
  again.reply(200, [
    restPull({ number: 5, merged_at: IN, updated_at: IN }),
    restPull({ number: 4, merged_at: null, updated_at: IN }),
    restPull({ number: 3, merged_at: BEFORE, updated_at: BEFORE }),
  ]);
  scope
    .get(`${REPO_PATH}/commits/sha5/check-runs`)
    .query({ check_name: "Phase gate", filter: "all", per_page: "100" })
    .reply(200, { total_count: 1, check_runs: [restRun(51, APP_ID, "phase-gates", "failure")] });
}

describe("audit reads through REST", () => {
  it("pages the repository's events and closed PRs until older than the window, one check-runs read per merged head: 7 requests", async () => {
    const { requests, run } = setup();
    replyRest(nock(API));
    const result = await auditRepositories(run("rest"));
    expect(requests).toHaveLength(7);
    const pulls = result.records.filter((r) => r.record === "pull-request");
    expect(
      pulls.map((p) => [p.number, p.mergedBy, p.run?.conclusion, p.exceptions.map((e) => e.kind)]),
    ).toEqual([[5, "lead", "failure", ["merged-while-failing"]]]);
    expect(result.records.filter((r) => r.record === "exception").map((r) => r.by)).toEqual([
      "writer",
    ]);
  });

  it("GitHub limits how deep the events list pages (422): the merge it did not reach is read from the PR itself", async () => {
    const { requests, run } = setup();
    const scope = nock(API);
    replyGatesAndPeople(scope, false);
    scope
      .get(`${REPO_PATH}/issues/events`)
      .query({ per_page: "100", page: "1" })
      .reply(200, [restEvent("closed", "lead", 9, IN)], {
        link: `<${API}${REPO_PATH}/issues/events?per_page=100&page=2>; rel="next"`,
      })
      .get(`${REPO_PATH}/issues/events`)
      .query({ per_page: "100", page: "2" })
      .reply(422, {
        message:
          "In order to keep the API fast for everyone, pagination is limited for this resource.",
      })
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "closed", sort: "updated", direction: "desc", per_page: "100", page: "1" })
      .reply(200, [restPull({ number: 5, merged_at: IN, updated_at: IN })])
      .get(`${REPO_PATH}/pulls/5`)
      .reply(200, { number: 5, merged_by: { login: "boss" } })
      .get(`${REPO_PATH}/commits/sha5/check-runs`)
      .query({ check_name: "Phase gate", filter: "all", per_page: "100" })
      .reply(200, { total_count: 1, check_runs: [restRun(51, APP_ID, "phase-gates", "success")] });
    const result = await auditRepositories(run("rest"));
    expect(requests).toHaveLength(7);
    expect(result.records).toEqual([
      expect.objectContaining({ number: 5, mergedBy: "boss", exceptions: [] }),
    ]);
  });

  it("a 403 rate limit: waits until the reset GitHub names (through the budget) and goes on", async () => {
    const { requests, run, waits, clock } = setup();
    replyRest(nock(API), { limitedOnce: true });
    const result = await auditRepositories(run("rest"));
    expect(waits).toEqual([31_000]);
    expect(clock.slept).toContain(31_000);
    expect(requests.filter((r) => r.endsWith(" 403"))).toHaveLength(1);
    expect(result.incompleteBecause).toBeNull();
    expect(result.records.filter((r) => r.record === "pull-request")).toHaveLength(1);
  });

  it("a rate limit longer than --max-wait: stops with what it has, says so, exit 21", async () => {
    const { run, waits } = setup(10_000);
    const scope = nock(API);
    replyGatesAndPeople(scope, false);
    scope
      .get(`${REPO_PATH}/issues/events`)
      .query({ per_page: "100", page: "1" })
      .reply(
        403,
        { message: "API rate limit exceeded" },
        {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(START / 1000 + 600),
        },
      );
    const result = await auditRepositories(run("rest"));
    expect(waits).toEqual([]);
    expect(result.incompleteBecause).toMatch(
      /601 s wait .* more than --max-wait allows; stopped while reading acme\/rocket/,
    );
    const summary = auditSummary(WINDOW, result);
    expect(summary).toMatchObject({ complete: false });
    expect(auditExitCode(summary)).toBe(EXIT.auditIncomplete);
  });
});
