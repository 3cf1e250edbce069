import { randomUUID } from "node:crypto";
import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisJobQueue } from "../../src/app/jobs/redis-queue.js";
import type { Clock } from "../../src/app/jobs/report-pacer.js";
import type { PhaseGatesOptions } from "../../src/app/register-handlers.js";
import { DASHBOARD_LABEL, DASHBOARD_MARKER, DASHBOARD_TITLE } from "../../src/core/dashboard.js";
import { PROGRESS_START } from "../../src/core/progress-section.js";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  REPO_PATH,
  replyConfig,
  type TestApp,
} from "../helpers/app.js";
import { type RedisServer, redisUnavailable, startRedis } from "../helpers/redis-server.js";
import { BOT, replyGate } from "../helpers/replies.js";
import {
  API,
  issueEvent,
  issueObject,
  milestone,
  milestoneEvent,
  pullObject,
  pullRequestEvent,
  pushEvent,
} from "../helpers/webhooks.js";

// SPEC §5: the dashboard issue and the gate's progress section, through probot.receive.

const CONFIG = `phases:
  - id: crawl
    milestone: Crawl
    gate:
      criteria: [Feasibility shown with evidence]
  - id: run
`;
const GATE = {
  number: 1,
  title: "Gate: Crawl → Run",
  labels: ["gate: crawl"],
  body: "People's notes.\n\n- [ ] Feasibility shown with evidence",
  by: BOT,
};
const DUE = "2026-12-04T08:00:00Z";
/** 2026-11-25, noon UTC: 9 days before the Crawl milestone is due. */
const NOON = Date.parse("2026-11-25T12:00:00Z");

let app: TestApp | null = null;
afterEach(() => {
  expect(app?.errors ?? []).toEqual([]);
  app = null;
  assertAllCalled();
});

