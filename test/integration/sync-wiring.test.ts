import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  assertAllCalled,
  createTestApp,
  gateIssueQuery,
  githubScope,
  REPO_PATH,
  replyConfig,
  type TestApp,
} from "../helpers/app.js";
import { defaultGateEvents, replyEvents, replyInstallationRepos } from "../helpers/replies.js";
import { API, issueEvent, issueObject, user } from "../helpers/webhooks.js";

const DEFAULTS = "# defaults: Crawl → Walk → Run\n";

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => {
  expect(app.errors).toEqual([]);
  assertAllCalled();
});

/** `GET /pulls?state=open`: the PRs that might close the issue (none here). */
function replyNoOpenPulls(scope: nock.Scope): nock.Scope {
  return scope.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: "100" }).reply(200, []);
}

describe("milestone sync through probot.receive", () => {
  it("labels an issue milestoned Crawl, then its own labeled event writes nothing", async () => {
    const first = githubScope();
    replyConfig(first, DEFAULTS);
    first
      // GET the issue as it is now
      .get(`${REPO_PATH}/issues/5`)
      .reply(200, issueObject({ number: 5, labels: ["phase: walk"], milestone: "Crawl" }))
      // POST the label the milestone implies
      .post(`${REPO_PATH}/issues/5/labels`, { labels: ["phase: crawl"] })
      .reply(200, [])
      // DELETE the phase label it replaces
      .delete(`${REPO_PATH}/issues/5/labels/phase%3A%20walk`)
      .reply(200, []);
    replyNoOpenPulls(first);
    replyInstallationRepos(first); // PRs elsewhere that close this issue: none

    await app.receive(
      "issues",
      issueEvent("milestoned", { number: 5, labels: ["phase: walk"], milestone: "Crawl" }),
    );
    assertAllCalled();

    // The app's write comes back as issues.labeled from its bot: reads only, no writes.
    const second = nock(API); // the installation token is cached from the first delivery
    replyConfig(second, DEFAULTS, '"cfg1"');
    replyNoOpenPulls(second);

    const echo = issueEvent(
      "labeled",
      { number: 5, labels: ["phase: crawl"], milestone: "Crawl" },
      { label: "phase: crawl" },
    );
    echo.sender = user("phase-gates[bot]", "Bot");
    await app.receive("issues", echo);
  });

  it("comments once when a person labels an issue Walk while the Crawl gate is pending", async () => {
    const bodies: string[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyNoOpenPulls(scope);
    replyInstallationRepos(scope); // PRs elsewhere that close this issue: none
    scope
      .get(`${REPO_PATH}/issues/8`)
      .reply(200, issueObject({ number: 8, labels: ["phase: walk"] }))
      .get(`${REPO_PATH}/issues`)
      .query(gateIssueQuery("gate: crawl"))
      .reply(200, [
        issueObject({
          number: 1,
          title: "Gate: Crawl → Walk",
          labels: ["gate: crawl"],
          body: "- [ ] Feasibility shown with evidence",
        }),
      ]);
    replyEvents(scope, 1, defaultGateEvents("gate: crawl", { number: 1 }))
      .post(`${REPO_PATH}/issues/8/comments`, (b: { body: string }) => {
        bodies.push(b.body);
        return true;
      })
      .reply(201, {});

    await app.receive(
      "issues",
      issueEvent("labeled", { number: 8, labels: ["phase: walk"] }, { label: "phase: walk" }),
    );

    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toContain("Walk work waits for the **Crawl** gate");
  });
});
