import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStateStore } from "../../../src/state/memory-store.js";
import { RedisStateStore } from "../../../src/state/redis-store.js";
import { type StateStore, space } from "../../../src/state/store.js";
import { REDIS_KINDS, type RedisUnderTest, redisUnavailable } from "../../helpers/redis-server.js";

const FILES = space<{ etag: string; text: string }>("files");
const OTHER = space<{ etag: string; text: string }>("other");
const SHORT = space<number>("short", { ttlMs: 50 });

/** What every store must do, whichever process or service backs it. */
function contract(name: string, make: () => StateStore) {
  describe(name, () => {
    it.each([
      [
        "a string-keyed object",
        FILES,
        "acme/rocket:.github/phase-gates.yml",
        { etag: "e1", text: "x" },
      ],
      ["a number", space<number>("numbers"), "k", 42],
      ["a list", space<string[]>("lists"), "k", ["a", "b"]],
    ])("gives back %s as it was stored", async (_what, at, key, value) => {
      const store = make();
      await store.set(at as typeof FILES, key, value as never);
      expect(await store.get(at as typeof FILES, key)).toEqual(value);
    });

    it("answers undefined for what it never held, and after a delete", async () => {
      const store = make();
      expect(await store.get(FILES, "missing")).toBeUndefined();
      await store.set(FILES, "k", { etag: "e", text: "t" });
      await store.delete(FILES, "k");
      expect(await store.get(FILES, "k")).toBeUndefined();
    });

    it("adds an entry only where none is held, and says whether it did", async () => {
      const store = make();
      expect(await store.add(FILES, "k", { etag: "1", text: "first" })).toBe(true);
      expect(await store.add(FILES, "k", { etag: "2", text: "second" })).toBe(false);
      expect((await store.get(FILES, "k"))?.text).toBe("first");
      await store.delete(FILES, "k");
      expect(await store.add(FILES, "k", { etag: "3", text: "third" })).toBe(true);
    });

    it("keeps spaces apart: one key in two spaces is two entries", async () => {
      const store = make();
      await store.set(FILES, "k", { etag: "1", text: "files" });
      await store.set(OTHER, "k", { etag: "2", text: "other" });
      expect((await store.get(FILES, "k"))?.text).toBe("files");
      expect((await store.get(OTHER, "k"))?.text).toBe("other");
    });

    it("hands out copies: changing what get returned changes nothing stored", async () => {
      const store = make();
      await store.set(FILES, "k", { etag: "e", text: "t" });
      const got = await store.get(FILES, "k");
      if (got) got.text = "changed";
      expect((await store.get(FILES, "k"))?.text).toBe("t");
    });
  });
}

contract("MemoryStateStore", () => new MemoryStateStore());

describe("MemoryStateStore limits", () => {
  it("forgets an entry after the space's TTL", async () => {
    let now = 1_000;
    const store = new MemoryStateStore(() => now);
    await store.set(SHORT, "k", 1);
    now += 49;
    expect(await store.get(SHORT, "k")).toBe(1);
    now += 1;
    expect(await store.get(SHORT, "k")).toBeUndefined();
  });

  it("drops the least recently used entry beyond the space's limit", async () => {
    const small = space<number>("small", { limit: 2 });
    const store = new MemoryStateStore();
    await store.set(small, "a", 1);
    await store.set(small, "b", 2);
    await store.get(small, "a"); // a is now the most recently used
    await store.set(small, "c", 3);
    expect(await store.get(small, "b")).toBeUndefined();
    expect(await store.get(small, "a")).toBe(1);
    expect(await store.get(small, "c")).toBe(3);
    expect(store.size()).toBe(2);
  });
});

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[store.test] skipping Redis: ${noRedis}\n`);

describe.skipIf(noRedis !== null).each(REDIS_KINDS)("on $name", (kind) => {
  let redis: RedisUnderTest;
  const stores: RedisStateStore[] = [];
  let prefix = 0;
  beforeAll(async () => {
    redis = await kind.start();
  }, 30_000);
  afterAll(async () => {
    for (const store of stores) await store.close();
    await redis?.stop();
  });

  /** A store under a prefix of its own: what one test writes, no other sees. */
  const open = (at = `test:${++prefix}`) => {
    const store = new RedisStateStore(redis.connection, at);
    stores.push(store);
    return store;
  };

  contract("RedisStateStore", () => open());

  it("is one truth for two processes: what one writes, the other reads", async () => {
    const first = open("shared");
    const second = open("shared");
    await first.set(FILES, "k", { etag: "e9", text: "shared" });
    expect(await second.get(FILES, "k")).toEqual({ etag: "e9", text: "shared" });
    await second.delete(FILES, "k");
    expect(await first.get(FILES, "k")).toBeUndefined();
  });

  it("lets one of two processes add an entry, and only one", async () => {
    const first = open("adding");
    const second = open("adding");
    const answers = await Promise.all([
      first.add(FILES, "k", { etag: "1", text: "first" }),
      second.add(FILES, "k", { etag: "2", text: "second" }),
    ]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await second.get(FILES, "k")).toEqual(
      answers[0] ? { etag: "1", text: "first" } : { etag: "2", text: "second" },
    );
  });

  it("lets an entry expire after the space's TTL", async () => {
    const store = open();
    await store.set(SHORT, "k", 7);
    expect(await store.get(SHORT, "k")).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.get(SHORT, "k")).toBeUndefined();
    expect(await store.add(SHORT, "k", 8)).toBe(true);
  });
});
