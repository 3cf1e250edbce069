import { describe, expect, it } from "vitest";
import {
  type ConfigSource,
  MAX_ALIAS_COUNT,
  MAX_CONFIG_BYTES,
  parseConfigSources,
} from "../../../src/config/parse-config.js";
import { MAX_NESTING_DEPTH } from "../../../src/config/read-yaml.js";
import {
  characterCount,
  MAX_ISSUE_TITLE_LENGTH,
  MAX_LABEL_LENGTH,
  MAX_LOGIN_LENGTH,
} from "../../../src/config/schema.js";
import { configOf, errorsOf, FILE, parse, yaml } from "./helpers.js";

const TOO_DEEP =
  "the settings are nested more than 64 levels deep (lists and mappings inside each other); a config needs far fewer";

/** `text` padded with a comment to exactly `bytes` UTF-8 bytes, using `fill` (1 to 4 bytes each). */
function sized(text: string, bytes: number, fill = "x"): string {
  const fillBytes = new TextEncoder().encode(fill).length;
  const room = bytes - new TextEncoder().encode(`${text}#\n`).length;
  const pad = fill.repeat(Math.floor(room / fillBytes)) + "x".repeat(room % fillBytes);
  return `${text}#${pad}\n`;
}

/** Two valid phases; `...lines` go inside the first phase (4-space indent). */
function phase(...lines: string[]): string {
  return yaml("phases:", "  - id: crawl", ...lines.map((l) => `    ${l}`), "  - id: run");
}

function approvers(field: "users" | "teams", entries: string[]): string {
  return phase("gate:", "  approvers:", `    ${field}:`, ...entries.map((e) => `      - "${e}"`));
}

describe("the limits are single named constants", () => {
  it("has the documented values", () => {
    expect({
      MAX_CONFIG_BYTES,
      MAX_NESTING_DEPTH,
      MAX_ALIAS_COUNT,
      MAX_LABEL_LENGTH,
      MAX_ISSUE_TITLE_LENGTH,
      MAX_LOGIN_LENGTH,
    }).toEqual({
      MAX_CONFIG_BYTES: 262_144,
      MAX_NESTING_DEPTH: 64,
      MAX_ALIAS_COUNT: 100,
      MAX_LABEL_LENGTH: 50,
      MAX_ISSUE_TITLE_LENGTH: 256,
      MAX_LOGIN_LENGTH: 39,
    });
  });
});

describe("size cap: a config file over 256 KB is refused unread", () => {
  const over = (bytes: number) =>
    `the file is ${bytes.toLocaleString("en-US")} bytes, over the 256 KB limit for a config file (262,144 bytes); it was not read`;

  it.each<[string, string]>([
    ["one byte characters", "x"],
    ["two byte characters (é)", "é"],
    ["three byte characters (€)", "€"],
    ["four byte characters (🚀, two UTF-16 units)", "🚀"],
  ])("reads a file of exactly the limit and refuses one byte more: %s", (_name, fill) => {
    expect(configOf(sized("dashboard: false\n", MAX_CONFIG_BYTES, fill)).dashboard).toBe(false);
    expect(parse(sized("dashboard: false\n", MAX_CONFIG_BYTES + 1, fill))).toEqual({
      ok: false,
      errors: [
        { file: FILE, keyPath: "", line: 1, column: 1, message: over(MAX_CONFIG_BYTES + 1) },
      ],
    });
  });

  it("counts a lone surrogate (invalid UTF-16) as the 3 bytes of U+FFFD", () => {
    const text = sized("dashboard: false\n", MAX_CONFIG_BYTES - 4);
    expect(configOf(`${text}#\uD800`).dashboard).toBe(false); // exactly the limit
    expect(errorsOf(parse(`${text}#\uD800\n`))).toEqual([`1:1 : ${over(MAX_CONFIG_BYTES + 1)}`]);
  });

  it("does not parse the file: broken YAML far over the limit gives the one size error", () => {
    expect(errorsOf(parse(`a: [\n${"\t- }\n".repeat(100_000)}`))).toEqual([
      `1:1 : ${over(500_005)}`,
    ]);
  });

  it("applies to every file of an _extends chain and keeps the other files' errors", () => {
    const big = sized("dashboard: false\n", MAX_CONFIG_BYTES + 10);
    const sources: ConfigSource[] = [
      { path: FILE, text: "dashboard: [\n", repo: "octo/app" },
      { path: FILE, text: big, repo: "octo/.github" },
    ];
    const result = parseConfigSources(sources);
    expect(result.ok ? [] : result.errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      "octo/app:.github/phase-gates.yml:2:1",
      "octo/.github:.github/phase-gates.yml:1:1",
    ]);
    expect(result.ok ? null : result.errors[1]?.message).toBe(over(MAX_CONFIG_BYTES + 10));
    // the repo's own file over the limit, the base fine
    const repoBig = parseConfigSources([
      { path: FILE, text: big, repo: "octo/app" },
      { path: FILE, text: "dashboard: true\n", repo: "octo/.github" },
    ]);
    expect(repoBig.ok ? [] : repoBig.errors.map((e) => e.file)).toEqual([
      "octo/app:.github/phase-gates.yml",
    ]);
  });
});

