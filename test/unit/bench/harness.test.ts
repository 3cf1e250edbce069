import { afterEach, describe, expect, it } from "vitest";
import { createMix } from "../../../bench/harness/mix.js";
import { percentile, type ScenarioResult, table } from "../../../bench/harness/report.js";
import { readSettings } from "../../../bench/harness/settings.js";
import { createWorld, type World } from "../../../bench/harness/world.js";
import { WriteAudit } from "../../../bench/harness/write-audit.js";
import { CHECK_NAME } from "../../../sandbox/actors.js";
import { EmulatorState } from "../../../sandbox/emulator/index.js";

describe("percentile", () => {
  it.each<[number[], number, number]>([
    [[5, 1, 3, 2, 4], 50, 3],
    [[5, 1, 3, 2, 4], 100, 5],
    [[5, 1, 3, 2, 4], 0, 1],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
    [[7], 99, 7],
  ])("%j at p%i is %i", (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it("is NaN with no values", () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("readSettings", () => {
  it.each<[string, NodeJS.ProcessEnv, Partial<ReturnType<typeof readSettings>>]>([
    [
      "full by default",
      {},
      { quick: false, flipPrs: 1000, ackSeconds: 30, mixSeconds: 10, redis: "auto" },
    ],
    [
      "quick scales down",
      { BENCH_QUICK: "1" },
      { quick: true, flipPrs: 60, ackSeconds: 5, rate: 200 },
    ],
    ["a knob overrides quick", { BENCH_QUICK: "1", BENCH_FLIP_PRS: "7" }, { flipPrs: 7 }],
    ["a subset", { BENCH_ONLY: "1, 3" }, { only: new Set([1, 3]) }],
    ["no record", { BENCH_RECORD: "0", BENCH_LABEL: "after" }, { record: false, label: "after" }],
  ])("%s", (_name, env, expected) => {
    expect(readSettings(env)).toMatchObject(expected);
  });

  it.each<[NodeJS.ProcessEnv, RegExp]>([
    [{ BENCH_FLIP_PRS: "lots" }, /BENCH_FLIP_PRS must be a positive number/],
    [{ BENCH_RATE: "0" }, /BENCH_RATE must be a positive number/],
    [{ BENCH_REDIS: "yes" }, /BENCH_REDIS must be auto, force or off/],
  ])("refuses %j", (env, message) => {
    expect(() => readSettings(env)).toThrow(message);
  });
});

describe("table", () => {
  it("shows each figure beside its target and floor, and a skipped scenario's reason", () => {
    const results: ScenarioResult[] = [
      {
        id: 3,
        title: "gate flip",
        setup: {},
        seconds: 1,
        figures: [
          {
            name: "wall time",
            value: 366.66,
            unit: "s",
            target: "≤ 1.1× floor",
            floor: 333.3,
            met: false,
          },
          { name: "403s", value: 0, target: "0", met: true },
        ],
      },
      { id: 4, title: "two processes", skipped: "no Redis", setup: {}, figures: [], seconds: 0 },
    ];
    expect(table(results).split("\n")).toEqual([
      "| #   | figure        | measured          | target       | floor (same run) |         |",
      "| --- | ------------- | ----------------- | ------------ | ---------------- | ------- |",
      "| 3   | wall time     | 366.7 s           | ≤ 1.1× floor | 333.3 s          | NOT met |",
      "| 3   | 403s          | 0                 | 0            |                  | met     |",
      "| 4   | two processes | skipped: no Redis |              |                  |         |",
    ]);
  });
});

describe("WriteAudit", () => {
  function setUp() {
    const state = new EmulatorState();
    const repo = state.createRepo("acme/bench");
    const dev = state.user("dev");
    const pr = state.createPull(repo, { title: "Work", labels: ["phase: run"] }, dev);
    const audit = new WriteAudit(state);
    const sha = pr.pull?.headSha ?? "";
    const blocked = {
      name: CHECK_NAME,
      head_sha: sha,
      conclusion: "failure" as const,
      output: { title: "Blocked", summary: "Waits for Walk" },
    };
    return { state, repo, dev, pr, audit, sha, blocked };
  }

  it.each<
    [string, (w: ReturnType<typeof setUp>) => void, Partial<ReturnType<typeof WriteAudit.zero>>]
  >([
    [
      "a first check is a write, not a no-op",
      (w) => w.state.createCheckRun(w.repo, w.blocked, w.state.bot),
      { checkWrites: 1, noOpCheckWrites: 0 },
    ],
    [
      "the same check created again is a no-op",
      (w) => {
        w.state.createCheckRun(w.repo, w.blocked, w.state.bot);
        w.state.createCheckRun(w.repo, w.blocked, w.state.bot);
      },
      { checkWrites: 2, noOpCheckWrites: 1 },
    ],
    [
      "an update that changes nothing is a no-op; one that changes the conclusion is not",
      (w) => {
        const run = w.state.createCheckRun(w.repo, w.blocked, w.state.bot);
        w.state.updateCheckRun(
          w.repo,
          run.id,
          { conclusion: "failure", output: w.blocked.output },
          w.state.bot,
        );
        w.state.updateCheckRun(
          w.repo,
          run.id,
          { conclusion: "success", output: { title: "Run" } },
          w.state.bot,
        );
      },
      { checkWrites: 3, noOpCheckWrites: 1 },
    ],
    [
      "people's writes are not the app's",
      (w) => {
        w.state.createCheckRun(w.repo, w.blocked, w.dev);
        w.state.addLabels(w.repo, w.pr.number, ["phase: run"], w.dev);
      },
      { checkWrites: 0, issueWrites: 0 },
    ],
    [
      "adding a label a PR has is a no-op issue write; a new one is not",
      (w) => {
        w.state.addLabels(w.repo, w.pr.number, ["phase: run"], w.state.bot);
        w.state.addLabels(w.repo, w.pr.number, ["bug"], w.state.bot);
      },
      { issueWrites: 2, noOpIssueWrites: 1 },
    ],
  ])("%s", (_name, act, expected) => {
    const world = setUp();
    act(world);
    expect(world.audit.counts).toMatchObject(expected);
  });

  it("finds head SHAs written twice", () => {
    const w = setUp();
    w.state.createCheckRun(w.repo, w.blocked, w.state.bot);
    expect(w.audit.writtenTwice([w.sha])).toBe(0);
    w.state.createCheckRun(w.repo, { ...w.blocked, conclusion: "success" }, w.state.bot);
    expect(w.audit.writtenTwice([w.sha, "other"])).toBe(1);
  });
});

describe("createMix", () => {
  let world: World | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it("plays 1 push, 10 label changes and 9 body edits in every 20 events, the same on every run", async () => {
    world = await createWorld();
    const repo = world.actors.repo();
    const dev = world.emu.state.user("dev");
    const prs = [1, 2, 3].map(
      (i) =>
        world?.emu.state.createPull(repo, { title: `PR ${i}`, labels: ["phase: run"] }, dev)
          .number ?? 0,
    );
    const events: string[] = [];
    world.emu.state.onEvent((e) => events.push(`${e.action}`));
    const mix = createMix(world, prs);
    for (let i = 0; i < 40; i++) mix.act(i);
    expect(mix.counts).toEqual({ push: 2, label: 20, body: 18 });
    expect(events.filter((a) => a === "synchronize")).toHaveLength(2);
    expect(events.filter((a) => a === "labeled" || a === "unlabeled")).toHaveLength(20);
    expect(events.filter((a) => a === "edited")).toHaveLength(18);
    const again = createMix(world, prs);
    const firstPushed = [...mix.pushed];
    for (let i = 0; i < 40; i++) again.act(i);
    expect([...again.pushed]).toEqual(firstPushed);
  });
});
