import { describe, expect, it } from "vitest";
import { type Config, configSchema } from "../../../src/config/schema.js";
import { evaluatePullRequest } from "../../../src/core/evaluate.js";
import {
  CHECK_NAME,
  CONFIG_INVALID_TITLE,
  clampSummary,
  describeApprovers,
  renderInvalidConfig,
  renderVerdict,
} from "../../../src/core/render-check.js";
import type { GateIssueFacts, PullRequestPhaseFacts } from "../../../src/core/types.js";
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
