import nock from "nock";
import { describe, expect, it } from "vitest";
import { githubScope, REPO_PATH, replyConfig, replyFiles, useTestApp } from "../helpers/app.js";
import {
  type CheckBody,
  expectCreate,
  expectUpdate,
  replyGate,
  replyInstallationRepos,
  replyNoCheckYet,
  replyRole,
} from "../helpers/replies.js";
import {
  API,
  type IssueSpec,
  issueObject,
  type PullSpec,
  pullObject,
  pullRequestEvent,
  subIssuesEvent,
} from "../helpers/webhooks.js";

// SPEC §2 "Parent issues": a PR that closes a sub-issue of a Run epic is Run;
// the ancestry is read once and kept; a `sub_issues` event drops it, and a
// removed parent lowers the PR only when an approver removed it.

const DEFAULTS = "# defaults\n";
const CRAWL_GATE: IssueSpec = { number: 1, title: "Gate: Crawl → Walk", labels: ["gate: crawl"] };
const WALK_GATE: IssueSpec = { number: 2, title: "Gate: Walk → Run", labels: ["gate: walk"] };
const EPIC: IssueSpec = { number: 12, title: "Launch epic", labels: ["phase: run"] };
const TASK: IssueSpec = { number: 5, title: "Wire the button" };
const PR: PullSpec = {
  number: 20,
  body: "Closes #5",
  headSha: "task-sha",
  updatedAt: "2026-12-01T10:00:00Z",
};
/** The PR a second later, with a label that is no phase. */
const LABELLED: PullSpec = { ...PR, labels: ["bug"], updatedAt: "2026-12-01T10:00:01Z" };
const HELD = "held: its phase floor";

const app = useTestApp();

/** `GET /issues/5`: the task, with no phase of its own; its parent named by `parent_issue_url` (or none). */
function replyTask(scope: nock.Scope, parent: number | null): nock.Scope {
  return scope.get(`${REPO_PATH}/issues/5`).reply(200, {
    ...issueObject(TASK),
    ...(parent ? { parent_issue_url: `${API}/repos/acme/rocket/issues/${parent}` } : {}),
  });
}

/** Both gates before Run, open: pending. */
function replyGatesPending(scope: nock.Scope): void {
  replyGate(scope, "gate: crawl", CRAWL_GATE);
  replyGate(scope, "gate: walk", WALK_GATE);
}

/** The PR is opened: its task's parent, the Run epic, makes it Run; blocked by the pending gates. */
async function openTaskPr(created: CheckBody[]): Promise<void> {
  const scope = githubScope();
  replyConfig(scope, DEFAULTS);
  // the task the PR closes names its parent in `parent_issue_url`: no `GET …/parent`
  replyTask(scope, EPIC.number);
  // the epic, read like a linked issue: in Run
  scope.get(`${REPO_PATH}/issues/12`).reply(200, issueObject(EPIC));
  replyGatesPending(scope);
  replyFiles(scope, PR.number);
  replyNoCheckYet(scope, "task-sha");
  expectCreate(scope, "task-sha", created);
  await app().receive("pull_request", pullRequestEvent("opened", PR));
}

describe("a PR's phase from its linked issue's parent issues", () => {
  it("is Run through the epic; a later PR event that changes no link does not read the epic's link again", async () => {
    const created: CheckBody[] = [];
    await openTaskPr(created);
    expect(created.map((c) => c.output.title)).toEqual(["Blocked: Walk gate pending"]);
    expect(created[0]?.output.summary).toContain(
      "linked issue [#5](https://github.com/acme/rocket/issues/5) (label `phase: run`, inherited from [#12](https://github.com/acme/rocket/issues/12), its parent issue)",
    );

    // A label that is no phase: the task is read again (as every linked issue is, once per
    // job), its ancestry is not: no `GET /issues/12`, no `GET …/parent`.
    const scope = nock(API); // the token from the first event is still good
    replyConfig(scope, DEFAULTS);
    replyTask(scope, EPIC.number);
    replyGatesPending(scope);
    await app().receive(
      "pull_request",
      pullRequestEvent("labeled", LABELLED, { label: { name: "bug" } }),
    );
  });

  it("asks `GET …/parent` of an issue that does not name one, once: a 404 is no parent, kept", async () => {
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, DEFAULTS);
    replyTask(scope, null);
    // GitHub leaves `parent_issue_url` out of an issue with no parent: asked, 404
    scope.get(`${REPO_PATH}/issues/5/parent`).reply(404, { message: "Not Found" });
    replyFiles(scope, PR.number);
    replyNoCheckYet(scope, "task-sha");
    expectCreate(scope, "task-sha", created);
    await app().receive("pull_request", pullRequestEvent("opened", PR));
    expect(created.map((c) => c.output.title)).toEqual(["No phase"]);

    const again = nock(API);
    replyConfig(again, DEFAULTS);
    replyTask(again, null);
    await app().receive(
      "pull_request",
      pullRequestEvent("labeled", LABELLED, { label: { name: "bug" } }),
    );
  });
});

