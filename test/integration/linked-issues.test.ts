import type nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  REPO_PATH,
  replyConfig,
  replyFiles,
  type TestApp,
} from "../helpers/app.js";
import {
  type CheckBody,
  expectCreate,
  expectUpdate,
  replyExistingCheck,
  replyGate,
  replyInstallationRepos,
  replyNoCheckYet,
} from "../helpers/replies.js";
import {
  type IssueSpec,
  issueEvent,
  issueObject,
  label,
  type PullSpec,
  pullObject,
  pullRequestEvent,
} from "../helpers/webhooks.js";

/** SPEC §2: a PR inherits the phase of the issues it closes, its milestone, and its labels. */
const DEFAULTS = "# defaults\n";
const CRAWL_GATE: IssueSpec = {
  number: 1,
  title: "Gate: Crawl → Walk",
  labels: ["gate: crawl"],
  body: "- [x] Feasibility shown with evidence",
};
const WALK_GATE: IssueSpec = {
  number: 2,
  title: "Gate: Walk → Run",
  labels: ["gate: walk"],
  body: "- [x] Feasibility shown with evidence",
};
const RUN_ISSUE: IssueSpec = { number: 7, title: "Scale the launcher", labels: ["phase: run"] };

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => {
  expect(app.errors).toEqual([]);
  assertAllCalled();
});

/** `GET /issues/{n}` of an issue a PR closes (the LinkedIssueReader's read). */
function replyLinkedIssue(scope: nock.Scope, issue: IssueSpec): nock.Scope {
  return scope.get(`${REPO_PATH}/issues/${issue.number}`).reply(200, issueObject(issue));
}

describe("a pull request's phase from the issues it closes", () => {
  it("takes Run from a linked issue over its own Crawl label, and says where the phase came from", async () => {
    const pr: PullSpec = {
      number: 20,
      labels: ["phase: crawl"],
      body: "Adds the launcher.\n\nCloses #7",
      headSha: "linked-sha",
    };
    const created: CheckBody[] = [];
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, DEFAULTS);
    // issue #7, which the PR closes: it is in Run
    replyLinkedIssue(scope, RUN_ISSUE);
    // both gates before Run: open, so pending
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    // what the PR changes: not the config
    replyFiles(scope, 20);
    // no Phase gate check on the head yet, so one is created
    replyNoCheckYet(scope, "linked-sha");
    expectCreate(scope, "linked-sha", created);

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(created).toHaveLength(1);
    const check = created[0];
    expect(check?.conclusion).toBe("failure");
    expect(check?.output.title).toBe("Blocked: Walk gate pending");
    expect(check?.output.summary).toContain(
      "**Phase:** Run, from linked issue [#7](https://github.com/acme/rocket/issues/7) (label `phase: run`).",
    );
    expect(check?.output.summary).toContain(
      "Ignored because a later phase wins: label `phase: crawl` (Crawl).",
    );
  });

  it("keeps a PR blocked when its Run label is removed while its milestone is Run", async () => {
    // the PR as the unlabeled event shows it: the label is gone, the milestone stays
    const now: PullSpec = { number: 21, milestone: "Run", headSha: "ms-sha" };
    const updated: CheckBody[] = [];
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, DEFAULTS);
    // the gates before Run, both pending
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    // what the PR changes: not the config
    replyFiles(scope, 21);
    // the check written while the PR had the label: same title, but it named the label
    replyExistingCheck(scope, "ms-sha", 61, {
      conclusion: "failure",
      title: "Blocked: Walk gate pending",
      summary: "**Phase:** Run, from label `phase: run`, milestone `Run`.",
    });
    // the summary changes (the label no longer decides), so the run is updated
    expectUpdate(scope, 61, updated);

    await app.receive(
      "pull_request",
      pullRequestEvent("unlabeled", now, { label: label("phase: run") }),
    );

    expect(updated).toHaveLength(1);
    expect(updated[0]?.conclusion).toBe("failure");
    expect(updated[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(updated[0]?.output.summary).toContain("**Phase:** Run, from milestone `Run`.");
    expect(updated[0]?.output.summary).not.toContain("label `phase: run`");
  });

  it("re-checks only the open PRs that close an issue when that issue is labelled Run, and posts the not-yet comment once", async () => {
    const closesSeven: PullSpec = {
      number: 20,
      labels: ["phase: crawl"],
      body: "Fixes #7",
      headSha: "closes7-sha",
    };
    // neither of these closes acme/rocket#7: one closes #70, one closes issue 7 of another repo
    const closesSeventy: PullSpec = {
      number: 22,
      labels: ["phase: crawl"],
      body: "Closes #70",
      headSha: "closes70-sha",
    };
    const closesOtherSeven: PullSpec = {
      number: 23,
      labels: ["phase: crawl"],
      body: "Fixes other-org/lib#7",
      headSha: "other7-sha",
    };
    const issueNow: IssueSpec = { ...RUN_ISSUE, comments: 1 };
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, DEFAULTS);
    // the open PRs: only #20 closes #7 (no check-runs mock for the other two: any call fails the test)
    scope
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [
        pullObject(closesSeventy),
        pullObject(closesSeven),
        pullObject(closesOtherSeven),
      ]);
    // issue #7 as the linked-issue reader sees it during the re-check of #20: now Run
    replyLinkedIssue(scope, issueNow);
    // both gates before Run: pending (read once for the re-check and the not-yet comment)
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    // #20's existing check, from when it was a Crawl PR
    replyExistingCheck(scope, "closes7-sha", 70, {
      conclusion: "success",
      title: "Crawl: first phase",
      summary: "**Phase:** Crawl, from label `phase: crawl`.",
    });
    const updated: CheckBody[] = [];
    expectUpdate(scope, 70, updated);
    // the not-yet logic re-reads issue #7 itself (open, labelled, one comment)
    replyLinkedIssue(scope, issueNow);
    // its comments: a person's, no earlier not-yet comment
    scope
      .get(`${REPO_PATH}/issues/7/comments`)
      .query({ per_page: "100" })
      .reply(200, [
        {
          id: 300,
          body: "Needed for the launch.",
          user: { login: "pm", type: "User" },
          created_at: "2026-11-19T09:00:00Z",
          html_url: "https://github.com/acme/rocket/issues/7#issuecomment-300",
        },
      ]);
    // the one not-yet comment on issue #7
    const notYet: string[] = [];
    scope
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => notYet.push(b.body) > 0)
      .reply(201, { id: 301 });
    replyInstallationRepos(scope); // PRs elsewhere that close this issue: none

    await app.receive(
      "issues",
      issueEvent("labeled", issueNow, { sender: "pm", label: "phase: run" }),
    );

    expect(updated).toHaveLength(1);
    expect(updated[0]?.conclusion).toBe("failure");
    expect(updated[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(updated[0]?.output.summary).toContain(
      "linked issue [#7](https://github.com/acme/rocket/issues/7)",
    );
    expect(notYet).toHaveLength(1);
    expect(notYet[0]).toContain("<!-- phase-gates:not-yet -->");
    expect(notYet[0]).toContain(
      "waits for the **Walk** gate ([#2](https://github.com/acme/rocket/issues/2)), which is pending",
    );
    expect(notYet[0]).toContain(
      "Other gates before Run still pending: **Crawl** ([#1](https://github.com/acme/rocket/issues/1))",
    );
  });

  it("reports a linked issue in another repository it cannot read, and does not count it", async () => {
    const pr: PullSpec = {
      number: 24,
      labels: ["phase: crawl"],
      body: "Fixes other-org/lib#3",
      headSha: "xrepo-sha",
    };
    const created: CheckBody[] = [];
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, DEFAULTS);
    // the cross-repo issue: outside the installation
    scope.get("/repos/other-org/lib/issues/3").reply(404, { message: "Not Found" });
    // what the PR changes: not the config
    replyFiles(scope, 24);
    // no check yet: created (Crawl needs no gate, so none is read)
    replyNoCheckYet(scope, "xrepo-sha");
    expectCreate(scope, "xrepo-sha", created);

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(created[0]?.conclusion).toBe("success");
    expect(created[0]?.output.title).toBe("Crawl: first phase");
    expect(created[0]?.output.summary).toContain(
      "Could not read linked issue other-org/lib#3 (the app has no access to it or it does not exist); its phase is not counted.",
    );
  });

  it("follows a closing keyword with a full issue URL", async () => {
    const pr: PullSpec = {
      number: 25,
      body: "Closes https://github.com/acme/rocket/issues/9",
      headSha: "url-sha",
    };
    const created: CheckBody[] = [];
    const scope = githubScope();
    // the config, from the default branch
    replyConfig(scope, DEFAULTS);
    // issue #9, named by URL: in Walk
    replyLinkedIssue(scope, { number: 9, labels: ["phase: walk"] });
    // the one gate before Walk: pending
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    // what the PR changes: not the config
    replyFiles(scope, 25);
    // no check yet: created
    replyNoCheckYet(scope, "url-sha");
    expectCreate(scope, "url-sha", created);

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(created[0]?.conclusion).toBe("failure");
    expect(created[0]?.output.title).toBe("Blocked: Crawl gate pending");
    expect(created[0]?.output.summary).toContain(
      "**Phase:** Walk, from linked issue [#9](https://github.com/acme/rocket/issues/9) (label `phase: walk`).",
    );
  });
});

