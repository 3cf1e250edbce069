import nock from "nock";
import { describe, expect, it } from "vitest";
import { githubScope, REPO_PATH, replyConfig, useTestApp } from "../helpers/app.js";
import {
  type CheckBody,
  expectCreate,
  expectUpdate,
  replyExistingCheck,
  replyNoCheckYet,
} from "../helpers/replies.js";
import {
  API,
  installationCreatedEvent,
  pullObject,
  pullRequestEvent,
  pushEvent,
  REPO,
} from "../helpers/webhooks.js";

// SPEC §4: a repository that loses its config gets one final `success` per open
// PR ("not configured"), so a required check never strands a PR; then nothing.

const BLOCKED = {
  conclusion: "failure",
  title: "Blocked: Walk gate pending",
  summary: "…",
  externalId: "phase-gates:floor=run",
};

const app = useTestApp();

describe("a repository that loses its config", () => {
  it("turns every open PR's check green once when the config is deleted, then writes nothing", async () => {
    const written: CheckBody[] = [];
    const scope = githubScope();
    // the config is gone from the default branch and from the owner's .github
    replyConfig(scope, null);
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [
        pullObject({ number: 10, labels: ["phase: run"], headSha: "run-sha" }),
        pullObject({ number: 11, headSha: "new-sha" }),
      ]);
    // #10 carries the app's failing check: updated; #11 has none yet: created
    replyExistingCheck(scope, "run-sha", 55, BLOCKED);
    expectUpdate(scope, 55, written);
    replyNoCheckYet(scope, "new-sha");
    expectCreate(scope, "new-sha", written);

    await app().receive("push", pushEvent({ removed: [".github/phase-gates.yml"] }));

    expect(written.map((w) => [w.conclusion, w.output.title])).toEqual([
      ["success", "Not configured"],
      ["success", "Not configured"],
    ]);
    expect(written[0]?.output.summary).toContain("is not configured for this repository");
    expect(written[0]?.external_id).toBe("phase-gates:floor=run");

    // a later event on one of those PRs: the config is still missing, nothing is written
    const later = nock(API); // the installation token is cached
    replyConfig(later, null);
    await app().receive(
      "pull_request",
      pullRequestEvent("labeled", { number: 10, headSha: "run-sha" }),
    );
  });

  it("on installation without a config, turns only the app's own earlier checks green", async () => {
    const written: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, null);
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [
        pullObject({ number: 10, labels: ["phase: run"], headSha: "run-sha" }),
        pullObject({ number: 11, headSha: "new-sha" }),
      ]);
    replyExistingCheck(scope, "run-sha", 55, BLOCKED);
    expectUpdate(scope, 55, written);
    // #11 was never checked by the app: nothing is created on it
    replyNoCheckYet(scope, "new-sha");

    await app().receive("installation", installationCreatedEvent([REPO]));

    expect(written.map((w) => w.conclusion)).toEqual(["success"]);
  });
});
