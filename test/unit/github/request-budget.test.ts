import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiRequest } from "../../../src/core/request-cost.js";
import { SET_VALUE_MUTATION } from "../../../src/github/projects.js";
import {
  type BudgetClock,
  ConcurrencyCap,
  InMemoryRequestBudget,
  isRequestBudgetClosed,
  RedisRequestBudget,
  type RequestBudget,
  RequestBudgetClosed,
  requestBudgetFor,
} from "../../../src/github/request-budget.js";
import { REDIS_KINDS, type RedisUnderTest, redisUnavailable } from "../../helpers/redis-server.js";

const R = "https://api.github.com/repos/acme/rocket";
const GET: ApiRequest = { method: "GET", url: `${R}/commits/s1/check-runs` };
const WRITE: ApiRequest = { method: "PATCH", url: `${R}/check-runs/1` };
const CHECK: ApiRequest = { method: "POST", url: `${R}/check-runs` };
const COMMENT: ApiRequest = { method: "POST", url: `${R}/issues/1/comments` };
const QUERY: ApiRequest = {
  method: "POST",
  url: "https://api.github.com/graphql",
  body: JSON.stringify({ query: "{ viewer { login } }" }),
};
/** A project item's field set: a mutation that notifies nobody. */
const PROJECT_MUTATION: ApiRequest = {
  method: "POST",
  url: "https://api.github.com/graphql",
  body: JSON.stringify({ query: SET_VALUE_MUTATION }),
};
/** GitHub's second between mutations, plus the budget's 50 ms for one in transit. */
const GAP = 1_050;
/** GitHub's minute, plus the second the budget adds for requests in transit. */
const WINDOW = 61_000;

