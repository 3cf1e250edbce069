import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  REPO_PATH,
  replyConfig,
  type TestApp,
} from "../helpers/app.js";
import { type Comment, GATE, replyGate, replyNoOpenPulls, replyRole } from "../helpers/replies.js";
import { deploymentProtectionRuleEvent, issueEvent } from "../helpers/webhooks.js";

// SPEC §4 "Deployments": GitHub asks through a custom deployment protection rule;
// the app answers by POST to the run's deployment_protection_rule endpoint.

const CONFIG = `phases:
  - id: crawl
    gate:
      criteria: [Feasibility shown with evidence]
      approvers: { permission: maintain }
  - id: run
deployments:
  - environment: production
    phase: run
`;

const GATE_URL = "https://github.com/acme/rocket/issues/1";
const CLOSED = { ...GATE, state: "closed" as const, stateReason: "completed" as const };
const STOPPED = { ...GATE, state: "closed" as const, stateReason: "not_planned" as const };

interface Answer {
  environment_name: string;
  state: string;
  comment: string;
}

function expectAnswer(scope: nock.Scope, runId: number, seen: Answer[], status = 200): nock.Scope {
  return scope
    .post(`${REPO_PATH}/actions/runs/${runId}/deployment_protection_rule`, (body: Answer) => {
      seen.push(body);
      return true;
    })
    .reply(status, status < 300 ? "" : { message: "Bad Gateway" });
}

const WAITING_ANSWER_APPROVED = {
  environment_name: "production",
  state: "approved",
  comment:
    'Approved: Deployments to "production" carry Run-phase work, so they need the team\'s go-ahead at every gate before Run. Every one is approved: "Gate: Crawl → Run".',
};

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});
afterEach(() => {
  expect(app.errors).toEqual([]);
  assertAllCalled();
});

/** An approver (maintain) closes the gate as completed: the gate is approved. */
function approveGate(scope: nock.Scope): void {
  replyConfig(scope, CONFIG);
  replyGate(scope, "gate: crawl", { ...CLOSED, closedBy: "ben" });
  replyRole(scope, "ben", "maintain");
  scope.post(`${REPO_PATH}/issues/1/labels`, { labels: ["gate: approved"] }).reply(200, []);
  scope.post(`${REPO_PATH}/issues/1/comments`).reply(201, { id: 99 });
}

