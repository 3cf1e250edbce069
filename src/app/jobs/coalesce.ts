import { laterSnapshot, type PullRequestInput } from "../handlers/pull-request.js";
import type { JobData } from "./job.js";

/**
 * Two waiting jobs with the same `coalesce` key become one. Only PR
 * evaluations carry a key (handlers/pull-request.ts), and their key already
 * keeps apart what must not merge (milestone syncs, different lowering
 * senders). The merged job evaluates the PR once, as it is when it runs, and
 * keeps what the earlier events knew:
 * - the head before the first push (the newer push's `before` was never checked);
 * - "just opened" if either was;
 * - the newer arrival time: the merged job answers the newer event too.
 * Of the two PRs the payloads show, the later by GitHub's `updated_at` wins,
 * whichever arrived last: a delivery can be late. When that cannot tell (a
 * payload without the PR, or two that disagree within one second), the job
 * reads the PR; two of one second are kept (`pull` and `rival`) so the job
 * can skip the read when they agree on every field the check reads.
 */
export function mergeJobs(older: JobData, newer: JobData): JobData {
  if (older.kind !== "pull_request" || newer.kind !== "pull_request") return newer;
  const a = older.input as PullRequestInput;
  const b = newer.input as PullRequestInput;
  const previousSha = a.previousSha ?? b.previousSha;
  const pull = a.pull && b.pull ? laterSnapshot(a.pull, b.pull) : null;
  // Two of one second that disagree, each the only one of its job: the newer
  // arrival's, with the other as its rival (the job reads the PR unless they
  // agree on what the check reads). Any more than two: read.
  const tie = !pull && a.pull && b.pull && !a.rival && !b.rival ? a.pull : undefined;
  // A rival of the same second as the winner still stands against it.
  const rivals = [a.rival, b.rival].filter((r) => r && pull && r.updatedAt === pull.updatedAt);
  const { pull: _older, rival: _rival, ...fields } = pull && pull === a.pull ? a : b;
  const input: PullRequestInput = {
    ...fields,
    opened: a.opened || b.opened,
    ...(previousSha ? { previousSha } : {}),
    ...(pull && rivals.length === 0 ? { pull } : {}),
    ...(pull && rivals.length === 1 && rivals[0] ? { pull, rival: rivals[0] } : {}),
    ...(tie && b.pull ? { pull: b.pull, rival: tie } : {}),
  };
  return { ...older, input, receivedAt: Math.max(older.receivedAt, newer.receivedAt) };
}
