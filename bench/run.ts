/**
 * `npm run bench`: the built app (`probot run ./lib/index.js`, as `npm
 * start` runs it) against the sandbox emulator with GitHub's secondary rate
 * limits on, in the scenarios of issue #12. Prints a table (each figure
 * beside its target and the floor measured in the same run), writes
 * bench/results.json and appends the run to BENCHMARKS.md. Asserts nothing:
 * budgets are read by people, not by timed tests.
 *
 *   BENCH_QUICK=1          every scenario scaled down (a few minutes)
 *   BENCH_ONLY=1,3         a subset (7, 8: two installations, A's flip or owner-config fan-out beside B's new PRs;
 *                          9: scenario 4 on a Redis Cluster; 10: the 20-minute soak, in a full run or by name;
 *                          12: a project's first sync of 1,000 phased items, paced a second a mutation)
 *   BENCH_REDIS=auto|force|off
 *                          4 and 5 need an app that shares its queue through
 *                          Redis; "auto" runs them when it does, "force" always
 *   BENCH_LABEL="before"   heading of the run in BENCHMARKS.md; BENCH_RECORD=0 records nothing
 *   BENCH_APP_LOG=debug     the app's log at that level, echoed to stderr (app processes of the bench's own starting)
 *   BENCH_DUMP_REQUESTS=F   2: every API request of the burst and after, one line each (seconds from the burst's end)
 *   SANDBOX_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" SANDBOX_APP_STOP_MS=30000: profile the app
 *   BENCH_TENANTS_REDIS=1   7 and 8: the app with REDIS_URL (its own redis-server), not the in-process queue
 *   BENCH_APP_PATH=…       7 and 8: another build of the app (e.g. a "before" commit's lib/index.js)
 *   BENCH_RATE, BENCH_ACK_SECONDS, BENCH_MIX_PRS, BENCH_MIX_SECONDS, BENCH_FLIP_PRS,
 *   BENCH_KILL_PRS, BENCH_RESTART_PRS, BENCH_EVAL_PRS, BENCH_FANOUT_REPOS, BENCH_SOAK_MINUTES, BENCH_SOAK_RATE,
 *   BENCH_SOAK_INSTALLATIONS, BENCH_SOAK_REPOS, BENCH_SOAK_PRS, BENCH_SOAK_DELIVERY_WINDOW_SECONDS,
 *   BENCH_AUDIT_PRS: see bench/harness/settings.ts
 */
import { fileURLToPath } from "node:url";
import { redisUnavailable } from "../test/helpers/redis-server.js";
import { machine, recordRun, type ScenarioResult, table, writeResults } from "./harness/report.js";
import { readSettings } from "./harness/settings.js";
import { acknowledgement } from "./scenarios/acknowledgement.js";
import { apiPerEvent } from "./scenarios/api-per-event.js";
import { auditRequests } from "./scenarios/audit.js";
import { evaluation } from "./scenarios/evaluation.js";
import { gateFlip } from "./scenarios/gate-flip.js";
import { projectSync } from "./scenarios/projects.js";
import { restartDurability, sharedQueue, twoProcesses } from "./scenarios/redis.js";
import { soak } from "./scenarios/soak.js";
import { fanOutBesideB, flipBesideB } from "./scenarios/tenants.js";

const RESULTS = fileURLToPath(new URL("./results.json", import.meta.url));
const BENCHMARKS = fileURLToPath(new URL("../BENCHMARKS.md", import.meta.url));

async function main(): Promise<void> {
  const settings = readSettings();
  const runs = (id: number): boolean => settings.only === null || settings.only.has(id);
  const started = performance.now();
  const host = machine();
  const results: ScenarioResult[] = [];
  const done = (result: ScenarioResult): void => {
    results.push(result);
    console.log(`\n${table([result])}\n(${result.seconds.toFixed(0)} s)`);
  };
  const step = async (id: number, title: string, run: () => Promise<ScenarioResult>) => {
    if (!runs(id)) return;
    console.log(`\n── ${id}. ${title} …`);
    try {
      done(await run());
    } catch (error) {
      // One broken scenario must not hide the figures of the others; the run still fails.
      process.exitCode = 1;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(message);
      done({
        id,
        title,
        skipped: `failed: ${message.split("\n")[0]}`,
        setup: {},
        figures: [],
        seconds: 0,
      });
    }
  };

  let appRss: { prs: number; mb: number } | null = null;
  await step(1, "acknowledgement", () => acknowledgement(settings));
  await step(2, "API requests per event", () => apiPerEvent(settings));
  await step(3, "gate flip", async () => {
    const flip = await gateFlip(settings);
    if (flip.appRssMb !== null) appRss = { prs: settings.flipPrs, mb: flip.appRssMb };
    return flip.result;
  });
  if (runs(4) || runs(5)) {
    const shared = settings.redis === "off" ? "BENCH_REDIS=off" : await sharedQueue();
    const skip = settings.redis === "force" ? null : shared;
    if (skip && settings.redis === "auto") console.log(`\nscenarios 4 and 5 skipped: ${skip}`);
    await step(4, "two processes, one killed", () => twoProcesses(settings, skip));
    await step(5, "restart durability", () => restartDurability(settings, skip));
  }
  if (runs(9)) {
    const skip = settings.redis === "off" ? "BENCH_REDIS=off" : redisUnavailable();
    await step(9, "two processes, one killed, on a Redis Cluster", () =>
      twoProcesses(settings, skip, "cluster"),
    );
  }
  // Twenty minutes: in a full run, or by name (BENCH_ONLY=10; BENCH_SOAK_MINUTES shortens it).
  if (settings.only ? settings.only.has(10) : !settings.quick) {
    await step(10, "soak", () => soak(settings));
  }
  await step(6, "pure evaluation", () => evaluation(settings, appRss));
  await step(7, "two installations: A flips, B opens PRs", () => flipBesideB(settings));
  await step(8, "two installations: A's owner config fans out, B opens PRs", () =>
    fanOutBesideB(settings),
  );
  await step(11, "audit requests", () => auditRequests(settings));
  await step(12, "project: first sync of phased items, then a steady PR event", () =>
    projectSync(settings),
  );

  const seconds = (performance.now() - started) / 1000;
  const run = { machine: host, mode: settings.quick ? "quick" : "full", results, seconds };
  console.log(`\n${table(results)}\n\nwhole run: ${seconds.toFixed(0)} s`);
  writeResults(RESULTS, run);
  console.log(`written: ${RESULTS}`);
  if (settings.record) {
    recordRun(BENCHMARKS, run, settings.label);
    console.log(`recorded in: ${BENCHMARKS}`);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  // Leftover sockets or timers must not keep a finished bench alive; exit keeps exitCode.
  .finally(() => process.exit());
