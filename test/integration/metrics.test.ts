import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics, deliveryEventLabel } from "../../src/app/http/metrics.js";
import { createPhaseGatesApp } from "../../src/app/register-handlers.js";
import {
  assertAllCalled,
  checkRunsQuery,
  githubScope,
  REPO_PATH,
  replyConfig,
  replyFiles,
} from "../helpers/app.js";
import { APP_ID, INSTALLATION_ID, pullRequestEvent } from "../helpers/webhooks.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

afterEach(() => assertAllCalled());

describe("metrics of a job", () => {
  it("counts the job, every GitHub response (the secondary limit too) and the check it wrote", async () => {
    const errors: unknown[] = [];
    const metrics = createMetrics({ queueDepth: () => 0, processDefaults: false });
    // The default, paced job client: the one the metrics hook into.
    const { app, idle } = createPhaseGatesApp({
      appId: APP_ID,
      appSlug: "phase-gates",
      graphql: false,
      metrics,
      onJobError: (e) => errors.push(e),
      reporting: false, // the dashboard's calls are tested in reports.test.ts
    });
    const probot = new Probot({
      appId: APP_ID,
      privateKey,
      logLevel: "fatal",
      Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
        ...o,
        retry: { enabled: false },
      })),
    });
    await probot.load(app);

    const scope = githubScope();
    replyConfig(scope, "");
    replyFiles(scope, 1);
    // the app's run on the head (none), with GitHub's rate-limit headers
    scope
      .get(`${REPO_PATH}/commits/s1/check-runs`)
      .query(checkRunsQuery())
      .reply(
        200,
        { total_count: 0, check_runs: [] },
        { "x-ratelimit-remaining": "4321", "x-ratelimit-resource": "core" },
      );
    // a secondary limit, then the same check write succeeds
    scope
      .post(`${REPO_PATH}/check-runs`)
      .reply(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "1" });
    scope.post(`${REPO_PATH}/check-runs`).reply(201, { id: 1 });

    const payload = pullRequestEvent("opened", {
      number: 1,
      labels: ["phase: crawl"],
      headSha: "s1",
    });
    // biome-ignore lint/suspicious/noExplicitAny: a payload built from a real example
    await probot.receive({ id: "m1", name: "pull_request", payload } as any);
    await idle();
    expect(errors).toEqual([]);

    const text = await metrics.registry.metrics();
    const lines = text.split("\n");
    expect(lines).toContain(
      'phase_gates_job_duration_seconds_count{job="pull_request",outcome="ok"} 1',
    );
    // Started as soon as it was queued: well within a second.
    expect(lines).toContain(
      'phase_gates_job_queue_wait_seconds_bucket{le="1",job="pull_request"} 1',
    );
    expect(lines).toContain('phase_gates_job_queue_wait_seconds_count{job="pull_request"} 1');
    // the config, the PR's files and the app's run on the head (the PR comes with the payload)
    expect(lines).toContain('phase_gates_github_requests_total{method="GET",status="200"} 3');
    expect(lines).toContain('phase_gates_github_requests_total{method="POST",status="403"} 1');
    // the installation token and the check run
    expect(lines).toContain('phase_gates_github_requests_total{method="POST",status="201"} 2');
    expect(lines).toContain('phase_gates_github_rate_limited_total{kind="secondary"} 1');
    expect(lines).toContain('phase_gates_checks_total{result="created"} 1');
    expect(lines).toContain(
      `phase_gates_github_rate_limit_remaining{installation="${INSTALLATION_ID}",resource="core"} 4321`,
    );
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe("delivery event labels", () => {
  it.each([
    ["pull_request", "pull_request"],
    ["merge_group", "merge_group"],
    ["made_up_by_a_stranger", "other"],
    [undefined, "other"],
    [["issues", "push"], "issues"],
  ] as const)("%s → %s", (header, label) => {
    expect(deliveryEventLabel(header as string | string[] | undefined)).toBe(label);
  });
});
