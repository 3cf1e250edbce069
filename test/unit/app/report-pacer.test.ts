import { describe, expect, it } from "vitest";
import { type Activity, type Clock, ReportPacer } from "../../../src/app/jobs/report-pacer.js";
import { redisUnavailable } from "../../helpers/redis-server.js";
import { useRedisStores } from "../../helpers/redis-stores.js";

/** Lets the pacer's store calls (promises) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A clock that moves only when told, with timers fired by `advance`. */
function manualClock(start = 1_000_000) {
  let now = start;
  const timers: { at: number; run: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    setTimer: (run, ms) => void timers.push({ at: now + ms, run }),
  };
  return {
    clock,
    timers,
    async advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.run();
      }
      await settle();
    },
  };
}

describe("ReportPacer", () => {
  it("refreshes a burst of 100 events twice: at the first event and once when the minute is up", async () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    const runs: number[] = [];
    const outcomes: Activity[] = [];
    for (let i = 0; i < 100; i++) {
      await time.advance(100);
      outcomes.push(await pacer.activity("acme/rocket", () => runs.push(i)));
    }
    expect(outcomes[0]).toBe("now");
    expect(outcomes[1]).toBe("scheduled");
    expect(outcomes.slice(2).every((o) => o === "already-scheduled")).toBe(true);
    expect(runs).toEqual([0]);
    expect(time.timers).toHaveLength(1);
    await time.advance(60_000);
    // The waiting refresh is the latest one asked for, so it sees the whole burst.
    expect(runs).toEqual([0, 99]);
  });

  it.each([
    ["a minute after the last refresh", 60_000, "now"],
    ["59 s after the last refresh", 59_000, "scheduled"],
  ] as const)("an event %s → %s", async (_when, gap, expected) => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    await pacer.activity("r", () => undefined);
    await time.advance(gap);
    expect(await pacer.activity("r", () => undefined)).toBe(expected);
  });

  it("schedules the waiting refresh for the end of the interval, not a full interval later", async () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    await pacer.activity("r", () => undefined);
    await time.advance(45_000);
    await pacer.activity("r", () => undefined);
    expect(time.timers[0]?.at).toBe(1_000_000 + 60_000);
  });

  it("counts a refresh for a gate or config change: activity right after it waits", async () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    await pacer.refreshed("r");
    const runs: string[] = [];
    expect(await pacer.activity("r", () => runs.push("activity"))).toBe("scheduled");
    expect(runs).toEqual([]);
  });

  it("paces each repository on its own", async () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    expect(await pacer.activity("a/one", () => undefined)).toBe("now");
    expect(await pacer.activity("a/two", () => undefined)).toBe("now");
  });
});

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[report-pacer.test] skipping Redis: ${noRedis}\n`);

describe.skipIf(noRedis !== null)("ReportPacer shared through Redis by processes", () => {
  const redis = useRedisStores();
  let deployment = 0;
  /** N processes of one deployment: each its own pacer, timers and Redis client, on one clock. */
  function processes(n: number, clock: Clock): ReportPacer[] {
    const prefix = `test:pacer:${++deployment}`;
    return Array.from({ length: n }, () => new ReportPacer(clock, 60_000, redis.store(prefix)));
  }

  it("refreshes a burst spread over three processes at most once per interval between them", async () => {
    const time = manualClock();
    const pacers = processes(3, time.clock);
    const runs: string[] = [];
    const outcomes: Activity[] = [];
    // 30 events in 3 s, landing on the three processes in turn.
    for (let i = 0; i < 30; i++) {
      const pacer = pacers[i % 3];
      if (!pacer) throw new Error("no pacer");
      outcomes.push(await pacer.activity("acme/rocket", () => runs.push(`event ${i}`)));
      await time.advance(100);
    }
    expect(outcomes.filter((o) => o === "now")).toEqual(["now"]);
    expect(outcomes.filter((o) => o === "scheduled")).toEqual(["scheduled"]);
    expect(runs).toEqual(["event 0"]);
    expect(time.timers).toHaveLength(1);
    await time.advance(60_000);
    // One waiting refresh, run by the process that scheduled it (event 1's), with the latest it was
    // given, once its Redis round trips are done.
    await expect.poll(() => runs).toEqual(["event 0", "event 28"]);
  });

  it("counts a refresh one process ran for a gate decision in every other process", async () => {
    const [first, second] = processes(2, manualClock().clock);
    if (!first || !second) throw new Error("no pacers");
    await first.refreshed("acme/rocket");
    expect(await second.activity("acme/rocket", () => undefined)).toBe("scheduled");
    expect(await first.activity("acme/rocket", () => undefined)).toBe("already-scheduled");
  });
});