/** Virtual time: a sleep moves the hands at once and is written down, so tests count waits, never time them. */
class FakeClock implements BudgetClock {
  readonly sleeps: number[] = [];
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

/** A clock whose sleeps last until the budget closes. */
/** Time moved by the test; each sleep ends when the test wakes it. */
class WakeableClock implements BudgetClock {
  time = 1_000_000;
  readonly sleepers: (() => void)[] = [];
  now(): number {
    return this.time;
  }
  sleep(_ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sleepers.push(resolve);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }
}

class StuckClock implements BudgetClock {
  sleeping = 0;
  now(): number {
    return 0;
  }
  sleep(_ms: number, signal: AbortSignal): Promise<void> {
    this.sleeping++;
    return new Promise((_resolve, reject) =>
      signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
    );
  }
}

async function takeMany(
  budget: RequestBudget,
  installationId: number,
  n: number,
  request: ApiRequest,
) {
  for (let i = 0; i < n; i++) await budget.take(installationId, request);
}

type Batch = [count: number, request: ApiRequest];

/** What every budget promises the job client. `make` gets a fresh, isolated budget on the given clock. */
function contract(name: string, make: (clock: BudgetClock) => RequestBudget) {
  describe(name, () => {
    it.each<[string, Batch[], ApiRequest, number[]]>([
      ["180 writes fit in a minute, the 181st waits a window", [[180, WRITE]], WRITE, [WINDOW]],
      ["179 writes leave room for a 180th", [[179, WRITE]], WRITE, []],
      ["900 reads fit, the 901st waits", [[900, GET]], GET, [WINDOW]],
      ["899 reads leave room for a 900th", [[899, GET]], GET, []],
      ["900 reads fill their endpoint's points: the 901st waits", [[900, GET]], GET, [WINDOW]],
      ["a write costs 5: 180 fill the points, the 181st waits", [[180, WRITE]], WRITE, [WINDOW]],
      [
        "points are per endpoint: a read passes after 180 writes of another",
        [[180, WRITE]],
        GET,
        [],
      ],
      [
        "one endpoint family shares them: updates and creates of check runs on one path are two (methods differ), the same method's paths one",
        [[180, WRITE]],
        { method: "PATCH", url: `${R}/check-runs/2` },
        [WINDOW],
      ],
      [
        "80 comments fit, the 81st waits though points are left",
        [[80, COMMENT]],
        COMMENT,
        [WINDOW],
      ],
      ["a check run is not content: it passes after 80 comments", [[80, COMMENT]], CHECK, []],
      ["GraphQL has its own points: a query passes after 900 REST points", [[900, GET]], QUERY, []],
      ["2,000 GraphQL queries fit, the 2,001st waits", [[2000, QUERY]], QUERY, [WINDOW]],
      [
        "a mutation waits a second after the previous one",
        [[1, PROJECT_MUTATION]],
        PROJECT_MUTATION,
        [GAP],
      ],
      ["a query does not wait for the mutation gap", [[1, PROJECT_MUTATION]], QUERY, []],
      [
        "queries in between do not shorten the gap",
        [
          [1, PROJECT_MUTATION],
          [5, QUERY],
        ],
        PROJECT_MUTATION,
        [GAP],
      ],
      [
        "project mutations are not content: 80 comments leave them at their second",
        [[80, COMMENT]],
        PROJECT_MUTATION,
        [],
      ],
    ])("%s", async (_name, batches, next, sleeps) => {
      const clock = new FakeClock();
      const budget = make(clock);
      for (const [count, request] of batches) await takeMany(budget, 1, count, request);
      expect(clock.sleeps).toEqual([]);
      await budget.take(1, next);
      expect(clock.sleeps).toEqual(sleeps);
      await budget.close();
    });

    it("paces 60 project mutations a second apart: GitHub's floor, not the 80-a-minute content limit", async () => {
      const clock = new FakeClock();
      const start = clock.time;
      const budget = make(clock);
      await takeMany(budget, 1, 60, PROJECT_MUTATION);
      expect(clock.sleeps).toEqual(Array.from({ length: 59 }, () => GAP));
      expect(clock.time - start).toBe(59 * GAP);
      // Another installation's mutations are paced apart from these.
      await budget.take(2, PROJECT_MUTATION);
      expect(clock.sleeps).toHaveLength(59);
      await budget.close();
    });

    it("waits only until enough of the oldest requests left the window", async () => {
      const clock = new FakeClock();
      const budget = make(clock);
      await takeMany(budget, 1, 100, WRITE);
      clock.time += 10_000;
      await takeMany(budget, 1, 80, WRITE);
      clock.time += 10_000;
      await budget.take(1, WRITE);
      // The first 100 writes leave the window 61 s after they were sent, 20 s ago.
      expect(clock.sleeps).toEqual([WINDOW - 20_000]);
      await budget.close();
    });

    it("keeps installations apart: one org's flip does not slow another", async () => {
      const clock = new FakeClock();
      const budget = make(clock);
      await takeMany(budget, 1, 180, WRITE);
      await takeMany(budget, 2, 180, WRITE);
      expect(clock.sleeps).toEqual([]);
      await budget.close();
    });

    it("lets a request of another endpoint past one waiting for room (GitHub counts points per endpoint)", async () => {
      const clock = new StuckClock();
      const budget = make(clock);
      await takeMany(budget, 1, 180, WRITE);
      const waiting = budget.take(1, WRITE);
      await vi_waitFor(() => clock.sleeping === 1);
      // Resolves while the write still waits for its window: no head-of-line wait across endpoints.
      await budget.take(1, GET);
      expect(clock.sleeping).toBe(1);
      await budget.close();
      await expect(waiting).rejects.toBeInstanceOf(RequestBudgetClosed);
    });

    it("counts the hour's 500 content-creating requests, not only the minute's 80", async () => {
      const clock = new FakeClock();
      const start = clock.time;
      const budget = make(clock);
      await takeMany(budget, 1, 501, COMMENT);
      // 80 a window until 500, then the 501st waits for the first to leave the hour.
      expect(clock.sleeps.slice(0, 6)).toEqual([WINDOW, WINDOW, WINDOW, WINDOW, WINDOW, WINDOW]);
      expect(clock.time - start).toBe(3_601_000);
      await budget.close();
    });

    it("holds an installation's requests for the time GitHub asked, without shortening a longer hold", async () => {
      const clock = new FakeClock();
      const budget = make(clock);
      await budget.hold(1, 30_000);
      await budget.hold(1, 10_000);
      await budget.take(2, GET);
      expect(clock.sleeps).toEqual([]);
      await budget.take(1, GET);
      expect(clock.sleeps).toEqual([30_000]);
      await budget.take(1, GET);
      expect(clock.sleeps).toEqual([30_000]);
      await budget.close();
    });

    it("tells when an installation's hold ends (what the queues ask before starting its jobs)", async () => {
      const clock = new FakeClock();
      const budget = make(clock);
      expect(await budget.heldUntil(1)).toBe(0);
      await budget.hold(1, 30_000);
      await budget.hold(1, 10_000);
      expect(await budget.heldUntil(1)).toBe(clock.time + 30_000);
      expect(await budget.heldUntil(2)).toBe(0);
      await budget.close();
    });

    it("tells its watchers when an installation's requests start and stop waiting for room (what the in-process queue lends slots by)", async () => {
      const clock = new FakeClock();
      const budget = make(clock);
      const told: [number, boolean][] = [];
      const stop = budget.watchPacing((installationId, paced) =>
        told.push([installationId, paced]),
      );
      await takeMany(budget, 1, 180, WRITE);
      await takeMany(budget, 2, 10, WRITE);
      expect(told).toEqual([]);
      // The 181st write sleeps a window, and the read queued behind it goes at once after it.
      await Promise.all([budget.take(1, WRITE), budget.take(1, GET)]);
      expect(told).toEqual([
        [1, true],
        [1, false],
      ]);
      stop();
      await takeMany(budget, 1, 180, WRITE);
      expect(told).toHaveLength(2);
      await budget.close();
    });

    it("tells an installation paced until the last of its sleeping requests is let through", async () => {
      const clock = new WakeableClock();
      const budget = make(clock);
      const told: [number, boolean][] = [];
      budget.watchPacing((installationId, paced) => told.push([installationId, paced]));
      await takeMany(budget, 1, 180, WRITE);
      await takeMany(budget, 1, 900, GET);
      // Two endpoints' lines asleep at once: one wait, told once.
      const first = Promise.all([budget.take(1, WRITE), budget.take(1, GET)]);
      await vi_waitFor(() => clock.sleepers.length === 2);
      expect(told).toEqual([[1, true]]);
      clock.time += WINDOW;
      clock.sleepers.shift()?.();
      await vi_waitFor(() => clock.sleepers.length === 1);
      // One of them is through, the other still asleep: still paced.
      await new Promise((r) => setTimeout(r, 20));
      expect(told).toEqual([[1, true]]);
      clock.sleepers.shift()?.();
      await first;
      expect(told).toEqual([
        [1, true],
        [1, false],
      ]);
      await budget.close();
    });

    it("on close, rejects the request waiting for room and every later one", async () => {
      const clock = new StuckClock();
      const budget = make(clock);
      await takeMany(budget, 1, 180, WRITE);
      const waiting = budget.take(1, WRITE);
      // Behind the waiting write of its endpoint: it waits in line, and is rejected with it.
      const queued = budget.take(1, WRITE);
      await vi_waitFor(() => clock.sleeping === 1);
      await budget.close();
      await expect(waiting).rejects.toBeInstanceOf(RequestBudgetClosed);
      await expect(queued).rejects.toBeInstanceOf(RequestBudgetClosed);
      const later = await budget.take(2, GET).catch((e: unknown) => e);
      expect(isRequestBudgetClosed(later)).toBe(true);
    });
  });
}

/** Polls until `condition` holds (the Redis budget reaches its sleep after a round trip). */
async function vi_waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(condition()).toBe(true);
}

