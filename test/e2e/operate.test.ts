import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actors, createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator, sign } from "../../sandbox/emulator/index.js";
import { REPO_ROOT, type RunningApp, startApp } from "../../sandbox/run-app.js";
import { auditRedisKeys } from "../helpers/redis-keys.js";
import { REDIS_KINDS, type RedisUnderTest, redisUnavailable } from "../helpers/redis-server.js";
import { type SlowProxy, startSlowProxy } from "../helpers/slow-proxy.js";
import { STORY_CONFIG } from "./sandbox.js";

// The production start paths, each on the built app as a real process
// (lib/start.js, or `npm start`) against the GitHub emulator.

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, "lib", "index.js"))) {
    throw new Error("lib/index.js is missing: run `npm run build` before the e2e tests");
  }
});

function base(app: RunningApp): string {
  return `http://127.0.0.1:${app.port}`;
}

/** The value of a Prometheus sample whose labels include `labels`, or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? "").split(",");
    if (wanted.every((l) => have.includes(l))) return Number(match[3]);
  }
  return 0;
}

async function metrics(app: RunningApp): Promise<string> {
  const res = await fetch(`${base(app)}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** A repository with the story config and the app installed, once the app has set it up. */
async function installedRepo(emu: Emulator, fullName: string): Promise<Actors> {
  const gh = createActors(emu, { repo: fullName, waitTimeoutMs: 30_000 });
  gh.repo();
  gh.addCollaborator("lead", "maintain");
  await gh.pushConfig(STORY_CONFIG, { by: "lead" });
  await gh.installApp([fullName], { by: "lead" });
  await gh.settle({ quietMs: 500 });
  return gh;
}

/** A signed delivery, straight to the app's webhook route. */
function deliver(app: RunningApp, event: string, payload: object, secret = app.secret) {
  const body = JSON.stringify(payload);
  return fetch(app.webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": sign(secret, body),
    },
    body,
  });
}

