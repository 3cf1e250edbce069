import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import {
  ENFORCEMENT_MAX_AGE_MS,
  forgetEnforcement,
  readEnforcement,
  recentEnforcement,
} from "../../src/github/enforcement.js";
import type { GitHub } from "../../src/github/octokit.js";
import { MemoryStateStore } from "../../src/state/memory-store.js";

// SPEC §5 "Does the gate bite?": the reads behind the answer, their refusals, and the store.

const API = "https://api.github.com";
const REPO = { owner: "acme", repo: "rocket" };
const REPO_PATH = "/repos/acme/rocket";
const APP_ID = 4242;
const target = { appId: APP_ID, repoUrl: "https://github.com/acme/rocket", branch: "main" };

function client(): GitHub {
  return new ProbotOctokit({
    auth: { token: "ghs_test" },
    retry: { enabled: false },
    throttle: { enabled: false },
  }) as GitHub;
}

/** One `required_status_checks` rule as "Get rules for a branch" answers it. */
function statusRule(checks: { context: string; integration_id?: number }[], rulesetId = 42) {
  return {
    type: "required_status_checks",
    parameters: { strict_required_status_checks_policy: false, required_status_checks: checks },
    ruleset_source_type: "Repository",
    ruleset_source: "acme/rocket",
    ruleset_id: rulesetId,
  };
}

function branch(isProtected: boolean, checks?: { context: string; app_id: number | null }[]) {
  return {
    name: "main",
    commit: { sha: "a".repeat(40) },
    protected: isProtected,
    protection: checks
      ? {
          enabled: isProtected,
          required_status_checks: {
            enforcement_level: isProtected ? "non_admins" : "off",
            contexts: checks.map((c) => c.context),
            checks,
          },
        }
      : { enabled: isProtected },
    protection_url: `${API}${REPO_PATH}/branches/main/protection`,
  };
}

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
});

describe("readEnforcement", () => {
  it.each([
    [
      "a ruleset pinned to the app",
      [statusRule([{ context: "Phase gate", integration_id: APP_ID }])],
      branch(false, []),
      "enforced",
    ],
    [
      "a ruleset requiring it from any source",
      [{ type: "deletion", ruleset_id: 1 }, statusRule([{ context: "Phase gate" }])],
      branch(false, []),
      "not-pinned",
    ],
    ["no rules, no protection", [], branch(false, []), "not-required"],
    [
      "classic protection pinned to the app, seen on the branch",
      [],
      branch(true, [{ context: "Phase gate", app_id: APP_ID }]),
      "enforced",
    ],
  ])("%s → %s", async (_what, rules, branchBody, state) => {
    nock(API)
      // Get rules for a branch (metadata read)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query({ per_page: "100" })
      .reply(200, rules)
      // Get a branch (contents read): protected, and the checks its protection requires
      .get(`${REPO_PATH}/branches/main`)
      .reply(200, branchBody);
    const { enforcement, transient } = await readEnforcement(client(), REPO, target);
    expect(enforcement.state).toBe(state);
    expect(transient).toBe(false);
  });

  it("reads the protection when the branch does not list its checks, and takes a 403 as 'cannot see'", async () => {
    nock(API)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/branches/main`)
      .reply(200, branch(true))
      // Get status checks protection: needs Administration read, which the app does not ask for
      .get(`${REPO_PATH}/branches/main/protection/required_status_checks`)
      .reply(403, { message: "Resource not accessible by integration" });
    const { enforcement } = await readEnforcement(client(), REPO, target);
    expect(enforcement.state).toBe("unknown");
    expect(enforcement.summary).toContain(
      "branch main has a branch protection rule whose required checks cannot be read without Administration: read",
    );
  });

  it("reads the protection's checks where the reader may (200), and a 404 as none", async () => {
    nock(API)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/branches/main`)
      .reply(200, branch(true))
      .get(`${REPO_PATH}/branches/main/protection/required_status_checks`)
      .reply(200, {
        url: "…",
        strict: true,
        contexts: ["Phase gate"],
        checks: [{ context: "Phase gate", app_id: APP_ID }],
        contexts_url: "…",
      });
    expect((await readEnforcement(client(), REPO, target)).enforcement.state).toBe("enforced");

    nock(API)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query(true)
      .reply(200, [])
      .get(`${REPO_PATH}/branches/main`)
      .reply(200, branch(true))
      .get(`${REPO_PATH}/branches/main/protection/required_status_checks`)
      .reply(404, { message: "Required status checks not enabled" });
    expect((await readEnforcement(client(), REPO, target)).enforcement.state).toBe("not-required");
  });

  it("says why when the rules cannot be read, and marks a 5xx as passing", async () => {
    nock(API)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query(true)
      .reply(502, { message: "Bad Gateway" })
      .get(`${REPO_PATH}/branches/main`)
      .reply(200, branch(false, []));
    const { enforcement, transient } = await readEnforcement(client(), REPO, target);
    expect(enforcement.state).toBe("unknown");
    expect(enforcement.summary).toContain(
      "the rules for the branch could not be read: GitHub answered 502 Bad Gateway",
    );
    expect(transient).toBe(true);
  });

  it("throws a rate limit on, for the queue to wait for, rather than answering 'unknown'", async () => {
    nock(API)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query(true)
      .reply(
        403,
        { message: "API rate limit exceeded" },
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2000000000" },
      );
    await expect(readEnforcement(client(), REPO, target)).rejects.toMatchObject({ status: 403 });
  });

  it("reads the default branch when it is not given", async () => {
    nock(API)
      .get(REPO_PATH)
      .reply(200, { full_name: "acme/rocket", default_branch: "trunk" })
      .get(`${REPO_PATH}/rules/branches/trunk`)
      .query(true)
      .reply(200, [statusRule([{ context: "Phase gate", integration_id: APP_ID }])])
      .get(`${REPO_PATH}/branches/trunk`)
      .reply(200, { ...branch(false, []), name: "trunk" });
    const { branch: _b, ...noBranch } = target;
    const { enforcement } = await readEnforcement(client(), REPO, noBranch);
    expect(enforcement).toMatchObject({ state: "enforced", branch: "trunk" });
  });
});

