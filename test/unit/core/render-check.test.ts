import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Config, configSchema } from "../../../src/config/schema.js";
import { evaluatePullRequest } from "../../../src/core/evaluate.js";
import {
  ANNOTATIONS_PER_REQUEST,
  batchAnnotations,
  CHECK_NAME,
  CONFIG_INVALID_TITLE,
  clampSummary,
  clampTitle,
  describeApprovers,
  ECHO_LIMIT,
  echoText,
  hasInvisible,
  renderInvalidConfig,
  renderPullRequestConfigInvalid,
  renderVerdict,
  SUMMARY_LIMIT_BYTES,
  stripInvisible,
  TITLE_LIMIT,
  tableCell,
  truncate,
  utf8Length,
} from "../../../src/core/render-check.js";
import type {
  GateIssueFacts,
  LinkedIssueFacts,
  PullRequestPhaseFacts,
} from "../../../src/core/types.js";
import {
  approvedGate,
  blockUnphasedConfig,
  checklist,
  defaultConfig,
  fourPhaseConfig,
  gateMap,
  gateOf,
  linkedIssue,
  openGate,
  prFacts,
  REPO,
  stoppedGate,
  unreadableIssue,
} from "./helpers.js";

const GITHUB_LIMIT = 65_535;

function render(
  facts: PullRequestPhaseFacts,
  gates: Record<number, GateIssueFacts | null> = {},
  config: Config = defaultConfig,
) {
  return renderVerdict(config, evaluatePullRequest(config, facts, gateMap(gates)), REPO);
}

const walkGate = (overrides: Partial<GateIssueFacts> = {}) =>
  openGate({
    number: 8,
    url: "https://github.com/acme/rocket/issues/8",
    title: "Gate: Walk → Run",
    ...overrides,
  });

describe("constants", () => {
  it("names the check and the invalid-config title as SPEC §4 says", () => {
    expect(CHECK_NAME).toBe("Phase gate");
    expect(CONFIG_INVALID_TITLE).toBe("Invalid .github/phase-gates.yml");
  });
});

describe("renderVerdict: the PR's phase and where it came from", () => {
  it.each<[string, PullRequestPhaseFacts, string[]]>([
    [
      "a label",
      prFacts({ labels: ["phase: crawl"] }),
      ["**Phase:** Crawl, from label `phase: crawl`."],
    ],
    ["a milestone", prFacts({ milestone: "Crawl" }), ["**Phase:** Crawl, from milestone `Crawl`."]],
    [
      "a linked issue's label (same repo → #n)",
      prFacts({ linkedIssues: [linkedIssue(12, { labels: ["phase: crawl"] })] }),
      [
        "**Phase:** Crawl, from linked issue [#12](https://github.com/acme/rocket/issues/12) (label `phase: crawl`).",
      ],
    ],
    [
      "a linked issue's milestone in another repo (owner/repo#n)",
      prFacts({
        linkedIssues: [linkedIssue(3, { milestone: "Crawl", owner: "acme", repo: "docs" })],
      }),
      ["linked issue [acme/docs#3](https://github.com/acme/docs/issues/3) (milestone `Crawl`)"],
    ],
    [
      "several labels: the latest counts, the others are listed as ignored",
      prFacts({ labels: ["phase: crawl", "phase: walk"], milestone: "Crawl" }),
      [
        "**Phase:** Walk, from label `phase: walk`.",
        "More than one phase is set: the latest counts. Ignored because a later phase wins: label `phase: crawl` (Crawl), milestone `Crawl` (Crawl).",
      ],
    ],
    [
      "one label and an earlier milestone: ignored without the 'more than one' preamble",
      prFacts({ labels: ["phase: walk"], milestone: "Crawl" }),
      ["Ignored because a later phase wins: milestone `Crawl` (Crawl)."],
    ],
    [
      "no phase",
      prFacts(),
      ["**Phase:** none — no phase label, no phase milestone, no linked issue in a phase."],
    ],
    [
      "an unreadable linked issue",
      prFacts({ labels: ["phase: crawl"], linkedIssues: [unreadableIssue(5)] }),
      [
        "⚠️ Could not read linked issue other/secret#5 (not installed on other/secret); its phase is not counted.",
      ],
    ],
  ])("%s", (_name, facts, expected) => {
    const { summary } = render(facts, { 0: approvedGate() });
    for (const text of expected) expect(summary).toContain(text);
  });

  it("does not print the 'more than one phase' preamble for a single label", () => {
    const { summary } = render(prFacts({ labels: ["phase: walk"], milestone: "Crawl" }), {
      0: approvedGate(),
    });
    expect(summary).not.toContain("More than one phase");
  });

  it("escapes backticks in label names so code spans stay closed", () => {
    const config = configSchema.parse({
      phases: [{ id: "a", label: "phase `a`", gate: {} }, { id: "b" }],
    });
    const { summary } = render(prFacts({ labels: ["phase `a`"] }), {}, config);
    expect(summary).toContain("label `phase 'a'`");
  });
});

