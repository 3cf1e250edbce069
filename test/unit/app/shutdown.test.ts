import pino from "pino";
import type { Logger } from "probot";
import { describe, expect, it } from "vitest";
import { Shutdown } from "../../../src/app/http/shutdown.js";
import type { JobData } from "../../../src/app/jobs/job.js";

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function harness(jobs: JobData[], finish: Promise<void>) {
  const lines: Line[] = [];
  const log = pino({ level: "trace" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const exits: number[] = [];
  const closed: string[] = [];
  const shutdown = new Shutdown({
    log: log as unknown as Logger,
    work: { idle: () => finish, pendingJobs: () => jobs },
    deadlineMs: 50,
    beforeExit: () => {
      closed.push("redis");
    },
    exit: (code) => exits.push(code),
  });
  return { shutdown, lines, exits, closed };
}

const job = (deliveryId: string): JobData => ({
  kind: "pull_request",
  deliveryId,
  installationId: 1,
  repo: { owner: "acme", repo: "rocket" },
  input: {},
  receivedAt: 0,
});

describe("Shutdown", () => {
  it("exits 0 once the queue is drained, refusing deliveries meanwhile", async () => {
    let release = () => {};
    const finish = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { shutdown, exits, closed } = harness([job("d1")], finish);
    expect(shutdown.draining).toBe(false);
    const done = shutdown.begin("SIGTERM");
    expect(shutdown.draining).toBe(true);
    expect(exits).toEqual([]);
    release();
    await done;
    expect(exits).toEqual([0]);
    expect(closed).toEqual(["redis"]);
  });

  it("exits 1 after the deadline, logging every unfinished job", async () => {
    const { shutdown, exits, lines } = harness([job("d1"), job("d2")], new Promise(() => {}));
    await shutdown.begin("SIGTERM");
    expect(exits).toEqual([1]);
    const last = lines.at(-1);
    expect(last?.level).toBe(50);
    expect(last?.left).toEqual([
      { delivery: "d1", kind: "pull_request", repo: "acme/rocket" },
      { delivery: "d2", kind: "pull_request", repo: "acme/rocket" },
    ]);
  });

  it("acts on the first signal only (npm forwards the group's SIGTERM a second time)", async () => {
    const { shutdown, exits } = harness([], Promise.resolve());
    await Promise.all([shutdown.begin("SIGTERM"), shutdown.begin("SIGTERM")]);
    expect(exits).toEqual([0]);
  });
});

describe("Shutdown and the reports", () => {
  it("tells the app to drop report refreshes before it waits for the queue", async () => {
    const calls: string[] = [];
    const shutdown = new Shutdown({
      log: pino({ level: "silent" }) as unknown as Logger,
      work: {
        idle: async () => {
          calls.push("idle");
        },
        pendingJobs: () => [],
        beginDrain: () => calls.push("beginDrain"),
      },
      deadlineMs: 50,
      exit: () => {},
    });
    await shutdown.begin("SIGTERM");
    expect(calls).toEqual(["beginDrain", "idle"]);
  });
});
