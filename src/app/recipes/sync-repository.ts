import { planGateIssues } from "../../core/plan-issues.js";
import { applyGateIssuePlan } from "../../github/gate-writes.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { recheckOpenPulls, releaseOpenPulls } from "./evaluate-pull-request.js";
import { syncLabelsAndMilestones } from "./phase-labels.js";
import { refreshReportsAfter } from "./refresh-reports.js";

/**
 * Brings a repository in line with its config (installation, config push):
 * 1. load the config from the default branch; none → the open PRs get one
 *    final "not configured" success (a PR of a config just removed always,
 *    on installation only where the app's own check was left), then nothing;
 * 2. invalid → every open PR's check lists the errors, nothing else is touched;
 * 3. labels and milestones (`sync.labels`, `sync.milestones`);
 * 4. a gate issue for every gate that has none (`sync.gateIssues`);
 * 5. the Phase gate check on every open PR;
 * 6. the dashboard and the gates' progress sections (an invalid config: its errors on the dashboard).
 * Each step reads once and writes only the difference: a second run writes nothing.
 */
export async function syncRepository(
  job: RepoJob,
  reason: "config-pushed" | "installed",
): Promise<void> {
  const loaded = await job.config();
  if (loaded.kind === "none") {
    job.log.info("no .github/phase-gates.yml: releasing open pull requests");
    await releaseOpenPulls(job, { createMissing: reason === "config-pushed" });
    return;
  }
  if (loaded.kind === "ok") {
    await syncLabelsAndMilestones(job);
    if (loaded.config.sync.gateIssues) {
      const withGateIssue: number[] = [];
      for (const [i, phase] of loaded.config.phases.entries()) {
        if (phase.gate && (await job.gate(i)).issue !== null) withGateIssue.push(i);
      }
      const created = await applyGateIssuePlan(
        job.octokit,
        job.repo,
        planGateIssues(loaded.config, withGateIssue),
      );
      if (created.length > 0) {
        job.log.info({ created }, "gate issues created");
        for (const i of loaded.config.phases.keys()) await job.forgetGate(i);
      }
    }
  }
  await recheckOpenPulls(job);
  await refreshReportsAfter(job);
}
