import { itemPhaseClaims } from "../../core/phases.js";
import type { Config } from "../../core/types.js";
import { type RepoRef, repoKey } from "../../github/octokit.js";
import { knownPullRequestConfigErrors } from "../../github/pull-request-config.js";
import {
  closingReferencesCapped,
  getPullUpdated,
  type PullFacts,
  samePullFacts,
  toPullFacts,
} from "../../github/pull-requests.js";
import { space } from "../../state/store.js";
import { handler, type Receipt, route } from "../jobs/handler.js";
import type { RepoJob } from "../jobs/repo-job.js";
import {
  type CheckOptions,
  checkPullRequest,
  FULL_RECHECKS,
} from "../recipes/evaluate-pull-request.js";
import { onItemMilestoneChanged } from "../recipes/phase-labels.js";

/** Every PR event that can change the PR's phase or head (SPEC §4). */
export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.labeled",
  "pull_request.unlabeled",
  "pull_request.milestoned",
  "pull_request.demilestoned",
  "pull_request.edited",
  "pull_request.ready_for_review",
] as const;

/** PR actions after which the issues a repository's PRs close are read again. */
const LINK_CHANGING_PR_ACTIONS = new Set<string>(["opened", "reopened", "edited", "closed"]);

/** PR actions that can lower its phase: a label or milestone taken away, the body (closing references) edited. */
const LOWERING_PR_ACTIONS = new Set<string>(["unlabeled", "milestoned", "demilestoned", "edited"]);

export interface PullRequestInput {
  action: string;
  number: number;
  /** The sender of a change that can lower the PR's phase, else null (SPEC §2 phase floor). */
  loweringBy: string | null;
  /** The head before a push: where the phase floor was remembered. */
  previousSha?: string;
  opened: boolean;
  /** milestoned/demilestoned: the milestone set or removed, for the phase label sync. */
  milestone?: { title: string } | null;
  /**
   * The PR as the payload shows it, when it carries everything the check
   * reads: the job evaluates it instead of reading the PR again. Absent: read.
   */
  pull?: PullSnapshot;
  /**
   * A snapshot of the same second that disagrees with `pull` (two events
   * merged, app/jobs/coalesce.ts): GitHub alone knows which is later, so the
   * job reads the PR, unless the two agree on every field the check reads.
   */
  rival?: PullSnapshot;
}

/**
 * Waiting evaluations of one PR merge when nothing sets them apart: the
 * milestone events carry a label sync of their own, and a lowering is
 * credited to its sender only, so senders never merge with each other.
 */
function coalesceKey(input: PullRequestInput): string | undefined {
  if (input.milestone !== undefined) return undefined;
  return `pr#${input.number}:${input.loweringBy?.toLowerCase() ?? ""}`;
}

/** A PR as a payload showed it, and when GitHub last changed it. */
export interface PullSnapshot extends PullFacts {
  /** `updated_at`: of two snapshots of one PR, the later one is the truth. */
  updatedAt: string;
  /** Set when the snapshot was read from GitHub (ms since the epoch, before asking): it holds every change made before then. */
  readAt?: number;
}

/** The payload's PR as the check reads it, or null when a field is missing (then the job reads it). */
export function pullSnapshot(pr: unknown): PullSnapshot | null {
  const p = pr as Partial<Parameters<typeof toPullFacts>[0]> & { updated_at?: unknown };
  if (
    typeof p?.number !== "number" ||
    typeof p.title !== "string" ||
    typeof p.state !== "string" ||
    typeof p.head?.sha !== "string" ||
    !Array.isArray(p.labels) ||
    typeof p.html_url !== "string" ||
    typeof p.updated_at !== "string"
  )
    return null;
  return { ...toPullFacts(p as Parameters<typeof toPullFacts>[0]), updatedAt: p.updated_at };
}

