import { configErrorsToMarkdown } from "../config/format-config-error.js";
import { decide } from "../core/evaluate.js";
import { effectivePhase } from "../core/phases.js";
import {
  renderInvalidConfig,
  renderPullRequestConfigInvalid,
  renderVerdict,
} from "../core/render-check.js";
import type { Config, Verdict } from "../core/types.js";
import { type CheckWrite, writeCheckRun } from "../github/check-runs.js";
import {
  configAnnotations,
  knownPullRequestConfigErrors,
  pullRequestConfigErrors,
} from "../github/pull-request-config.js";
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
  return decide(config, phase, await job.gatesBefore(config, phase.phaseIndex));
}

export interface CheckOptions {
  /** Override the PR's head, for a merge group. */
  headSha?: string;
  /**
   * Look at the config the PR proposes (a PR event: one files call per head
   * SHA). A fan-out re-check only reuses what was found, so re-checking 1,000
   * PRs does not list 1,000 PRs' files.
   */
  inspectConfigChange?: boolean;
}

/**
 * Writes the `Phase gate` check for one PR:
 * 1. load the config from the default branch (none → nothing to do);
 * 2. invalid config → a failing check listing every error;
 * 3. gather the PR's phase sources and the gates before its phase, and decide;
 * 4. a PR that proposes an invalid config fails too, annotated on the file;
 * 5. render, and write only if the result changed.
 */
export async function checkPullRequest(
  job: RepoJob,
  pr: PullFacts,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const headSha = options.headSha ?? pr.headSha;
  const loaded = await job.config();
  if (loaded.kind === "none") return { pr: pr.number, write: "skipped" };

  let output =
    loaded.kind === "invalid"
      ? renderInvalidConfig(configErrorsToMarkdown(loaded.errors), loaded.errors.length)
      : renderVerdict(loaded.config, await verdictFor(job, loaded.config, pr), job.repo);

  // With the default branch's config already invalid, that is what the check reports.
  const proposedErrors =
    loaded.kind !== "ok"
      ? []
      : options.inspectConfigChange
        ? await pullRequestConfigErrors(job.octokit, job.repo, pr)
        : (knownPullRequestConfigErrors(job.repo, pr.headSha) ?? []);
  if (proposedErrors.length > 0) {
    output = renderPullRequestConfigInvalid(
      configErrorsToMarkdown(proposedErrors),
      proposedErrors.length,
      output,
    );
  }

  const write = await writeCheckRun(job.octokit, job.repo, job.settings.appId, {
    ...output,
    headSha,
    ...(proposedErrors.length > 0 ? { annotations: configAnnotations(proposedErrors) } : {}),
  });
  job.settings.metrics?.checkWrite(write);
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
