import { pacingFloorSeconds } from "../../sandbox/emulator/index.js";
import { createMix } from "../harness/mix.js";
import { openLoop } from "../harness/relay.js";
import { type ScenarioResult, zeroFigure } from "../harness/report.js";
import { apiRequests } from "../harness/requests.js";
import type { BenchSettings } from "../harness/settings.js";
import {
  blockedRunCheck,
  createWorld,
  deliverTo,
  drained,
  openBlockedRunPrs,
  prepareRepository,
  settle,
  startPhaseGates,
  waitUntilFinal,
} from "../harness/world.js";

export async function apiPerEvent(settings: BenchSettings): Promise<ScenarioResult> {
  const started = performance.now();
  const world = await createWorld();
  try {
    const app = await startPhaseGates(world);
    deliverTo(world, [app]);
    await prepareRepository(world);
    const template = await blockedRunCheck(world);
    const prs = [template.pr, ...openBlockedRunPrs(world, settings.mixPrs - 1, template.check)];
    await settle(world);
    // Kept for BENCH_DUMP_REQUESTS: the set-up's requests share the budget's minute with the burst's.
    const setUp = [...world.emu.requestLog.entries];
    world.emu.requestLog.reset();
    world.audit.reset();
    const mix = createMix(world, prs);
    const sent = await openLoop(settings.rate, settings.mixSeconds, (i) => mix.act(i));
    const burstEnd = performance.now();
    const final = await waitUntilFinal(world, prs, "failure", {
      since: burstEnd,
      stallMs: 60_000,
      timeoutMs: 15 * 60_000,
    });
    // An app that reads several times per event cannot drain faster than 900 points a minute; cap the wait.
    const drainMs = 120_000;
    const idle = await drained(world, 3000, drainMs);
    const requests = apiRequests(world.emu.requestLog.entries);
    if (process.env.BENCH_DUMP_REQUESTS) {
      const { writeFileSync } = await import("node:fs");
      const burstEndWall = Date.now() - (performance.now() - burstEnd);
      writeFileSync(
        process.env.BENCH_DUMP_REQUESTS,
        [...setUp, ...world.emu.requestLog.entries]
          .map(
            (e) => `${((e.at - burstEndWall) / 1000).toFixed(2)} ${e.status} ${e.method} ${e.path}`,
          )
          .join("\n"),
      );
    }
    const events = sent.sent;
    const { counts } = world.audit;
    // A correct app needs, per PR that got a new head, one list of its files and one check created.
    const needed = mix.pushed.size;
    const floorSeconds = pacingFloorSeconds({ writes: needed });
    return {
      id: 2,
      title: "API requests per event",
      setup: {
        prs: prs.length,
        rate: `${settings.rate}/s`,
        seconds: settings.mixSeconds,
        events,
        labelEvents: mix.counts.label,
        pushes: mix.counts.push,
        bodyEdits: mix.counts.body,
        prsPushed: needed,
      },
      figures: [
        {
          name: "API requests per event (304s apart)",
          value: requests.counted / events,
          target: "≤ 0.25",
          floor: (2 * needed) / events,
          met: requests.counted / events <= 0.25,
        },
        { name: "304 answers per event", value: requests.notModified / events },
        {
          name: "writes (check runs + issues)",
          value: counts.checkWrites + counts.issueWrites,
          floor: needed,
        },
        {
          name: "no-op check writes",
          value: counts.noOpCheckWrites,
          target: "0",
          floor: 0,
          met: counts.noOpCheckWrites === 0,
        },
        {
          name: "no-op issue writes (labels, milestone, state, title, body)",
          value: counts.noOpIssueWrites,
          target: "0",
          floor: 0,
          met: counts.noOpIssueWrites === 0,
        },
        zeroFigure("secondary-limit 403s", requests.secondaryLimited),
        {
          name: "every check final after the burst",
          value: final.missing.length === 0 ? final.seconds : `${final.missing.length} never final`,
          unit: "s",
          target: "≤ 10 s",
          floor: floorSeconds,
          met: final.missing.length === 0 && final.seconds <= 10,
        },
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        ...(idle
          ? []
          : [
              `The app was still making requests ${drainMs / 1000} s after every check was final: the request counts are a lower bound.`,
            ]),
        `Requests by route: ${requests.byRoute}.`,
        `Floors: requests = 2 per PR pushed (list files + create its check) over all events; time = those ${needed} check writes evenly paced at 180/min (N/3 s). A rolling 900-point minute holds ${needed} writes at once, so a burst-spending pacer can beat it; an evenly pacing one cannot go under it.`,
      ],
    };
  } finally {
    await world.close();
  }
}