describe("recentEnforcement: kept in the store, read again after an hour or when forgotten", () => {
  /** One full read: the rules answer `rules`. */
  function replyRead(rules: unknown[]) {
    nock(API)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query(true)
      .reply(200, rules)
      .get(`${REPO_PATH}/branches/main`)
      .reply(200, branch(false, []));
  }

  it("answers from the store within the hour, re-reads after it, and after a forget", async () => {
    let now = 1_000_000;
    const store = new MemoryStateStore(() => now);
    const octokit = client();
    const pinned = [statusRule([{ context: "Phase gate", integration_id: APP_ID }])];

    replyRead(pinned);
    expect((await recentEnforcement(octokit, REPO, store, target, { now })).state).toBe("enforced");
    // Within the hour: no request (nock would refuse one).
    now += ENFORCEMENT_MAX_AGE_MS - 1;
    expect((await recentEnforcement(octokit, REPO, store, target, { now })).state).toBe("enforced");
    // The hour is up: the ruleset was removed meanwhile.
    now += 1;
    replyRead([]);
    expect((await recentEnforcement(octokit, REPO, store, target, { now })).state).toBe(
      "not-required",
    );
    // A config push or an installation forgets it: read at once.
    await forgetEnforcement(store, REPO);
    replyRead(pinned);
    expect((await recentEnforcement(octokit, REPO, store, target, { now })).state).toBe("enforced");
  });

  it("does not keep an answer a server error left unknown", async () => {
    const store = new MemoryStateStore();
    const octokit = client();
    nock(API)
      .get(`${REPO_PATH}/rules/branches/main`)
      .query(true)
      .reply(500, { message: "Server Error" })
      .get(`${REPO_PATH}/branches/main`)
      .reply(200, branch(false, []));
    expect((await recentEnforcement(octokit, REPO, store, target)).state).toBe("unknown");
    replyRead([statusRule([{ context: "Phase gate", integration_id: APP_ID }])]);
    expect((await recentEnforcement(octokit, REPO, store, target)).state).toBe("enforced");
  });
});