describe("renderVerdict: conclusion and title come from the verdict", () => {
  it.each<
    [string, PullRequestPhaseFacts, Record<number, GateIssueFacts | null>, Config, string, string]
  >([
    [
      "first phase",
      prFacts({ labels: ["phase: crawl"] }),
      {},
      defaultConfig,
      "success",
      "Crawl: first phase",
    ],
    [
      "all approved",
      prFacts({ labels: ["phase: run"] }),
      {
        0: approvedGate(),
        1: walkGate({
          state: "closed",
          stateReason: "completed",
          closedBy: "li",
          closerAuthorized: true,
        }),
      },
      defaultConfig,
      "success",
      "Run: gates approved",
    ],
    ["unphased allow", prFacts(), {}, defaultConfig, "success", "No phase"],
    ["unphased block", prFacts(), {}, blockUnphasedConfig, "failure", "Blocked: no phase label"],
    [
      "pending",
      prFacts({ labels: ["phase: walk"] }),
      { 0: openGate() },
      defaultConfig,
      "failure",
      "Blocked: Crawl gate pending",
    ],
    [
      "stopped",
      prFacts({ labels: ["phase: run"] }),
      { 0: approvedGate(), 1: stoppedGate() },
      defaultConfig,
      "failure",
      "Blocked: Walk gate stopped",
    ],
  ])("%s", (_name, facts, gates, config, conclusion, title) => {
    const out = render(facts, gates, config);
    expect(out.conclusion).toBe(conclusion);
    expect(out.title).toBe(title);
  });
});