/**
 * A link removal's re-check, up to who removed it: the config; the open PRs
 * (#20 closes the task); the task, whose ancestry was dropped, read again
 * with no parent now (`GET …/parent` 404).
 */
function replyRecheckUnlinked(): nock.Scope {
  const scope = nock(API); // the token from the PR's event is still good
  replyConfig(scope, DEFAULTS);
  scope
    .get(`${REPO_PATH}/pulls`)
    .query({ state: "open", per_page: "100" })
    .reply(200, [{ ...pullObject(PR), body: PR.body }]);
  replyTask(scope, null);
  scope.get(`${REPO_PATH}/issues/5/parent`).reply(404, { message: "Not Found" });
  return scope;
}

describe("sub_issues: a parent removed", () => {
  it("by a triager: the PR is re-checked on GitHub's links, held at its floor, once for the two deliveries", async () => {
    const created: CheckBody[] = [];
    await openTaskPr(created);

    const updated: CheckBody[] = [];
    const scope = replyRecheckUnlinked();
    // the sender may not skip the Crawl gate: a triager
    replyRole(scope, "contrib", "triage");
    // held at Run: the gates before Run, and the check says why
    replyGatesPending(scope);
    expectUpdate(scope, 99, updated);
    // no other repository of the installation has PRs to re-check
    replyInstallationRepos(scope, ["rocket"]);

    const link = { parent: EPIC, sub: TASK, sender: "contrib" };
    await app().receive("sub_issues", subIssuesEvent("sub_issue_removed", link));
    // the other delivery of the same change: nothing asked, nothing written
    await app().receive("sub_issues", subIssuesEvent("parent_issue_removed", link));

    expect(updated.map((c) => [c.conclusion, c.output.title])).toEqual([
      ["failure", "Blocked: Walk gate pending"],
    ]);
    expect(updated[0]?.output.summary).toContain(HELD);
  });

  it("by an approver: the PR's phase is lowered", async () => {
    const created: CheckBody[] = [];
    await openTaskPr(created);

    const updated: CheckBody[] = [];
    const scope = replyRecheckUnlinked();
    // the lead is a maintainer: an approver of both gates the lowering skips (one look-up, kept for the job)
    replyRole(scope, "lead", "maintain");
    expectUpdate(scope, 99, updated);
    replyInstallationRepos(scope, ["rocket"]);

    await app().receive(
      "sub_issues",
      subIssuesEvent("parent_issue_removed", { parent: EPIC, sub: TASK, sender: "lead" }),
    );

    expect(updated.map((c) => [c.conclusion, c.output.title])).toEqual([["success", "No phase"]]);
  });

  it("a link made: the sub-issue's own sub-issues are listed, and PRs closing any of them re-checked", async () => {
    const scope = githubScope();
    // the task has sub-issues of its own (`sub_issues_summary.total`): listed, one level
    scope
      .get(`${REPO_PATH}/issues/5/sub_issues`)
      .query({ per_page: "100" })
      .reply(200, [
        {
          ...issueObject({ number: 6 }),
          url: `${API}/repos/acme/rocket/issues/6`,
          sub_issues_summary: { total: 0, completed: 0, percent_completed: 0 },
        },
      ]);
    replyConfig(scope, DEFAULTS);
    // no open PR closes #5 or #6 here, nor elsewhere
    scope.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: "100" }).reply(200, []);
    replyInstallationRepos(scope, ["rocket"]);

    await app().receive(
      "sub_issues",
      subIssuesEvent("sub_issue_added", { parent: EPIC, sub: TASK, subIssues: 1 }),
    );
  });
});
