import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actors, createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { type RunningApp, startApp } from "../../sandbox/run-app.js";
import { type RedisServer, redisUnavailable, startRedis } from "../helpers/redis-server.js";
import { gateIssue, STORY_CONFIG, useSandbox } from "./sandbox.js";

// SPEC §4 "Deployments", through the real app server and the emulator: a
// workflow run deploys to an environment with the app's custom protection
// rule; GitHub (the emulator) records the answer the app POSTs back.
const sandbox = useSandbox();

const CONFIG = `${STORY_CONFIG}deployments:
  - environment: production
    phase: run
  - environment: preview-*
    phase: crawl
`;

describe("deployments to production wait for the Walk gate", { timeout: 180_000 }, () => {
  let gh: Actors;
  let crawlGate: number;
  let walkGate: number;

  beforeAll(async () => {
    gh = await sandbox.get().repo("deploys/rocket", CONFIG);
    crawlGate = await gateIssue(gh, "gate: crawl");
    walkGate = await gateIssue(gh, "gate: walk");
  }, 60_000);

  it("approves a deployment to an environment the config does not list, saying no gate applies", async () => {
    const run = await gh.requestDeployment("staging", { by: "lead" });
    const [answer] = await gh.waitFor(
      () => gh.deploymentAnswers(run).length > 0 && gh.deploymentAnswers(run),
      {
        what: "the app to answer the staging deployment",
      },
    );
    expect(answer?.state).toBe("approved");
    expect(answer?.comment).toContain("No phase gate applies");
    expect(answer?.by).toBe("phase-gates[bot]");
  });

  it("approves a Crawl-phase environment at once: no gate comes before Crawl", async () => {
    const run = await gh.requestDeployment("Preview-42", { by: "lead" });
    const answers = await gh.waitFor(
      () => gh.deploymentAnswers(run).length > 0 && gh.deploymentAnswers(run),
      {
        what: "the app to answer the preview deployment",
      },
    );
    expect(answers.map((a) => a.state)).toEqual(["approved"]);
  });

  it("holds a Run deployment while a gate is pending, and approves it, once, when the Walk gate is approved", async () => {
    const run = await gh.requestDeployment("production", { by: "lead" });
    await gh.settle();
    expect(gh.deploymentAnswers(run)).toEqual([]);

    await gh.tickCriteria(crawlGate, { by: "lead" });
    await gh.closeIssue(crawlGate, { by: "lead", reason: "completed" });
    await gh.settle();
    expect(gh.deploymentAnswers(run)).toEqual([]); // Crawl approved, Walk still pending

    await gh.tickCriteria(walkGate, { by: "lead" });
    await gh.closeIssue(walkGate, { by: "lead", reason: "completed" });
    const answers = await gh.waitFor(
      () => gh.deploymentAnswers(run).length > 0 && gh.deploymentAnswers(run),
      {
        what: "the app to approve the production deployment",
      },
    );
    expect(answers).toHaveLength(1);
    expect(answers[0]?.state).toBe("approved");
    expect(answers[0]?.comment).toContain('"Gate: Walk → Run"');

    await gh.comment(walkGate, "Shipped, thanks all", { by: "lead" });
    await gh.settle();
    expect(gh.deploymentAnswers(run)).toHaveLength(1);
  });

  it("rejects a Run deployment at once when the Walk gate is stopped, with the reason", async () => {
    await gh.reopenIssue(walkGate, { by: "lead" });
    await gh.comment(walkGate, "/stop the pilot showed no demand", { by: "lead" });
    await gh.waitFor(() => gh.issue(walkGate).state === "closed", {
      what: "the app to close the stopped Walk gate",
    });
    const run = await gh.requestDeployment("production", { by: "lead" });
    const answers = await gh.waitFor(
      () => gh.deploymentAnswers(run).length > 0 && gh.deploymentAnswers(run),
      {
        what: "the app to reject the production deployment",
      },
    );
    expect(answers.map((a) => a.state)).toEqual(["rejected"]);
    expect(answers[0]?.comment).toContain('"the pilot showed no demand" (@lead)');
  });

  it("answers a waiting deployment when a config push stops gating its environment", async () => {
    await gh.reopenIssue(walkGate, { by: "lead" }); // pending again: Run deployments wait
    await gh.pushConfig(
      `${STORY_CONFIG}deployments:\n  - environment: production\n    phase: run\n  - environment: canary\n    phase: run\n`,
      { by: "lead" },
    );
    const run = await gh.requestDeployment("canary", { by: "lead" });
    await gh.settle();
    expect(gh.deploymentAnswers(run)).toEqual([]);

    await gh.pushConfig(CONFIG, { by: "lead" });
    const answers = await gh.waitFor(
      () => gh.deploymentAnswers(run).length > 0 && gh.deploymentAnswers(run),
      { what: "the app to answer the canary deployment after the config push" },
    );
    expect(answers.map((a) => a.state)).toEqual(["approved"]);
    expect(answers[0]?.comment).toContain('does not list the environment "canary"');
  });
});

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[deployments.test] skipping the REDIS_URL story: ${noRedis}\n`);

describe.skipIf(noRedis !== null)("with REDIS_URL", { timeout: 120_000 }, () => {
  let emu: Emulator;
  let redis: RedisServer;
  let app: RunningApp | null = null;

  beforeAll(async () => {
    emu = await createEmulator();
    redis = await startRedis();
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await emu?.close();
  });

  it("a deployment waiting when the app restarts is approved by the new process", async () => {
    app = await startApp({ emulator: emu, env: { REDIS_URL: redis.url } });
    const gh = createActors(emu, { repo: "redis/rocket", waitTimeoutMs: 30_000 });
    gh.repo();
    gh.addCollaborator("lead", "maintain");
    await gh.pushConfig(CONFIG, { by: "lead" });
    await gh.installApp(["redis/rocket"], { by: "lead" });
    const crawl = await gateIssue(gh, "gate: crawl");
    const walk = await gateIssue(gh, "gate: walk");
    const run = await gh.requestDeployment("production", { by: "lead" });
    await gh.settle({ quietMs: 500 });
    expect(gh.deploymentAnswers(run)).toEqual([]);

    await app.stop();
    app = await startApp({ emulator: emu, env: { REDIS_URL: redis.url } });

    for (const gate of [crawl, walk]) {
      await gh.tickCriteria(gate, { by: "lead" });
      await gh.closeIssue(gate, { by: "lead", reason: "completed" });
    }
    const answers = await gh.waitFor(
      () => gh.deploymentAnswers(run).length > 0 && gh.deploymentAnswers(run),
      { what: "the restarted app to approve the production deployment" },
    );
    expect(answers.map((a) => a.state)).toEqual(["approved"]);
  });
});