describe("renderVerdict: earlier gates", () => {
  const run = prFacts({ labels: ["phase: run"] });

  it("lists every earlier gate with a link, state, criteria, approvals and approvers", () => {
    const { summary } = render(run, {
      0: approvedGate({ checklist: checklist(3) }),
      1: walkGate({ approvals: ["li"], checklist: checklist(1, ["Cost estimate agreed"]) }),
    });
    expect(summary).toContain("### Gates before Run");
    expect(summary).toContain(
      "| Gate | Issue | State | Criteria checked | Approvals | Who can approve |",
    );
    expect(summary).toContain(
      "| Crawl | [Gate: Crawl → Walk](https://github.com/acme/rocket/issues/7) #7 | ✅ approved by @maria | 3/3 | 1/1 | anyone with maintain permission or higher |",
    );
    expect(summary).toContain(
      "| Walk | [Gate: Walk → Run](https://github.com/acme/rocket/issues/8) #8 | ⏳ pending | 1/2 | 1/1 | anyone with maintain permission or higher |",
    );
  });

  it.each<[string, Record<number, GateIssueFacts | null>, string[]]>([
    [
      "a missing gate issue",
      { 0: approvedGate(), 1: null },
      [
        "| Walk | Gate: Walk → Run (no issue yet) | ⏳ pending | — | 0/1 |",
        "waits for the **Walk** gate, but no issue has the label `gate: walk` yet. Create one",
      ],
    ],
    [
      "a pending gate: what is missing, who can approve and how",
      { 0: approvedGate(), 1: walkGate({ checklist: checklist(0, ["Cost estimate agreed"]) }) },
      [
        "Not yet, not no: Run work waits for the **Walk** gate ([#8](https://github.com/acme/rocket/issues/8)).",
        'Still needed: 1 unchecked criterion: "Cost estimate agreed"; 1 more approval (0/1): an approver closes the issue as completed or comments `/approve`.',
        "Who can approve: anyone with maintain permission or higher.",
        "This check updates by itself when a gate changes: no push needed.",
      ],
    ],
    [
      "a close that did not count says why",
      { 0: approvedGate({ closedBy: "mallory", closerAuthorized: false }), 1: null },
      ["⏳ pending (closed by @mallory, who is not an authorized approver)"],
    ],
    [
      "a stopped gate: who stopped it, why, and what it means",
      { 0: stoppedGate({ stop: { by: "li", reason: "budget cut" } }), 1: walkGate() },
      [
        "⛔ stopped by @li: budget cut",
        "The **Crawl** gate ([#7](https://github.com/acme/rocket/issues/7)) was **stopped**: the team decided not to proceed past Crawl. Run work stays blocked unless an approver reopens the gate and approves it.",
        "waits for the **Walk** gate",
      ],
    ],
    [
      "a gate closed as not planned without /stop names the closer",
      { 0: stoppedGate({ stop: null }), 1: null },
      ["⛔ stopped by @maria |"],
    ],
    [
      "all approved: may merge",
      {
        0: approvedGate(),
        1: walkGate({
          state: "closed",
          stateReason: "completed",
          closedBy: "li",
          closerAuthorized: true,
        }),
      },
      ["✅ approved by @li", "Every gate before Run is approved. This pull request may merge."],
    ],
  ])("%s", (_name, gates, expected) => {
    const { summary } = render(run, gates);
    for (const text of expected) expect(summary).toContain(text);
  });

  it("does not list approved gates under what happens next", () => {
    const { summary } = render(run, { 0: approvedGate(), 1: walkGate() });
    expect(summary).not.toContain("waits for the **Crawl** gate");
    expect(summary).toContain("waits for the **Walk** gate");
  });

  it("names custom approvers: users, teams and permission", () => {
    const { summary } = render(
      prFacts({ labels: ["phase: design"] }),
      { 0: openGate() },
      fourPhaseConfig,
    );
    expect(summary).toContain(
      "Who can approve: @alice; members of @acme/leads; anyone with admin permission or higher",
    );
  });

  // Fixed: table cells are not escaped, so a `|` in a stop reason (or a criterion, or a
  // gate title) splits the cell and shifts the columns of the "Gates before" table.
  it("a | in a stop reason does not break the gates table", () => {
    const { summary } = render(run, {
      0: stoppedGate({ stop: { by: "li", reason: "cost | time" } }),
      1: walkGate(),
    });
    const row = summary.split("\n").find((l) => l.startsWith("| Crawl |")) ?? "";
    const cells = row.split(/(?<!\\)\|/).length - 2;
    expect(cells).toBe(6);
  });
});

describe("renderVerdict: what happens next without gates", () => {
  it.each<[string, PullRequestPhaseFacts, Config, string]>([
    [
      "first phase",
      prFacts({ labels: ["phase: crawl"] }),
      defaultConfig,
      "Crawl is the first phase: no gate comes before it, so nothing blocks this pull request.",
    ],
    [
      "unphased allow",
      prFacts(),
      defaultConfig,
      "This repository allows pull requests without a phase (`unphased: allow`). To gate this work, add one of: `phase: crawl`, `phase: walk`, `phase: run`.",
    ],
    [
      "unphased block",
      prFacts(),
      blockUnphasedConfig,
      "This repository requires a phase on every pull request (`unphased: block`). Add one of the labels `phase: crawl`, `phase: walk`, `phase: run`, set a phase milestone (`Crawl`, `Walk`, `Run`), or link an issue that has one (`Closes #123`).",
    ],
    [
      "unphased block without milestones",
      prFacts(),
      configSchema.parse({ unphased: "block", phases: [{ id: "a", gate: {} }, { id: "b" }] }),
      "Add one of the labels `phase: a`, `phase: b`, or link an issue that has one (`Closes #123`).",
    ],
  ])("%s", (_name, facts, config, expected) => {
    const { summary } = render(facts, {}, config);
    expect(summary).toContain("### What happens next");
    expect(summary).toContain(expected);
    expect(summary).not.toContain("### Gates before");
  });
});

