import { describe, expect, it } from "vitest";
import { markdownForTerminal } from "../../../src/cli/markdown-text.js";

describe("markdownForTerminal", () => {
  it.each([
    ["a heading loses its hashes", "### Gates before Run", "Gates before Run"],
    [
      "bold and code lose their marks",
      "**Phase:** Run, from label `phase: run`.",
      "Phase: Run, from label phase: run.",
    ],
    [
      "a link keeps its address",
      "waits for the **Walk** gate ([#2](https://gh/acme/rocket/issues/2)).",
      "waits for the Walk gate (#2 <https://gh/acme/rocket/issues/2>).",
    ],
    [
      "a list item stays a list item",
      "- Not yet, not no: `/approve`",
      "- Not yet, not no: /approve",
    ],
    ["a task list keeps its boxes", "- [x] Done\n- [ ] Not yet", "- [x] Done\n- [ ] Not yet"],
    ["escapes and HTML comments go", "a \\| b <!-- marker --> c", "a | b  c"],
  ])("%s", (_name, markdown, text) => {
    expect(markdownForTerminal(markdown, false)).toBe(text);
  });

  it("lays a table out in aligned columns, link text only, escaped pipes kept as text", () => {
    const markdown = [
      "| Gate | Issue | State |",
      "| --- | --- | --- |",
      "| Crawl | [Gate: Crawl → Walk](https://gh/i/1) #1 | ✅ approved |",
      "| Walk \\| two | [Gate: Walk → Run](https://gh/i/2) #2 | ⏳ pending |",
    ].join("\n");
    expect(markdownForTerminal(markdown, false).split("\n")).toEqual([
      "Gate        Issue                  State",
      "Crawl       Gate: Crawl → Walk #1  ✅ approved",
      "Walk | two  Gate: Walk → Run #2    ⏳ pending",
    ]);
  });

  it("puts headings and table headers in bold on a colour terminal only", () => {
    expect(markdownForTerminal("### Next", true)).toBe("\x1b[1mNext\x1b[22m");
    expect(markdownForTerminal("### Next", false)).toBe("Next");
  });
});