describe("nesting: deeper than 64 levels is refused before it is composed", () => {
  const flow = (depth: number) => `x: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
  const block = (depth: number) => `x:\n${"- ".repeat(depth)}1\n`;
  const indented = (depth: number) =>
    `${Array.from({ length: depth }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} 1\n`;

  it.each<[string, string, string[]]>([
    // 1 (the root mapping) + 63 lists = 64: allowed, so only the unknown key is reported
    [
      "flow lists, 64 levels",
      flow(63),
      [
        '1:1 x: unknown key "x" (allowed here: phases, unphased, linkedIssues, parentIssues, sync, dashboard, deployments, project)',
      ],
    ],
    ["flow lists, 65 levels", flow(64), [`1:67 : ${TOO_DEEP}`]],
    [
      "a flow bomb of 200,000 brackets, refused at the 65th",
      `${"[".repeat(200_000)}\n`,
      [`1:65 : ${TOO_DEEP}`],
    ],
    ["flow mappings", `${"{a: ".repeat(70)}1${"}".repeat(70)}\n`, [`1:257 : ${TOO_DEEP}`]],
    [
      "block lists on one line, 64 levels",
      block(63),
      [
        '1:1 x: unknown key "x" (allowed here: phases, unphased, linkedIssues, parentIssues, sync, dashboard, deployments, project)',
      ],
    ],
    ["block lists on one line, 65 levels", block(64), [`2:127 : ${TOO_DEEP}`]],
    ["a block bomb of 100,000 dashes", `${"- ".repeat(100_000)}\n`, [`1:129 : ${TOO_DEEP}`]],
    ["explicit keys", `${"? ".repeat(70)}a\n`, [`1:129 : ${TOO_DEEP}`]],
    [
      "indented mappings, 64 levels",
      indented(64),
      [
        '1:1 k0: unknown key "k0" (allowed here: phases, unphased, linkedIssues, parentIssues, sync, dashboard, deployments, project)',
      ],
    ],
    ["indented mappings, 65 levels", indented(65), [`65:65 : ${TOO_DEEP}`]],
    [
      "flow inside block",
      `x:\n${"- ".repeat(40)}${"[".repeat(30)}${"]".repeat(30)}\n`,
      [`2:104 : ${TOO_DEEP}`],
    ],
  ])("%s", (_name, text, expected) => {
    expect(errorsOf(parse(text))).toEqual(expected);
  });

  it("counts the levels an alias brings in", () => {
    const text = yaml(
      `a: &a ${"[".repeat(40)}${"]".repeat(40)}`,
      "b:",
      `  ${"- ".repeat(23)}*a`, // 1 + 23 + 40 = 64
      "c:",
      `  ${"- ".repeat(24)}*a`, // 65
    );
    expect(errorsOf(parse(text))).toEqual([
      `5:51 c${"[0]".repeat(24)}: the alias *a nests the settings more than 64 levels deep`,
    ]);
  });

  it("refuses a chain of aliases that grows the depth without ever copying much", () => {
    const lines = [`a0: &a0 ${"[".repeat(30)}${"]".repeat(30)}`];
    for (let i = 1; i < 5; i++) {
      lines.push(`a${i}: &a${i} ${"[".repeat(30)}*a${i - 1}${"]".repeat(30)}`);
    }
    // a1 is 1 + 30 + 30 = 61 deep; every later link goes over
    expect(errorsOf(parse(yaml(...lines))).map((e) => e.split(" ")[0])).toEqual([
      "3:39",
      "4:39",
      "5:39",
    ]);
  });
});

describe("aliases", () => {
  it("refuses an alias inside its own anchor (an endless value), also across an _extends chain", () => {
    expect(errorsOf(parse(yaml("sync: &s", "  labels: *s")))).toEqual([
      "2:11 sync.labels: the alias *s is used inside its own anchor &s, which makes the value endless",
    ]);
    // Both files endless at the same key once made the deep merge recurse forever.
    const endless = { path: FILE, text: "sync: &s { x: *s }\n" };
    const result = parseConfigSources([endless, { ...endless, repo: "octo/.github" }]);
    expect(result.ok ? [] : result.errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual([
      ".github/phase-gates.yml:1:15",
      "octo/.github:.github/phase-gates.yml:1:15",
    ]);
  });

  it("allows an anchor to be reused a few times", () => {
    const text = yaml(
      "x-approvers: &team { teams: [octo/core], permission: admin }",
      "phases:",
      "  - id: crawl",
      "    gate: { approvers: *team }",
      "  - id: walk",
      "    gate: { approvers: *team }",
      "  - id: run",
    );
    expect(errorsOf(parse(text))).toEqual([
      '1:1 x-approvers: unknown key "x-approvers" (allowed here: phases, unphased, linkedIssues, parentIssues, sync, dashboard, deployments, project)',
    ]);
  });

  it("refuses a merge-key bomb like an alias bomb", () => {
    const lines = ["m0: &m0 { a: 1, b: 2 }"];
    for (let i = 1; i < 12; i++)
      lines.push(`m${i}: &m${i} { <<: [*m${i - 1}, *m${i - 1}], k${i}: 1 }`);
    expect(errorsOf(parse(yaml(...lines)))).toEqual([
      `1:1 : the aliases (*name) expand into more than ${MAX_ALIAS_COUNT} copies of their anchors; write the values out instead (a "billion laughs" file is refused)`,
    ]);
  });

  it.each([
    ["under a key", yaml("sync:", "  <<: 1")],
    // found by the fuzz test: printing this key for its key path threw
    ["inside a mapping used as a key", yaml("? <<: *a")],
  ])("explains a merge key that is not followed by a mapping (%s)", (_name, text) => {
    expect(errorsOf(parse(text))).toEqual([
      '1:1 : invalid YAML: a merge key "<<" must be followed by a mapping or an alias of one',
    ]);
  });
});

describe("duplicate keys (found without comparing every pair of keys)", () => {
  it.each<[string, string, string[]]>([
    [
      "every repeat of a key is reported",
      yaml("dashboard: true", "dashboard: false", "dashboard: true"),
      [
        '2:1 dashboard: duplicate key "dashboard" (a key may appear only once in the same mapping)',
        '3:1 dashboard: duplicate key "dashboard" (a key may appear only once in the same mapping)',
      ],
    ],
    [
      "in a flow mapping",
      yaml("sync: { labels: true, labels: false }"),
      ['1:23 sync.labels: duplicate key "labels" (a key may appear only once in the same mapping)'],
    ],
    [
      "keys of the same text in different mappings are fine",
      yaml("sync: { labels: true }", "phases: [{ id: a, label: x }, { id: b, label: y }]"),
      [],
    ],
    [
      "two merge keys in one mapping are not duplicates",
      yaml(
        "phases:",
        "  - &a { id: crawl }",
        "  - &b { id: walk }",
        "  - { <<: *a, <<: *b, id: run }",
      ),
      [],
    ],
  ])("%s", (_name, text, expected) => {
    expect(errorsOf(parse(text))).toEqual(expected);
  });
});

describe("GitHub's length limits, counted in characters as GitHub counts them", () => {
  it("counts code points, not UTF-16 units", () => {
    expect([characterCount("abc"), characterCount("🚀x"), characterCount("\uD800")]).toEqual([
      3, 2, 1,
    ]);
  });

  it.each<[string, string, string[]]>([
    ["a label of 50 characters", phase(`label: ${"x".repeat(50)}`), []],
    ["a label of 50 emoji (100 UTF-16 units)", phase(`label: ${"🚀".repeat(50)}`), []],
    [
      "a label of 51 emoji",
      phase(`label: ${"🚀".repeat(51)}`),
      [
        "3:12 phases[0].label: expected text of 1 to 50 characters (GitHub's limit for a label), got 51 characters",
      ],
    ],
    [
      "a gate label of 51 characters",
      phase("gate:", `  label: ${"g".repeat(51)}`),
      [
        "4:14 phases[0].gate.label: expected text of 1 to 50 characters (GitHub's limit for a label), got 51 characters",
      ],
    ],
    [
      "a label written as a number",
      phase("label: 123"),
      [
        '3:12 phases[0].label: expected text of 1 to 50 characters, got 123 (put it in quotes: "123")',
      ],
    ],
    ["a gate title of 256 characters", phase("gate:", `  title: ${"t".repeat(256)}`), []],
    [
      "a gate title of 257 characters",
      phase("gate:", `  title: ${"t".repeat(257)}`),
      [
        "4:14 phases[0].gate.title: expected text of 1 to 256 characters (GitHub's limit for an issue title), got 257 characters",
      ],
    ],
    [
      "an id whose default labels are just short enough (phase: + 43)",
      yaml("phases:", `  - id: ${"a".repeat(43)}`, "    gate: {}", "  - id: run"),
      [],
    ],
    [
      "an id whose default labels would be too long",
      yaml("phases:", `  - id: ${"a".repeat(45)}`, "    gate: {}", "  - id: run"),
      [
        `2:9 phases[0].id: the default label "phase: ${"a".repeat(45)}" would be 52 characters, over GitHub's limit of 50; shorten the id or set label`,
        `2:9 phases[0].id: the default label "gate: ${"a".repeat(45)}" would be 51 characters, over GitHub's limit of 50; shorten the id or set gate.label`,
      ],
    ],
    [
      "a long id with its labels set",
      yaml(
        "phases:",
        `  - id: ${"a".repeat(45)}`,
        "    label: early",
        "    gate: { label: early-gate }",
        "  - id: run",
      ),
      [],
    ],
    [
      "phase names that make the default gate title exactly 256 characters",
      yaml(
        "phases:",
        "  - id: crawl",
        `    name: ${"N".repeat(244)}`,
        "    gate: {}",
        "  - id: run",
      ),
      [],
    ],
    [
      "phase names that make the default gate title too long",
      yaml(
        "phases:",
        "  - id: crawl",
        `    name: ${"N".repeat(250)}`,
        "    gate: {}",
        "  - id: run",
      ),
      [
        "4:5 phases[0].gate: the default gate title would be 262 characters, over GitHub's limit of 256 for an issue title; set gate.title or shorten the phase names",
      ],
    ],
  ])("%s", (_name, text, expected) => {
    expect(errorsOf(parse(text))).toEqual(expected);
  });
});

