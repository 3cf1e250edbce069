import { describe, expect, it } from "vitest";
import { configOf, errorsOf, parse, yaml } from "./helpers.js";

describe("project: the organisation's Projects (v2) table (SPEC §1, §5)", () => {
  it("is off by default", () => {
    expect(configOf("").project).toBeNull();
  });

  it.each([
    [
      "number only: owner from the repository, field Phase",
      yaml("project:", "  number: 7"),
      { number: 7, field: "Phase" },
    ],
    [
      "every key",
      yaml("project: { owner: acme, number: 2, field: Stage }"),
      { owner: "acme", number: 2, field: "Stage" },
    ],
    [
      "an owner written as a mention",
      yaml("project: { owner: '@acme', number: 2 }"),
      { owner: "acme", number: 2, field: "Phase" },
    ],
  ])("%s", (_, text, project) => {
    expect(configOf(text).project).toEqual(project);
  });

  it.each<[string, string, string[]]>([
    [
      "no number",
      yaml("project:", "  owner: acme"),
      ['1:1 project.number: missing required key "number"'],
    ],
    [
      "number 0",
      yaml("project:", "  number: 0"),
      ["2:11 project.number: expected a whole number ≥ 1, got 0"],
    ],
    [
      "an unknown key",
      yaml("project:", "  number: 1", "  colum: Phase"),
      ['3:3 project.colum: unknown key "colum" (allowed here: owner, number, field)'],
    ],
    [
      "an empty field name",
      yaml("project:", "  number: 1", '  field: ""'),
      ['3:10 project.field: expected text of 1 to 256 characters, got ""'],
    ],
  ])("%s is an error with line and column", (_, text, errors) => {
    expect(errorsOf(parse(text))).toEqual(errors);
  });
});
