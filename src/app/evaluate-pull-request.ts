import { configErrorsToMarkdown } from "../config/format-config-error.js";
import { decide, gateStatuses, gatesBefore } from "../core/evaluate.js";
import { effectivePhase } from "../core/phases.js";
import { renderInvalidConfig, renderVerdict } from "../core/render-check.js";
import type { Config, GateIssueFacts, Verdict } from "../core/types.js";
import { type CheckWrite, writeCheckRun } from "../github/check-runs.js";
import { closingReferences, listOpenPulls, type PullFacts } from "../github/pull-requests.js";
import type { RepoJob } from "./repo-job.js";

export interface CheckResult {
  pr: number;
  write: CheckWrite | "skipped";
  conclusion?: "success" | "failure";
  title?: string;
}

/** The verdict for one PR as GitHub stands now. */
export async function verdictFor(job: RepoJob, config: Config, pr: PullFacts): Promise<Verdict> {
  const refs = config.linkedIssues ? closingReferences(job.repo, pr.body) : [];
  const linkedIssues = await Promise.all(refs.map((ref) => job.linked.read(ref)));
  const phase = effectivePhase(config, {
    labels: pr.labels,
    milestone: pr.milestone,
    linkedIssues,
  });
  const needed = gatesBefore(config, phase.phaseIndex);
  const gateIssues = new Map<number, GateIssueFacts | null>();
  for (const i of needed) gateIssues.set(i, (await job.gate(i)).facts);
  return decide(config, phase, gateStatuses(config, needed, gateIssues));
}

/**
 * Writes the `Phase gate` check for one PR:
 * 1. load the config from the default branch (none → nothing to do);
 * 2. invalid config → a failing check listing every error;
 * 3. gather the PR's phase sources and the gates before its phase;
 * 4. decide, render, and write only if the result changed.
 * `headSha` overrides the PR's head for a merge group.
 */
export async function checkPullRequest(
  job: RepoJob,
  pr: PullFacts,
  headSha = pr.headSha,
): Promise<CheckResult> {
  const loaded = await job.config();
  if (loaded.kind === "none") return { pr: pr.number, write: "skipped" };

  const output =
    loaded.kind === "invalid"
      ? renderInvalidConfig(configErrorsToMarkdown(loaded.errors), loaded.errors.length)
      : renderVerdict(loaded.config, await verdictFor(job, loaded.config, pr), job.repo);

  const write = await writeCheckRun(job.octokit, job.repo, job.settings.appId, {
    ...output,
    headSha,
  });
  job.log.info(
    {
      repo: `${job.repo.owner}/${job.repo.repo}`,
      pr: pr.number,
      sha: headSha,
      conclusion: output.conclusion,
      title: output.title,
      write,
      delivery: job.deliveryId,
    },
    "phase gate checked",
  );
  return { pr: pr.number, write, conclusion: output.conclusion, title: output.title };
}

/** Re-checks open PRs (all, or those `select` keeps). One PR failing does not stop the others. */
export async function recheckOpenPulls(
  job: RepoJob,
  select: (pr: PullFacts) => boolean = () => true,
): Promise<CheckResult[]> {
  const loaded = await job.config();
  if (loaded.kind === "none") return [];
  const pulls = (await listOpenPulls(job.octokit, job.repo)).filter(select);
  const results: CheckResult[] = [];
  const failures: unknown[] = [];
  for (const pr of pulls) {
    try {
      results.push(await checkPullRequest(job, pr));
    } catch (error) {
      failures.push(error);
      job.log.error(
        { err: error, pr: pr.number, delivery: job.deliveryId },
        "re-check of a PR failed",
      );
    }
  }
  job.log.info(
    {
      repo: `${job.repo.owner}/${job.repo.repo}`,
      open: pulls.length,
      written: results.filter((r) => r.write === "created" || r.write === "updated").length,
      failed: failures.length,
    },
    "re-checked open pull requests",
  );
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} of ${pulls.length} PR checks failed`);
  return results;
}
