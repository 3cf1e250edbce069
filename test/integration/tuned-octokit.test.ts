import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createPhaseGatesApp } from "../../src/app/register-handlers.js";
import {
  GITHUB_SECONDARY_LIMITS,
  restEndpointFamily,
  restPoints,
} from "../../src/core/request-cost.js";
import type { GitHub } from "../../src/github/octokit.js";
import {
  type ApiRequest,
  type BudgetClock,
  ConcurrencyCap,
  InMemoryRequestBudget,
  isRequestBudgetClosed,
  type RequestBudget,
} from "../../src/github/request-budget.js";
import { tunedOctokitFrom } from "../../src/github/tuned-octokit.js";
import {
  assertAllCalled,
  checkRunsQuery,
  githubScope,
  REPO_PATH,
  replyConfig,
  replyFiles,
} from "../helpers/app.js";
import { API, APP_ID, INSTALLATION_ID, pullRequestEvent } from "../helpers/webhooks.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

afterEach(() => assertAllCalled());

describe("the production client of a job", () => {
  it("uses the installation token and retries a secondary rate limit after the time GitHub asks for", async () => {
    const errors: unknown[] = [];
    // No `octokitForJob`: the default, paced client is under test. Probot's own retry is off
    // so that only the throttling plugin can answer the 403.
    const { app, idle } = createPhaseGatesApp({
      appId: APP_ID,
      graphql: false,
      onJobError: (e) => errors.push(e),
      reporting: false, // the dashboard's calls are tested in reports.test.ts
    });
    const probot = new Probot({
      appId: APP_ID,
      privateKey,
      logLevel: (process.env.TEST_LOG_LEVEL as "fatal" | undefined) ?? "fatal",
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
        ...o,
        retry: { enabled: false },
      })),
    });
    await probot.load(app);

    // The app's own identity, read once with the app's JWT: its bot is the only bot whose writes count.
    nock(API)
      .get("/app")
      .matchHeader("authorization", /^bearer /i)
      .reply(200, { id: APP_ID, slug: "phase-gates", name: "phase-gates" });
    const scope = githubScope();
    replyConfig(scope, "");
    replyFiles(scope, 1);
    scope
      .get(`${REPO_PATH}/commits/s1/check-runs`)
      .matchHeader("authorization", "token ghs_test")
      .query(checkRunsQuery())
      .reply(200, { total_count: 0, check_runs: [] });
    // GitHub's secondary limit: a 403 with retry-after, then the same write succeeds
    scope.post(`${REPO_PATH}/check-runs`).reply(
      403,
      {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      },
      { "retry-after": "1" },
    );
    const created: unknown[] = [];
    scope.post(`${REPO_PATH}/check-runs`, (body) => created.push(body) > 0).reply(201, { id: 1 });

    const payload = pullRequestEvent("opened", {
      number: 1,
      labels: ["phase: crawl"],
      headSha: "s1",
    });
    // biome-ignore lint/suspicious/noExplicitAny: a payload built from a real example
    await probot.receive({ id: "d1", name: "pull_request", payload } as any);
    await idle();

    expect(errors).toEqual([]);
    expect(created).toHaveLength(1);
    expect(nock.pendingMocks()).toEqual([]);
  });
});

