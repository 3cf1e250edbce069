import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DASHBOARD_LABEL, DASHBOARD_TITLE, planDashboard } from "../../src/core/dashboard.js";
import { checkFingerprint } from "../../src/core/plan-check-run.js";
import { planGateIssues, planMarkedComment } from "../../src/core/plan-issues.js";
import { desiredLabels, planDecisionLabel, planLabels } from "../../src/core/plan-labels.js";
import { planItemPhaseLabels, planMilestones } from "../../src/core/plan-milestones.js";
import {
  PROGRESS_END,
  PROGRESS_START,
  planProgressSection,
} from "../../src/core/progress-section.js";
import { clearCheckRunCache, writeCheckRun } from "../../src/github/check-runs.js";
import { applyDashboardPlan, applyIssueBodyPlan } from "../../src/github/dashboard.js";
import {
  applyCommentPlan,
  applyDecisionLabelPlan,
  applyGateIssuePlan,
} from "../../src/github/gate-writes.js";
import { applyItemLabelPlan, applyLabelPlan } from "../../src/github/labels.js";
import { applyMilestonePlan } from "../../src/github/milestones.js";
import type { GitHub } from "../../src/github/octokit.js";
import { REPO_PATH } from "../helpers/app.js";
import { API, OWNER, REPO } from "../helpers/webhooks.js";
import { defaultConfig } from "../unit/core/helpers.js";

const repo = { owner: OWNER, repo: REPO };
const APP = "phase-gates[bot]";
const MARKER = "<!-- phase-gates:decision -->";
const SECTION = `${PROGRESS_START}\nnow\n${PROGRESS_END}`;
const CHECK = { conclusion: "success" as const, title: "Allowed", summary: "All gates passed." };

