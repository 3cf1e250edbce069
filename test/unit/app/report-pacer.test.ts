import { describe, expect, it } from "vitest";
import { type Clock, ReportPacer } from "../../../src/app/report-pacer.js";

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
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.run();
      }
    },
  };
}

describe("ReportPacer", () => {
  it("refreshes a burst of 100 events twice: at the first event and once when the minute is up", () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    const runs: number[] = [];
    const outcomes = Array.from({ length: 100 }, (_, i) => {
      time.advance(100);
      return pacer.activity("acme/rocket", () => runs.push(i));
    });
    expect(outcomes[0]).toBe("now");
    expect(outcomes[1]).toBe("scheduled");
    expect(outcomes.slice(2).every((o) => o === "already-scheduled")).toBe(true);
    expect(runs).toEqual([0]);
    expect(time.timers).toHaveLength(1);
    time.advance(60_000);
    // The waiting refresh is the latest one asked for, so it sees the whole burst.
    expect(runs).toEqual([0, 99]);
  });

  it.each([
    ["a minute after the last refresh", 60_000, "now"],
    ["59 s after the last refresh", 59_000, "scheduled"],
  ] as const)("an event %s → %s", (_when, gap, expected) => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    pacer.activity("r", () => undefined);
    time.advance(gap);
    expect(pacer.activity("r", () => undefined)).toBe(expected);
  });

  it("schedules the waiting refresh for the end of the interval, not a full interval later", () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    pacer.activity("r", () => undefined);
    time.advance(45_000);
    pacer.activity("r", () => undefined);
    expect(time.timers[0]?.at).toBe(1_000_000 + 60_000);
  });

  it("counts a refresh for a gate or config change: activity right after it waits", () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    pacer.refreshed("r");
    const runs: string[] = [];
    expect(pacer.activity("r", () => runs.push("activity"))).toBe("scheduled");
    expect(runs).toEqual([]);
  });

  it("paces each repository on its own", () => {
    const time = manualClock();
    const pacer = new ReportPacer(time.clock, 60_000);
    expect(pacer.activity("a/one", () => undefined)).toBe("now");
    expect(pacer.activity("a/two", () => undefined)).toBe("now");
  });
});
