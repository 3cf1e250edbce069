import { describe, expect, it } from "vitest";
import { LinkIndex } from "../../../src/app/shared/link-index.js";
import { pullsClosing } from "../../../src/core/affected.js";
import { MemoryStateStore } from "../../../src/state/memory-store.js";
import { redisUnavailable } from "../../helpers/redis-server.js";
import { useRedisStores } from "../../helpers/redis-stores.js";

const web = { owner: "acme", repo: "web" };
const issue = { owner: "acme", repo: "rocket", number: 7 };

describe("LinkIndex", () => {
  it("reads a repository's PR links once per TTL, and again after one of its PRs changed", async () => {
    let now = 0;
    let loads = 0;
    const index = new LinkIndex(new MemoryStateStore(() => now), 1000);
    const load = async () => {
      loads += 1;
      return [{ number: 4, refs: [issue] }];
    };
    await index.pullLinks(web, load);
    await index.pullLinks({ owner: "ACME", repo: "Web" }, load);
    expect(loads).toBe(1);
    now = 1001;
    await index.pullLinks(web, load);
    expect(loads).toBe(2);
    await index.forgetRepository(web);
    await index.pullLinks(web, load);
    expect(loads).toBe(3);
  });
});

const noRedis = redisUnavailable();
if (noRedis) process.stderr.write(`[link-index.test] skipping Redis: ${noRedis}\n`);

describe.skipIf(noRedis !== null)("LinkIndex shared through Redis by two processes", () => {
  const redis = useRedisStores();
  /** One process's index: its own Redis client, the deployment's keys. */
  const processIndex = () => new LinkIndex(redis.store("test:links"));

  it("knows in one process a link another learnt, and forgets it in both", async () => {
    const [first, second] = [processIndex(), processIndex()];
    const loads: string[] = [];
    const load = (who: string) => async () => {
      loads.push(who);
      return [{ number: 4, refs: [issue] }];
    };
    await first.pullLinks(web, load("first"));
    expect(await second.pullLinks(web, load("second"))).toEqual([{ number: 4, refs: [issue] }]);
    expect(loads).toEqual(["first"]);

    await second.forgetRepository(web);
    await first.pullLinks(web, load("first again"));
    expect(loads).toEqual(["first", "first again"]);
  });

  it("shares an installation's repositories, and forgets them in both on an installation change", async () => {
    const [first, second] = [processIndex(), processIndex()];
    let loads = 0;
    const load = async () => {
      loads += 1;
      return [web];
    };
    await first.repositories(42, load);
    expect(await second.repositories(42, load)).toEqual([web]);
    expect(loads).toBe(1);
    await first.forgetInstallation(42);
    await second.repositories(42, load);
    expect(loads).toBe(2);
  });
});

describe("pullsClosing", () => {
  it.each<[string, { owner: string; repo: string; number: number }, number[]]>([
    ["the same issue, any case", { owner: "Acme", repo: "Rocket", number: 7 }, [4]],
    ["another number", { ...issue, number: 8 }, []],
    ["another repository", { ...issue, repo: "api" }, []],
  ])("%s", (_name, ref, want) => {
    expect(
      pullsClosing(issue, [
        { number: 4, refs: [ref] },
        { number: 5, refs: [] },
      ]),
    ).toEqual(want);
  });
});