describe("deployment_protection_rule.requested", () => {
  it("holds a deployment while the gate is pending, and approves it once the gate is approved", async () => {
    const scope = githubScope();
    replyConfig(scope, CONFIG);
    replyGate(scope, "gate: crawl", GATE);

    await app.receive("deployment_protection_rule", deploymentProtectionRuleEvent("production"));
    expect(nock.pendingMocks()).toEqual([]); // nothing was POSTed: the deployment waits

    const answers: Answer[] = [];
    approveGate(scope);
    expectAnswer(scope, 9001, answers);
    replyNoOpenPulls(scope);
    await app.receive("issues", issueEvent("closed", CLOSED, { sender: "ben" }));

    expect(answers).toEqual([WAITING_ANSWER_APPROVED]);
  });

  it("rejects a deployment at once when the gate is stopped, with the stop reason", async () => {
    const stop: Comment = { id: 11, body: "/stop budget cut", by: "ben" };
    const scope = githubScope();
    replyConfig(scope, CONFIG);
    replyGate(scope, "gate: crawl", { ...STOPPED, closedBy: "ben" }, [stop]);
    replyRole(scope, "ben", "maintain");
    const answers: Answer[] = [];
    expectAnswer(scope, 77, answers);

    await app.receive(
      "deployment_protection_rule",
      deploymentProtectionRuleEvent("Production", 77),
    );

    expect(answers).toEqual([
      {
        environment_name: "Production",
        state: "rejected",
        comment: `Rejected: Deployments to "Production" carry Run-phase work, so they need the team's go-ahead at every gate before Run. The team stopped at the gate "Gate: Crawl → Run" (${GATE_URL}): "budget cut" (@ben). Work past that gate is not going ahead; if that decision changes (the gate issue is reopened and approved), re-run the deployment.`,
      },
    ]);
  });

  it("approves a deployment to an environment the config does not list, saying no gate applies", async () => {
    const scope = githubScope();
    replyConfig(scope, CONFIG);
    const answers: Answer[] = [];
    expectAnswer(scope, 9001, answers);

    await app.receive("deployment_protection_rule", deploymentProtectionRuleEvent("staging"));

    expect(answers).toEqual([
      {
        environment_name: "staging",
        state: "approved",
        comment:
          'No phase gate applies: .github/phase-gates.yml does not list the environment "staging" under deployments, so phase-gates does not hold it.',
      },
    ]);
  });

  it("rejects a deployment while the config is invalid, listing the errors", async () => {
    const scope = githubScope();
    replyConfig(scope, `${CONFIG}  - environment: prod-*\n    phase: fly\n`);
    const answers: Answer[] = [];
    expectAnswer(scope, 9001, answers);

    await app.receive("deployment_protection_rule", deploymentProtectionRuleEvent("production"));

    expect(answers).toEqual([
      {
        environment_name: "production",
        state: "rejected",
        comment: [
          'Rejected: phase-gates cannot tell whether this deployment to "production" may go ahead, because .github/phase-gates.yml has an error. Fix it on the default branch, then re-run the deployment:',
          '- .github/phase-gates.yml:11:12 deployments[1].phase: unknown phase "fly": expected one of the phase ids ("crawl", "run")',
        ].join("\n"),
      },
    ]);
  });

  it("sends an answer GitHub failed to take again on the next gate change, the same answer", async () => {
    const scope = githubScope();
    replyConfig(scope, CONFIG);
    replyGate(scope, "gate: crawl", { ...CLOSED, closedBy: "ben" });
    replyRole(scope, "ben", "maintain");
    const answers: Answer[] = [];
    expectAnswer(scope, 9001, answers, 502);

    await app.receive("deployment_protection_rule", deploymentProtectionRuleEvent("production"));
    expect(app.errors).toHaveLength(1); // the job fails loudly; the answer is kept
    app.errors.length = 0;

    // The gate is reopened: deciding again would now say "waiting". The kept answer is sent instead.
    replyConfig(scope, CONFIG);
    replyGate(scope, "gate: crawl", { ...GATE, stateReason: "reopened" });
    expectAnswer(scope, 9001, answers);
    replyNoOpenPulls(scope);
    await app.receive("issues", issueEvent("reopened", GATE, { sender: "ben" }));

    expect(answers).toEqual([WAITING_ANSWER_APPROVED, WAITING_ANSWER_APPROVED]);

    // Taken: never sent again.
    replyConfig(scope, CONFIG);
    replyGate(scope, "gate: crawl", { ...GATE, stateReason: "reopened" });
    replyNoOpenPulls(scope);
    await app.receive("issues", issueEvent("edited", GATE, { sender: "ben" }));
    expect(answers).toHaveLength(2);
  });

  it.each([
    [422, "already answered, cancelled or expired"],
    [404, "the workflow run is gone"],
  ])(
    "forgets a deployment GitHub answers %i to (%s), without failing or sending it again",
    async (status) => {
      const scope = githubScope();
      replyConfig(scope, CONFIG);
      const answers: Answer[] = [];
      expectAnswer(scope, 9001, answers, status);

      await app.receive("deployment_protection_rule", deploymentProtectionRuleEvent("staging"));
      expect(answers).toHaveLength(1);

      replyConfig(scope, CONFIG);
      replyGate(scope, "gate: crawl", GATE);
      replyNoOpenPulls(scope);
      await app.receive("issues", issueEvent("edited", GATE, { sender: "ben" }));
      expect(answers).toHaveLength(1);
    },
  );
});
