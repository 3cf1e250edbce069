import { GITHUB_SECONDARY_LIMITS } from "../../sandbox/emulator/index.js";
import type { ScenarioResult } from "../harness/report.js";
import { apiRequests } from "../harness/requests.js";
import type { BenchSettings } from "../harness/settings.js";
import {
  blockedRunCheck,
  createWorld,
  DEV,
  deliverTo,
  drained,
  openBlockedRunPrs,
  prepareRepository,
  settle,
  startPhaseGates,
} from "../harness/world.js";

const CONFIG = "project:\n  number: 1\n";

/** What the app asks of a project (project-sync.ts), as the emulator's log names GraphQL fields. */
const PROJECT_FIELDS =
  /^(projectV2|issueOrPullRequest|addProjectV2ItemById|updateProjectV2ItemFieldValue|clearProjectV2ItemFieldValue|createProjectV2Field)$/;
const isProjectRequest = (e: { graphql?: string[] }) =>
  (e.graphql ?? []).some((field) => PROJECT_FIELDS.test(field));

/**
 * Scenario 12 (SPEC §5 "Projects"): `project` added to the config by a push
 * in a repository whose issues and PRs are phased already, half Walk issues,
 * half Run PRs (with their checks, as if checked long ago). Timed from the
 * push until every item shows its phase in the project; then a PR event that
 * changes no phase, whose project requests are counted (0 expected).
 *
 * The floor: GitHub asks a second between mutations, so the sync cannot be
 * faster than one second per mutation it needs: the app's two fields
 * (Phase, Gate), per item an add and a set, per gate issue an add and two
 * sets (Phase, Gate). Queries (the project's fields) are not in the floor.
 */
export async function projectSync(settings: BenchSettings): Promise<ScenarioResult> {
  const started = performance.now();
  const world = await createWorld();
  try {
    const app = await startPhaseGates(world);
    deliverTo(world, [app]);
    await prepareRepository(world);
    const { emu, actors, relay } = world;
    const project = emu.state.createProject("acme", { number: 1, title: "Initiative" });
    const template = await blockedRunCheck(world);
    const pulls = [
      template.pr,
      ...openBlockedRunPrs(world, Math.ceil(settings.projectItems / 2) - 1, template.check),
    ];
    // Walk issues, opened quietly (no webhook): the app meets them in the first sync.
    const targets = relay.targets;
    relay.targets = [];
    const repo = actors.repo();
    const issues = Array.from(
      { length: Math.floor(settings.projectItems / 2) },
      (_, i) =>
        emu.state.createIssue(
          repo,
          { title: `Walk work ${i}`, labels: ["phase: walk"] },
          emu.state.user(DEV),
        ).number,
    );
    relay.targets = targets;
    await settle(world);
    const gateIssues = ["gate: crawl", "gate: walk"].filter((l) => actors.issueWithLabel(l)).length;
    const items = pulls.length + issues.length;
    const mutations = 2 + 2 * items + 3 * gateIssues;
    const floor = (mutations * GITHUB_SECONDARY_LIMITS.mutationGapMs) / 1000;

    world.emu.requestLog.reset();
    const pushedAt = performance.now();
    await actors.pushConfig(CONFIG, { by: "lead" });
    const phaseOf = (n: number) =>
      emu.state.projectItemValue(project, emu.state.issue(repo, n), "Phase");
    const missing = () => [
      ...pulls.filter((n) => phaseOf(n) !== "Run"),
      ...issues.filter((n) => phaseOf(n) !== "Walk"),
    ];
    let left = missing();
    let lastProgress = performance.now();
    while (left.length > 0 && performance.now() - lastProgress < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = missing();
      if (now.length < left.length) lastProgress = performance.now();
      left = now;
    }
    const seconds = (performance.now() - pushedAt) / 1000;
    await drained(world, 3000, 120_000);
    const sync = apiRequests(world.emu.requestLog.entries);
    const graphql = world.emu.requestLog.entries.filter(isProjectRequest);
    const byLimit = sync.secondaryLimited
      ? world.emu.requestLog.entries
          .filter((e) => e.limitedBy)
          .map((e) => e.limitedBy)
          .join(", ")
      : "none";

    // Steady state: a label that is no phase, on a PR the project already shows.
    world.emu.requestLog.reset();
    const pr = pulls[0] ?? template.pr;
    await actors.addLabel(pr, "docs", { by: DEV });
    await settle(world);
    const steadyProject = world.emu.requestLog.entries.filter(isProjectRequest).length;

    const done = items - left.length;
    return {
      id: 12,
      title: "project: first sync, then a steady PR event",
      setup: { items, pulls: pulls.length, issues: issues.length, gateIssues },
      figures: [
        {
          name: "items with their phase",
          value: `${done}/${items}`,
          target: "all",
          met: done === items,
        },
        {
          name: "secondary-limit 403s (first sync)",
          value: sync.secondaryLimited,
          target: "0",
          met: sync.secondaryLimited === 0,
        },
        { name: "project requests (first sync)", value: graphql.length },
        {
          name: "wall time until every item shows its phase",
          value: seconds,
          unit: "s",
          target: "≤ 1.1× floor",
          floor,
          met: left.length === 0 && seconds <= 1.1 * floor,
        },
        { name: "wall time / pacing floor", value: seconds / floor, target: "≤ 1.1" },
        {
          name: "project requests of a PR event that changes no phase",
          value: steadyProject,
          target: "0",
          met: steadyProject === 0,
        },
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        `Requests of the first sync by route: ${sync.byRoute}. Refused by: ${byLimit}.`,
        `Floor: ${mutations} mutations (2 fields + 2 × ${items} items + 3 × ${gateIssues} gate issues) × ${GITHUB_SECONDARY_LIMITS.mutationGapMs / 1000} s (GitHub's second between mutations) = ${floor.toFixed(0)} s.`,
      ],
    };
  } finally {
    await world.close();
  }
}
