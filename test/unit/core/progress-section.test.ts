import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checklistProgress, criteriaProgress } from "../../../src/core/checklist.js";
import {
  PROGRESS_END,
  PROGRESS_START,
  renderProgressSection,
  withProgressSection,
} from "../../../src/core/progress-section.js";
import { gate, storyConfig } from "./dashboard-facts.js";
import { checklist, openGate } from "./helpers.js";

const URL = "https://github.com/acme/rocket";

function walkProgress(today = "2026-11-25"): string {
  return renderProgressSection({
    status: gate(
      storyConfig,
      1,
      openGate({
        number: 2,
        approvals: ["lead"],
        checklist: checklist(0, ["Three suborbital hops without incident"]),
      }),
    ),
    waiting: [
      { number: 8, url: `${URL}/pull/8`, blocked: true },
      { number: 11, url: `${URL}/pull/11`, blocked: true },
    ],
    timebox: {
      title: "Walk",
      url: `${URL}/milestone/2`,
      dueOn: "2026-12-04T08:00:00Z",
      state: "open",
    },
    today,
  });
}

const BODY = [
  "<!-- phase-gates:gate:walk -->",
  "This issue is the **gate** that ends the **Walk** phase.",
  "### Success criteria",
  "- [ ] Three suborbital hops without incident",
  "- [x] Telemetry archived",
  "Notes from the team: hop 2 was windy.",
].join("\n\n");

describe("renderProgressSection", () => {
  it("shows criteria, approvals so far, the PRs waiting and the timebox", () => {
    expect(walkProgress()).toMatchInlineSnapshot(`
      "<!-- phase-gates:progress:start -->

      #### Progress

      _Kept up to date by phase-gates: this section is rewritten when the gate or the work behind it changes; the rest of this issue is yours._

      - **State:** ⏳ pending
      - **Criteria:** 0/1 checked
      - **Approvals:** 1/2 — @lead
      - **Waiting on this gate:** 2 pull requests: [#8](https://github.com/acme/rocket/pull/8) ⛔, [#11](https://github.com/acme/rocket/pull/11) ⛔
      - **Timebox:** [Walk](https://github.com/acme/rocket/milestone/2) due 2026-12-04: 9 days left
      - **Still needed:** 1 unchecked criterion: "Three suborbital hops without incident"; 1 more approval (1/2): an approver closes the issue as completed or comments \`/approve\`

      <!-- phase-gates:progress:end -->"
    `);
  });

  it("flags the timebox once the phase is overdue with the gate open", () => {
    expect(walkProgress("2026-12-07")).toContain("⚠️ **3 days overdue** with the gate still open");
  });
});

describe("withProgressSection", () => {
  const section = walkProgress();

  it("appends the section to a body that has none", () => {
    expect(withProgressSection(BODY, section)).toBe(`${BODY}\n\n${section}`);
    expect(withProgressSection(null, section)).toBe(section);
  });

  it("replaces the section in place, keeping people's text before and after it", () => {
    const withOld = `${BODY}\n\n${PROGRESS_START}\nold\n${PROGRESS_END}\n\nWritten after the section.`;
    expect(withProgressSection(withOld, section)).toBe(
      `${BODY}\n\n${section}\n\nWritten after the section.`,
    );
  });

  it("is idempotent: splicing the same section again changes nothing", () => {
    const once = withProgressSection(BODY, section);
    expect(withProgressSection(once, section)).toBe(once);
  });

  it("drops a marker whose partner was deleted instead of swallowing the text between", () => {
    const broken = `${PROGRESS_START}\nkeep me\n\n${BODY}`;
    const result = withProgressSection(broken, section);
    expect(result).toContain("keep me");
    expect(result).toContain(BODY);
    expect(result.split(PROGRESS_START)).toHaveLength(2);
  });

  it("never changes the task list people tick", () => {
    const spliced = withProgressSection(BODY, section);
    expect(checklistProgress(spliced)).toEqual(checklistProgress(BODY));
    expect(criteriaProgress(spliced, ["Three suborbital hops without incident"])).toEqual(
      criteriaProgress(BODY, ["Three suborbital hops without incident"]),
    );
  });

  it("never changes the checklist of any body, whatever the gate's criteria say", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom("- [ ] a", "- [x] b", "* [X] c", "```", "<!--", "-->"),
          ),
        ),
        fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }),
        (lines, criteria) => {
          const body = lines.join("\n");
          const config = {
            ...storyConfig,
            phases: storyConfig.phases.map((p, i) =>
              i === 1 && p.gate ? { ...p, gate: { ...p.gate, criteria } } : p,
            ),
          };
          const progress = renderProgressSection({
            status: gate(config, 1, openGate({ checklist: criteriaProgress(body, criteria) })),
            waiting: [],
            timebox: null,
            today: "2026-11-25",
          });
          // Text that opens a fence or a comment and never closes it can hide what follows.
          const closed = body.replace(/```|<!--/g, "");
          expect(checklistProgress(withProgressSection(closed, progress))).toEqual(
            checklistProgress(closed),
          );
        },
      ),
    );
  });
});