describe("approvers: logins and teams", () => {
  it("normalises @login and @org/team to the bare name for every consumer", () => {
    const config = configOf(approvers("users", ["@octocat", "Mona-Lisa", "a", "x".repeat(39)]));
    expect(config.phases[0]?.gate?.approvers.users).toEqual([
      "octocat",
      "Mona-Lisa",
      "a",
      "x".repeat(39),
    ]);
    const teams = configOf(approvers("teams", ["@octo/core", "octo/release-team"]));
    expect(teams.phases[0]?.gate?.approvers.teams).toEqual(["octo/core", "octo/release-team"]);
  });

  const LOGIN_RULE =
    'expected a GitHub login: letters, digits and single hyphens, not starting or ending with "-"';
  it.each<[string, string]>([
    ["-octo", LOGIN_RULE],
    ["octo-", LOGIN_RULE],
    ["oc--to", LOGIN_RULE],
    ["octo cat", LOGIN_RULE],
    ["octo_cat", LOGIN_RULE],
    ["octo@example.com", LOGIN_RULE],
    ["", LOGIN_RULE],
    ["@", LOGIN_RULE],
    ["@@octo", LOGIN_RULE],
    ["x".repeat(40), "expected a GitHub login of at most 39 characters (this one has 40)"],
    [
      "@renovate[bot]",
      "expected a person's GitHub login, not a bot: a gate decision must be a person's (any writer's workflow can act as github-actions[bot])",
    ],
    [
      "github-actions[bot]",
      "expected a person's GitHub login, not a bot: a gate decision must be a person's (any writer's workflow can act as github-actions[bot])",
    ],
    [
      "octo/core",
      'expected a GitHub login; "org/team-slug" is a team: list it under approvers.teams',
    ],
  ])("refuses the login %j with line and column", (login, message) => {
    const got =
      login.length > 60
        ? `"${login.slice(0, 40)}…" (${login.length} characters)`
        : JSON.stringify(login);
    expect(errorsOf(parse(approvers("users", ["octocat", login])))).toEqual([
      `7:13 phases[0].gate.approvers.users[1]: ${message}, got ${got}`,
    ]);
  });

  it.each(["@@octo/core", "octo", "octo/core/x", "octo/ core"])("refuses the team %j", (team) => {
    expect(errorsOf(parse(approvers("teams", [team])))).toEqual([
      `6:13 phases[0].gate.approvers.teams[0]: expected a team written as "org/team-slug", got ${JSON.stringify(team)}`,
    ]);
  });
});

describe("cross-field messages stay short when a value repeats thousands of times", () => {
  it("names three others and counts the rest", () => {
    const text = yaml("phases:", ...Array.from({ length: 5 }, () => "  - id: same"));
    expect(errorsOf(parse(text))[0]).toBe(
      '2:9 phases[0].id: duplicate phase id "same" (also used by phases[1], phases[2], phases[3] and 1 more); ids must be unique',
    );
  });

  it("reports only the count for 20,000 copies of one id, not 20,000 messages naming each other", () => {
    const text = `phases: [${Array.from({ length: 20_000 }, () => "{id: s}").join(",")}]\n`;
    expect(errorsOf(parse(text))).toEqual(["1:1 phases: expected 2 to 10 phases, got 20000"]);
  });
});
