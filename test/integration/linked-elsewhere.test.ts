import { describe, expect, it } from "vitest";
import { checkRunsQuery, githubScope, REPO_PATH, replyConfig, useTestApp } from "../helpers/app.js";
import {
  type CheckBody,
  replyCommits,
  replyInstallationRepos,
  replyNoOpenPulls,
} from "../helpers/replies.js";
import { issueEvent, issueObject, OWNER, pullObject } from "../helpers/webhooks.js";

// SPEC §4: a linked issue in another repository of the installation — its
// phase change re-checks the PRs that close it there, not only here.

const WEB = `/repos/${OWNER}/web`;

const app = useTestApp();

describe("an issue that PRs in another repository close", () => {
  it("re-checks the PR in the other repository that closes it, and no other", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    // 1. in acme/rocket, where the issue lives: its config, and no PR here closes it
    replyConfig(scope, "# defaults\n");
    replyNoOpenPulls(scope);
    // 2. the installation's repositories, and acme/web's open PRs and what they close
    replyInstallationRepos(scope, ["rocket", "web"]);
    scope
      .get(`${WEB}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [
        { ...pullObject({ number: 4, headSha: "w4" }), body: "Closes acme/rocket#7" },
        { ...pullObject({ number: 5, headSha: "w5" }), body: "Refs acme/rocket#7" },
      ]);
    // 3. acme/web's PR #4, re-checked in acme/web's queue against acme/web's config
    scope
      .get(`${WEB}/pulls/4`)
      .reply(200, { ...pullObject({ number: 4, headSha: "w4" }), body: "Closes acme/rocket#7" });
    scope
      .get(`${WEB}/contents/.github%2Fphase-gates.yml`)
      .reply(200, "# defaults\n", { "content-type": "text/plain" });
    scope
      .get(`${WEB}/commits/w4/check-runs`)
      .query(checkRunsQuery())
      .reply(200, { total_count: 0, check_runs: [] });
    replyCommits(scope, 4, ["w4"], WEB);
    // the linked issue, now in Crawl: read by the "not yet" check in acme/rocket and by acme/web's PR
    scope
      .get(`${REPO_PATH}/issues/7`)
      .twice()
      .reply(200, issueObject({ number: 7, labels: ["phase: crawl"] }));
    scope.post(`${WEB}/check-runs`, (b: CheckBody) => created.push(b) > 0).reply(201, { id: 1 });

    await app().receive(
      "issues",
      issueEvent(
        "labeled",
        { number: 7, labels: ["phase: crawl"] },
        { sender: "pm", label: "phase: crawl" },
      ),
    );

    expect(created.map((c) => [c.head_sha, c.output.title])).toEqual([
      ["w4", "Crawl: first phase"],
    ]);
    expect(created[0]?.output.summary).toContain("acme/rocket#7");
  });
});
