import { configErrorsToMarkdown } from "../../config/format-config-error.js";
import type { ConfigError } from "../../config/parse-config.js";
import {
  claimedPhaseIndex,
  configHasPaths,
  pathsPhase,
  withPathsPhase,
} from "../../core/changed-paths.js";
import { MAX_LINKED_ISSUES } from "../../core/closing-keywords.js";
import { decide } from "../../core/evaluate.js";
import {
  applyPhaseFloor,
  decodePhaseFloor,
  encodePhaseFloor,
  gatesSkippedByLowering,
} from "../../core/phase-floor.js";
import { effectivePhase } from "../../core/phases.js";
import {
  type CheckOutput,
  renderInvalidConfig,
  renderNotConfigured,
  renderPullRequestConfigInvalid,
  renderVerdict,
} from "../../core/render-check.js";
import type { Config, IssueRef, PathsPhase, Verdict } from "../../core/types.js";
import {
  type CheckWrite,
  findOurCheckRun,
  type KnownRun,
  type LatestRun,
  PULL_LATEST_RUN,
  pullRunKey,
  rememberLatestRun,
  writeCheckRun,
} from "../../github/check-runs.js";
import type { LoadedConfig } from "../../github/load-config.js";
import { isBot, repoKey } from "../../github/octokit.js";
import { knownPullFiles, readPullFiles } from "../../github/pull-files.js";
import {
  configAnnotations,
  knownPullRequestConfigErrors,
  pullRequestConfigErrors,
} from "../../github/pull-request-config.js";
import {
  closingReferencesCapped,
  listOpenPulls,
  listPullCommitShas,
  type PullFacts,
} from "../../github/pull-requests.js";
import { space } from "../../state/store.js";
import type { RepoJob } from "../jobs/repo-job.js";
import { syncPullIntoProject } from "./project-sync.js";

export interface CheckResult {
  pr: number;
  write: CheckWrite | "skipped";
  conclusion?: "success" | "failure";
  title?: string;
}

/** Who made the change that triggered an evaluation, when that change can lower a PR's phase. */
export interface Lowering {
  /** The event's sender; null for evaluations that follow no change of the PR's phase sources. */
  by: string | null;
}

/** How many earlier commits of a PR are looked at for the app's last run when its head has none. */
const FLOOR_LOOKBACK = 3;

/**
 * The PR's phase floor, remembered on this app's check runs: the highest of
 * the run on its head, the PR's newest run the store knows (every run the app
 * writes, or reads in one go, is recorded there; it carries the floor of the
 * runs before it) and the run on the head before a push (`previousSha`),
 * read from GitHub unless it is that newest run. A head the app has not
 * checked yet, reached by any other event (a push that raced a label
 * removal), with no newest run known (a fresh process without Redis),
 * inherits from the PR's latest earlier commits that carry a run, so no
 * ordering of events loses the floor.
 */
