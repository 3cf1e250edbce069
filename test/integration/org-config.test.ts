import nock from "nock";
import { describe, expect, it } from "vitest";
import { checkRunsQuery, githubScope, useTestApp } from "../helpers/app.js";
import { type CheckBody, replyCommits } from "../helpers/replies.js";
import { OWNER, pullObject, pushEvent } from "../helpers/webhooks.js";

// SPEC §4: the config changed in the owner's `.github` repository → every
// repository that inherits it is re-checked; one with its own config is not.

const ORG_CONFIG =
  "unphased: block\nsync: { labels: false, milestones: false, gateIssues: false }\n";
const raw = { "content-type": "text/plain; charset=utf-8", etag: '"org1"' };
const path = (repo: string) => `/repos/${OWNER}/${repo}/contents/.github%2Fphase-gates.yml`;

const app = useTestApp();

describe("a push to the owner's .github repository", () => {
  it("re-checks the repositories that inherit its config, and leaves one with its own config alone", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    // 1. the .github repository itself: its config, and no open PRs
    scope.get(path(".github")).reply(200, ORG_CONFIG, raw);
    scope
      .get(`/repos/${OWNER}/.github/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, []);
    // 2. the repositories of the installation
    scope
      .get("/installation/repositories")
      .query({ per_page: "100" })
      .reply(200, {
        total_count: 3,
        repositories: [".github", "rocket", "own"].map((name, i) => ({
          id: i + 1,
          name,
          full_name: `${OWNER}/${name}`,
          owner: { login: OWNER },
        })),
      });
    // 3. rocket has no file of its own: it reads the owner's (revalidated by ETag)
    scope.get(path("rocket")).reply(404, { message: "Not Found" });
    scope.get(path(".github")).reply(304, "");
    scope
      .get(`/repos/${OWNER}/rocket/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [pullObject({ number: 3, headSha: "r-sha" })]);
    scope
      .get(`/repos/${OWNER}/rocket/commits/r-sha/check-runs`)
      .query(checkRunsQuery())
      .reply(200, { total_count: 0, check_runs: [] });
    replyCommits(scope, 3, ["r-sha"], `/repos/${OWNER}/rocket`);
    scope
      .post(`/repos/${OWNER}/rocket/check-runs`, (b: CheckBody) => created.push(b) > 0)
      .reply(201, { id: 1 });
    // 4. own has its own config: read, and nothing else
    scope.get(path("own")).reply(200, "# its own\n", { "content-type": "text/plain" });

    const push = pushEvent({ modified: [".github/phase-gates.yml"] });
    push.repository = {
      ...(push.repository as object),
      name: ".github",
      full_name: `${OWNER}/.github`,
    };
    await app().receive("push", push);

    // the inherited `unphased: block` now decides rocket's unphased PR
    expect(created.map((c) => c.output.title)).toEqual(["Blocked: no phase label"]);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
