import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  type ConfigResult,
  type ConfigSource,
  parseConfigSources,
} from "../../../src/config/parse-config.js";
import { FILE, parse } from "./helpers.js";

/**
 * Whatever the text, the parser answers with a config or with errors a
 * person can act on — it never throws. Runs are bounded to keep the suite fast.
 */
const RUNS = { numRuns: 300 };

/** The result's invariants, as one value, so a failure shows the offending error. */
function problems(result: ConfigResult, sources: readonly ConfigSource[]): string[] {
  if (result.ok) return typeof result.config === "object" ? [] : ["ok without a config"];
  if (result.errors.length === 0) return ["ok: false without errors"];
  const lines = new Map(
    sources.map((s) => [s.repo ? `${s.repo}:${s.path}` : s.path, s.text.split("\n").length]),
  );
  return result.errors.flatMap((e) => {
    const bad: string[] = [];
    if (!Number.isInteger(e.line) || e.line < 1) bad.push(`line ${e.line}`);
    if (!Number.isInteger(e.column) || e.column < 1) bad.push(`column ${e.column}`);
    if (typeof e.message !== "string" || e.message.trim() === "") bad.push("empty message");
    if (typeof e.keyPath !== "string") bad.push("keyPath not text");
    const count = lines.get(e.file);
    if (count === undefined) bad.push(`unknown file ${e.file}`);
    else if (e.line > count + 1) bad.push(`line ${e.line} after the end (${count} lines)`);
    return bad.length > 0 ? [`${JSON.stringify(e)}: ${bad.join(", ")}`] : [];
  });
}

function check(text: string): void {
  let result: ConfigResult;
  try {
    result = parse(text);
  } catch (error) {
    throw new Error(`parser threw on ${JSON.stringify(text)}: ${String(error)}`);
  }
  expect(problems(result, [{ path: FILE, text }])).toEqual([]);
}

/** YAML.stringify of anything, or the empty file when a value has no YAML form. */
function toYaml(value: unknown): string {
  try {
    return YAML.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** Pieces of YAML that exercise anchors, tags, flow/block mixes, numbers and control bytes. */
const fragment = fc.constantFrom(
  "phases:",
  "- ",
  "  ",
  "\n",
  "\t",
  "\0",
  "\r\n",
  "id: ",
  "id: crawl",
  "gate: ",
  "label: ",
  "title: ",
  "approvals: ",
  "approvers: { users: [",
  "users: ",
  "teams: ",
  "@octocat",
  "octo/core",
  "x[bot]",
  "sync: ",
  "dashboard: ",
  "unphased: ",
  "_extends: ",
  "&a ",
  "*a",
  "&b ",
  "*b",
  "<<: ",
  "<<: *a",
  "!!js/function ",
  "!!binary ",
  "!!set ",
  "!!omap ",
  "!!str ",
  "!!int ",
  "!!float ",
  "!custom ",
  "!<tag:yaml.org,2002:str> ",
  "[",
  "]",
  "{",
  "}",
  ", ",
  ": ",
  "? ",
  "---",
  "...",
  "%YAML 1.2\n",
  "# comment",
  "'",
  '"',
  "\\u0000",
  "|",
  ">-",
  "1e400",
  "-1e400",
  ".nan",
  "99999999999999999999999999999",
  "0x1F",
  "0o17",
  "~",
  "null",
  "true",
  "yes",
  "__proto__: ",
  "constructor: ",
  "🚀",
  "\uD800",
  "\uFEFF",
);

const yamlSoup = fc.array(fc.oneof(fragment, fc.string({ maxLength: 5 })), { maxLength: 60 });

describe("parseConfigText never throws and always explains itself", () => {
  it("on arbitrary text, lone surrogates included", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), check), RUNS);
  });

  it("on arbitrary bytes decoded as UTF-8 (invalid sequences become U+FFFD) and as Latin-1", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        check(new TextDecoder("utf-8").decode(bytes));
        check(new TextDecoder("latin1").decode(bytes));
      }),
      RUNS,
    );
  });

  it("on YAML-shaped soup: anchors, aliases, merge keys, tags, flow and block mixed", () => {
    fc.assert(
      fc.property(yamlSoup, (parts) => check(parts.join(""))),
      RUNS,
    );
  });

  it("on arbitrary values serialised as YAML (fc.anything, fc.object)", () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(fc.oneof(anything, fc.object()), (value) => check(toYaml(value))),
      RUNS,
    );
  });

  it("on config-shaped values with arbitrary leaves, so the schema's own rules run", () => {
    const leaf = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.string(),
      fc.constantFrom("@octocat", "octo/core", "-x-", "a[bot]", "🚀".repeat(60)),
    );
    const gate = fc.record(
      {
        title: leaf,
        label: leaf,
        criteria: fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })),
        approvers: fc.oneof(
          leaf,
          fc.record(
            { users: fc.array(leaf, { maxLength: 3 }), teams: fc.array(leaf), permission: leaf },
            { requiredKeys: [] },
          ),
        ),
        approvals: leaf,
        requireCriteria: leaf,
      },
      { requiredKeys: [] },
    );
    const phase = fc.record(
      {
        id: fc.oneof(leaf, fc.constantFrom("crawl", "walk", "run", "a".repeat(50))),
        name: leaf,
        label: leaf,
        milestone: leaf,
        gate: fc.oneof(leaf, gate),
      },
      { requiredKeys: [] },
    );
    const config = fc.record(
      {
        phases: fc.oneof(leaf, fc.array(phase, { maxLength: 12 })),
        unphased: leaf,
        linkedIssues: leaf,
        sync: leaf,
        dashboard: leaf,
        _extends: leaf,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(config, (value) => check(toYaml(value))),
      RUNS,
    );
  });

  it("on _extends chains of arbitrary files", () => {
    const text = fc.oneof(
      yamlSoup.map((parts) => parts.join("")),
      fc.anything().map(toYaml),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 3 }), (texts) => {
        const sources = texts.map((t, i) => ({ path: FILE, text: t, repo: `octo/r${i}` }));
        let result: ConfigResult;
        try {
          result = parseConfigSources(sources);
        } catch (error) {
          throw new Error(`parser threw on ${JSON.stringify(texts)}: ${String(error)}`);
        }
        expect(problems(result, sources)).toEqual([]);
      }),
      RUNS,
    );
  });

  it("sees @login and login as the same approver", () => {
    // Valid logins: alphanumeric runs joined by single hyphens, at most 39 characters.
    const login = fc.stringMatching(/^[A-Za-z0-9]{1,13}(?:-[A-Za-z0-9]{1,12}){0,2}$/);
    fc.assert(
      fc.property(login, (name) => {
        const config = (user: string) =>
          parse(
            `phases:\n  - id: a\n    gate: { approvers: { users: [${JSON.stringify(user)}] } }\n  - id: b\n`,
          );
        const bare = config(name);
        expect(bare.ok).toBe(true);
        expect(config(`@${name}`)).toEqual(bare);
      }),
      RUNS,
    );
  });
});
