import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Queue } from "bullmq";
import pino from "pino";
import type { Logger } from "probot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../sandbox/run-app.js";
import type { JobData, JobOutcome, JobQueue, JobQueueEvents } from "../../src/app/jobs/job.js";
import { InMemoryJobQueue } from "../../src/app/jobs/memory-queue.js";
import { RedisJobQueue } from "../../src/app/jobs/redis-queue.js";
import { type RedisConnection, redisClient } from "../../src/state/redis-connection.js";
import { REDIS_KINDS, type RedisUnderTest, redisUnavailable } from "../helpers/redis-server.js";

const log = pino({ level: "silent" }) as unknown as Logger;
/** Short locks so a dead process's work resumes within about 1.5 s. */
const LOCK_MS = 1000;

interface Input {
  ids: string[];
}

let clock = 1_700_000_000_000;
function job(repo: string, id: string, extra: Partial<JobData> = {}): JobData {
  clock += 1;
  return {
    kind: "pull_request",
    deliveryId: id,
    installationId: 1,
    repo: { owner: "acme", repo },
    input: { ids: [id] } satisfies Input,
    receivedAt: clock,
    ...extra,
  };
}

/** What a test reads from a run: the delivery ids a job stands for, `+`-joined after merges. */
const label = (j: JobData): string => (j.input as Input).ids.join("+");

/** Keeps the older job's place and delivery; runs both inputs. */
const merge = (older: JobData, newer: JobData): JobData => ({
  ...older,
  input: { ids: [...(older.input as Input).ids, ...(newer.input as Input).ids] },
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`timed out after ${ms} ms: ${what}`);
    }),
  ]);
}

/** A promise with its resolve, for jobs that wait on the test. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

interface Options extends JobQueueEvents {
  concurrency?: number;
  /** Redis only: a queue standing for another process shares this one's keys. */
  prefix?: string;
  deliveryWindowMs?: number;
}