export const pullRequestRoute = route(
  [...PULL_REQUEST_EVENTS, "pull_request.closed"],
  (context): Receipt => {
    const { payload } = context;
    const repo = context.repo();
    const forget = LINK_CHANGING_PR_ACTIONS.has(payload.action)
      ? [{ links: "repository" as const, repo }]
      : [];
    const activity = { sender: payload.sender?.login };
    if (payload.action === "closed") return { jobs: [], activity, forget };
    const input: PullRequestInput = {
      action: payload.action,
      number: payload.pull_request.number,
      loweringBy: LOWERING_PR_ACTIONS.has(payload.action) ? (payload.sender?.login ?? null) : null,
      opened: payload.action === "opened",
      ...(payload.action === "synchronize" ? { previousSha: payload.before } : {}),
      ...(payload.action === "milestoned" || payload.action === "demilestoned"
        ? { milestone: payload.milestone ? { title: payload.milestone.title } : null }
        : {}),
    };
    const pull = pullSnapshot(payload.pull_request);
    if (pull) input.pull = pull;
    const coalesce = coalesceKey(input);
    return {
      jobs: [{ kind: "pull_request", repo, input, ...(coalesce ? { coalesce } : {}) }],
      activity,
      forget,
    };
  },
);

/**
 * 1. A milestone set or removed: sync the PR's phase labels first
 *    (`sync.milestones`); the check runs even when that sync fails.
 * 2. Check the PR: as the payload shows it, or read again when the sync
 *    wrote its labels.
 * 3. Fail the job with the sync's error, if it had one.
 */
async function runPullRequest(job: RepoJob, input: PullRequestInput): Promise<void> {
  if (await answeredByRecheck(job, input)) {
    job.log.info(
      { pr: input.number },
      "skip: a re-check of every open PR since answered this event",
    );
    return;
  }
  const sync =
    (input.action === "milestoned" || input.action === "demilestoned") &&
    input.milestone !== undefined
      ? await onItemMilestoneChanged(job, {
          action: input.action,
          number: input.number,
          isPullRequest: true,
          milestone: input.milestone,
        }).then(
          (plan) => ({ wrote: plan !== null && plan.add.length + plan.remove.length > 0 }),
          (error: unknown) => ({ error: error ?? new Error("label sync failed") }),
        )
      : null;
  // The payload predates the sync's own label writes (or a failed sync's partial
  // ones): checked on it, a PR would keep the label its milestone no longer implies.
  const pull = sync && ("error" in sync || sync.wrote) ? undefined : input.pull;
  await onPullRequestChanged(job, input.number, {
    lowering: { by: input.loweringBy },
    ...(input.previousSha ? { previousSha: input.previousSha } : {}),
    opened: input.opened,
    ...(pull ? { pull } : {}),
    ...(pull && input.rival ? { rival: input.rival } : {}),
    newHead: input.action === "synchronize",
  });
  if (sync && "error" in sync) throw sync.error;
}

export const pullRequestHandler = handler("pull_request", runPullRequest);

/**
 * A gate decision re-checks every open PR at once; PR events that arrived
 * before that re-check began were answered by it (it read each PR as it is
 * since), unless they ask for more than a re-check does: crediting a
 * lowering to its sender, a milestone's label sync, or a first look at the
 * config the head proposes.
 */
async function answeredByRecheck(job: RepoJob, input: PullRequestInput): Promise<boolean> {
  if (input.loweringBy !== null || input.milestone !== undefined || !input.pull) return false;
  const recheck = await job.store.get(FULL_RECHECKS, repoKey(job.repo));
  if (!recheck || job.receivedAt >= recheck.startedAt) return false;
  return (
    (await knownPullRequestConfigErrors(job.store, job.repo, input.pull.headSha)) !== undefined
  );
}

/**
 * The later of two snapshots of one PR by `updated_at`. That counts whole
 * seconds: of two changes within one (a label replaced), either payload can
 * arrive last, so two of one second that disagree have no later one (null).
 */
export function laterSnapshot(a: PullSnapshot, b: PullSnapshot): PullSnapshot | null {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? a : b;
  return samePullFacts(a, b) ? b : null;
}

