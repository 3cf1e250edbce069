import { describe, expect, it } from "vitest";
import { LinkIndex } from "../../../src/app/link-index.js";
import { pullsClosing } from "../../../src/core/affected.js";

const web = { owner: "acme", repo: "web" };
const issue = { owner: "acme", repo: "rocket", number: 7 };

describe("LinkIndex", () => {
  it("reads a repository's PR links once per TTL, and again after one of its PRs changed", async () => {
    let now = 0;
    let loads = 0;
    const index = new LinkIndex(1000, () => now);
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
    index.forgetRepository(web);
    await index.pullLinks(web, load);
    expect(loads).toBe(3);
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