/** A clock at `at` whose timers run only when the test says so. */
function manualClock(at = NOON) {
  let now = at;
  const timers: (() => void)[] = [];
  const clock: Clock = { now: () => now, setTimer: (run) => void timers.push(run) };
  return {
    clock,
    timers,
    /** Moves the clock past the interval and runs the waiting refreshes (their pacer's store calls settle). */
    async elapse(ms: number) {
      now += ms;
      for (const run of timers.splice(0)) run();
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

/** Every read of a refresh, in order, for the Crawl → Run config with one Run PR open. */
function replyReportReads(scope: nock.Scope, gate: typeof GATE): void {
  replyGate(scope, "gate: crawl", gate);
  scope
    // the milestones: Crawl's due date is the phase's timebox
    .get(`${REPO_PATH}/milestones`)
    .query({ state: "all", per_page: "100" })
    .reply(200, [{ ...milestone("Crawl", 1), due_on: DUE }])
    // the open PRs, each given its phase and verdict
    .get(`${REPO_PATH}/pulls`)
    .query({ state: "open", per_page: "100" })
    .reply(200, [pullObject({ number: 5, labels: ["phase: run"] })]);
}

function replyPhasedIssues(scope: nock.Scope, dashboards: Record<string, unknown>[]): void {
  scope
    // issues in Crawl by label, then by milestone, then in Run by label
    .get(`${REPO_PATH}/issues`)
    .query({ labels: "phase: crawl", state: "all", per_page: "100" })
    .reply(200, [issueObject({ number: 7, labels: ["phase: crawl"], state: "closed" })])
    .get(`${REPO_PATH}/issues`)
    .query({ milestone: "1", state: "all", per_page: "100" })
    .reply(200, [issueObject({ number: 8, milestone: "Crawl" })])
    .get(`${REPO_PATH}/issues`)
    .query({ labels: "phase: run", state: "all", per_page: "100" })
    .reply(200, [
      issueObject({ number: 9, labels: ["phase: run"] }),
      { ...issueObject({ number: 5, labels: ["phase: run"] }), pull_request: {} },
    ])
    // the dashboard, found by its label and its author
    .get(`${REPO_PATH}/issues`)
    .query({
      labels: DASHBOARD_LABEL,
      state: "all",
      sort: "created",
      direction: "asc",
      per_page: "100",
    })
    .reply(200, dashboards);
}

describe("reports on a milestone change", () => {
  it("creates the dashboard and the gate's progress section, then writes nothing when nothing changed", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    const first = githubScope();
    replyConfig(first, CONFIG);
    replyReportReads(first, GATE);
    const progress: string[] = [];
    first
      // the gate issue's body, read again right before it is edited
      .get(`${REPO_PATH}/issues/1`)
      .reply(200, issueObject(GATE))
      .patch(`${REPO_PATH}/issues/1`, (b: { body: string }) => progress.push(b.body) > 0)
      .reply(200, {});
    replyPhasedIssues(first, []);
    let dashboard = "";
    first
      .post(`${REPO_PATH}/issues`, (b: { title: string; body: string; labels: string[] }) => {
        dashboard = b.body;
        return b.title === DASHBOARD_TITLE && b.labels[0] === DASHBOARD_LABEL;
      })
      .reply(201, { number: 50 });

    await app.receive("milestone", milestoneEvent("edited", "Crawl", 1, DUE));

    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatch(/^People's notes\.\n\n- \[ \] Feasibility shown with evidence\n\n/);
    expect(progress[0]).toContain("- **Approvals:** 0/1\n");
    expect(progress[0]).toContain(
      "- **Waiting on this gate:** 1 pull request: [#5](https://github.com/acme/rocket/pull/5) ⛔",
    );
    expect(progress[0]).toContain("due 2026-12-04: 9 days left");
    expect(dashboard).toContain(DASHBOARD_MARKER);
    expect(dashboard).toContain("| Issues | [1 open](");
    expect(dashboard).toContain("· [1 closed](");
    expect(dashboard).toContain(
      "| Open pull requests | 1 (1 blocked): [#5](https://github.com/acme/rocket/pull/5) ⛔ |",
    );
    assertAllCalled();

    // The same state again, the dashboard and the section as the app wrote them: reads only.
    const second = nock(API);
    replyConfig(second, CONFIG);
    replyReportReads(second, { ...GATE, body: progress[0] ?? "" });
    replyPhasedIssues(second, [
      issueObject({ number: 50, title: DASHBOARD_TITLE, body: dashboard, by: BOT }),
    ]);
    await app.receive("milestone", milestoneEvent("edited", "Crawl", 1, DUE));
  });

  it("edits the dashboard it made in place, and leaves one someone else labelled alone", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    const scope = githubScope();
    replyConfig(scope, CONFIG);
    const section = "- [ ] Feasibility shown with evidence";
    replyReportReads(scope, { ...GATE, body: section });
    scope
      .get(`${REPO_PATH}/issues/1`)
      .reply(200, issueObject({ ...GATE, body: section }))
      .patch(`${REPO_PATH}/issues/1`)
      .reply(200, {});
    replyPhasedIssues(scope, [
      issueObject({ number: 3, title: "Phase gates status", body: "fake", by: "mallory" }),
      issueObject({ number: 50, title: "renamed", body: "old", by: BOT }),
    ]);
    const edits: { title: string; body: string }[] = [];
    scope
      .patch(`${REPO_PATH}/issues/50`, (b: { title: string; body: string }) => edits.push(b) > 0)
      .reply(200, {});

    await app.receive("milestone", milestoneEvent("edited", "Crawl", 1, DUE));

    expect(edits).toHaveLength(1);
    expect(edits[0]?.title).toBe(DASHBOARD_TITLE);
    expect(edits[0]?.body).toContain("### Crawl (current phase)");
  });

  it("leaves a gate issue whose own text nearly fills GitHub's limit as it is", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    const full = { ...GATE, body: `${GATE.body}\n\n${"x".repeat(65_000)}` };
    const scope = githubScope();
    replyConfig(scope, `${CONFIG}dashboard: false\n`);
    replyReportReads(scope, full);
    // read again before an edit, then found too long: no PATCH
    scope.get(`${REPO_PATH}/issues/1`).reply(200, issueObject(full));

    await app.receive("milestone", milestoneEvent("edited", "Crawl", 1, DUE));
  });

  it("writes no dashboard with `dashboard: false`, and still keeps the gate's progress", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    const scope = githubScope();
    replyConfig(scope, `${CONFIG}dashboard: false\n`);
    replyReportReads(scope, GATE);
    scope
      .get(`${REPO_PATH}/issues/1`)
      .reply(200, issueObject(GATE))
      .patch(`${REPO_PATH}/issues/1`, (b: { body: string }) => b.body.includes(PROGRESS_START))
      .reply(200, {});

    await app.receive("milestone", milestoneEvent("edited", "Crawl", 1, DUE));
  });
});

describe("shutting down", () => {
  it("refreshes no report once the app drains: the next event after a restart does", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    app.beginDrain();
    // No GitHub call is mocked: any request would fail the job.
    await app.receive("milestone", milestoneEvent("edited", "Crawl", 1, DUE));
  });
});

describe("the app's own progress edit coming back", () => {
  it("reads the config and nothing else: no gate to reconcile, no PR to re-check", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    const scope = githubScope();
    replyConfig(scope, CONFIG);

    await app.receive(
      "issues",
      issueEvent(
        "edited",
        { ...GATE, body: `${GATE.body}\n\n${PROGRESS_START}…` },
        { sender: BOT },
      ),
    );
  });
});

