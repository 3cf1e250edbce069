import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { answerDeployment, callbackRunId } from "../../../src/github/deployments.js";
import type { GitHub } from "../../../src/github/octokit.js";

describe("callbackRunId", () => {
  it.each<[string, number | null]>([
    ["https://api.github.com/repos/acme/rocket/actions/runs/42/deployment_protection_rule", 42],
    ["http://127.0.0.1:3000/api/v3/repos/acme/rocket/actions/runs/7/deployment_protection_rule", 7],
    ["https://api.github.com/repos/acme/rocket/actions/runs/0/deployment_protection_rule", null],
    ["https://api.github.com/repos/acme/rocket/actions/runs/x/deployment_protection_rule", null],
    ["https://api.github.com/repos/acme/rocket/actions/runs/42", null],
    ["https://api.github.com/repos/acme/rocket/deployments/42", null],
  ])("%s → %s", (url, runId) => {
    expect(callbackRunId(url)).toBe(runId);
  });
});

describe("answerDeployment", () => {
  afterEach(() => nock.cleanAll());

  it("is retried by Octokit after a 502, with the same answer", async () => {
    const bodies: unknown[] = [];
    const path = "/repos/acme/rocket/actions/runs/42/deployment_protection_rule";
    const scope = nock("https://api.github.com")
      .post(path, (body) => {
        bodies.push(body);
        return true;
      })
      .reply(502, { message: "Bad Gateway" })
      .post(path, (body) => {
        bodies.push(body);
        return true;
      })
      .reply(204);
    // Probot's client, as jobs get it: plugin-retry on (fast), throttling off.
    const octokit = new ProbotOctokit({
      retry: { retryAfterBaseValue: 1 },
      throttle: { enabled: false },
    }) as unknown as GitHub;

    await answerDeployment(octokit, { owner: "acme", repo: "rocket" }, 42, {
      environment: "production",
      state: "approved",
      comment: "Approved: ok",
    });

    expect(scope.isDone()).toBe(true);
    const answer = { environment_name: "production", state: "approved", comment: "Approved: ok" };
    expect(bodies).toEqual([answer, answer]);
  });
});