describe("linkedIssues: false", () => {
  const NO_LINKS = "linkedIssues: false\n";

  it("never reads a linked issue: the PR's own label decides", async () => {
    const pr: PullSpec = {
      number: 26,
      labels: ["phase: crawl"],
      body: "Closes #7",
      headSha: "nolink-sha",
    };
    const created: CheckBody[] = [];
    const scope = githubScope();
    // the config, from the default branch: linked issues off
    replyConfig(scope, NO_LINKS);
    // what the PR changes: not the config
    replyFiles(scope, 26);
    // no check yet: created. No mock for issue #7: reading it would fail the job.
    replyNoCheckYet(scope, "nolink-sha");
    expectCreate(scope, "nolink-sha", created);

    await app.receive("pull_request", pullRequestEvent("opened", pr));

    expect(created[0]?.conclusion).toBe("success");
    expect(created[0]?.output.title).toBe("Crawl: first phase");
    expect(created[0]?.output.summary).toContain("**Phase:** Crawl, from label `phase: crawl`.");
    expect(created[0]?.output.summary).not.toContain("linked issue");
  });

  it("re-checks no PR when an issue is labelled Run by a bot", async () => {
    const scope = githubScope();
    // the config, from the default branch: linked issues off. Nothing else is read:
    // no PR list, no issue read, no not-yet comment (a bot labelled it).
    replyConfig(scope, NO_LINKS);
    replyInstallationRepos(scope); // PRs elsewhere that close this issue: none

    await app.receive(
      "issues",
      issueEvent("labeled", RUN_ISSUE, { sender: "triage-bot[bot]", label: "phase: run" }),
    );
  });
});
