import { describe, expect, it } from "vitest";
import {
  configErrorsToMarkdown,
  formatConfigError,
  formatConfigErrors,
} from "../../../src/config/format-config-error.js";
import type { ConfigError } from "../../../src/config/parse-config.js";
import { fixture, parse } from "./helpers.js";

const approvals: ConfigError = {
  file: ".github/phase-gates.yml",
  keyPath: "phases[1].gate.approvals",
  line: 12,
  column: 5,
  message: 'expected a whole number ≥ 1, got "two"',
};
const root: ConfigError = {
  file: "octo/app:.github/phase-gates.yml",
  keyPath: "",
  line: 1,
  column: 1,
  message: "got a list",
};

describe("formatConfigError", () => {
  it.each<[ConfigError, string]>([
    [
      approvals,
      '.github/phase-gates.yml:12:5 phases[1].gate.approvals: expected a whole number ≥ 1, got "two"',
    ],
    [root, "octo/app:.github/phase-gates.yml:1:1 got a list"],
  ])("%# %j", (error, expected) => {
    expect(formatConfigError(error)).toBe(expected);
  });

  it("puts one error per line", () => {
    expect(formatConfigErrors([approvals, root])).toBe(
      [
        '.github/phase-gates.yml:12:5 phases[1].gate.approvals: expected a whole number ≥ 1, got "two"',
        "octo/app:.github/phase-gates.yml:1:1 got a list",
      ].join("\n"),
    );
    expect(formatConfigErrors([])).toBe("");
  });
});

describe("configErrorsToMarkdown", () => {
  it("renders a table: where | key | problem", () => {
    expect(configErrorsToMarkdown([approvals, root])).toBe(
      [
        "| Where | Key | Problem |",
        "| --- | --- | --- |",
        '| `.github/phase-gates.yml:12:5` | `phases[1].gate.approvals` | expected a whole number ≥ 1, got "two" |',
        "| `octo/app:.github/phase-gates.yml:1:1` |  | got a list |",
      ].join("\n"),
    );
  });

  it.each<[string, Partial<ConfigError>, string]>([
    ["a pipe in the message", { message: 'got "a|b"' }, '| got "a\\|b" |'],
    ["backticks in the message", { message: "got `rm -rf`" }, "| got \\`rm -rf\\` |"],
    [
      "HTML and emphasis in the message",
      { message: "got <b>*x*</b> [y](z)" },
      "| got \\<b\\>\\*x\\*\\</b\\> \\[y\\](z) |",
    ],
    ["a line break in the message", { message: "one\ntwo" }, "| one two |"],
    ["a pipe in the key", { keyPath: '["a|b"]' }, '| `["a\\|b"]` |'],
    ["a backtick in the key: a longer fence", { keyPath: '["a`b"]' }, '| ``["a`b"]`` |'],
    ["a key starting with a backtick: padded", { keyPath: "`x" }, "| `` `x `` |"],
  ])("escapes %s", (_name, override, cell) => {
    const table = configErrorsToMarkdown([{ ...approvals, ...override }]);
    const row = table.split("\n")[2] ?? "";
    expect(row).toContain(cell);
    // A row keeps exactly its four unescaped cell borders.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(4);
  });

  it("renders every error of invalid-many-errors.yml as its own row", () => {
    const result = parse(fixture("invalid-many-errors.yml"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const rows = configErrorsToMarkdown(result.errors).split("\n");
    expect(rows).toHaveLength(2 + result.errors.length);
    expect(rows[2]).toBe(
      '| `.github/phase-gates.yml:3:9` | `phases[0].id` | expected an id of lowercase letters, digits and dashes (like "crawl"), got "Crawl!" |',
    );
  });
});