describe("describeApprovers", () => {
  it.each<[string, Config, number, string]>([
    ["default", defaultConfig, 0, "anyone with maintain permission or higher"],
    [
      "users, teams and admin",
      fourPhaseConfig,
      0,
      "@alice; members of @acme/leads; anyone with admin permission or higher",
    ],
    [
      "several users and teams, write permission",
      configSchema.parse({
        phases: [
          {
            id: "a",
            gate: {
              approvers: { users: ["x", "y"], teams: ["o/t1", "o/t2"], permission: "write" },
            },
          },
          { id: "b" },
        ],
      }),
      0,
      "@x, @y; members of @o/t1, @o/t2; anyone with write permission or higher",
    ],
  ])("%s", (_name, config, index, expected) => {
    expect(describeApprovers(gateOf(config, index))).toBe(expected);
  });
});

describe("renderInvalidConfig", () => {
  it.each<[number, string]>([
    [1, "has 1 error,"],
    [3, "has 3 errors,"],
  ])("%i error(s)", (count, wording) => {
    const md = "- `.github/phase-gates.yml:3:5` phases[0].id: expected an id";
    const out = renderInvalidConfig(md, count);
    expect(out).toMatchObject({ conclusion: "failure", title: "Invalid .github/phase-gates.yml" });
    expect(out.summary).toContain(md);
    expect(out.summary).toContain(wording);
    expect(out.summary).toContain("Fix it on the default branch.");
  });

  it("clamps a huge error list", () => {
    const md = Array.from({ length: 5000 }, (_, i) => `- line ${i}:1 something is wrong here`).join(
      "\n",
    );
    expect(renderInvalidConfig(md, 5000).summary.length).toBeLessThanOrEqual(GITHUB_LIMIT);
  });
});

describe("clampSummary", () => {
  it.each([0, 10, 65_000])("keeps a %i-character summary as it is", (n) => {
    const s = "x".repeat(n);
    expect(clampSummary(s)).toBe(s);
  });

  it("cuts a long multi-line summary at a line end and says so", () => {
    const line = `${"y".repeat(99)}\n`;
    const s = line.repeat(1000);
    const out = clampSummary(s);
    expect(out.length).toBeLessThanOrEqual(GITHUB_LIMIT);
    expect(out).toMatch(
      /_…cut short: the full text is over GitHub's size limit for a check \(65,535 bytes\)._\n$/,
    );
    expect(s.startsWith(out.slice(0, out.indexOf("\n\n_…cut short")))).toBe(true);
    expect(out.slice(0, out.indexOf("\n\n_…cut short")).endsWith("y")).toBe(true);
  });

  // Fixed: with no newline in the first 64,800 characters, lastIndexOf returns -1 and
  // slice(0, -1) keeps almost everything: the result is longer than GitHub accepts.
  it("keeps ≤ 65,535 characters even without line breaks", () => {
    expect(clampSummary("z".repeat(70_000)).length).toBeLessThanOrEqual(GITHUB_LIMIT);
  });

  // The same bug through renderVerdict: a PR that closes many Run issues puts every
  // deciding claim on the one "**Phase:**" line, and the check run would be rejected (422).
  it("renderVerdict stays within the limit for a PR closing 1,000 Run issues", () => {
    const linkedIssues = Array.from({ length: 1000 }, (_, i) =>
      linkedIssue(i + 1, { labels: ["phase: run"] }),
    );
    const out = render(prFacts({ linkedIssues }), { 0: approvedGate(), 1: walkGate() });
    expect(out.summary.length).toBeLessThanOrEqual(GITHUB_LIMIT);
  });
});

