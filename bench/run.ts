/**
 * `npm run bench`: API calls and timings of the real app server (`probot run
 * ./lib/index.js`, production pacing) against the sandbox emulator. Prints
 * figures; asserts nothing — budgets are read by people, not by timed tests.
 *
 * BENCH_PRS (default 200): open Run PRs re-checked when the Walk gate is approved.
 * BENCH_ACKS (default 100): webhook deliveries timed for the acknowledgement.
 */
import { type Actors, createActors } from "../sandbox/actors.js";
import { createEmulator, type Emulator } from "../sandbox/emulator/index.js";
import { startApp } from "../sandbox/run-app.js";

const PRS = Number(process.env.BENCH_PRS ?? 200);
const ACKS = Number(process.env.BENCH_ACKS ?? 100);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function printCounts(title: string, emu: Emulator): void {
  const counts = Object.entries(emu.requestLog.counts())
    .filter(([route]) => !route.includes("access_tokens"))
    .sort((a, b) => b[1] - a[1]);
  const total = counts.reduce((n, [, c]) => n + c, 0);
  console.log(`\n${title}: ${total} API calls, ${emu.requestLog.writes().length} writes`);
  for (const [route, count] of counts) console.log(`  ${String(count).padStart(5)}  ${route}`);
}

async function main(): Promise<void> {
  const emu = await createEmulator();
  const app = await startApp({ emulator: emu, logLevel: "error" });
  try {
    const actors: Actors = createActors(emu, { repo: "acme/bench", waitTimeoutMs: 30 * 60_000 });
    actors.repo();
    actors.addCollaborator("lead", "maintain");
    await actors.pushConfig("# defaults\n", { by: "lead" });
    await actors.installApp(["acme/bench"], { by: "lead" });
    await actors.settle({ quietMs: 1000 });

    // 1. One PR event: a Run PR opened while both gates are pending.
    emu.requestLog.reset();
    const pr = await actors.openPullRequest({
      title: "Scale out",
      labels: ["phase: run"],
      by: "dev",
    });
    await actors.waitForCheck(pr.number, { conclusion: "failure" });
    await actors.settle({ quietMs: 500 });
    printCounts("pull_request.opened (Run PR, gates pending)", emu);

    // 2. The same facts again (a label that changes nothing): reads, no write.
    emu.requestLog.reset();
    await actors.addLabel(pr.number, "documentation", { by: "dev" });
    await actors.settle({ quietMs: 500 });
    printCounts("pull_request.labeled, verdict unchanged", emu);

    // 3. Acknowledgement time of webhook deliveries (the app answers before doing the work).
    const before = emu.webhooks.deliveries.length;
    for (let i = 0; i < ACKS; i++) {
      await actors.addLabel(pr.number, `noise-${i}`, { by: "dev" });
    }
    const acks = emu.webhooks.deliveries.slice(before).map((d) => d.durationMs);
    await actors.settle({ quietMs: 1000, timeoutMs: 10 * 60_000 });
    console.log(
      `\nwebhook acknowledgement over ${acks.length} deliveries: p50 ${percentile(acks, 50)} ms, p95 ${percentile(acks, 95)} ms, max ${Math.max(...acks)} ms`,
    );

    // 4. Fan-out: PRS open Run PRs, then the lead approves Crawl and Walk.
    const target = emu.webhooks.target;
    emu.webhooks.target = null; // open the PRs quietly: their own checks are not what is measured
    const pulls: { number: number }[] = [];
    for (let i = 0; i < PRS; i++) {
      pulls.push(
        await actors.openPullRequest({ title: `Run work ${i}`, labels: ["phase: run"], by: "dev" }),
      );
    }
    emu.webhooks.target = target;
    const crawl = actors.issueWithLabel("gate: crawl");
    const walk = actors.issueWithLabel("gate: walk");
    if (!crawl || !walk) throw new Error("gate issues missing");
    for (const gate of [crawl, walk]) {
      await actors.editIssueBody(gate.number, (gate.body ?? "").replace(/- \[ \]/g, "- [x]"), {
        by: "lead",
      });
    }
    await actors.settle({ quietMs: 1000, timeoutMs: 10 * 60_000 });
    await actors.closeIssue(crawl.number, { by: "lead", reason: "completed" });
    await actors.settle({ quietMs: 1000, timeoutMs: 30 * 60_000 });
    emu.requestLog.reset();
    const started = Date.now();
    await actors.closeIssue(walk.number, { by: "lead", reason: "completed" });
    await actors.waitFor(
      () => pulls.every((p) => actors.latestCheck(p.number)?.conclusion === "success"),
      {
        what: `all ${PRS} Run PRs to turn green`,
        timeoutMs: 30 * 60_000,
        intervalMs: 250,
      },
    );
    const seconds = (Date.now() - started) / 1000;
    await actors.settle({ quietMs: 1000, timeoutMs: 10 * 60_000 });
    printCounts(`Walk gate approved with ${PRS} open Run PRs (+1 earlier PR)`, emu);
    console.log(
      `  all ${PRS} checks green after ${seconds.toFixed(1)} s (${(PRS / seconds).toFixed(1)} checks/s); unhandled routes: ${emu.requestLog.unhandled.length}`,
    );
  } finally {
    await app.stop();
    await emu.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
