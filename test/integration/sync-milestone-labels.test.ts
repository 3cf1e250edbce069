import nock from "nock";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RepoJob } from "../../src/app/jobs/repo-job.js";
import {
  NOT_YET_MARKER,
  onIssuePhaseLabelled,
  onItemMilestoneChanged,
} from "../../src/app/recipes/phase-labels.js";
import { gateIssueQuery, REPO_PATH, replyConfig } from "../helpers/app.js";
import { defaultGateEvents, replyEvents } from "../helpers/replies.js";
import {
  API,
  APP_ID,
  commentObject,
  type IssueSpec,
  issueObject,
  OWNER,
  REPO,
} from "../helpers/webhooks.js";

const DEFAULTS = "# defaults: Crawl → Walk → Run\n";
const CRAWL_GATE: IssueSpec = {
  number: 1,
  title: "Gate: Crawl → Walk",
  labels: ["gate: crawl"],
  body: "- [ ] Feasibility shown with evidence",
};
const WALK_GATE: IssueSpec = {
  number: 2,
  title: "Gate: Walk → Run",
  labels: ["gate: walk"],
  body: "- [ ] Feasibility shown with evidence",
};

function newJob(): RepoJob {
  const octokit = new ProbotOctokit({
    auth: { token: "t" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  return new RepoJob(
    octokit,
    { owner: OWNER, repo: REPO },
    pino({ level: "silent" }),
    { appId: APP_ID, appLogin: "phase-gates[bot]" },
    "delivery-1",
  );
}

/** A PR as the issues API returns it: an issue with `pull_request`. */
function pullAsIssue(spec: IssueSpec): Record<string, unknown> {
  return {
    ...issueObject(spec),
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${spec.number}`,
    pull_request: { url: `${API}${REPO_PATH}/pulls/${spec.number}` },
  };
}

/** One gate as GitHub lists it: the newest issue with the gate label (open here, no comments). */
function replyOpenGate(scope: nock.Scope, gate: IssueSpec): nock.Scope {
  const label = gate.labels?.[0] ?? "";
  scope
    .get(`${REPO_PATH}/issues`)
    .query(gateIssueQuery(label))
    .reply(200, [issueObject(gate)]);
  // GitHub's record: the app labelled it
  return replyEvents(scope, gate.number, defaultGateEvents(label, gate));
}

/** Requests nock had no answer for: any write not planned by a test lands here. */
let unmatched: string[] = [];
beforeEach(() => {
  unmatched = [];
  nock.emitter.on("no match", (req: { method?: string; path?: string }) => {
    unmatched.push(`${req.method} ${req.path}`);
  });
});
afterEach(() => {
  nock.emitter.removeAllListeners("no match");
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
  expect(unmatched).toEqual([]);
});

describe("milestone → phase label (onItemMilestoneChanged)", () => {
  it("gives a milestoned issue the phase label and takes away the other phase label", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      // GET the issue as it is now: milestone Crawl, still labelled Walk
      .get(`${REPO_PATH}/issues/5`)
      .reply(200, issueObject({ number: 5, labels: ["phase: walk", "bug"], milestone: "Crawl" }))
      // POST only the label to add
      .post(`${REPO_PATH}/issues/5/labels`, { labels: ["phase: crawl"] })
      .reply(200, [])
      // DELETE the phase label the milestone replaces
      .delete(`${REPO_PATH}/issues/5/labels/phase%3A%20walk`)
      .reply(200, []);

    const plan = await onItemMilestoneChanged(newJob(), {
      action: "milestoned",
      number: 5,
      isPullRequest: false,
      milestone: { title: "Crawl" },
    });

    expect(plan).toEqual({ add: ["phase: crawl"], remove: ["phase: walk"] });
  });

  it("writes nothing when the app's own write comes back (or the event is late or repeated)", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    // GET the issue after the app's write: label and milestone agree
    scope
      .get(`${REPO_PATH}/issues/5`)
      .reply(200, issueObject({ number: 5, labels: ["bug", "phase: crawl"], milestone: "Crawl" }));

    const plan = await onItemMilestoneChanged(newJob(), {
      action: "milestoned",
      number: 5,
      isPullRequest: false,
      milestone: { title: "Crawl" },
    });

    expect(plan).toEqual({ add: [], remove: [] });
  });

  it("plans on the item as it is now: a milestoned event for a milestone already removed writes nothing", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope.get(`${REPO_PATH}/issues/5`).reply(200, issueObject({ number: 5, labels: [] }));

    expect(
      await onItemMilestoneChanged(newJob(), {
        action: "milestoned",
        number: 5,
        isPullRequest: false,
        milestone: { title: "Walk" },
      }),
    ).toEqual({ add: [], remove: [] });
  });

  it("labels a milestoned PR through the issues API", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/10`)
      .reply(200, pullAsIssue({ number: 10, labels: ["phase: run"], milestone: "Walk" }))
      .post(`${REPO_PATH}/issues/10/labels`, { labels: ["phase: walk"] })
      .reply(200, [])
      .delete(`${REPO_PATH}/issues/10/labels/phase%3A%20run`)
      .reply(200, []);

    expect(
      await onItemMilestoneChanged(newJob(), {
        action: "milestoned",
        number: 10,
        isPullRequest: true,
        milestone: { title: "Walk" },
      }),
    ).toEqual({ add: ["phase: walk"], remove: ["phase: run"] });
  });

  it("removes the label a removed milestone implied from an issue", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/5`)
      .reply(200, issueObject({ number: 5, labels: ["phase: walk", "bug"] }))
      // DELETE only the Walk label; "bug" stays
      .delete(`${REPO_PATH}/issues/5/labels/phase%3A%20walk`)
      .reply(200, []);

    expect(
      await onItemMilestoneChanged(newJob(), {
        action: "demilestoned",
        number: 5,
        isPullRequest: false,
        milestone: { title: "Walk" },
      }),
    ).toEqual({ add: [], remove: ["phase: walk"] });
  });

  it("keeps a PR's label when an issue it closes is still in that phase", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/10`)
      .reply(200, pullAsIssue({ number: 10, labels: ["phase: walk"], body: "Closes #3" }))
      // GET the closed-by-this-PR issue: it is labelled Walk
      .get(`${REPO_PATH}/issues/3`)
      .reply(200, issueObject({ number: 3, labels: ["phase: walk"] }));

    expect(
      await onItemMilestoneChanged(newJob(), {
        action: "demilestoned",
        number: 10,
        isPullRequest: true,
        milestone: { title: "Walk" },
      }),
    ).toEqual({ add: [], remove: [] });
  });

  it("removes a PR's label when no issue it closes is in that phase", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/10`)
      .reply(200, pullAsIssue({ number: 10, labels: ["phase: walk"], body: "Fixes #3" }))
      .get(`${REPO_PATH}/issues/3`)
      .reply(200, issueObject({ number: 3, labels: ["phase: crawl"] }))
      .delete(`${REPO_PATH}/issues/10/labels/phase%3A%20walk`)
      .reply(200, []);

    expect(
      await onItemMilestoneChanged(newJob(), {
        action: "demilestoned",
        number: 10,
        isPullRequest: true,
        milestone: { title: "Walk" },
      }),
    ).toEqual({ add: [], remove: ["phase: walk"] });
  });

  it("takes a label already gone (404 on DELETE) as done", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/5`)
      .reply(200, issueObject({ number: 5, labels: ["phase: walk"] }))
      .delete(`${REPO_PATH}/issues/5/labels/phase%3A%20walk`)
      .reply(404, { message: "Label does not exist" });

    expect(
      await onItemMilestoneChanged(newJob(), {
        action: "demilestoned",
        number: 5,
        isPullRequest: false,
        milestone: { title: "Walk" },
      }),
    ).toEqual({ add: [], remove: ["phase: walk"] });
  });

  it.each([
    ["sync.milestones is off", "sync:\n  milestones: false\n"],
    ["the config is invalid", "phases: nope\n"],
    ["there is no config", null],
  ])("reads nothing more and writes nothing when %s", async (_name, text) => {
    replyConfig(nock(API), text);

    expect(
      await onItemMilestoneChanged(newJob(), {
        action: "milestoned",
        number: 5,
        isPullRequest: false,
        milestone: { title: "Walk" },
      }),
    ).toBeNull();
  });

  it("an issue milestoned into Run gets the label and the one not-yet comment", async () => {
    const bodies: string[] = [];
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/7`)
      .reply(200, issueObject({ number: 7, milestone: "Run" }))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["phase: run"] })
      .reply(200, []);
    replyOpenGate(scope, CRAWL_GATE);
    replyOpenGate(scope, WALK_GATE);
    scope
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => {
        bodies.push(b.body);
        return true;
      })
      .reply(201, {});

    await onItemMilestoneChanged(newJob(), {
      action: "milestoned",
      number: 7,
      isPullRequest: false,
      milestone: { title: "Run" },
    });

    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toContain("This issue is in **Run**");
  });
});

describe('"not yet, not no" (onIssuePhaseLabelled)', () => {
  function replyRunIssue(scope: nock.Scope, comments: number): nock.Scope {
    return scope
      .get(`${REPO_PATH}/issues/7`)
      .reply(200, issueObject({ number: 7, labels: ["phase: run"], comments }));
  }

  it("comments once, naming and linking the pending gate; a second labelling posts nothing", async () => {
    const posted: string[] = [];
    const first = nock(API);
    replyConfig(first, DEFAULTS);
    replyRunIssue(first, 0);
    replyOpenGate(first, CRAWL_GATE);
    replyOpenGate(first, WALK_GATE);
    first
      // POST the comment (no comments to read: the issue has none)
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => {
        posted.push(b.body);
        return true;
      })
      .reply(201, {});

    expect(await onIssuePhaseLabelled(newJob(), 7, "phase: run")).toBe(true);

    const body = posted[0] ?? "";
    expect(body.startsWith(NOT_YET_MARKER)).toBe(true);
    expect(body).toContain(
      "This issue is in **Run**. Run work waits for the **Walk** gate ([#2](https://github.com/acme/rocket/issues/2)), which is pending — not yet, not no",
    );
    expect(body).toContain("anyone with maintain permission or higher");
    expect(body).toContain(
      "Other gates before Run still pending: **Crawl** ([#1](https://github.com/acme/rocket/issues/1))",
    );

    // The label is removed and added again: the comment is there, so nothing is posted.
    const second = nock(API);
    replyConfig(second, DEFAULTS, '"cfg2"');
    replyRunIssue(second, 1);
    replyOpenGate(second, CRAWL_GATE);
    replyOpenGate(second, WALK_GATE);
    second
      .get(`${REPO_PATH}/issues/7/comments`)
      .query({ per_page: "100" })
      .reply(200, [
        commentObject(1, "I think this is for later", "dev"),
        commentObject(2, body, "phase-gates[bot]"),
      ]);

    expect(await onIssuePhaseLabelled(newJob(), 7, "phase: run")).toBe(false);
    expect(posted).toHaveLength(1);
  });

  it("says a missing gate issue is missing", async () => {
    const posted: string[] = [];
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/8`)
      .reply(200, issueObject({ number: 8, labels: ["phase: walk"] }))
      .get(`${REPO_PATH}/issues`)
      .query(gateIssueQuery("gate: crawl"))
      .reply(200, [])
      .post(`${REPO_PATH}/issues/8/comments`, (b: { body: string }) => {
        posted.push(b.body);
        return true;
      })
      .reply(201, {});

    expect(await onIssuePhaseLabelled(newJob(), 8, "phase: walk")).toBe(true);
    expect(posted[0]).toContain(
      "Walk work waits for the **Crawl** gate (no gate issue yet: one labelled `gate: crawl`)",
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "a first-phase issue (no gate before it)",
      issueObject({ number: 9, labels: ["phase: crawl"] }),
      "phase: crawl",
    ],
    ["a pull request", pullAsIssue({ number: 9, labels: ["phase: run"] }), "phase: run"],
    [
      "a gate issue",
      issueObject({ number: 9, labels: ["gate: walk", "phase: walk"] }),
      "phase: walk",
    ],
    [
      "a closed issue",
      issueObject({ number: 9, labels: ["phase: run"], state: "closed" }),
      "phase: run",
    ],
    ["a label removed since", issueObject({ number: 9, labels: [] }), "phase: run"],
    [
      "an issue already in a later phase",
      issueObject({ number: 9, labels: ["phase: walk"], milestone: "Run" }),
      "phase: walk",
    ],
  ])("does not comment on %s", async (_name, issue, label) => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope.get(`${REPO_PATH}/issues/9`).reply(200, issue);

    expect(await onIssuePhaseLabelled(newJob(), 9, label)).toBe(false);
  });

  it("does not call a stopped gate 'not yet'", async () => {
    const scope = nock(API);
    replyConfig(scope, DEFAULTS);
    scope
      .get(`${REPO_PATH}/issues/8`)
      .reply(200, issueObject({ number: 8, labels: ["phase: walk"] }))
      // the Crawl gate: closed as not planned by a maintainer
      .get(`${REPO_PATH}/issues`)
      .query(gateIssueQuery("gate: crawl"))
      .reply(200, [
        issueObject({
          ...CRAWL_GATE,
          state: "closed",
          stateReason: "not_planned",
          closedBy: undefined,
        }),
      ]);
    // GitHub's record: the app labelled it, a maintainer closed it as not planned
    replyEvents(
      scope,
      1,
      defaultGateEvents("gate: crawl", {
        ...CRAWL_GATE,
        state: "closed",
        stateReason: "not_planned",
        closedBy: "lead",
      }),
    )
      // a decided gate: did a newer gate issue just lose its label? (recent events: no)
      .get(`${REPO_PATH}/issues/events`)
      .query({ per_page: "100" })
      .reply(200, [])
      .get(`${REPO_PATH}/collaborators/lead/permission`)
      .reply(200, { permission: "admin", role_name: "admin", user: { login: "lead" } });

    expect(await onIssuePhaseLabelled(newJob(), 8, "phase: walk")).toBe(false);
  });

  it("ignores a label that is not a phase label without reading the issue", async () => {
    replyConfig(nock(API), DEFAULTS);

    expect(await onIssuePhaseLabelled(newJob(), 9, "bug")).toBe(false);
  });
});
