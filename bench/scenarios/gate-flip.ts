import { readFileSync } from "node:fs";
import { pacingFloorSeconds } from "../../sandbox/emulator/index.js";
import { type ScenarioResult, zeroFigure } from "../harness/report.js";
import { apiRequests } from "../harness/requests.js";
import type { BenchSettings } from "../harness/settings.js";
import {
  approveGate,
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

/** Resident memory of a process, from /proc (Linux); null elsewhere. */
export function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    // not Linux, or the process is gone: no figure
    return null;
  }
}

export async function gateFlip(
  settings: BenchSettings,
): Promise<{ result: ScenarioResult; appRssMb: number | null }> {
  const started = performance.now();
  const world = await createWorld();
  try {
    const app = await startPhaseGates(world);
    deliverTo(world, [app]);
    const { walkGate } = await prepareRepository(world);
    const template = await blockedRunCheck(world);
    const all = [template.pr, ...openBlockedRunPrs(world, settings.flipPrs - 1, template.check)];
    await settle(world);
    world.emu.requestLog.reset();
    world.audit.reset();
    const flipAt = performance.now();
    await approveGate(world, walkGate);
    const final = await waitUntilFinal(world, all, "success", {
      since: flipAt,
      stallMs: 60_000,
      timeoutMs: 30 * 60_000,
    });
    await drained(world, 3000, 60_000);
    const appRssMb = rssMb(app.pid);
    const requests = apiRequests(world.emu.requestLog.entries);
    const { counts } = world.audit;
    const floor = pacingFloorSeconds({ writes: all.length });
    const correct = all.length - final.missing.length;
    return {
      appRssMb,
      result: {
        id: 3,
        title: "gate flip",
        setup: { openRunPrs: all.length },
        figures: [
          {
            name: "checks correct",
            value: `${correct}/${all.length}`,
            target: "all",
            met: correct === all.length,
          },
          {
            name: "check writes",
            value: counts.checkWrites,
            target: `= PRs changed (${all.length})`,
            floor: all.length,
            met: counts.checkWrites === all.length,
          },
          {
            name: "other writes (gate, dashboard, labels…)",
            value: requests.writes - counts.checkWrites,
          },
          { name: "reads (304s apart)", value: requests.reads },
          { name: "304 answers", value: requests.notModified },
          zeroFigure("secondary-limit 403s", requests.secondaryLimited),
          {
            name: "wall time until every check is final",
            value: final.seconds,
            unit: "s",
            target: "≤ 1.1× floor",
            floor,
            met: final.missing.length === 0 && final.seconds <= 1.1 * floor,
          },
          { name: "wall time / pacing floor", value: final.seconds / floor, target: "≤ 1.1" },
        ],
        seconds: (performance.now() - started) / 1000,
        notes: [
          `Requests by route: ${requests.byRoute}.`,
          `Floor: ${all.length} check writes at 180/min (900 points, 5 a write) = ${floor.toFixed(0)} s.`,
        ],
      },
    };
  } finally {
    await world.close();
  }
}
