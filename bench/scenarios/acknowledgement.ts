import { loadavg } from "node:os";
import { createMix } from "../harness/mix.js";
import { openLoop } from "../harness/relay.js";
import { percentile, type ScenarioResult } from "../harness/report.js";
import type { BenchSettings } from "../harness/settings.js";
import {
  blockedRunCheck,
  createWorld,
  deliverTo,
  openBlockedRunPrs,
  prepareRepository,
  startPhaseGates,
  type World,
} from "../harness/world.js";

interface Acks {
  p50: number;
  p99: number;
  max: number;
  count: number;
  non2xx: number;
  /** Distinct failures of deliveries that got no answer, with counts. */
  errors: string;
  worstLagMs: number;
  /** 1-minute load average when the timing ended: the machine is shared. */
  load: number;
}

/** The mix at `rate`/s for `seconds`, open loop; the acknowledgement times of those deliveries. */
async function timeAcks(world: World, prs: number[], settings: BenchSettings): Promise<Acks> {
  const mix = createMix(world, prs);
  // Warm-up, not timed: the first deliveries pay for loading code and payload examples on both sides.
  await openLoop(settings.rate, 1, (i) => mix.act(i));
  await world.relay.idle();
  const before = world.relay.deliveries.length;
  const sent = await openLoop(settings.rate, settings.ackSeconds, (i) =>
    mix.act(settings.rate + i),
  );
  await world.relay.idle();
  // Only the mix's pull_request deliveries: the app's own writes come back as check_run events a bare app never causes.
  const deliveries = world.relay.deliveries.slice(before).filter((d) => d.event === "pull_request");
  const ms = deliveries.map((d) => d.ms);
  return {
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    max: Math.max(...ms),
    count: deliveries.length,
    non2xx: deliveries.filter((d) => d.status < 200 || d.status > 299).length,
    errors: describeErrors(deliveries.flatMap((d) => (d.error ? [d.error] : []))),
    worstLagMs: sent.worstLagMs,
    load: loadavg()[0] ?? 0,
  };
}

function describeErrors(errors: string[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].map(([e, n]) => `${n} × ${e}`).join(", ") || "none";
}

/** The floor of two bare runs (one before, one after the app's), so the order of runs favours neither. */
function better(a: Acks, b: Acks): Acks {
  return a.p99 <= b.p99 ? a : b;
}

/** A bare Probot app (bench/bare-app.js) on a repository with the same PRs: the floor. */
async function bare(settings: BenchSettings): Promise<Acks> {
  const world = await createWorld();
  try {
    world.actors.repo();
    await world.actors.installApp(["acme/bench"], { by: "lead" });
    const prs = openBlockedRunPrs(world, settings.mixPrs, {
      conclusion: "failure",
      output: { title: "Blocked", summary: "", text: null },
    });
    const app = await startPhaseGates(world, { appPath: "./bench/bare-app.js" });
    deliverTo(world, [app]);
    return await timeAcks(world, prs, settings);
  } finally {
    await world.close();
  }
}

async function phaseGates(settings: BenchSettings): Promise<Acks> {
  const world = await createWorld();
  try {
    const app = await startPhaseGates(world);
    deliverTo(world, [app]);
    await prepareRepository(world);
    const template = await blockedRunCheck(world);
    const prs = [template.pr, ...openBlockedRunPrs(world, settings.mixPrs - 1, template.check)];
    // The app is stopped right after: its backlog is scenario 2's business, not the acknowledgement's.
    return await timeAcks(world, prs, settings);
  } finally {
    await world.close();
  }
}

export async function acknowledgement(settings: BenchSettings): Promise<ScenarioResult> {
  const started = performance.now();
  const bareBefore = await bare(settings);
  const app = await phaseGates(settings);
  const bareAfter = await bare(settings);
  const floor = better(bareBefore, bareAfter);
  return {
    id: 1,
    title: "acknowledgement",
    setup: {
      rate: `${settings.rate}/s`,
      seconds: settings.ackSeconds,
      deliveries: app.count,
      prs: settings.mixPrs,
    },
    figures: [
      { name: "ack p50", value: app.p50, unit: "ms", floor: floor.p50 },
      {
        name: "ack p99",
        value: app.p99,
        unit: "ms",
        target: "≤ 2× bare",
        floor: floor.p99,
        met: app.p99 <= 2 * floor.p99,
      },
      { name: "ack max", value: app.max, unit: "ms", floor: floor.max },
      {
        name: "non-2xx answers (incl. timeouts)",
        value: app.non2xx,
        target: "0",
        floor: floor.non2xx,
        met: app.non2xx === 0,
      },
    ],
    seconds: (performance.now() - started) / 1000,
    notes: [
      `Bare runs before and after the app's: p50 ${bareBefore.p50.toFixed(1)} / ${bareAfter.p50.toFixed(1)} ms, p99 ${bareBefore.p99.toFixed(1)} / ${bareAfter.p99.toFixed(1)} ms, non-2xx ${bareBefore.non2xx} / ${bareAfter.non2xx}; the floor is the run with the lower p99. 1-minute load average at the end of each timing (bare, app, bare): ${[bareBefore, app, bareAfter].map((r) => r.load.toFixed(1)).join(", ")}. Failed deliveries: app ${app.errors}; bare ${bareBefore.errors} / ${bareAfter.errors}.`,
      `Floor: bench/bare-app.js (\`app.onAny(() => {})\`) under \`probot run\`, same deliveries. Worst sender lag behind the open-loop schedule: ${app.worstLagMs.toFixed(0)} ms (app run), ${floor.worstLagMs.toFixed(0)} ms (bare run).`,
    ],
  };
}
