import { describe, expect, it } from "vitest";
import { checklistProgress } from "../../../src/core/checklist.js";
import type { ChecklistProgress } from "../../../src/core/types.js";

describe("checklistProgress: one line", () => {
  it.each<[string, ChecklistProgress]>([
    ["- [ ] Feasibility shown", { total: 1, checked: 0, unchecked: ["Feasibility shown"] }],
    ["* [x] Feasibility shown", { total: 1, checked: 1, unchecked: [] }],
    ["+ [x] plus bullet", { total: 1, checked: 1, unchecked: [] }],
    ["- [X] upper-case X", { total: 1, checked: 1, unchecked: [] }],
    ["1. [ ] numbered", { total: 1, checked: 0, unchecked: ["numbered"] }],
    ["12) [x] numbered with paren", { total: 1, checked: 1, unchecked: [] }],
    ["  - [ ] indented", { total: 1, checked: 0, unchecked: ["indented"] }],
    ["\t- [ ] tab-indented", { total: 1, checked: 0, unchecked: ["tab-indented"] }],
    ["- [ ]   padded text   ", { total: 1, checked: 0, unchecked: ["padded text"] }],
    [
      "- [ ] text with [brackets] and `code`",
      { total: 1, checked: 0, unchecked: ["text with [brackets] and `code`"] },
    ],
  ])("%j", (body, expected) => {
    expect(checklistProgress(body)).toEqual(expected);
  });

  it.each([
    ["a plain bullet", "- Feasibility shown"],
    ["no space after the bullet", "-[ ] squashed"],
    ["no text after the box", "- [ ]"],
    ["only spaces after the box", "- [x]   "],
    ["another mark in the box", "- [-] dashed"],
    ["a box without a bullet", "[ ] orphan"],
    ["a box mid-sentence", "Check - [ ] this"],
  ])("%s is not a task", (_name, body) => {
    expect(checklistProgress(body)).toEqual({ total: 0, checked: 0, unchecked: [] });
  });

  it.each([null, undefined, ""])("%j → empty progress", (body) => {
    expect(checklistProgress(body)).toEqual({ total: 0, checked: 0, unchecked: [] });
  });
});

describe("checklistProgress: whole bodies", () => {
  it("counts checked items and captures unchecked text in order", () => {
    const body = [
      "## Criteria",
      "",
      "- [x] Feasibility shown with evidence",
      "- [ ] Cost estimate agreed",
      "* [X] Risks listed",
      "  - [ ] Security review",
      "1. [ ] Pilot users found",
      "",
      "Decide with `/approve`.",
    ].join("\n");
    expect(checklistProgress(body)).toEqual({
      total: 5,
      checked: 2,
      unchecked: ["Cost estimate agreed", "Security review", "Pilot users found"],
    });
  });

  it("handles CRLF line endings", () => {
    expect(checklistProgress("- [x] a\r\n- [ ] b\r\n")).toEqual({
      total: 2,
      checked: 1,
      unchecked: ["b"],
    });
  });

  it.each([
    ["a backtick fence", "```\n- [ ] example\n```"],
    ["a fence with a language", "```markdown\n- [ ] example\n- [x] done\n```"],
    ["a tilde fence", "~~~\n- [ ] example\n~~~"],
    ["an indented fence", "  ```\n- [ ] example\n  ```"],
    ["a ~~~ fence containing ```", "~~~\n```\n- [ ] example\n```\n~~~"],
    ["an unclosed fence", "```\n- [ ] example"],
  ])("ignores items in %s", (_name, body) => {
    expect(checklistProgress(`- [x] real\n${body}`)).toEqual({
      total: 1,
      checked: 1,
      unchecked: [],
    });
  });

  it("counts items again after a fence closes", () => {
    expect(checklistProgress("```\n- [ ] a\n```\n- [ ] b")).toEqual({
      total: 1,
      checked: 0,
      unchecked: ["b"],
    });
  });

  // Fixed: items inside an HTML comment are not rendered by GitHub (no checkbox anyone can
  // tick), yet they count as unchecked criteria, so a gate whose template keeps an example
  // criterion in a comment can never be approved while requireCriteria is on.
  it("ignores items inside a multi-line HTML comment", () => {
    const body = "<!--\n- [ ] Example criterion: delete me\n-->\n- [x] Feasibility shown";
    expect(checklistProgress(body)).toEqual({ total: 1, checked: 1, unchecked: [] });
  });

  // Fixed: a ```` fence is closed by the first ``` inside it (the fence length is
  // not compared), so items after that line are counted.
  it("a four-backtick fence is not closed by three backticks", () => {
    const body = "````\n```\n- [ ] example\n```\n````";
    expect(checklistProgress(body)).toEqual({ total: 0, checked: 0, unchecked: [] });
  });
});
