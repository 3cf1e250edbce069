import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  closest,
  describeExpected,
  describeValue,
  editDistance,
  formatKeyPath,
  issueMessage,
  knownKeys,
  schemaAt,
  unknownKeyMessage,
  ZOD_DEFAULT_MESSAGE,
} from "../../../src/config/describe-issue.js";

describe("formatKeyPath", () => {
  it.each<[(string | number)[], string]>([
    [[], ""],
    [["phases", 1, "gate", "approvals"], "phases[1].gate.approvals"],
    [["sync", "gate-issues"], "sync.gate-issues"],
    [["a b", "c"], '["a b"].c'],
    [[0], "[0]"],
  ])("%j → %s", (path, expected) => {
    expect(formatKeyPath(path)).toBe(expected);
  });
});

describe("did you mean", () => {
  it.each<[string, string, number]>([
    ["gat", "gate", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
    ["same", "same", 0],
  ])("editDistance(%s, %s) = %d", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it.each<[string, string[], string | null]>([
    ["gat", ["id", "gate", "label"], "gate"],
    ["Label", ["id", "label"], "label"],
    ["gate_issues", ["labels", "gateIssues"], "gateIssues"],
    ["colour", ["phases", "dashboard"], null],
    ["x", ["id"], null], // a one-letter key is not "close" to everything short
  ])("closest(%s) = %s", (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });

  it("lists the allowed keys when nothing is close, and nothing when there are none", () => {
    expect(unknownKeyMessage("zzz", ["a", "b"])).toBe('unknown key "zzz" (allowed here: a, b)');
    expect(unknownKeyMessage("zzz", [])).toBe('unknown key "zzz"');
    expect(unknownKeyMessage("k".repeat(100_000), ["a"])).toBe(
      `unknown key "${"k".repeat(40)}…" (allowed here: a)`,
    );
  });
});

describe("schema lookups", () => {
  it("walks the input schema by path", () => {
    expect(knownKeys([])).toEqual([
      "phases",
      "unphased",
      "linkedIssues",
      "parentIssues",
      "sync",
      "dashboard",
      "deployments",
      "project",
    ]);
    expect(knownKeys(["phases", 3, "gate", "approvers"])).toEqual(["users", "teams", "permission"]);
    expect(knownKeys(["nope"])).toEqual([]);
    expect(schemaAt(["phases", "x"])).toBeUndefined();
    expect(schemaAt(["dashboard", "x"])).toBeUndefined();
  });

  it.each<[string, z.ZodType | undefined, string]>([
    ["int ≥ 1", schemaAt(["phases", 0, "gate", "approvals"]), "a whole number ≥ 1"],
    ["bounded number", z.number().min(0).max(5), "a number ≥ 0 ≤ 5"],
    ["plain text", z.string(), "text"],
    ["list with no bounds", z.array(z.string()), 'a list (one "- item" per line)'],
    [
      "list with a maximum",
      z.array(z.string()).max(3),
      'a list of at most 3 entries (one "- item" per line)',
    ],
    [
      "list with a minimum",
      z.array(z.string()).min(1),
      'a list of at least 1 entries (one "- item" per line)',
    ],
    ["anything else", z.date(), "a valid value"],
    ["nothing", undefined, "a valid value"],
  ])("describeExpected: %s", (_name, schema, expected) => {
    expect(describeExpected(schema)).toBe(expected);
  });

  it.each<[unknown, string]>([
    [undefined, "nothing"],
    [null, "an empty value"],
    ["two", '"two"'],
    ["x".repeat(61), `"${"x".repeat(40)}…" (61 characters)`],
    [[1], "a list of 1 entry"],
    [[1, 2], "a list of 2 entries"],
    [{ a: 1 }, "a mapping"],
    [1.5, "1.5"],
    [false, "false"],
  ])("describeValue(%j)", (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it("keeps zod's words for issue kinds the schema cannot produce today", () => {
    const issue: z.core.$ZodIssue = {
      code: "not_multiple_of",
      divisor: 2,
      path: ["x"],
      message: "Invalid number",
    };
    expect(issueMessage(issue, 3, {})).toBe("Invalid number");
  });

  it("says which format was expected when the schema gave no words of its own", () => {
    const issue: z.core.$ZodIssue = {
      code: "invalid_format",
      format: "email",
      path: ["x"],
      message: ZOD_DEFAULT_MESSAGE,
    };
    expect(issueMessage(issue, "nope", {})).toBe('expected text in email format, got "nope"');
  });
});