/**
 * Whether two snapshots of one PR give the same check: the same state and
 * head, the same phase claims from labels and milestone, the same issues
 * named in the body. A label the config does not know, a body edit that
 * names no other issue, a new title: nothing the check reads.
 */
export function sameForCheck(config: Config, repo: RepoRef, a: PullFacts, b: PullFacts): boolean {
  if (a.state !== b.state || a.headSha !== b.headSha) return false;
  const claims = (p: PullFacts) =>
    JSON.stringify(
      itemPhaseClaims(config, p)
        .map((c) => `${c.phaseIndex}:${JSON.stringify(c.source)}`)
        .sort(),
    );
  if (claims(a) !== claims(b)) return false;
  const refs = (p: PullFacts) => {
    const capped = closingReferencesCapped(repo, p.body);
    const keys = capped.refs.map((r) => `${r.owner}/${r.repo}#${r.number}`.toLowerCase()).sort();
    return `${keys.join(" ")}+${capped.dropped}`;
  };
  return refs(a) === refs(b);
}

/** Two snapshots of one second that disagree: do they still give the same check? */
async function agreeForCheck(job: RepoJob, a: PullFacts, b: PullFacts): Promise<boolean> {
  const loaded = await job.config();
  return loaded.kind === "ok" && sameForCheck(loaded.config, job.repo, a, b);
}

/** The newest snapshot of each PR the app has seen (events can arrive late or out of order). */
export const NEWEST_PULLS = space<PullSnapshot>("pull", { limit: 20_000, ttlMs: 24 * 3600_000 });

/**
 * The PR as it is now: the payload's snapshot, unless a newer one was seen
 * (a late delivery must not check an old head); without a snapshot, read it.
 * What is read is remembered too: a delivery older than it is late.
 */
export async function currentPull(
  job: RepoJob,
  number: number,
  snapshot: PullSnapshot | undefined,
  rival?: PullSnapshot,
): Promise<PullFacts> {
  const key = `${repoKey(job.repo)}#${number}`;
  const newest = await job.store.get(NEWEST_PULLS, key);
  if (snapshot && (!rival || (await agreeForCheck(job, snapshot, rival)))) {
    const later = newest ? laterSnapshot(newest, snapshot) : snapshot;
    if (later === newest && newest) return newest;
    if (later === snapshot) {
      await job.store.set(NEWEST_PULLS, key, snapshot);
      return snapshot;
    }
    // Only GitHub knows which of the two is later; a read made after this event
    // arrived already holds its change: a burst costs one read, not one per event.
    if (newest?.readAt !== undefined && newest.readAt >= job.receivedAt) return newest;
    // Either one gives the same check: no read (the newest seen stays as it is).
    if (newest && (await agreeForCheck(job, newest, snapshot))) return snapshot;
  }
  const readAt = Date.now();
  const pr: PullSnapshot = { ...(await getPullUpdated(job.octokit, job.repo, number)), readAt };
  await job.store.set(NEWEST_PULLS, key, pr);
  return pr;
}

/**
 * 1. The PR as it is now (the newest snapshot seen, or read).
 * 2. Skip a PR that is no longer open.
 * 3. Check it, including the config it proposes, if it changes one. A push's
 *    new head cannot carry our run yet: no look for one.
 */
export async function onPullRequestChanged(
  job: RepoJob,
  number: number,
  change: Pick<CheckOptions, "lowering" | "previousSha" | "opened"> & {
    pull?: PullSnapshot;
    rival?: PullSnapshot;
    newHead?: boolean;
  } = {},
): Promise<void> {
  const { pull, rival, newHead, ...options } = change;
  const pr = await currentPull(job, number, pull, rival);
  if (pr.state !== "open") {
    job.log.info({ pr: number }, "skip: pull request is not open");
    return;
  }
  await checkPullRequest(job, pr, {
    ...options,
    inspectConfigChange: true,
    // Only when the PR still stands at the pushed head.
    ...(newHead && pull && pr.headSha === pull.headSha ? { headUnchecked: true } : {}),
  });
}