describe("health and metrics", { timeout: 60_000 }, () => {
  let emu: Emulator;
  let app: RunningApp;

  beforeAll(async () => {
    emu = await createEmulator();
    app = await startApp({ emulator: emu });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await emu?.close();
  });

  it.each([
    ["/healthz", 200, "ok"],
    ["/readyz", 200, '"ready":true'],
    ["/metrics", 200, "process_cpu_user_seconds_total"],
    ["/metrics", 200, "phase_gates_queue_depth 0"],
  ])("GET %s answers %i with %s", async (path, status, text) => {
    const res = await fetch(`${base(app)}${path}`);
    expect(res.status).toBe(status);
    expect(await res.text()).toContain(text);
  });

  it("counts a delivery, its job, its GitHub requests and the check it wrote", async () => {
    const before = await metrics(app);
    const gh = await installedRepo(emu, "ops/metrics");
    const pr = await gh.openPullRequest({ title: "Probe", labels: ["phase: crawl"], by: "lead" });
    await gh.waitForCheck(pr.number, { conclusion: "success" });
    // A shorter quiet can fall between two requests of one job (each waits for the request budget).
    await gh.settle({ quietMs: 1500 });
    const after = await metrics(app);

    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(
      delta("phase_gates_deliveries_total", { event: "pull_request", outcome: "accepted" }),
    ).toBe(1);
    expect(
      delta("phase_gates_job_duration_seconds_count", {
        job: "pull_request",
        outcome: "ok",
      }),
    ).toBe(1);
    expect(delta("phase_gates_checks_total", { result: "created" })).toBe(1);
    expect(
      delta("phase_gates_github_requests_total", { method: "POST", status: "201" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      delta("phase_gates_github_requests_total", { method: "GET", status: "200" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(after, "phase_gates_github_rate_limit_remaining", { resource: "core" })).toBe(
      4999,
    );
  });

  it("counts a delivery with a bad signature as rejected", async () => {
    const before = sample(await metrics(app), "phase_gates_deliveries_total", {
      event: "push",
      outcome: "rejected",
    });
    const res = await deliver(app, "push", { ref: "refs/heads/main" }, "not-the-secret");
    expect(res.status).toBe(400);
    const after = sample(await metrics(app), "phase_gates_deliveries_total", {
      event: "push",
      outcome: "rejected",
    });
    expect(after - before).toBe(1);
  });
});

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[operate.test] skipping the REDIS_URL tests: ${noRedis}\n`);

describe.skipIf(noRedis !== null).each(REDIS_KINDS)("with REDIS_URL at $name", (kind) => {
  let emu: Emulator;
  let redis: RedisUnderTest;
  let app: RunningApp;

  beforeAll(async () => {
    emu = await createEmulator();
    redis = await kind.start();
    app = await startApp({ emulator: emu, env: { REDIS_URL: redis.url } });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
    await emu?.close();
  });

  it("starts (ioredis is installed), is ready, answers every webhook 2xx, and writes checks", {
    timeout: 60_000,
  }, async () => {
    // A cluster client is ready once it has the slot map: until then /readyz says 503, as it should.
    let ready = await fetch(`${base(app)}/readyz`);
    for (let attempt = 0; ready.status !== 200 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await fetch(`${base(app)}/readyz`);
    }
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, draining: false, redis: "up" });

    const gh = await installedRepo(emu, "ops/redis");
    const pr = await gh.openPullRequest({ title: "Shared", labels: ["phase: crawl"], by: "lead" });
    await gh.waitForCheck(pr.number, { conclusion: "success" });
    await emu.webhooks.idle();
    const answered = emu.webhooks.deliveries.map((d) => `${d.event}.${d.action}: ${d.status}`);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.filter((line) => !/: 2\d\d$/.test(line))).toEqual([]);
  });

  it("leaves every key in Redis with a TTL within its kind's, or bounded by count (test/helpers/redis-keys.ts)", {
    timeout: 60_000,
  }, async () => {
    // After the workload above (install, config, a PR checked, reports): the queue drained, and
    // every key is of a kind the app accounts for, e.g. delivery ids kept an hour, not a week.
    let problems: string[] = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      ({ problems } = await auditRedisKeys(redis.nodes, undefined, { drained: true }));
      if (problems.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(problems).toEqual([]);
  });

  it("is not ready while Redis is unreachable", async () => {
    await redis.stop();
    const res = await fetch(`${base(app)}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, draining: false, redis: "down" });
    expect(app.exited).toBe(false);
  });
});

describe("SIGTERM to `npm start`'s process group", { timeout: 60_000 }, () => {
  let emu: Emulator;
  let proxy: SlowProxy;
  let app: RunningApp;

  beforeAll(async () => {
    emu = await createEmulator();
    // Check writes take 1.5 s: work is still queued when the signal comes.
    proxy = await startSlowProxy(emu, /^POST \/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs/, 1500);
    app = await startApp({
      emulator: emu,
      command: "npm-start",
      logLevel: "info",
      env: { GHE_HOST: proxy.host },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await proxy?.close();
    await emu?.close();
  });

  it("finishes queued work, refuses new deliveries with 503, and exits 0 within 10 s", async () => {
    const gh = await installedRepo(emu, "ops/drain");
    const first = await gh.openPullRequest({ title: "One", labels: ["phase: crawl"], by: "lead" });
    const second = await gh.openPullRequest({ title: "Two", labels: ["phase: crawl"], by: "lead" });
    // Both deliveries were answered; neither check is written yet.
    expect(gh.latestCheck(first.number)).toBeUndefined();
    expect(gh.latestCheck(second.number)).toBeUndefined();

    const signalled = Date.now();
    app.signalGroup("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));

    const refused = await deliver(app, "pull_request", { action: "opened" });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("10");
    const ready = await fetch(`${base(app)}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, draining: true });

    const status = await app.exitStatus();
    const tookMs = Date.now() - signalled;
    expect(status, app.output()).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(10_000);
    expect(gh.latestCheck(first.number)?.conclusion).toBe("success");
    expect(gh.latestCheck(second.number)?.conclusion).toBe("success");
    expect(app.output()).toMatch(/"queued":[1-9]\d*,.*shutdown: refusing new deliveries/);
  });
});
