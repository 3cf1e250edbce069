import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import {
  clampIssueBody,
  currentPhaseIndex,
  DASHBOARD_MARKER,
  ISSUE_BODY_LIMIT,
  mermaidText,
  type PhaseReport,
  renderDashboard,
  renderMermaid,
} from "../../../src/core/dashboard.js";
import { daysUntil, readTimebox } from "../../../src/core/report-text.js";
import type { GateStateName } from "../../../src/core/types.js";
import { gate, midWalk, overdueWalk, stoppedCrawl, storyConfig } from "./dashboard-facts.js";

describe("renderDashboard", () => {
  it("shows a repository in the middle of Walk: diagram, a table per phase, recent decisions", () => {
    expect(renderDashboard(midWalk())).toMatchInlineSnapshot(`
      "<!-- phase-gates:dashboard -->

      ## Phase gates status

      **Now in Walk**: the Walk gate is pending — criteria 0/1 checked, approvals 1/2. 2 pull requests wait for it.

      \`\`\`mermaid
      flowchart LR
        phase0["Crawl"]
        gate0{{"Crawl gate: approved"}}
        phase1["Walk (now)"]
        gate1{{"Walk gate: pending"}}
        phase2["Run"]
        phase0 --> gate0 --> phase1 --> gate1 --> phase2
        classDef approved fill:#dafbe1,stroke:#1a7f37,color:#1f2328
        classDef pending fill:#fff8c5,stroke:#9a6700,color:#1f2328
        classDef stopped fill:#ffebe9,stroke:#cf222e,color:#1f2328
        classDef current stroke:#0969da,stroke-width:4px
        class gate0 approved
        class gate1 pending
        class phase1 current
      \`\`\`

      ### Crawl

      | | |
      | --- | --- |
      | Gate | ✅ approved — [Gate: Crawl → Walk #1](https://github.com/acme/rocket/issues/1) |
      | Decided by | @lena |
      | Decided on | 2026-11-20 |
      | Approvals | 1/1 — @lena |
      | Criteria | 2/2 checked |
      | Issues | [0 open](https://github.com/acme/rocket/issues?q=is%3Aissue%20is%3Aopen%20label%3A%22phase%3A%20crawl%22) · [6 closed](https://github.com/acme/rocket/issues?q=is%3Aissue%20is%3Aclosed%20label%3A%22phase%3A%20crawl%22) |
      | Open pull requests | 1 (0 blocked): [#4](https://github.com/acme/rocket/pull/4) |
      | Timebox | [Crawl](https://github.com/acme/rocket/milestone/1) due 2026-11-21 |

      ### Walk (current phase)

      | | |
      | --- | --- |
      | Gate | ⏳ pending — [Gate: Walk → Run #2](https://github.com/acme/rocket/issues/2) |
      | Decided by | — |
      | Decided on | — |
      | Approvals | 1/2 — @lena |
      | Criteria | 0/1 checked |
      | Issues | [3 open](https://github.com/acme/rocket/issues?q=is%3Aissue%20is%3Aopen%20label%3A%22phase%3A%20walk%22) · [2 closed](https://github.com/acme/rocket/issues?q=is%3Aissue%20is%3Aclosed%20label%3A%22phase%3A%20walk%22) |
      | Open pull requests | 2 (0 blocked): [#7](https://github.com/acme/rocket/pull/7), [#9](https://github.com/acme/rocket/pull/9) |
      | Timebox | [Walk](https://github.com/acme/rocket/milestone/2) due 2026-12-04: 9 days left |

      ### Run

      | | |
      | --- | --- |
      | Gate | none: the last phase |
      | Issues | [1 open](https://github.com/acme/rocket/issues?q=is%3Aissue%20is%3Aopen%20label%3A%22phase%3A%20run%22) · [0 closed](https://github.com/acme/rocket/issues?q=is%3Aissue%20is%3Aclosed%20label%3A%22phase%3A%20run%22) |
      | Open pull requests | 2 (2 blocked): [#8](https://github.com/acme/rocket/pull/8) ⛔, [#11](https://github.com/acme/rocket/pull/11) ⛔ |
      | Timebox | [Run](https://github.com/acme/rocket/milestone/3): no due date |

      **Open pull requests in no phase:** 1 (0 blocked): [#12](https://github.com/acme/rocket/pull/12)

      ### Recently decided

      - 2026-11-20: Crawl gate ✅ approved by @lena ([#1](https://github.com/acme/rocket/issues/1))

      _Kept up to date by phase-gates on every gate decision, config change and milestone change, and at most once a minute for issue and pull request activity. Edits to this issue are replaced._"
    `);
  });

  it("counts issues in a phase through a parent issue, and says which parents", () => {
    const facts = midWalk();
    if (facts.kind !== "ok" || !facts.phases[2]) throw new Error("midWalk() is a valid config");
    facts.phases[2].issues.inherited = { open: 4, closed: 1, from: [12, 14, 15, 16, 17, 18] };
    const body = renderDashboard(facts);
    expect(body).toContain(
      "· 4 open, 1 closed inherited from #12, #14, #15, #16, #17 and 1 more |",
    );
    // Without any, the row is as before.
    expect(renderDashboard(midWalk())).not.toContain("inherited from");
  });

  it("flags a phase past its due date whose gate is still open", () => {
    const body = renderDashboard(overdueWalk());
    expect(body).toContain("> [!WARNING]\n> Overdue with the gate still open: Walk.");
    expect(body).toContain("5 days overdue** with the gate still open");
    // Crawl's gate is decided: its timebox shows no countdown even though its date has passed.
    expect(body).toContain(
      "| Timebox | [Crawl](https://github.com/acme/rocket/milestone/1) due 2026-11-21 |",
    );
  });

  it("says a stopped gate stops the work there", () => {
    const body = renderDashboard(stoppedCrawl());
    expect(body).toContain("**Stopped in Crawl**");
    expect(body).toContain("⛔ stopped: the engine failed twice");
    expect(body).toContain("no gate issue yet (label `gate: walk`)");
    expect(body).toContain("- 2026-11-22: Crawl gate ⛔ stopped by @lena");
  });

  it("lists every config error, with line and column, at the top", () => {
    const body = renderDashboard({
      kind: "invalid",
      errorCount: 2,
      errorsMarkdown:
        "| Where | Key | Problem |\n| --- | --- | --- |\n| `.github/phase-gates.yml:3:5` | `phases[0].id` | expected [a-z0-9-]+ |\n| `.github/phase-gates.yml:9:3` | `dashbord` | unknown key |",
    });
    expect(body).toMatchInlineSnapshot(`
      "<!-- phase-gates:dashboard -->

      ## Phase gates status

      > [!CAUTION]
      > \`.github/phase-gates.yml\` has 2 errors: no gate can be evaluated and every pull request's Phase gate check fails until it is fixed on the default branch. The phases return here once it is.

      | Where | Key | Problem |
      | --- | --- | --- |
      | \`.github/phase-gates.yml:3:5\` | \`phases[0].id\` | expected [a-z0-9-]+ |
      | \`.github/phase-gates.yml:9:3\` | \`dashbord\` | unknown key |

      _Kept up to date by phase-gates on every gate decision, config change and milestone change, and at most once a minute for issue and pull request activity. Edits to this issue are replaced._"
    `);
  });

  it("is the same text for the same facts, and different only when a fact changes", () => {
    expect(renderDashboard(midWalk())).toBe(renderDashboard(midWalk()));
    expect(renderDashboard(midWalk("2026-11-26"))).not.toBe(renderDashboard(midWalk()));
  });

  it("keeps user text from breaking the table, the diagram or the marker", () => {
    const config = configSchema.parse({
      phases: [
        { id: "a", name: 'Spike | "quick" <!-- phase-gates:dashboard --> ```', gate: {} },
        { id: "b", name: "B" },
      ],
    });
    const facts = {
      ...midWalk(),
      config,
      phases: [
        { gate: gate(config, 0, null), issues: { open: 0, closed: 0 }, pulls: [], timebox: null },
        { gate: null, issues: { open: 0, closed: 0 }, pulls: [], timebox: null },
      ],
      unphasedPulls: [],
    };
    const body = renderDashboard(facts);
    expect(body.split(DASHBOARD_MARKER)).toHaveLength(2);
    // Only the diagram's fence opens and closes a code block: a name cannot end it early.
    expect(body.split("\n").filter((l) => /^ {0,3}(`{3,}|~{3,})/.test(l))).toEqual([
      "```mermaid",
      "```",
    ]);
    expect(body).toContain('### Spike | "quick" <\\!-- phase-gates:dashboard -->');
    // Every row of every table keeps its two cells.
    const rows = body.split("\n").filter((l) => l.startsWith("| "));
    expect(rows.every((r) => r.replace(/\\\|/g, "").split("|").length === 4)).toBe(true);
  });
});

describe("clampIssueBody", () => {
  it("keeps a body GitHub accepts as it is", () => {
    const body = "a".repeat(ISSUE_BODY_LIMIT);
    expect(clampIssueBody(body)).toBe(body);
  });

  it("cuts a longer one at a line, with a note, within the limit", () => {
    const body = Array.from({ length: 5_000 }, (_, i) => `| row ${i} | 😀 |`).join("\n");
    const cut = clampIssueBody(body);
    expect(cut.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    expect(cut).toMatch(/\| 😀 \|\n\n_…cut short: the dashboard is over GitHub's size limit/);
  });

  it("lists thousands of config errors without going over the limit", () => {
    const row = "| `.github/phase-gates.yml:1:1` | `x` | unknown key |";
    const body = renderDashboard({
      kind: "invalid",
      errorCount: 3_000,
      errorsMarkdown: [
        "| Where | Key | Problem |",
        "| --- | --- | --- |",
        ...Array(3_000).fill(row),
      ].join("\n"),
    });
    expect(body.length).toBeLessThanOrEqual(ISSUE_BODY_LIMIT);
    expect(body).toContain("3000 errors");
  });
});

describe("currentPhaseIndex", () => {
  it.each([
    ["Crawl pending", 0, [null, null]],
    ["Crawl approved, Walk pending", 1, ["approved", null]],
    ["both approved: the last phase", 2, ["approved", "approved"]],
    ["Crawl stopped", 0, ["stopped", null]],
  ] as const)("%s → phase %i", (_name, expected, states) => {
    const facts = midWalk();
    const phases = facts.phases.map((p, i): PhaseReport => {
      const state: GateStateName | null | undefined = states[i];
      if (!p.gate) return p;
      return { ...p, gate: { ...p.gate, state: state ?? "pending" } };
    });
    expect(currentPhaseIndex(phases)).toBe(expected);
  });
});

describe("timeboxes", () => {
  const walk = { title: "Walk", url: "u", dueOn: "2026-12-04T08:00:00Z", state: "open" as const };
  it.each([
    ["2026-11-25", true, "[Walk](u) due 2026-12-04: 9 days left", false],
    ["2026-12-03", true, "[Walk](u) due 2026-12-04: 1 day left", false],
    ["2026-12-04", true, "[Walk](u) due today (2026-12-04)", false],
    [
      "2026-12-05",
      true,
      "[Walk](u) due 2026-12-04: ⚠️ **1 day overdue** with the gate still open",
      true,
    ],
    ["2026-12-05", false, "[Walk](u) due 2026-12-04", false],
  ])("on %s (gate open: %s) → %s", (today, open, text, flagged) => {
    expect(readTimebox(walk, today, open)).toEqual({ text, overdueWithOpenGate: flagged });
  });

  it.each([
    [null, "no phase milestone"],
    [{ ...walk, dueOn: null }, "[Walk](u): no due date"],
    [{ ...walk, state: "closed" as const }, "[Walk](u) milestone closed"],
  ])("%o → %s", (timebox, text) => {
    expect(readTimebox(timebox, "2026-12-30", true).text).toBe(text);
  });

  it("counts days across a month and a year end", () => {
    expect(daysUntil("2027-01-02T00:00:00Z", "2026-12-30")).toBe(3);
    expect(daysUntil("2026-03-01", "2026-02-28")).toBe(1);
  });
});

describe("renderMermaid", () => {
  it("styles each gate by its state and outlines the current phase", () => {
    expect(renderMermaid(storyConfig, midWalk().phases)).toMatchInlineSnapshot(`
      "flowchart LR
        phase0["Crawl"]
        gate0{{"Crawl gate: approved"}}
        phase1["Walk (now)"]
        gate1{{"Walk gate: pending"}}
        phase2["Run"]
        phase0 --> gate0 --> phase1 --> gate1 --> phase2
        classDef approved fill:#dafbe1,stroke:#1a7f37,color:#1f2328
        classDef pending fill:#fff8c5,stroke:#9a6700,color:#1f2328
        classDef stopped fill:#ffebe9,stroke:#cf222e,color:#1f2328
        classDef current stroke:#0969da,stroke-width:4px
        class gate0 approved
        class gate1 pending
        class phase1 current"
    `);
  });

  it.each([
    ['say "hi"', "say #34;hi#34;"],
    ["a#b;c", "a#35;b#59;c"],
    ["<b>x</b>", "#60;b#62;x#60;/b#62;"],
    ["```", "#96;#96;#96;"],
  ])("writes %j in a label as %j", (text, expected) => {
    expect(mermaidText(text)).toBe(expected);
  });
});