function octokit(): GitHub {
  return new ProbotOctokit({
    auth: { token: "t" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

/** Every request no scope answered: an apply of an empty plan must leave this empty. */
let unanswered: string[] = [];
beforeEach(() => {
  unanswered = [];
  clearCheckRunCache();
  nock.emitter.on("no match", (req: { method?: string; path?: string }) => {
    unanswered.push(`${req.method} ${req.path}`);
  });
});
afterEach(() => {
  nock.emitter.removeAllListeners("no match");
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("an apply of a plan for what already exists writes nothing", () => {
  // No scope is set up: any request fails (nock.disableNetConnect) and is recorded.
  it.each<[string, (o: GitHub) => Promise<unknown>, unknown]>([
    [
      "repository labels",
      (o) => applyLabelPlan(o, repo, planLabels(defaultConfig, desiredLabels(defaultConfig))),
      { created: [], updated: [] },
    ],
    [
      "phase milestones",
      (o) =>
        applyMilestonePlan(
          o,
          repo,
          planMilestones(defaultConfig, [{ title: "crawl" }, { title: "Walk" }, { title: "Run" }]),
        ),
      { created: [] },
    ],
    [
      "an item's phase labels",
      (o) =>
        applyItemLabelPlan(
          o,
          repo,
          5,
          planItemPhaseLabels(defaultConfig, { labels: ["Phase: Walk", "bug"], milestone: "Walk" }),
        ),
      { add: [], remove: [] },
    ],
    ["gate issues", (o) => applyGateIssuePlan(o, repo, planGateIssues(defaultConfig, [0, 1])), []],
    [
      "a decision label",
      (o) => applyDecisionLabelPlan(o, repo, 5, planDecisionLabel(["gate: approved"], "approved")),
      undefined,
    ],
    [
      "a marked comment",
      (o) =>
        applyCommentPlan(
          o,
          repo,
          5,
          planMarkedComment(
            [{ id: 7, author: APP, body: `${MARKER}\nApproved.` }],
            { marker: MARKER, body: `${MARKER}\nApproved.` },
            { author: APP },
          ),
        ),
      "unchanged",
    ],
    [
      "the dashboard",
      (o) =>
        applyDashboardPlan(
          o,
          repo,
          planDashboard({ number: 9, title: DASHBOARD_TITLE, body: "text" }, "text"),
        ),
      "unchanged",
    ],
    [
      "a progress section",
      (o) =>
        applyIssueBodyPlan(o, repo, planProgressSection({ number: 3, body: SECTION }, SECTION)),
      [],
    ],
    [
      "a check run",
      (o) =>
        writeCheckRun(
          o,
          repo,
          1,
          { ...CHECK, headSha: "abc" },
          {
            id: 1,
            externalId: null,
            fingerprint: checkFingerprint({ ...CHECK, externalId: null }),
          },
        ),
      "unchanged",
    ],
  ])("%s", async (_name, apply, result) => {
    expect(await apply(octokit())).toEqual(result);
    expect(unanswered).toEqual([]);
  });
});

describe("an apply writes exactly its plan", () => {
  it.each<[string, () => nock.Scope, (o: GitHub) => Promise<unknown>, unknown]>([
    [
      "a drifted label is repaired under the person's spelling",
      () =>
        nock(API)
          // updateLabel, addressed by the existing name
          .patch(`${REPO_PATH}/labels/Phase%3A%20Walk`, {
            color: "1d76db",
            description: "Phase: Walk — proves value",
          })
          .reply(200, {}),
      (o) =>
        applyLabelPlan(
          o,
          repo,
          planLabels(
            defaultConfig,
            desiredLabels(defaultConfig).map((l) =>
              l.name === "phase: walk" ? { ...l, name: "Phase: Walk", color: "000000" } : l,
            ),
          ),
        ),
      { created: [], updated: ["Phase: Walk"] },
    ],
    [
      "a missing milestone is created, open",
      () =>
        nock(API)
          // createMilestone
          .post(`${REPO_PATH}/milestones`, (b) => b.title === "Run" && b.state === "open")
          .reply(201, { number: 3 }),
      (o) =>
        applyMilestonePlan(
          o,
          repo,
          planMilestones(defaultConfig, [{ title: "Crawl" }, { title: "Walk" }]),
        ),
      { created: ["Run"] },
    ],
    [
      "an item's phase label is swapped: one POST, one DELETE in the item's spelling",
      () =>
        nock(API)
          // addLabels
          .post(`${REPO_PATH}/issues/5/labels`, { labels: ["phase: walk"] })
          .reply(200, [])
          // removeLabel
          .delete(`${REPO_PATH}/issues/5/labels/Phase%3A%20Crawl`)
          .reply(200, []),
      (o) =>
        applyItemLabelPlan(
          o,
          repo,
          5,
          planItemPhaseLabels(defaultConfig, { labels: ["Phase: Crawl"], milestone: "Walk" }),
        ),
      { add: ["phase: walk"], remove: ["Phase: Crawl"] },
    ],
    [
      "a missing gate issue is opened with its label",
      () =>
        nock(API)
          // create issue
          .post(
            `${REPO_PATH}/issues`,
            (b) => b.title === defaultConfig.phases[1]?.gate?.title && b.labels[0] === "gate: walk",
          )
          .reply(201, { number: 12 }),
      (o) => applyGateIssuePlan(o, repo, planGateIssues(defaultConfig, [0])),
      [12],
    ],
    [
      "a decision label is swapped: the old one comes off first",
      () =>
        nock(API)
          // removeLabel
          .delete(`${REPO_PATH}/issues/5/labels/gate%3A%20approved`)
          .reply(200, [])
          // addLabels
          .post(`${REPO_PATH}/issues/5/labels`, { labels: ["gate: stopped"] })
          .reply(200, []),
      (o) => applyDecisionLabelPlan(o, repo, 5, planDecisionLabel(["gate: approved"], "stopped")),
      undefined,
    ],
    [
      "a marked comment whose text changed is edited, not posted again",
      () =>
        nock(API)
          // updateComment
          .patch(`${REPO_PATH}/issues/comments/7`, { body: `${MARKER}\nStopped.` })
          .reply(200, {}),
      (o) =>
        applyCommentPlan(
          o,
          repo,
          5,
          planMarkedComment(
            [{ id: 7, author: APP, body: `${MARKER}\nApproved.` }],
            { marker: MARKER, body: `${MARKER}\nStopped.` },
            { author: APP },
          ),
        ),
      "updated",
    ],
    [
      "a missing marked comment is posted",
      () =>
        nock(API)
          // createComment
          .post(`${REPO_PATH}/issues/5/comments`, { body: `${MARKER}\nApproved.` })
          .reply(201, { id: 8 }),
      (o) =>
        applyCommentPlan(
          o,
          repo,
          5,
          planMarkedComment([], { marker: MARKER, body: `${MARKER}\nApproved.` }, { author: APP }),
        ),
      "created",
    ],
    [
      "a missing dashboard is opened with its label",
      () =>
        nock(API)
          // create issue
          .post(`${REPO_PATH}/issues`, {
            title: DASHBOARD_TITLE,
            body: "text",
            labels: [DASHBOARD_LABEL],
          })
          .reply(201, { number: 9 }),
      (o) => applyDashboardPlan(o, repo, planDashboard(null, "text")),
      "created",
    ],
    [
      "a progress section that changed is written into the body",
      () =>
        nock(API)
          // update issue
          .patch(`${REPO_PATH}/issues/3`, { body: `mine\n\n${SECTION}` })
          .reply(200, {}),
      (o) => applyIssueBodyPlan(o, repo, planProgressSection({ number: 3, body: "mine" }, SECTION)),
      [3],
    ],
    [
      "a check run whose conclusion changed is updated in place",
      () =>
        nock(API)
          // update check run
          .patch("/repos/acme/rocket/check-runs/1", (b) => b.conclusion === "success")
          .reply(200, { id: 1 }),
      (o) =>
        writeCheckRun(
          o,
          repo,
          1,
          { ...CHECK, headSha: "abc" },
          {
            id: 1,
            externalId: null,
            fingerprint: checkFingerprint({ ...CHECK, conclusion: "failure", externalId: null }),
          },
        ),
      "updated",
    ],
  ])("%s", async (_name, scope, apply, result) => {
    const s = scope();
    expect(await apply(octokit())).toEqual(result);
    expect(s.isDone()).toBe(true);
    expect(unanswered).toEqual([]);
  });
});
