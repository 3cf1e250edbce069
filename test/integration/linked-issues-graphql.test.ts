import { describe, expect, it } from "vitest";
import { githubScope, REPO_PATH, replyConfig, replyFiles, useTestApp } from "../helpers/app.js";
import {
  type CheckBody,
  expectCreate,
  replyCommits,
  replyGate,
  replyNoCheckYet,
} from "../helpers/replies.js";
import { issueObject, pullObject, pullRequestEvent, pushEvent } from "../helpers/webhooks.js";

// An issue linked in the PR's "Development" sidebar is not in the body: GitHub's
// GraphQL `closingIssuesReferences` lists it. Where GraphQL is missing (older
// GHES, the sandbox), the body's closing keywords are used, and GraphQL is not asked again.

const PR = { number: 10, labels: [], headSha: "s10", body: "No keyword here." };

const app = useTestApp({ graphql: true });

/** `POST /graphql`: the issues the PR closes, as GitHub lists them. */
function replyClosing(scope: ReturnType<typeof githubScope>, numbers: number[]) {
  return scope
    .post("/graphql", (b: { variables: { number: number } }) => b.variables.number === 10)
    .reply(200, {
      data: {
        repository: {
          pullRequest: {
            closingIssuesReferences: {
              nodes: numbers.map((number) => ({
                number,
                repository: { name: "rocket", owner: { login: "acme" } },
              })),
            },
          },
        },
      },
    });
}

describe("linked issues from GitHub's own list", () => {
  it("puts a PR in Run through an issue linked only in the sidebar", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, "# defaults\n");
    replyNoCheckYet(scope, "s10");
    replyClosing(scope, [7]);
    scope
      .get(`${REPO_PATH}/issues/7`)
      .reply(200, issueObject({ number: 7, labels: ["phase: run"] }));
    replyGate(scope, "gate: crawl", { number: 1, labels: ["gate: crawl"] });
    replyGate(scope, "gate: walk", { number: 2, labels: ["gate: walk"] });
    replyFiles(scope, 10);
    expectCreate(scope, "s10", created);

    await app().receive("pull_request", pullRequestEvent("opened", PR));

    expect(created[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(created[0]?.output.summary).toContain("linked issue [#7]");
  });

  it("falls back to the body when the API has no GraphQL, and stops asking", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    const withKeyword = { ...PR, body: "Closes #8" };
    replyConfig(scope, "# defaults\n");
    replyNoCheckYet(scope, "s10");
    // asked once: 404, as an older GHES or the sandbox answers
    scope.post("/graphql").reply(404, { message: "Not Found" });
    scope
      .get(`${REPO_PATH}/issues/8`)
      .twice()
      .reply(200, issueObject({ number: 8, labels: ["phase: crawl"] }));
    replyFiles(scope, 10);
    expectCreate(scope, "s10", created);
    // the second event revalidates the config
    scope.get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`).reply(304);

    await app().receive("pull_request", pullRequestEvent("opened", withKeyword));
    // a second event: no GraphQL request at all (nock would fail on an unmocked one)
    await app().receive("pull_request", pullRequestEvent("labeled", withKeyword));

    expect(created[0]?.output.title).toBe("Crawl: first phase");
  });

  it("asks once for every open PR when a change re-checks them all", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(
      scope,
      "dashboard: false\nsync: { labels: false, milestones: false, gateIssues: false }\n",
    );
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [pullObject(PR), pullObject({ number: 11, headSha: "s11" })]);
    // one query for both PRs: #10 closes #7 (sidebar), #11 nothing
    scope
      .post(
        "/graphql",
        (b: { query: string; variables: Record<string, unknown> }) =>
          b.query.includes("pullRequests(states: OPEN") && b.variables.number === undefined,
      )
      .reply(200, {
        data: {
          repository: {
            pullRequests: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [
                {
                  number: 10,
                  closingIssuesReferences: {
                    nodes: [
                      { number: 7, repository: { name: "rocket", owner: { login: "acme" } } },
                    ],
                  },
                },
                { number: 11, closingIssuesReferences: { nodes: [] } },
              ],
            },
          },
        },
      });
    for (const [n, sha] of [
      [10, "s10"],
      [11, "s11"],
    ] as const) {
      replyNoCheckYet(scope, sha);
      replyCommits(scope, n, [sha]);
    }
    scope
      .get(`${REPO_PATH}/issues/7`)
      .reply(200, issueObject({ number: 7, labels: ["phase: run"] }));
    replyGate(scope, "gate: crawl", { number: 1, labels: ["gate: crawl"] });
    replyGate(scope, "gate: walk", { number: 2, labels: ["gate: walk"] });
    scope
      .post(`${REPO_PATH}/check-runs`, (b: CheckBody) => created.push(b) > 0)
      .times(2)
      .reply(201, { id: 5 });

    await app().receive("push", pushEvent({ modified: [".github/phase-gates.yml"] }));

    expect(created.map((c) => c.output.title)).toEqual(["Blocked: Walk gate pending", "No phase"]);
  });
});
