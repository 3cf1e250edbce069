import type { RunningApp } from "../../sandbox/run-app.js";
import type { Figure } from "./report.js";

/** The cumulative buckets of one job kind's queue wait (`phase_gates_job_queue_wait_seconds`), by upper bound. */
export type WaitBuckets = Map<number, number>;

/**
 * The app's queue-wait histogram for `job`, read from its `/metrics`; empty
 * when the app under test has none (an older build, BENCH_APP_PATH).
 */
export async function queueWaits(app: RunningApp, job: string): Promise<WaitBuckets> {
  const res = await fetch(new URL("/metrics", app.webhookUrl));
  const text = await res.text();
  const buckets: WaitBuckets = new Map();
  const line = /^phase_gates_job_queue_wait_seconds_bucket\{([^}]*)\} (\S+)$/;
  for (const row of text.split("\n")) {
    const match = line.exec(row);
    if (!match || !(match[1] ?? "").split(",").includes(`job="${job}"`)) continue;
    const le = /le="([^"]+)"/.exec(match[1] ?? "")?.[1];
    if (le !== undefined)
      buckets.set(le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), Number(match[2]));
  }
  return buckets;
}

/**
 * The `p`th percentile of the waits observed between two reads, as the
 * upper bound of the bucket it falls in (a histogram knows no better); null
 * when no job of the kind ran between them.
 */
export function waitPercentile(before: WaitBuckets, after: WaitBuckets, p: number): number | null {
  const bounds = [...after.keys()].sort((x, y) => x - y);
  const total =
    (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (total <= 0) return null;
  for (const bound of bounds) {
    const count = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (count >= (p / 100) * total) return bound;
  }
  return Number.POSITIVE_INFINITY;
}

/** "≤ 0.05 s": a percentile of the queue wait as a figure (what a late check waited on before its job ran). */
export function queueWaitFigure(
  name: string,
  before: WaitBuckets,
  after: WaitBuckets,
  p: number,
): Figure {
  const bound = waitPercentile(before, after, p);
  const value =
    bound === null
      ? "no jobs (or no histogram)"
      : bound === Number.POSITIVE_INFINITY
        ? "> 300 s"
        : `≤ ${bound} s`;
  return { name, value };
}