describe("reports on a config push", () => {
  it("shows an invalid config's errors, with line and column, on the existing dashboard", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    const scope = githubScope();
    replyConfig(scope, "phases:\n  - id: Crawl!\n  - id: run\ndashbord: true\n");
    // the reports job after the push's own reads the config again (tests read afresh in every job)
    replyConfig(scope, "phases:\n  - id: Crawl!\n  - id: run\ndashbord: true\n");
    scope
      // every open PR's check shows the errors (none open here)
      .get(`${REPO_PATH}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, [])
      .get(`${REPO_PATH}/issues`)
      .query({
        labels: DASHBOARD_LABEL,
        state: "all",
        sort: "created",
        direction: "asc",
        per_page: "100",
      })
      .reply(200, [issueObject({ number: 50, title: DASHBOARD_TITLE, body: "old", by: BOT })]);
    const edits: string[] = [];
    scope
      .patch(`${REPO_PATH}/issues/50`, (b: { body: string }) => edits.push(b.body) > 0)
      .reply(200, {});

    await app.receive("push", pushEvent({ modified: [".github/phase-gates.yml"] }));

    expect(edits[0]).toContain("> [!CAUTION]");
    expect(edits[0]).toMatch(/`\.github\/phase-gates\.yml:2:9`/);
    expect(edits[0]).toMatch(/`\.github\/phase-gates\.yml:4:1`/);
  });
});

/**
 * Just enough of GitHub for a burst of PR events: 100 open PRs, each gaining
 * the `phase: run` label in turn; every write is recorded.
 */
function fakeGitHub() {
  const labelled = new Set<number>();
  const writes: string[] = [];
  /** Reads of the dashboard issue's list: one per refresh. */
  let dashboardReads = 0;
  let dashboard: { number: number; body: string; title: string } | null = null;
  let gateBody = GATE.body;
  const pull = (n: number) =>
    pullObject({ number: n, labels: labelled.has(n) ? ["phase: run"] : [], headSha: `sha${n}` });
  const scope = nock(API).persist();
  scope
    .post(/\/app\/installations\/\d+\/access_tokens/)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
  scope.get(/.*/).reply((uri) => {
    const url = new URL(uri, API);
    const path = url.pathname.replace(REPO_PATH, "");
    const q = url.searchParams;
    if (path === "/contents/.github%2Fphase-gates.yml") return [200, CONFIG, { etag: '"c"' }];
    if (path === "/pulls") return [200, Array.from({ length: 100 }, (_, i) => pull(i + 1))];
    const one = /^\/pulls\/(\d+)$/.exec(path);
    if (one) return [200, pull(Number(one[1]))];
    if (/^\/pulls\/\d+\/(files|commits)$/.test(path)) return [200, []];
    if (/^\/commits\/.+\/check-runs$/.test(path)) return [200, { total_count: 0, check_runs: [] }];
    if (path === "/milestones") return [200, [{ ...milestone("Crawl", 1), due_on: DUE }]];
    if (path === "/issues/1/events")
      return [
        200,
        [
          {
            event: "labeled",
            actor: { login: BOT, type: "Bot" },
            created_at: "2026-11-01T00:00:00Z",
            label: { name: "gate: crawl" },
          },
        ],
      ];
    if (path === "/issues/1") return [200, issueObject({ ...GATE, body: gateBody })];
    if (path === "/issues" && q.get("labels") === "gate: crawl")
      return [200, [issueObject({ ...GATE, body: gateBody })]];
    if (path === "/issues" && q.get("labels") === DASHBOARD_LABEL) {
      dashboardReads += 1;
      return [200, dashboard ? [issueObject({ ...dashboard, by: BOT })] : []];
    }
    if (path === "/issues") return [200, []];
    return [404, { message: `not faked: GET ${path}` }];
  });
  scope.post(/.*/).reply((uri, body) => {
    const path = new URL(uri, API).pathname.replace(REPO_PATH, "");
    writes.push(`POST ${path}`);
    const headSha = (body as { head_sha?: string }).head_sha;
    if (path === "/check-runs" && headSha) writes.push(`POST /check-runs ${headSha}`);
    if (path === "/issues") {
      const b = body as { title: string; body: string };
      dashboard = { number: 500, title: b.title, body: b.body };
      return [201, { number: 500 }];
    }
    return [201, { id: 1 }];
  });
  scope.patch(/.*/).reply((uri, body) => {
    const path = new URL(uri, API).pathname.replace(REPO_PATH, "");
    writes.push(`PATCH ${path}`);
    const b = body as { body?: string };
    if (path === "/issues/500" && dashboard && b.body) dashboard.body = b.body;
    if (path === "/issues/1" && b.body) gateBody = b.body;
    return [200, {}];
  });
  return {
    labelled,
    writes,
    dashboardWrites: () => writes.filter((w) => w === "POST /issues" || w === "PATCH /issues/500"),
    dashboard: () => dashboard,
    dashboardReads: () => dashboardReads,
  };
}

describe("a burst of events that refresh the reports at once", () => {
  it("is one refresh after them, not one per event (five milestone edits)", async () => {
    app = await createTestApp({ reporting: { clock: manualClock().clock } });
    const github = fakeGitHub();
    const test = app;
    await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        test.receive("milestone", milestoneEvent("edited", "Crawl", 1, DUE)),
      ),
    );
    await app.idle();
    expect(github.dashboardReads()).toBe(1);
    expect(github.dashboardWrites()).toEqual(["POST /issues"]);
    nock.cleanAll();
  });
});

describe("a burst of pull request events", () => {
  it("writes the dashboard at most twice for 100 label events: once at once, once when the minute is up", async () => {
    const time = manualClock();
    app = await createTestApp({ reporting: { clock: time.clock, intervalMs: 60_000 } });
    const github = fakeGitHub();
    for (let n = 1; n <= 100; n++) {
      github.labelled.add(n);
      await app.receive(
        "pull_request",
        pullRequestEvent(
          "labeled",
          { number: n, labels: ["phase: run"], headSha: `sha${n}` },
          { label: { name: "phase: run" } },
        ),
      );
      // The first event's refresh runs before the next events arrive (as on a quiet repository).
      if (n === 1) await app.idle();
    }
    expect(github.dashboardWrites()).toEqual(["POST /issues"]);
    // Rendered after the first event: one Run PR then.
    expect(github.dashboard()?.body).toContain("| Open pull requests | 1 (1 blocked): [#1]");
    expect(time.timers).toHaveLength(1);

    await time.elapse(60_000);
    await app.idle();
    expect(github.dashboardWrites()).toEqual(["POST /issues", "PATCH /issues/500"]);
    expect(github.dashboard()?.body).toContain("100 (100 blocked)");
    nock.cleanAll();
  }, 60_000);
});

const noRedis = redisUnavailable();
let redis: RedisServer | undefined;
beforeAll(async () => {
  if (!noRedis) redis = await startRedis();
}, 20_000);
afterAll(async () => {
  await redis?.stop();
});

const QUEUES: [string, () => PhaseGatesOptions["queue"]][] = [
  ["in process", () => undefined],
  ...(noRedis
    ? []
    : ([
        [
          "on Redis",
          () => (log, events) =>
            new RedisJobQueue({
              connection: (redis as RedisServer).url,
              prefix: `reports-${randomUUID().slice(0, 8)}`,
              log,
              ...events,
            }),
        ],
      ] as [string, () => PhaseGatesOptions["queue"]][])),
];

describe("a dashboard refresh deferred to the end of its minute", () => {
  it.each(QUEUES)(
    "keeps no PR event of the repository waiting: a pushed PR is checked meanwhile (queue %s)",
    async (_name, queue) => {
      const time = manualClock();
      const q = queue();
      app = await createTestApp({
        reporting: { clock: time.clock, intervalMs: 60_000 },
        ...(q ? { queue: q } : {}),
      });
      nock.cleanAll(); // only this test's GitHub answers
      const github = fakeGitHub();
      for (const n of [1, 2]) {
        github.labelled.add(n);
        await app.receive(
          "pull_request",
          pullRequestEvent(
            "labeled",
            { number: n, labels: ["phase: run"], headSha: `sha${n}` },
            { label: { name: "phase: run" } },
          ),
        );
      }
      // The first event refreshed at once; the second's refresh waits for the minute.
      expect(github.dashboardWrites()).toEqual(["POST /issues"]);
      expect(time.timers).toHaveLength(1);

      await app.receive(
        "pull_request",
        pullRequestEvent("synchronize", { number: 3, headSha: "sha3-new" }, { before: "sha3" }),
      );

      expect(github.writes).toContain("POST /check-runs sha3-new");
      // The deferred refresh is still waiting, and has written nothing.
      expect(time.timers).toHaveLength(1);
      expect(github.dashboardWrites()).toEqual(["POST /issues"]);
      time.elapse(60_000);
      // The due refresh is queued by the timer (on Redis, a moment later): wait for its write.
      for (let i = 0; i < 100 && github.dashboardWrites().length < 2; i++) {
        await app.idle();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(github.dashboardWrites()).toEqual(["POST /issues", "PATCH /issues/500"]);
      await app.close();
      nock.cleanAll();
    },
    60_000,
  );
});