const bytes = (s: string) => new TextEncoder().encode(s).length;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The cells of a GFM table row as GitHub (cmark-gfm) splits it: a backslash
 * escapes the next character, and an unescaped `|` separates cells.
 */
function cellCount(row: string): number {
  let pipes = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === "\\") i++;
    else if (row[i] === "|") pipes++;
  }
  return pipes - 1;
}

describe("clampSummary counts UTF-8 bytes, as GitHub does", () => {
  it("is GitHub's limit", () => {
    expect(SUMMARY_LIMIT_BYTES).toBe(65_535);
  });

  it.each<[string, string, boolean]>([
    ["65,535 ASCII characters", "x".repeat(65_535), false],
    ["65,536 ASCII characters", "x".repeat(65_536), true],
    ["21,845 three-byte characters (65,535 bytes)", "€".repeat(21_845), false],
    ["21,846 three-byte characters", "€".repeat(21_846), true],
    ["30,000 ✅ (30,000 characters, 90,000 bytes)", "✅\n".repeat(30_000), true],
    ["20,000 😀 (40,000 UTF-16 units, 80,000 bytes)", "😀".repeat(20_000), true],
  ])("%s", (_name, summary, cut) => {
    const out = clampSummary(summary);
    expect(bytes(out)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(out !== summary).toBe(cut);
    expect(out).not.toMatch(LONE_SURROGATE);
    if (cut) expect(out).toContain("cut short");
  });

  it("utf8Length agrees with TextEncoder, lone surrogates included", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary" }),
          fc.string({ unit: fc.constantFrom("\uD800", "\uDC00", "a", "é", "€", "😀") }),
        ),
        (s) => {
          expect(utf8Length(s)).toBe(bytes(s));
        },
      ),
    );
  });
});

describe("truncate", () => {
  it.each<[string, number, string]>([
    ["short", 10, "short"],
    ["exactly", 7, "exactly"],
    ["too long", 5, "too …"],
    ["ab😀cd", 4, "ab…"],
    ["ab😀cd", 5, "ab😀…"],
  ])("%j to %i → %j", (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });
});

describe("echoing user text", () => {
  it.each<[string, string, string]>([
    ["plain text is kept", "budget cut", "budget cut"],
    ["line breaks become spaces", "one\r\ntwo\nthree\rfour\u2028five", "one two three four five"],
    ["control characters are dropped", "a\u0000b\u0007c\u001b[0md\u007f", "abc[0md"],
    ["bidi controls are dropped", "\u202Eevil\u202C \u2067x\u2069", "evil x"],
    ["zero-width and soft hyphens are dropped", "ph\u200Base\u00AD\uFEFF\u2060", "phase"],
    ["an emoji's joiner is kept", "👩‍💻 and 🏳️‍🌈", "👩‍💻 and 🏳️‍🌈"],
    ["a stray joiner is dropped", "a\u200Db", "ab"],
    [
      "an HTML comment is neutralised",
      "<!-- phase-gates:decision -->",
      "<\\!-- phase-gates:decision -->",
    ],
    ["an invisible character cannot hide a comment", "<!\u200B--", "<\\!--"],
    ["every comment is neutralised", "<!--<!---->", "<\\!--<\\!---->"],
    ["any script is kept", "Привет 好的 ／", "Привет 好的 ／"],
  ])("%s", (_name, text, expected) => {
    expect(echoText(text)).toBe(expected);
  });

  it("cuts long text at ECHO_LIMIT characters", () => {
    const out = echoText("r".repeat(10_000));
    expect(out).toHaveLength(ECHO_LIMIT);
    expect(out.endsWith("…")).toBe(true);
  });

  it.each([
    ["\u200B", true],
    ["\u202E", true],
    ["\u00AD", true],
    ["a\u200Db", true],
    ["👩‍💻", false],
    ["／approve", false],
    ["plain", false],
  ])("hasInvisible(%j) is %s", (text, expected) => {
    expect(hasInvisible(text)).toBe(expected);
  });

  it("never leaves a comment opener or a format character, whatever the input", () => {
    const piece = fc.oneof(
      fc.constantFrom("<", "!", "-", "<!--", "\u200B", "\u202E", "\u00AD", "\n", "|"),
      fc.string({ unit: "binary", maxLength: 5 }),
    );
    fc.assert(
      fc.property(
        fc.array(piece).map((p) => p.join("")),
        (text) => {
          const out = echoText(text);
          expect(out).not.toContain("<!--");
          expect(out).not.toMatch(/[\n\r\p{Cc}]/u);
          expect(stripInvisible(out)).toBe(out);
          expect(out.length).toBeLessThanOrEqual(ECHO_LIMIT);
        },
      ),
    );
  });
});

