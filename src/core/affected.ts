import type { IssueRef } from "./types.js";

/** One open PR and the issues its body closes. */
export interface PullLinks {
  number: number;
  refs: readonly IssueRef[];
}

const same = (a: IssueRef, b: IssueRef) =>
  a.number === b.number &&
  a.owner.toLowerCase() === b.owner.toLowerCase() &&
  a.repo.toLowerCase() === b.repo.toLowerCase();

/** The PRs among `pulls` that close `issue`: those whose phase may follow it (SPEC §2). */
export function pullsClosing(issue: IssueRef, pulls: readonly PullLinks[]): number[] {
  return pulls.filter((p) => p.refs.some((ref) => same(ref, issue))).map((p) => p.number);
}

/** The PRs among `pulls` that close any of `issues` (an issue and the sub-issues below it). */
export function pullsClosingAny(
  issues: readonly IssueRef[],
  pulls: readonly PullLinks[],
): number[] {
  return pulls
    .filter((p) => p.refs.some((ref) => issues.some((i) => same(ref, i))))
    .map((p) => p.number);
}