contract("InMemoryRequestBudget", (clock) => new InMemoryRequestBudget({ clock }));

describe("InMemoryRequestBudget's memory", () => {
  it("forgets installations whose windows emptied", async () => {
    const clock = new FakeClock();
    const budget = new InMemoryRequestBudget({ clock });
    for (let id = 1; id <= 999; id++) await budget.take(id, GET);
    expect(budget.trackedInstallations).toBe(999);
    clock.time += WINDOW;
    await budget.take(1_000, GET); // the 1,000th admission sweeps
    expect(budget.trackedInstallations).toBe(1);
  });
});

describe("ConcurrencyCap", () => {
  it("lets `max` requests of an installation run, the next ones in arrival order as slots free", async () => {
    const cap = new ConcurrencyCap(2);
    const first = await cap.acquire(1);
    await cap.acquire(1);
    const order: string[] = [];
    const third = cap.acquire(1).then((release) => {
      order.push("third");
      return release;
    });
    const fourth = cap.acquire(1).then(() => order.push("fourth"));
    await cap.acquire(2); // another installation is not held up
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // a second release frees nothing more
    await third;
    expect(order).toEqual(["third"]);
    expect(cap.inFlight(1)).toBe(2);
    (await third)();
    await fourth;
    expect(order).toEqual(["third", "fourth"]);
  });

  it.each([0, -1, 1.5])("refuses a cap of %s", (max) => {
    expect(() => new ConcurrencyCap(max)).toThrow(RangeError);
  });
});

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[request-budget.test] skipping Redis: ${noRedis}\n`);

describe.skipIf(noRedis !== null).each(REDIS_KINDS)("on $name", (kind) => {
  let redis: RedisUnderTest;
  const budgets: RedisRequestBudget[] = [];
  let prefix = 0;
  /** Each budget its own keys unless a test shares them on purpose: one server for the file. */
  function budget(options: ConstructorParameters<typeof RedisRequestBudget>[1] = {}) {
    const made = new RedisRequestBudget(redis.connection, {
      keyPrefix: `test:${++prefix}`,
      ...options,
    });
    budgets.push(made);
    return made;
  }
  beforeAll(async () => {
    redis = await kind.start();
  }, 30_000);
  afterAll(async () => {
    for (const made of budgets) await made.close();
    await redis?.stop();
  });

  contract("RedisRequestBudget", (clock) => budget({ clock }));

  it("is one budget for two processes: their requests add up in Redis", async () => {
    const clock = new FakeClock();
    const keyPrefix = "test:shared";
    const a = budget({ clock, keyPrefix });
    const b = budget({ clock, keyPrefix });
    await takeMany(a, 7, 100, WRITE);
    clock.time += 10_000;
    await takeMany(b, 7, 80, WRITE);
    expect(clock.sleeps).toEqual([]);
    // b's 181st write waits for a's 100 to leave the window, 61 s after a sent them.
    await b.take(7, WRITE);
    expect(clock.sleeps).toEqual([WINDOW - 10_000]);
    // b's 81 writes hold 405 points: 99 more writes of a fit, then a write waits for b's first 80 to leave.
    await takeMany(a, 7, 99, WRITE);
    expect(clock.sleeps).toEqual([WINDOW - 10_000]);
    await a.take(7, GET); // another endpoint: its own points
    expect(clock.sleeps).toEqual([WINDOW - 10_000]);
    await a.take(7, WRITE);
    expect(clock.sleeps).toEqual([WINDOW - 10_000, 10_000]);
  });

  it("without a clock, counts in Redis's own time and sleeps for real", async () => {
    const tiny = {
      name: "tiny",
      windowMs: 200,
      capacity: 2,
      cost: () => 1,
    };
    const real = budget({ limits: [tiny] });
    const started = performance.now();
    await takeMany(real, 1, 3, GET);
    // The third waits for the first to leave the 200 ms window: never sooner.
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("rounds a window of a fraction of a millisecond up (Redis keeps whole ones)", async () => {
    const clock = new FakeClock();
    const odd = { name: "odd", windowMs: 1000.5, capacity: 1, cost: () => 1 };
    const fractional = budget({ clock, limits: [odd] });
    await fractional.take(1, GET);
    clock.time += 1000;
    await fractional.take(1, GET);
    expect(clock.sleeps).toEqual([1]);
  });

  it.each([
    ["REDIS_URL set: shared through Redis", true, RedisRequestBudget],
    ["no REDIS_URL: this process's own", false, InMemoryRequestBudget],
  ])("picks the deployment's budget — %s", async (_name, withRedis, kind) => {
    const picked = requestBudgetFor(withRedis ? redis.connection : undefined);
    expect(picked).toBeInstanceOf(kind);
    await picked.take(1, GET);
    await picked.close();
  });

  it("quits its connection on close", async () => {
    const closing = budget({ clock: new FakeClock() });
    await closing.take(1, GET);
    await closing.close();
    await expect(closing.take(1, GET)).rejects.toBeInstanceOf(RequestBudgetClosed);
  });
});