async function phaseFloor(
  job: RepoJob,
  config: Config,
  pr: PullFacts,
  headRun: KnownRun | null,
  options: Pick<CheckOptions, "previousSha" | "opened" | "newestRun">,
): Promise<number | null> {
  const { octokit, repo } = job;
  const latest = await newestRunOf(job, pr, options);
  const floors = [
    decodePhaseFloor(config, headRun?.externalId),
    decodePhaseFloor(config, latest?.externalId),
  ];
  if (options.previousSha && options.previousSha !== latest?.sha) {
    // A head before the push that is not the PR's newest known run may carry
    // one this process never saw (a force-push whose event came late): read it.
    const before = await findOurCheckRun(job.runs, options.previousSha);
    floors.push(decodePhaseFloor(config, before?.externalId));
  } else if (!options.previousSha && !headRun && !options.opened && !latest) {
    const earlier = (await listPullCommitShas(octokit, repo, pr.number))
      .filter((sha) => sha !== pr.headSha)
      .slice(-FLOOR_LOOKBACK)
      .reverse();
    for (const sha of earlier) {
      const run = await findOurCheckRun(job.runs, sha);
      if (run) {
        floors.push(decodePhaseFloor(config, run.externalId));
        break;
      }
    }
  }
  const known = floors.filter((f): f is number => f !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

/** The PR's newest run the store knows (null: none), unless the caller already read it. */
async function newestRunOf(
  job: RepoJob,
  pr: PullFacts,
  options: Pick<CheckOptions, "newestRun">,
): Promise<LatestRun | null> {
  if (options.newestRun !== undefined) return options.newestRun;
  return (await job.store.get(PULL_LATEST_RUN, pullRunKey(job.repo, pr.number))) ?? null;
}

/**
 * Whether `login` may lower a PR's phase past `gates`: an authorized
 * approver of every one of them. This app's own writes (the milestone label
 * sync) carry out someone else's change, so they never count as one.
 */
async function mayLowerPast(
  job: RepoJob,
  config: Config,
  login: string | null,
  gates: readonly number[],
): Promise<boolean> {
  if (login === null || login.toLowerCase() === job.settings.appLogin.toLowerCase()) return false;
  if (isBot({ login })) return false;
  for (const i of gates) {
    const gate = config.phases[i]?.gate;
    if (!gate || !(await job.directory.authorize(gate, login)).authorized) return false;
  }
  return true;
}

/**
 * The issues a PR closes: its body's closing keywords, plus (where GraphQL
 * answers) GitHub's own list, which also has issues linked in the PR's
 * "Development" sidebar. At most `MAX_LINKED_ISSUES` are read.
 */
async function linkedIssueRefs(
  job: RepoJob,
  pr: PullFacts,
): Promise<{ refs: IssueRef[]; dropped: number }> {
  const body = closingReferencesCapped(job.repo, pr.body);
  // Kept for the PR while its body names the same issues, up to
  // `linkedIssuesMs`: a link made in the Development sidebar sends the app no
  // webhook, and counts from the first event after that (SPEC §2 allows it).
  const linked = await job.closingIssues(pr.number, body.refs);
  if (!linked) return body;
  const seen = new Set<string>();
  const all = [...body.refs, ...linked].filter((ref) => {
    const key = `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    refs: all.slice(0, MAX_LINKED_ISSUES),
    dropped: body.dropped + Math.max(0, all.length - MAX_LINKED_ISSUES),
  };
}

/**
 * The phase the PR head's changed files put it in (SPEC §2 "Phase by
 * paths"); null when no phase has `paths` (then no file is read) or none
 * matches. `files: "known"` takes only what the store has (the dashboard:
 * the check, which reads them, stays the authority).
 */
async function phaseFromPaths(
  job: RepoJob,
  config: Config,
  pr: PullFacts,
  files: "read" | "known",
): Promise<PathsPhase | null> {
  if (!configHasPaths(config)) return null;
  const listed =
    files === "read"
      ? await readPullFiles(job.octokit, job.repo, pr, job.store)
      : await knownPullFiles(job.store, job.repo, pr);
  if (listed === undefined) return null;
  // Files GitHub will not list could be anywhere: fail closed.
  return pathsPhase(config, listed ?? { files: [], changedFiles: null });
}

/**
 * The verdict for one PR as GitHub stands now: its claimed phase held at its
 * phase floor unless an approver lowered it, then raised to what its changed
 * files say (recomputed every time, never part of the floor).
 */
export async function verdictFor(
  job: RepoJob,
  config: Config,
  pr: PullFacts,
  floorIndex: number | null,
  lowering: Lowering,
  options: { files?: "read" | "known" } = {},
): Promise<Verdict> {
  const { refs, dropped } = config.linkedIssues
    ? await linkedIssueRefs(job, pr)
    : { refs: [], dropped: 0 };
  const linkedIssues = await job.ancestry.attach(
    config,
    await Promise.all(refs.map((ref) => job.linked.read(ref))),
  );
  const current = effectivePhase(config, {
    labels: pr.labels,
    milestone: pr.milestone,
    linkedIssues,
    linkedIssuesDropped: dropped,
  });
  const skipped = gatesSkippedByLowering(config, floorIndex, current.phaseIndex);
  const mayLower = skipped.length > 0 && (await mayLowerPast(job, config, lowering.by, skipped));
  if (skipped.length > 0)
    job.log.info(
      { pr: pr.number, floor: floorIndex, current: current.phaseIndex, by: lowering.by, mayLower },
      mayLower ? "phase lowered by an approver" : "phase held at its floor",
    );
  const claimed = applyPhaseFloor(config, current, floorIndex, { by: lowering.by, mayLower });
  const phase = withPathsPhase(
    claimed,
    await phaseFromPaths(job, config, pr, options.files ?? "read"),
  );
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
  /** The sender of a change that may lower the PR's phase (SPEC §2 phase floor). */
  lowering?: Lowering;
  /** The head before a push: where the phase floor was remembered. */
  previousSha?: string;
  /** The PR was just opened: it has no earlier commits the app checked. */
  opened?: boolean;
  /** The head was just pushed: no run of ours can be on it yet unless the store knows it, so GitHub is not asked. */
  headUnchecked?: boolean;
  /** The PR's newest run as the caller read it from the store (undefined: read where needed). */
  newestRun?: LatestRun | null;
  /**
   * Someone asked for a re-run in GitHub's UI: write a new completed run even
   * when nothing changed, as GitHub expects (it shows the re-run until then).
   */
  fresh?: boolean;
}

/** What the `Phase gate` check says for one PR, before anything is written. */
export interface ComputedCheck {
  output: CheckOutput;
  /** What the run remembers (the PR's phase floor); null: nothing to remember. */
  externalId: string | null;
  /** Errors in the config the PR proposes (annotated on the file). */
  proposedErrors: ConfigError[];
  /** The gates' verdict; null when the default branch's config is invalid. */
  verdict: Verdict | null;
}

/**
 * Steps 2–4 of `checkPullRequest`, with no write: the CLI's `explain` shows
 * exactly this, so what it prints is what the app would write.
 * `headRun` is this app's run on the PR's head (null: none).
 */
export async function computeCheck(
  job: RepoJob,
  loaded: Exclude<LoadedConfig, { kind: "none" }>,
  pr: PullFacts,
  headRun: KnownRun | null,
  options: Omit<CheckOptions, "headSha"> = {},
): Promise<ComputedCheck> {
  let output: CheckOutput;
  let externalId: string | null;
  let verdict: Verdict | null = null;
  if (loaded.kind === "invalid") {
    output = renderInvalidConfig(configErrorsToMarkdown(loaded.errors), loaded.errors.length);
    // The floor is kept as it was: a broken config must not reset it, not even on a new head.
    externalId = headRun?.externalId ?? (await newestRunOf(job, pr, options))?.externalId ?? null;
  } else {
    const floor = await phaseFloor(job, loaded.config, pr, headRun, options);
    verdict = await verdictFor(job, loaded.config, pr, floor, options.lowering ?? { by: null });
    output = renderVerdict(loaded.config, verdict, job.repo);
    // Only claimed phases make the floor: a phase from paths is recomputed from the head's files.
    externalId = encodePhaseFloor(loaded.config, claimedPhaseIndex(verdict.phase));
  }

  // With the default branch's config already invalid, that is what the check reports.
  const proposedErrors =
    loaded.kind !== "ok"
      ? []
      : options.inspectConfigChange
        ? await pullRequestConfigErrors(job.octokit, job.repo, pr, job.store)
        : ((await knownPullRequestConfigErrors(job.store, job.repo, pr.headSha)) ?? []);
  if (proposedErrors.length > 0) {
    output = renderPullRequestConfigInvalid(
      configErrorsToMarkdown(proposedErrors),
      proposedErrors.length,
      output,
    );
  }
  return { output, externalId, proposedErrors, verdict };
}

/**
 * Writes the `Phase gate` check for one PR:
 * 1. load the config from the default branch (none → nothing to do);
 * 2. invalid config → a failing check listing every error;
 * 3. gather the PR's phase sources, hold them at the PR's phase floor unless
 *    an approver lowered them, read the gates before that phase, and decide;
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

  const newestRun = await newestRunOf(job, pr, options);
  // Every run the app writes on a PR's head becomes its newest: a head that
  // is not it carries no run of ours the store does not hold, so GitHub is not asked.
  const headUnchecked =
    options.headUnchecked === true || (newestRun !== null && newestRun.sha !== pr.headSha);
  const headRun = await job.ourRun(pr.headSha, { knownOnly: headUnchecked });
  const { output, externalId, proposedErrors, verdict } = await computeCheck(
    job,
    loaded,
    pr,
    headRun,
    { ...options, newestRun },
  );

  const write = await writeCheckRun(
    job.runs,
    {
      ...output,
      headSha,
      ...(externalId !== null ? { externalId } : {}),
      ...(proposedErrors.length > 0 ? { annotations: configAnnotations(proposedErrors) } : {}),
    },
    options.fresh ? null : headSha === pr.headSha ? headRun : undefined,
  );
  job.settings.metrics?.checkWrite(write);
  if (headSha === pr.headSha) {
    await rememberLatestRun(
      job.store,
      job.repo,
      pr.number,
      { sha: headSha, externalId },
      newestRun,
    );
  }
  // The project shows the check's phase (floor, links and all); its errors never hold the check.
  if (loaded.kind === "ok" && verdict && loaded.config.project) {
    await syncPullIntoProject(job, loaded.config, pr, verdict.phase.phaseIndex);
  }
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

/**
 * Re-checks open PRs (all, or those `select` keeps). One PR failing does not
 * stop the others. `lowering` is set only when the change that triggered the
 * re-check can lower the selected PRs' phase (a linked issue's label or milestone).
 */
const ALL_PULLS = (_pr: PullFacts) => true;

/**
 * When a repository's open PRs were last all re-checked: a PR event that
 * arrived before then, and asks for nothing a re-check does not do, has been
 * answered by it (app/handlers/pull-request.ts).
 */
export const FULL_RECHECKS = space<{ startedAt: number }>("full-recheck", {
  limit: 20_000,
  ttlMs: 3600_000,
});

export async function recheckOpenPulls(
  job: RepoJob,
  select: (pr: PullFacts) => boolean = ALL_PULLS,
  lowering: Lowering = { by: null },
): Promise<CheckResult[]> {
  const loaded = await job.config();
  if (loaded.kind === "none") return [];
  const everyPull = select === ALL_PULLS && lowering.by === null;
  const startedAt = Date.now();
  const pulls = (await listOpenPulls(job.octokit, job.repo)).filter(select);
  if (pulls.length > 1) job.preloadClosingIssues();
  const results: CheckResult[] = [];
  const failures: unknown[] = [];
  for (const pr of pulls) {
    try {
      results.push(await checkPullRequest(job, pr, { lowering }));
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
  if (everyPull && failures.length === 0) {
    await job.store.set(FULL_RECHECKS, repoKey(job.repo), {
      startedAt,
    });
  }
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} of ${pulls.length} PR checks failed`);
  return results;
}

/**
 * The repository has no config any more: one final `success` per open PR
 * ("not configured"), so a required check never strands one; after that the
 * app writes nothing here. `createMissing` also covers PRs the app never
 * checked (the config was just removed); on installation only the app's own
 * earlier runs are turned green.
 */
export async function releaseOpenPulls(
  job: RepoJob,
  options: { createMissing: boolean },
): Promise<CheckResult[]> {
  const { octokit, repo } = job;
  const output = renderNotConfigured();
  const results: CheckResult[] = [];
  for (const pr of await listOpenPulls(octokit, repo)) {
    const run = await findOurCheckRun(job.runs, pr.headSha);
    if (!run && !options.createMissing) continue;
    const write = await writeCheckRun(
      job.runs,
      {
        ...output,
        headSha: pr.headSha,
        ...(run?.externalId ? { externalId: run.externalId } : {}),
      },
      run,
    );
    await rememberLatestRun(job.store, repo, pr.number, {
      sha: pr.headSha,
      externalId: run?.externalId ?? null,
    });
    results.push({ pr: pr.number, write, conclusion: output.conclusion, title: output.title });
  }
  job.log.info(
    {
      repo: `${repo.owner}/${repo.repo}`,
      released: results.filter((r) => r.write !== "unchanged").length,
      delivery: job.deliveryId,
    },
    "no config: open pull requests released",
  );
  return results;
}
