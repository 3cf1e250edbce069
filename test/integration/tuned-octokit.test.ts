import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createPhaseGatesApp } from "../../src/app/register-handlers.js";
import {
  assertAllCalled,
  checkRunsQuery,
  githubScope,
  REPO_PATH,
  replyConfig,
  replyFiles,
} from "../helpers/app.js";
import { API, APP_ID, pullRequestEvent } from "../helpers/webhooks.js";

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