type MakeQueue = (options?: Options) => JobQueue;

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[job-queue.test] skipping Redis: ${noRedis}\n`);

/** One server and one three-master cluster for the whole file, by kind name. */
const servers = new Map<string, RedisUnderTest>();
const open: JobQueue[] = [];

beforeAll(async () => {
  if (noRedis) return;
  const started = await Promise.all(
    REDIS_KINDS.map(async (kind) => [kind.name, await kind.start()] as const),
  );
  for (const [name, server] of started) servers.set(name, server);
}, 30_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.close()));
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.stop()));
});

function serverOf(kind: string): RedisUnderTest {
  const server = servers.get(kind);
  if (!server) throw new Error(`${kind} is not running`);
  return server;
}

/** What every key of a queue's scripts starts with: `{<prefix>}` on a cluster (its hash tag). */
const slotOf = (connection: RedisConnection, prefix: string): string =>
  typeof connection === "string" ? prefix : `{${prefix}}`;

const memory: MakeQueue = (options = {}) => {
  const { prefix: _, ...events } = options;
  const queue = new InMemoryJobQueue(log, { ...events, merge });
  open.push(queue);
  return queue;
};

let prefixes = 0;
const nextPrefix = () => `test${++prefixes}-${randomUUID().slice(0, 8)}`;

const redisQueueOn =
  (kind: string): MakeQueue =>
  (options = {}) => {
    const { prefix, ...events } = options;
    const queue = new RedisJobQueue({
      ...events,
      connection: serverOf(kind).connection,
      prefix: prefix ?? nextPrefix(),
      lockMs: LOCK_MS,
      merge,
      log,
    });
    open.push(queue);
    return queue;
  };

const IMPLEMENTATIONS: [string, MakeQueue][] = noRedis
  ? [["InMemoryJobQueue", memory]]
  : [
      ["InMemoryJobQueue", memory],
      ...REDIS_KINDS.map((kind): [string, MakeQueue] => [
        `RedisJobQueue on ${kind.name}`,
        redisQueueOn(kind.name),
      ]),
    ];

describe.each(IMPLEMENTATIONS)("%s: the JobQueue guarantees", (_name, make) => {
  it("runs one repository's jobs one at a time, in arrival order", async () => {
    const queue = make();
    const events: string[] = [];
    for (const id of ["a1", "a2", "a3", "a4", "a5"]) await queue.push(job("rocket", id));
    queue.start(async (j) => {
      events.push(`start ${label(j)}`);
      await sleep(10);
      events.push(`end ${label(j)}`);
    });
    await within(queue.idle(), 10_000, "idle");
    expect(events).toEqual(
      ["a1", "a2", "a3", "a4", "a5"].flatMap((id) => [`start ${id}`, `end ${id}`]),
    );
  });

  it("runs different repositories at the same time", async () => {
    const queue = make({ concurrency: 2 });
    const both = gate();
    const started = new Set<string>();
    const seenRunning: number[] = [];
    queue.start(async (j) => {
      started.add(label(j));
      if (started.size === 2) both.open();
      // Serial execution would wait here the full 3 s and see only itself.
      await Promise.race([both.opened, sleep(3000)]);
      seenRunning.push(started.size);
    });
    await queue.push(job("rocket", "r1"));
    await queue.push(job("other", "o1"));
    await within(queue.idle(), 10_000, "idle");
    expect(seenRunning).toEqual([2, 2]);
  });

  it("runs a delivery once: a duplicate push answers false and queues nothing", async () => {
    const queue = make();
    const runs: string[] = [];
    expect(await queue.push(job("rocket", "d1"))).toBe(true);
    expect(await queue.push(job("rocket", "d1"))).toBe(false);
    expect(await queue.push(job("other", "d1"))).toBe(false);
    expect(await queue.push(job("rocket", "d2"))).toBe(true);
    queue.start(async (j) => {
      runs.push(label(j));
    });
    await within(queue.idle(), 10_000, "idle");
    expect(runs).toEqual(["d1", "d2"]);
  });

  it("remembers a delivery id for its window only: a duplicate within it is skipped, one after it runs", async () => {
    const queue = make({ deliveryWindowMs: 400 });
    const runs: string[] = [];
    const first = Date.now();
    expect(await queue.push(job("rocket", "w1"))).toBe(true);
    expect(await queue.push(job("rocket", "w1"))).toBe(false);
    await sleep(first + 600 - Date.now());
    expect(await queue.push(job("rocket", "w1"))).toBe(true);
    queue.start(async (j) => {
      runs.push(label(j));
    });
    await within(queue.idle(), 10_000, "idle");
    expect(runs).toEqual(["w1", "w1"]);
  });

  it("merges waiting jobs with the same kind and coalesce key, never into one already running", async () => {
    const queue = make();
    const runs: string[] = [];
    const firstRunning = gate();
    const release = gate();
    queue.start(async (j) => {
      runs.push(label(j));
      if (label(j) === "first") {
        firstRunning.open();
        await release.opened;
      }
    });
    await queue.push(job("rocket", "first", { coalesce: "pr-1" }));
    await within(firstRunning.opened, 10_000, "first job started");
    const pushed = [
      await queue.push(job("rocket", "c1", { coalesce: "pr-1" })),
      await queue.push(job("rocket", "c2", { coalesce: "pr-1" })),
      await queue.push(job("rocket", "c3", { coalesce: "pr-2" })),
      await queue.push(job("rocket", "plain")),
      await queue.push(job("rocket", "issue", { coalesce: "pr-1", kind: "issue" })),
      await queue.push(job("rocket", "c4", { coalesce: "pr-1" })),
    ];
    expect(pushed).toEqual([true, true, true, true, true, true]);
    expect(queue.pending().map(label)).toEqual(["first", "c1+c2+c4", "c3", "plain", "issue"]);
    release.open();
    await within(queue.idle(), 10_000, "idle");
    expect(runs).toEqual(["first", "c1+c2+c4", "c3", "plain", "issue"]);
  });

  it("reports a job that throws and goes on with the next one of that repository", async () => {
    const errors: [string, string][] = [];
    const done: [string, JobOutcome][] = [];
    const queue = make({
      onError: (error, j) => errors.push([(error as Error).message, j.deliveryId]),
      onDone: (j, outcome) => done.push([j.deliveryId, outcome]),
    });
    await queue.push(job("rocket", "boom"));
    await queue.push(job("rocket", "fine"));
    queue.start(async (j) => {
      if (j.deliveryId === "boom") throw new Error("GitHub said 422");
    });
    await within(queue.idle(), 10_000, "idle");
    expect(errors).toEqual([["GitHub said 422", "boom"]]);
    expect(done).toEqual([
      ["boom", "failed"],
      ["fine", "ok"],
    ]);
  });

  it("idle waits for jobs queued while others run, and resolves at once when nothing is queued", async () => {
    const queue = make();
    await within(queue.idle(), 1000, "idle of an empty queue");
    const runs: string[] = [];
    queue.start(async (j) => {
      runs.push(label(j));
      await sleep(20);
      if (j.deliveryId === "x1") await queue.push(job("other", "x2"));
    });
    await queue.push(job("rocket", "x1"));
    await within(queue.idle(), 10_000, "idle");
    expect(runs).toEqual(["x1", "x2"]);
  });

  it("keeps jobs pushed before start waiting for it; pending lists them oldest first", async () => {
    const queue = make();
    const older = job("rocket", "p1");
    const newer = job("other", "p2");
    await queue.push(newer);
    await queue.push(older);
    expect(queue.pending().map((j) => j.deliveryId)).toEqual(["p1", "p2"]);
    let idle = false;
    void queue.idle().then(() => {
      idle = true;
    });
    await sleep(200);
    expect(idle).toBe(false);
    const runs: string[] = [];
    queue.start(async (j) => {
      runs.push(label(j));
    });
    await within(queue.idle(), 10_000, "idle");
    expect(runs.sort()).toEqual(["p1", "p2"]);
    expect(queue.pending()).toEqual([]);
  });

  it("close waits for the running job to finish, however often it is called", async () => {
    const queue = make();
    const running = gate();
    const release = gate();
    const finished: string[] = [];
    queue.start(async (j) => {
      running.open();
      await release.opened;
      finished.push(label(j));
    });
    await queue.push(job("rocket", "slow"));
    await within(running.opened, 10_000, "the job started");
    let closed = 0;
    const closing = [queue.close(), queue.close()].map((c) => c.then(() => closed++));
    await sleep(100);
    expect(closed).toBe(0);
    release.open();
    await within(Promise.all(closing), 10_000, "close");
    expect(finished).toEqual(["slow"]);
    expect(closed).toBe(2);
  });

  it("takes ready work round-robin across installations: B's jobs do not wait behind A's", async () => {
    const queue = make({ concurrency: 1 });
    const runs: string[] = [];
    for (const id of ["a1", "a2", "a3", "a4"]) await queue.push(job(`a-${id}`, id));
    for (const id of ["b1", "b2"]) await queue.push(job(`b-${id}`, id, { installationId: 2 }));
    queue.start(async (j) => {
      runs.push(label(j));
    });
    await within(queue.idle(), 10_000, "idle");
    expect(runs).toEqual(["a1", "b1", "a2", "b2", "a3", "a4"]);
  });

  it("takes one installation's repositories in turn: a busy repository does not keep the others waiting", async () => {
    const queue = make({ concurrency: 1 });
    const runs: string[] = [];
    for (const id of ["x1", "x2", "x3"]) await queue.push(job("busy", id));
    await queue.push(job("quiet", "y1"));
    queue.start(async (j) => {
      runs.push(label(j));
    });
    await within(queue.idle(), 10_000, "idle");
    expect(runs).toEqual(["x1", "y1", "x2", "x3"]);
  });

  it("starts no job of a held installation before its hold ends, and keeps its slot for the others", async () => {
    const holdMs = 400;
    const until = Date.now() + holdMs;
    const queue = make({
      concurrency: 1,
      holds: { heldUntil: async (installationId) => (installationId === 1 ? until : 0) },
    });
    const runs: [string, number][] = [];
    await queue.push(job("rocket", "held1"));
    await queue.push(job("rocket", "held2"));
    await queue.push(job("other", "free", { installationId: 2 }));
    queue.start(async (j) => {
      runs.push([label(j), Date.now()]);
    });
    await within(queue.idle(), 10_000, "idle");
    expect(runs.map(([id]) => id)).toEqual(["free", "held1", "held2"]);
    expect(runs[0]?.[1]).toBeLessThan(until);
    for (const [, at] of runs.slice(1)) expect(at).toBeGreaterThanOrEqual(until);
  });

  it("refuses new jobs once closed", async () => {
    const queue = make();
    queue.start(async () => {});
    await queue.close();
    await expect(queue.push(job("rocket", "late"))).rejects.toThrow(/closed/);
  });
});

/** Starts test/helpers/queue-process.ts on the same Redis keys and waits until it takes work. */
async function spawnQueueProcess(
  url: string,
  prefix: string,
): Promise<{
  child: ChildProcess;
  started: (deliveryId: string) => Promise<void>;
}> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(REPO_ROOT, "test", "helpers", "queue-process.ts")],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, REDIS_URL: url, QUEUE_PREFIX: prefix, QUEUE_LOCK_MS: "1000" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (stdout.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const printed = (text: string) =>
    within(
      new Promise<void>((resolve) => {
        if (stdout.includes(text)) resolve();
        else waiters.push({ text, resolve });
      }),
      10_000,
      `the other process to print "${text}" (stderr: ${stderr})`,
    );
  await printed("ready");
  return { child, started: (deliveryId) => printed(`started ${deliveryId}\n`) };
}

/** A budget stand-in whose pacing the test tells: `pace(installation, true)` as a request of it starts to sleep. */
function pacingBudget(): {
  holds: NonNullable<JobQueueEvents["holds"]>;
  pace: (installationId: number, paced: boolean) => void;
} {
  const listeners = new Set<(installationId: number, paced: boolean) => void>();
  return {
    holds: {
      heldUntil: async () => 0,
      watchPacing: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    pace: (installationId, paced) => {
      for (const listener of listeners) listener(installationId, paced);
    },
  };
}

describe("InMemoryJobQueue: an installation waiting for its budget", () => {
  it("lends its running jobs' slots to other installations and starts none of its own until the wait is over", async () => {
    const budget = pacingBudget();
    const queue = memory({ concurrency: 1, holds: budget.holds });
    const started: string[] = [];
    const aSleeps = gate();
    const bRan = gate();
    await queue.push(job("a-one", "a1"));
    await queue.push(job("a-two", "a2"));
    await queue.push(job("b-one", "b1", { installationId: 2 }));
    queue.start(async (j) => {
      started.push(label(j));
      if (label(j) === "a1") await aSleeps.opened;
      if (label(j) === "b1") bRan.open();
    });
    await within(
      (async () => {
        while (started.length === 0) await sleep(5);
      })(),
      5_000,
      "a1 started",
    );
    // a1's request now sleeps on A's budget: B's job runs in its slot, A's next one does not.
    budget.pace(1, true);
    await within(bRan.opened, 5_000, "B's job ran while A's job slept on its budget");
    expect(started).toEqual(["a1", "b1"]);
    budget.pace(1, false);
    aSleeps.open();
    await within(queue.idle(), 5_000, "idle");
    expect(started).toEqual(["a1", "b1", "a2"]);
  });

  it("starts no job of a paced installation while it waits, so its jobs in flight stay within the limit", async () => {
    const budget = pacingBudget();
    const queue = memory({ concurrency: 1, holds: budget.holds });
    const started: string[] = [];
    const bDone = gate();
    await queue.push(job("a-one", "a1"));
    await queue.push(job("a-two", "a2"));
    await queue.push(job("b-one", "b1", { installationId: 2 }));
    await queue.push(job("b-two", "b2", { installationId: 2 }));
    queue.start(async (j) => {
      started.push(label(j));
      if (label(j) === "a1") {
        budget.pace(1, true);
        await bDone.opened;
        budget.pace(1, false);
      }
      if (label(j) === "b2") bDone.open();
    });
    await within(queue.idle(), 5_000, "idle");
    // A's turn came after b1, but A was still waiting for its budget: b2 went first.
    expect(started).toEqual(["a1", "b1", "b2", "a2"]);
  });
});

describe.skipIf(noRedis !== null).each(REDIS_KINDS)(
  "RedisJobQueue: several processes on $name",
  (kind) => {
    const redis = () => serverOf(kind.name);
    const redisQueue = redisQueueOn(kind.name);
    const slot = (prefix: string) => slotOf(redis().connection, prefix);

    it("shares the work between processes, never running two jobs of one repository at once", async () => {
      const prefix = nextPrefix();
      const a = redisQueue({ prefix, concurrency: 2 });
      const b = redisQueue({ prefix, concurrency: 2 });
      const runningPerRepo = new Map<string, number>();
      let mostAtOnce = 0;
      const order = new Map<string, string[]>();
      const ranBy = new Set<string>();
      const runner = (name: string) => async (j: JobData) => {
        const repo = j.repo.repo;
        const now = (runningPerRepo.get(repo) ?? 0) + 1;
        runningPerRepo.set(repo, now);
        mostAtOnce = Math.max(mostAtOnce, now);
        ranBy.add(name);
        order.set(repo, [...(order.get(repo) ?? []), j.deliveryId]);
        await sleep(15);
        runningPerRepo.set(repo, (runningPerRepo.get(repo) ?? 1) - 1);
      };
      a.start(runner("a"));
      b.start(runner("b"));
      const repos = ["r1", "r2", "r3", "r4"];
      for (let n = 1; n <= 5; n++) {
        for (const repo of repos) {
          // Both processes receive webhooks for every repository.
          await (n % 2 ? a : b).push(job(repo, `${repo}-${n}`));
        }
      }
      await within(Promise.all([a.idle(), b.idle()]), 15_000, "both idle");
      expect(mostAtOnce).toBe(1);
      for (const repo of repos) {
        expect(order.get(repo)).toEqual([1, 2, 3, 4, 5].map((n) => `${repo}-${n}`));
      }
      expect([...ranBy].sort()).toEqual(["a", "b"]);
    });

    it("strands no job pushed while a repository is being drained or has just drained", async () => {
      const prefix = nextPrefix();
      const a = redisQueue({ prefix, concurrency: 2 });
      const b = redisQueue({ prefix, concurrency: 2 });
      const ran: string[] = [];
      const run = async (j: JobData) => {
        ran.push(j.deliveryId);
      };
      a.start(run);
      b.start(run);
      const pushed: string[] = [];
      // Pushes land while a drain runs, just as it finds the list empty, and after it ended.
      for (let n = 0; n < 60; n++) {
        const id = `burst-${n}`;
        pushed.push(id);
        await (n % 2 ? a : b).push(job("rocket", id));
        if (n % 7 === 0) await sleep(n % 3);
      }
      await within(Promise.all([a.idle(), b.idle()]), 15_000, "both idle");
      expect(ran).toEqual(pushed);
    });

    it("runs a job pushed just as its repository's drain finds the list empty", async () => {
      const late: Promise<boolean>[] = [];
      const ran: string[] = [];
      const queue = redisQueue({
        concurrency: 4,
        // Called between the job's FINISH and the drain's next TAKE: the push races the drain's end.
        onDone: (j) => {
          if (j.deliveryId.startsWith("trigger")) {
            late.push(queue.push(job(j.repo.repo, j.deliveryId.replace("trigger", "late"))));
          }
        },
      });
      queue.start(async (j) => {
        ran.push(j.deliveryId);
      });
      const repos = Array.from({ length: 20 }, (_, n) => `race-${n}`);
      for (const repo of repos) await queue.push(job(repo, `trigger-${repo}`));
      await within(queue.idle(), 5000, "idle");
      await Promise.all(late);
      await within(queue.idle(), 5000, "idle after the late pushes");
      expect(ran.filter((id) => id.startsWith("late")).sort()).toEqual(
        repos.map((repo) => `late-${repo}`).sort(),
      );
    });

    it("runs a delivery once whichever process receives it", async () => {
      const prefix = nextPrefix();
      const a = redisQueue({ prefix });
      const b = redisQueue({ prefix });
      expect(await a.push(job("rocket", "twice"))).toBe(true);
      expect(await b.push(job("rocket", "twice"))).toBe(false);
      expect(b.pending()).toEqual([]);
    });

    it("stops listing as pending, within a second or so, a job it queued that another process ran", async () => {
      const prefix = nextPrefix();
      const a = redisQueue({ prefix });
      const b = redisQueue({ prefix });
      await a.push(job("rocket", "elsewhere"));
      expect(a.pending().map(label)).toEqual(["elsewhere"]);
      const ran = gate();
      b.start(async () => ran.open());
      await within(ran.opened, 10_000, "b ran it");
      await sleep(1500);
      expect(a.pending()).toEqual([]);
    });

    it("merges a job into a waiting twin another process queued", async () => {
      const prefix = nextPrefix();
      const a = redisQueue({ prefix });
      const b = redisQueue({ prefix });
      const runs: string[] = [];
      const blockerRunning = gate();
      const release = gate();
      a.start(async (j) => {
        runs.push(label(j));
        if (label(j) === "blocker") {
          blockerRunning.open();
          await release.opened;
        }
      });
      await a.push(job("rocket", "blocker"));
      await within(blockerRunning.opened, 10_000, "blocker started");
      await a.push(job("rocket", "from-a", { coalesce: "pr-7" }));
      await b.push(job("rocket", "from-b", { coalesce: "pr-7" }));
      release.open();
      await within(Promise.all([a.idle(), b.idle()]), 10_000, "both idle");
      expect(runs).toEqual(["blocker", "from-a+from-b"]);
    });

    it("finishes a job whose process died mid-job in another process, before the repository's next job", async () => {
      const prefix = nextPrefix();
      const survivor = redisQueue({ prefix });
      await survivor.push(job("rocket", "k1"));
      await survivor.push(job("rocket", "k2"));
      const other = await spawnQueueProcess(redis().url, prefix);
      await other.started("k1");
      const exited = new Promise((resolve) => other.child.once("exit", resolve));
      other.child.kill("SIGKILL");
      await exited;
      const runs: string[] = [];
      survivor.start(async (j) => {
        runs.push(label(j));
      });
      await within(survivor.idle(), 10_000, "the survivor finished the dead process's work");
      expect(runs).toEqual(["k1", "k2"]);
    });

    it("close lets the running job finish and leaves the rest in Redis for the next process", async () => {
      const prefix = nextPrefix();
      const first = redisQueue({ prefix });
      const runs: string[] = [];
      const q1Running = gate();
      const release = gate();
      first.start(async (j) => {
        runs.push(`first ran ${label(j)}`);
        if (label(j) === "q1") {
          q1Running.open();
          await release.opened;
        }
      });
      await first.push(job("rocket", "q1"));
      await first.push(job("rocket", "q2"));
      await within(q1Running.opened, 10_000, "q1 started");
      expect(first.pending().map(label)).toEqual(["q1", "q2"]);
      const closed = first.close();
      await sleep(50);
      release.open();
      await within(closed, 10_000, "close");
      await within(first.idle(), 1000, "idle after close");

      const next = redisQueue({ prefix });
      const q2Ran = gate();
      next.start(async (j) => {
        runs.push(`next ran ${label(j)}`);
        q2Ran.open();
      });
      await within(q2Ran.opened, 10_000, "the next process ran q2");
      expect(runs).toEqual(["first ran q1", "next ran q2"]);
    });

    it("keeps jobs queued by a process that closed before running them: the next start runs them", async () => {
      const prefix = nextPrefix();
      const first = redisQueue({ prefix });
      await first.push(job("rocket", "s1"));
      await first.push(job("other", "s2"));
      await first.close();
      const next = redisQueue({ prefix });
      const runs: string[] = [];
      const both = gate();
      next.start(async (j) => {
        runs.push(label(j));
        if (runs.length === 2) both.open();
      });
      await within(both.opened, 10_000, "the next process ran both");
      expect(runs.sort()).toEqual(["s1", "s2"]);
    });

    it("waits while another process holds the repository's lock", async () => {
      const prefix = nextPrefix();
      const queue = redisQueue({ prefix });
      const client = redisClient(redis().connection);
      try {
        // Another process draining acme/rocket (after a crash its ticket and the new one can both exist).
        await client.set(`${slot(prefix)}:q:acme/rocket:lock`, "another-process", "PX", 10_000);
        const runs: string[] = [];
        queue.start(async (j) => {
          runs.push(label(j));
        });
        await queue.push(job("rocket", "held"));
        await queue.push(job("other", "free"));
        await sleep(400);
        expect(runs).toEqual(["free"]);
        await client.del(`${slot(prefix)}:q:acme/rocket:lock`);
        await within(queue.idle(), 5000, "idle once the lock is released");
        expect(runs).toEqual(["free", "held"]);
      } finally {
        client.disconnect();
      }
    });

    it("runs jobs whose BullMQ ticket was lost (a crash between the two writes of a push) at the next start", async () => {
      const prefix = nextPrefix();
      const first = redisQueue({ prefix });
      await first.push(job("rocket", "orphan"));
      await first.close();
      const client = redisClient(redis().connection);
      const tickets = new Queue("drain", { connection: client, prefix: `${slot(prefix)}:bull` });
      try {
        await tickets.obliterate({ force: true });
      } finally {
        await tickets.close();
        client.disconnect();
      }
      const next = redisQueue({ prefix });
      const ran = gate();
      next.start(async (j) => {
        if (label(j) === "orphan") ran.open();
      });
      await within(ran.opened, 10_000, "the next start ran the orphaned job");
    });

    it("drops and reports a job that was started three times and never finished (it took its workers down)", async () => {
      const prefix = nextPrefix();
      const queue = redisQueue({
        prefix,
        onError: (error, j) => errors.push([(error as Error).message, j.deliveryId]),
        onDone: (j, outcome) => done.push([j.deliveryId, outcome]),
      });
      const errors: [string, string][] = [];
      const done: [string, JobOutcome][] = [];
      await queue.push(job("rocket", "poison"));
      await queue.push(job("rocket", "after"));
      // What three crashed workers leave behind: the item in "active", started three times.
      const client = redisClient(redis().connection);
      try {
        const [poisonId] = await client.lrange(`${slot(prefix)}:q:acme/rocket:wait`, 0, 0);
        expect(poisonId).toBeDefined();
        await client.lmove(
          `${slot(prefix)}:q:acme/rocket:wait`,
          `${slot(prefix)}:q:acme/rocket:active`,
          "LEFT",
          "RIGHT",
        );
        await client.hset(`${slot(prefix)}:q:item:${poisonId}`, "starts", 3);
      } finally {
        client.disconnect();
      }
      const runs: string[] = [];
      queue.start(async (j) => {
        runs.push(label(j));
      });
      await within(queue.idle(), 10_000, "idle");
      expect(runs).toEqual(["after"]);
      expect(errors).toEqual([[expect.stringMatching(/dropped after 3 starts/), "poison"]]);
      expect(done).toEqual([
        ["poison", "failed"],
        ["after", "ok"],
      ]);
    });
  },
);