/** Virtual time for the budget: a sleep moves the hands and is written down; nothing really waits. */
class FakeClock implements BudgetClock {
  readonly sleeps: number[] = [];
  time = 1_700_000_000_000;
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** An installation client as a worker gets it from `probot.auth(installationId)`, here with a fixed token. */
function installationClient(): GitHub {
  return new ProbotOctokit({ auth: { token: "ghs_job" }, retry: { enabled: false } }) as GitHub;
}

const silent = pino({ level: "silent" });
const REST_WINDOW = GITHUB_SECONDARY_LIMITS[0]?.windowMs ?? 0;

describe("a job client made without a Context (tunedOctokitFrom)", () => {
  it("keeps a 200-PR flip inside 900 points a minute per endpoint: the reads go at once, the 181st write waits once", async () => {
    const clock = new FakeClock();
    const client = tunedOctokitFrom(installationClient(), {
      log: silent,
      installationId: INSTALLATION_ID,
      budget: new InMemoryRequestBudget({ clock }),
    });
    // What GitHub saw: when (virtual time) each request arrived, and its points.
    const seen: { at: number; points: number; endpoint: string }[] = [];
    const answer =
      (method: string, path: string, status: number, body: object) => (): [number, object] => {
        seen.push({
          at: clock.time,
          points: restPoints({ method, url: path }),
          endpoint: restEndpointFamily({ method, url: path }),
        });
        return [status, body];
      };
    const scope = nock(API).matchHeader("authorization", "token ghs_job");
    // The read each PR costs today: are there check runs on its head?
    scope
      .get(/^\/repos\/acme\/rocket\/commits\/s\d+\/check-runs$/)
      .times(200)
      .reply(answer("GET", `${REPO_PATH}/commits`, 200, { total_count: 0, check_runs: [] }));
    // The write: the PR's check.
    scope
      .post(`${REPO_PATH}/check-runs`, (body) => typeof body.head_sha === "string")
      .times(200)
      .reply(answer("POST", `${REPO_PATH}/check-runs`, 201, { id: 1 }));

    // All at once, as a fan-out would: the budget, not plugin-throttling (1 write/s), paces them.
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await client.rest.checks.listForRef({ owner: "acme", repo: "rocket", ref: `s${i}` });
        await client.rest.checks.create({
          owner: "acme",
          repo: "rocket",
          name: "Phase gate",
          head_sha: `s${i}`,
        });
      }),
    );

    expect(seen).toHaveLength(400);
    // 200 read points and 1,000 write points: every read and 180 writes go at once, the rest after one wait.
    expect(clock.sleeps).toEqual([REST_WINDOW]);
    const start = seen[0]?.at ?? 0;
    expect(seen.filter((r) => r.at > start)).toHaveLength(20);
    for (const { at, endpoint } of seen) {
      const inWindow = seen.filter(
        (r) => r.endpoint === endpoint && r.at > at - REST_WINDOW && r.at <= at,
      );
      expect(inWindow.reduce((sum, r) => sum + r.points, 0)).toBeLessThanOrEqual(900);
    }
  });

  it("sends no more requests of an installation at once than its concurrency cap", async () => {
    const concurrency = new ConcurrencyCap(3);
    const client = tunedOctokitFrom(installationClient(), {
      log: silent,
      installationId: INSTALLATION_ID,
      budget: new InMemoryRequestBudget({ clock: new FakeClock() }),
      concurrency,
    });
    let inFlight = 0;
    let mostInFlight = 0;
    // Answers that take 40 ms of real time, so that 30 requests sent together would overlap.
    nock(API)
      .get(/^\/repos\/acme\/rocket\/pulls\/\d+$/)
      .times(30)
      .reply((_uri, _body, callback) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        setTimeout(() => {
          inFlight--;
          callback(null, [200, {}]);
        }, 40);
      });

    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.rest.pulls.get({ owner: "acme", repo: "rocket", pull_number: i + 1 }),
      ),
    );

    expect(mostInFlight).toBe(3);
  });

  it("hands the budget every HTTP exchange, GraphQL and a retried 403 included, and holds it for the time a 403 asks", async () => {
    const taken: ApiRequest[] = [];
    const holds: number[] = [];
    const recording: RequestBudget = {
      take: async (installationId, request) => {
        expect(installationId).toBe(INSTALLATION_ID);
        taken.push(request);
      },
      hold: async (installationId, ms) => {
        expect(installationId).toBe(INSTALLATION_ID);
        holds.push(ms);
      },
      heldUntil: async () => 0,
      watchPacing: () => () => undefined,
      close: async () => undefined,
    };
    const client = tunedOctokitFrom(installationClient(), {
      log: silent,
      installationId: INSTALLATION_ID,
      budget: recording,
    });
    const scope = nock(API).matchHeader("authorization", "token ghs_job");
    // GitHub's secondary limit once, then the same write succeeds: two requests sent, two counted.
    scope
      .patch(`${REPO_PATH}/check-runs/5`)
      .reply(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "1" });
    scope.patch(`${REPO_PATH}/check-runs/5`).reply(200, { id: 5 });
    // The linked-issues query.
    scope
      .post("/graphql", (body) => body.query === "{ viewer { login } }")
      .reply(200, {
        data: { viewer: { login: "phase-gates[bot]" } },
      });

    await client.rest.checks.update({ owner: "acme", repo: "rocket", check_run_id: 5 });
    await client.graphql("{ viewer { login } }");

    expect(taken.map((r) => [r.method, r.url])).toEqual([
      ["PATCH", `${API}${REPO_PATH}/check-runs/5`],
      ["PATCH", `${API}${REPO_PATH}/check-runs/5`],
      ["POST", `${API}/graphql`],
    ]);
    expect(JSON.parse(String(taken[2]?.body))).toEqual({ query: "{ viewer { login } }" });
    expect(holds).toEqual([1000]);
    expect(scope.isDone()).toBe(true);
  });

  it("holds the installation until its primary limit resets once an answer shows the reserve reached, and not before", async () => {
    const budget = new InMemoryRequestBudget();
    const client = tunedOctokitFrom(installationClient(), {
      log: silent,
      installationId: INSTALLATION_ID,
      budget,
    });
    const resetAt = Math.floor(Date.now() / 1000) + 600;
    const limitHeaders = (remaining: number) => ({
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(remaining),
      "x-ratelimit-reset": String(resetAt),
    });
    const scope = nock(API);
    scope.get(`${REPO_PATH}/pulls/1`).reply(200, { number: 1 }, limitHeaders(11));
    scope.get(`${REPO_PATH}/pulls/2`).reply(200, { number: 2 }, limitHeaders(10));

    await client.rest.pulls.get({ owner: "acme", repo: "rocket", pull_number: 1 });
    expect(await budget.heldUntil(INSTALLATION_ID)).toBe(0);
    await client.rest.pulls.get({ owner: "acme", repo: "rocket", pull_number: 2 });
    const until = await budget.heldUntil(INSTALLATION_ID);
    expect(until).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(until).toBeLessThanOrEqual(resetAt * 1000 + 1000);
    // Another installation is not held.
    expect(await budget.heldUntil(INSTALLATION_ID + 1)).toBe(0);
    await budget.close();
  });

  it("fails a request at once, unsent and not retried, once its budget closed (shutdown)", async () => {
    const budget = new InMemoryRequestBudget({ clock: new FakeClock() });
    const client = tunedOctokitFrom(new ProbotOctokit({ auth: { token: "ghs_job" } }) as GitHub, {
      log: silent,
      installationId: INSTALLATION_ID,
      budget,
    });
    await budget.close();
    // No nock scope: a request that reached the network would fail the test with nock's own error.
    const error = await client.rest.pulls
      .get({ owner: "acme", repo: "rocket", pull_number: 1 })
      .catch((e: unknown) => e);
    expect(isRequestBudgetClosed(error)).toBe(true);
  });
});
