import { type Config, configSchema } from "../../../src/config/schema.js";
import type { DashboardFacts, PhaseReport } from "../../../src/core/dashboard.js";
import { gateStatus } from "../../../src/core/gate-state.js";
import type { GateStatus } from "../../../src/core/types.js";
import { approvedGate, checklist, openGate, stoppedGate } from "./helpers.js";

/** The sandbox story's config: Crawl and Walk gates with criteria, milestones per phase. */
export const storyConfig: Config = configSchema.parse({
  phases: [
    {
      id: "crawl",
      milestone: "Crawl",
      gate: { criteria: ["Engine fires on the test stand", "Cost per launch estimated"] },
    },
    {
      id: "walk",
      milestone: "Walk",
      gate: { criteria: ["Three suborbital hops without incident"], approvals: 2 },
    },
    { id: "run", milestone: "Run" },
  ],
});

const URL = "https://github.com/acme/rocket";

export function gate(
  config: Config,
  index: number,
  issue: Parameters<typeof gateStatus>[2],
): GateStatus {
  const g = config.phases[index]?.gate;
  if (!g) throw new Error(`phase ${index} has no gate`);
  return gateStatus(index, g, issue);
}

const pr = (number: number, blocked = false) => ({ number, url: `${URL}/pull/${number}`, blocked });

const milestone = (n: number, title: string, dueOn: string | null) => ({
  title,
  url: `${URL}/milestone/${n}`,
  dueOn,
  state: "open" as const,
});

/** acme/rocket in the middle of Walk: Crawl approved, Walk pending with one of two approvals. */
export function midWalk(today = "2026-11-25"): Extract<DashboardFacts, { kind: "ok" }> {
  const config = storyConfig;
  const phases: PhaseReport[] = [
    {
      gate: gate(
        config,
        0,
        approvedGate({
          number: 1,
          url: `${URL}/issues/1`,
          title: "Gate: Crawl → Walk",
          closedBy: "lena",
          closedAt: "2026-11-20T14:03:00Z",
          checklist: checklist(2),
        }),
      ),
      issues: { open: 0, closed: 6 },
      pulls: [pr(4)],
      timebox: milestone(1, "Crawl", "2026-11-21T08:00:00Z"),
    },
    {
      gate: gate(
        config,
        1,
        openGate({
          number: 2,
          url: `${URL}/issues/2`,
          title: "Gate: Walk → Run",
          approvals: ["lena"],
          checklist: checklist(0, ["Three suborbital hops without incident"]),
        }),
      ),
      issues: { open: 3, closed: 2 },
      pulls: [pr(7), pr(9)],
      timebox: milestone(2, "Walk", "2026-12-04T08:00:00Z"),
    },
    {
      gate: null,
      issues: { open: 1, closed: 0 },
      pulls: [pr(8, true), pr(11, true)],
      timebox: milestone(3, "Run", null),
    },
  ];
  return { kind: "ok", config, repoUrl: URL, today, phases, unphasedPulls: [pr(12)] };
}

/** The same repository a month later: Walk overdue with its gate still open. */
export function overdueWalk(): Extract<DashboardFacts, { kind: "ok" }> {
  return midWalk("2026-12-09");
}

/** Crawl stopped. */
export function stoppedCrawl(): Extract<DashboardFacts, { kind: "ok" }> {
  const facts = midWalk();
  const [crawl, walk, run] = facts.phases;
  if (!crawl || !walk || !run) throw new Error("three phases");
  return {
    ...facts,
    phases: [
      {
        ...crawl,
        gate: gate(
          storyConfig,
          0,
          stoppedGate({
            number: 1,
            url: `${URL}/issues/1`,
            closedBy: "lena",
            closedAt: "2026-11-22T09:00:00Z",
            stop: { by: "lena", reason: "the engine failed twice" },
          }),
        ),
      },
      { ...walk, gate: gate(storyConfig, 1, null) },
      run,
    ],
  };
}