describe("tableCell", () => {
  it.each<[string, string]>([
    ["a | b", "a \\| b"],
    ["a \\| b", "a \\\\\\| b"],
    ["a \\\\| b", "a \\\\\\\\\\| b"],
    ["line\nbreak", "line break"],
    ["<!-- x -->", "<\\!-- x -->"],
  ])("%j → %j", (text, expected) => {
    expect(tableCell(text)).toBe(expected);
  });

  it("no user text splits a row", () => {
    const piece = fc.oneof(
      fc.constantFrom("|", "\\", "\\|", "\n", "`", "<!--"),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(
        fc.array(piece).map((p) => p.join("")),
        fc.string(),
        (a, b) => {
          expect(cellCount(`| ${tableCell(a)} | ${tableCell(b)} |`)).toBe(2);
        },
      ),
    );
  });
});

describe("clampTitle", () => {
  it.each<[string, string]>([
    ["Run: gates approved", "Run: gates approved"],
    ["Blocked: Walk\ngate pending", "Blocked: Walk gate pending"],
    ["Blocked: \u202Eklaw gate pending", "Blocked: klaw gate pending"],
    ["t".repeat(TITLE_LIMIT), "t".repeat(TITLE_LIMIT)],
    ["t".repeat(TITLE_LIMIT + 1), `${"t".repeat(TITLE_LIMIT - 1)}…`],
  ])("%j", (title, expected) => {
    expect(clampTitle(title)).toBe(expected);
  });

  it("renderVerdict's title is one line of at most TITLE_LIMIT characters", () => {
    const config = configSchema.parse({
      phases: [
        { id: "a", name: `Long\nname ${"n".repeat(1000)}`, gate: { title: "Gate A" } },
        { id: "b" },
      ],
    });
    const { title } = render(prFacts({ labels: ["phase: b"] }), { 0: openGate() }, config);
    expect(title.length).toBeLessThanOrEqual(TITLE_LIMIT);
    expect(title).toMatch(/^Blocked: Long name n+…$/);
  });
});

describe("user text in the summary cannot break it", () => {
  const run = prFacts({ labels: ["phase: run"] });
  const marker = "<!-- phase-gates:decision -->";

  it.each<[string, Record<number, GateIssueFacts | null>, string]>([
    [
      "a stop reason",
      { 0: stoppedGate({ stop: { by: "li", reason: `${marker} hidden` } }), 1: null },
      "⛔ stopped by @li: <\\!-- phase-gates:decision --> hidden |",
    ],
    [
      "an unchecked criterion",
      { 0: approvedGate(), 1: openGate({ checklist: checklist(0, [`${marker} x`]) }) },
      'Still needed: 1 unchecked criterion: "<\\!-- phase-gates:decision --> x"',
    ],
    [
      "a stop reason with a line break and a pipe",
      { 0: stoppedGate({ stop: { by: "li", reason: "a\n| b \\| c" } }), 1: null },
      "⛔ stopped by @li: a \\| b \\\\\\| c |",
    ],
  ])("%s", (_name, gates, expected) => {
    const { summary } = render(run, gates);
    expect(summary).toContain(expected);
    expect(summary).not.toContain("<!--");
    for (const row of summary.split("\n").filter((l) => /^\| (Crawl|Walk) \|/.test(l))) {
      expect(cellCount(row)).toBe(6);
    }
  });

  it("a label echoed in a code span", () => {
    const config = configSchema.parse({
      phases: [{ id: "a", label: "a <!-- x", gate: {} }, { id: "b" }],
    });
    const { summary } = render(prFacts({ labels: ["a <!-- x"] }), {}, config);
    expect(summary).toContain("label `a <\\!-- x`");
    expect(summary).not.toContain("<!--");
  });

  it("an unreadable linked issue's reason", () => {
    const facts = prFacts({
      labels: ["phase: crawl"],
      linkedIssues: [unreadableIssue(5, "o", "r", `${marker}\nnot found`)],
    });
    const { summary } = render(facts);
    expect(summary).toContain("(<\\!-- phase-gates:decision --> not found)");
    expect(summary).not.toContain("<!--");
  });
});

describe("every check output stays within GitHub's limits", () => {
  const EVIL = [
    marker(),
    "|",
    "\\|",
    "\u202E",
    "\n",
    "`",
    "✅",
    "😀",
    "👩‍💻",
    "\u0000",
    "xxxxxxxx",
  ];
  function marker() {
    return "<!-- phase-gates:decision -->";
  }
  const fragment = fc.oneof(
    fc.constantFrom(...EVIL),
    fc.string({ unit: "binary", minLength: 1, maxLength: 6 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }),
  );
  /** Long text: a fragment repeated up to `times` times. */
  const long = (times: number) =>
    fc.tuple(fragment, fc.integer({ min: 1, max: times })).map(([f, n]) => f.repeat(n));
  const login = fc.stringMatching(/^[a-z][a-z0-9]{0,38}$/);
  /** The first `n` characters as GitHub counts them (code points, not UTF-16 units). */
  const chars = (text: string, n: number) => Array.from(text).slice(0, n).join("");

  const PHASES = 10;
  const hugeConfig: fc.Arbitrary<Config> = fc
    .record({
      names: fc.array(long(300), { minLength: PHASES, maxLength: PHASES }),
      labels: fc.array(long(20), { minLength: PHASES, maxLength: PHASES }),
      titles: fc.array(long(300), { minLength: PHASES, maxLength: PHASES }),
      criteria: fc.array(long(200), { minLength: 1, maxLength: 20, size: "max" }),
      users: fc.array(login, { maxLength: 100, size: "max" }),
      teams: fc.array(
        login.map((t) => `acme/${t}`),
        { maxLength: 50, size: "max" },
      ),
    })
    .map(({ names, labels, titles, criteria, users, teams }) =>
      configSchema.parse({
        phases: names.map((name, i) => ({
          id: `p${i}`,
          name,
          // Unique, at most 50 characters, as the schema asks.
          label: chars(`p${i} ${labels[i]}`, 50),
          milestone: `M${i} ${titles[i]}`,
          ...(i < PHASES - 1
            ? {
                gate: {
                  title: chars(titles[i] ?? "", 256),
                  criteria,
                  approvers: { users, teams },
                  approvals: 3,
                },
              }
            : {}),
        })),
      }),
    );

  const hugePr = (config: Config): fc.Arbitrary<PullRequestPhaseFacts> =>
    fc
      .array(
        fc.record({
          phase: fc.nat({ max: PHASES - 1 }),
          junk: fc.array(long(50), { maxLength: 5, size: "max" }),
          unreadable: fc.boolean(),
          reason: long(200),
        }),
        { minLength: 50, maxLength: 50 },
      )
      .map((issues) => ({
        labels: config.phases.map((p) => p.label),
        milestone: config.phases[PHASES - 1]?.milestone ?? null,
        linkedIssues: issues.map(
          ({ phase, junk, unreadable, reason }, i): LinkedIssueFacts =>
            unreadable
              ? { ref: { owner: "o", repo: "r", number: i + 1 }, readable: false, reason }
              : {
                  ref: { owner: "other-org", repo: "some-long-repository-name", number: i + 1 },
                  readable: true,
                  url: `https://github.com/other-org/some-long-repository-name/issues/${i + 1}`,
                  labels: [config.phases[phase]?.label ?? "", ...junk],
                  milestone: config.phases[phase]?.milestone ?? null,
                },
        ),
      }));

  const hugeGate: fc.Arbitrary<GateIssueFacts> = fc
    .record({
      stopped: fc.boolean(),
      reason: long(500),
      title: long(300),
      closedBy: login,
      unchecked: fc.array(long(100), { maxLength: 50, size: "max" }),
      approvals: fc.array(login, { maxLength: 10 }),
    })
    .map(({ stopped, reason, title, closedBy, unchecked, approvals }) =>
      (stopped ? stoppedGate : openGate)({
        title,
        closedBy,
        closerAuthorized: false,
        approvals,
        stop: stopped ? { by: closedBy, reason } : null,
        checklist: checklist(1, unchecked),
      }),
    );

  const scenario = hugeConfig.chain((config) =>
    fc.record({
      config: fc.constant(config),
      facts: hugePr(config),
      gates: fc.array(hugeGate, { minLength: PHASES - 1, maxLength: PHASES - 1 }),
    }),
  );

  it("renderVerdict: 10 phases, long criteria, 50 linked issues with long labels", () => {
    let cut = 0;
    fc.assert(
      fc.property(scenario, ({ config, facts, gates }) => {
        const out = renderVerdict(
          config,
          evaluatePullRequest(config, facts, new Map(gates.map((g, i) => [i, g]))),
          REPO,
        );
        expect(out.summary.length).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
        expect(bytes(out.summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
        expect(out.summary).not.toContain("<!--");
        expect(out.title.length).toBeLessThanOrEqual(TITLE_LIMIT);
        expect(out.title).not.toMatch(/[\n\r]/);
        if (out.summary.includes("cut short")) cut++;
      }),
      { numRuns: 25 },
    );
    // The scenarios must be big enough to reach the limit, or this tests nothing.
    expect(cut).toBeGreaterThan(0);
  });

  it("renderPullRequestConfigInvalid: a huge error list and a huge gates summary", () => {
    const gates = renderVerdict(
      defaultConfig,
      evaluatePullRequest(
        defaultConfig,
        prFacts({ labels: ["phase: run"] }),
        gateMap({ 0: stoppedGate({ stop: { by: "li", reason: "😀".repeat(40_000) } }) }),
      ),
      REPO,
    );
    const errors = Array.from({ length: 3000 }, (_, i) => `- ✅ line ${i}: ⛔ wrong`).join("\n");
    const out = renderPullRequestConfigInvalid(errors, 3000, {
      ...gates,
      summary: "⏳".repeat(30_000),
    });
    expect(bytes(out.summary)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(bytes(renderInvalidConfig(errors, 3000).summary)).toBeLessThanOrEqual(
      SUMMARY_LIMIT_BYTES,
    );
  });
});

describe("batchAnnotations", () => {
  it("sends at most 50 per request, as GitHub takes", () => {
    expect(ANNOTATIONS_PER_REQUEST).toBe(50);
  });

  it.each<[number, number, number[]]>([
    [0, 50, []],
    [1, 50, [1]],
    [50, 50, [50]],
    [51, 50, [50, 1]],
    [120, 50, [50, 50, 20]],
    [5, 2, [2, 2, 1]],
    [3, 1, [1, 1, 1]],
  ])("%i annotations in batches of %i → %j", (count, size, sizes) => {
    const annotations = Array.from({ length: count }, (_, i) => ({ line: i }));
    const batches = batchAnnotations(annotations, size);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(annotations);
  });

  it("batches of 50 by default", () => {
    expect(batchAnnotations(Array.from({ length: 101 }, (_, i) => i)).map((b) => b.length)).toEqual(
      [50, 50, 1],
    );
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects a batch size of %d", (size) => {
    expect(() => batchAnnotations([1, 2], size)).toThrow(RangeError);
  });
});
