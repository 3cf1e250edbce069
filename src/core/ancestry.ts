import { inheritedClaims, itemPhaseClaims } from "./phases.js";
import type { AncestorFacts, Ancestry, AncestryEnd, Config, IssueRef } from "./types.js";

/** GitHub nests sub-issues at most 8 levels: the walk up reads at most this many ancestors. */
export const MAX_PARENT_DEPTH = 8;

export const issueKey = (ref: IssueRef): string =>
  `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();

/** What the walk up an issue's parents does next: read the parent `ref`, or stop. */
export type AncestryStep = { kind: "read"; ref: IssueRef } | { kind: "done"; end: AncestryEnd };

/**
 * One step of the walk up from `start` (SPEC §2 "Parent issues"), given the
 * ancestors read so far, nearest first. The newest one's parent (or the
 * start's, before any) must be known. It stops at the first ancestor with a
 * phase of its own, at the top, on a parent already seen (GitHub refuses
 * loops, but nothing else here may spin on one), and past `MAX_PARENT_DEPTH`.
 */
export function nextAncestryStep(
  config: Config,
  start: { ref: IssueRef; parent: IssueRef | null },
  ancestors: readonly AncestorFacts[],
): AncestryStep {
  const last = ancestors.at(-1);
  if (last && itemPhaseClaims(config, last).length > 0)
    return { kind: "done", end: { kind: "phased" } };
  const parent = last ? last.parent : start.parent;
  if (parent === undefined) throw new Error("the parent of the newest ancestor is not known yet");
  if (parent === null) return { kind: "done", end: { kind: "root" } };
  const seen = new Set([start.ref, ...ancestors.map((a) => a.ref)].map(issueKey));
  if (seen.has(issueKey(parent))) return { kind: "done", end: { kind: "cycle", at: parent } };
  if (ancestors.length >= MAX_PARENT_DEPTH)
    return { kind: "done", end: { kind: "depth", at: parent } };
  return { kind: "read", ref: parent };
}

/**
 * Whether a remembered walk still answers under `config`: one that ended at
 * an ancestor with a phase (under the config of the job that walked) must
 * still find one. Any other ending stays true whatever the phases are.
 */
export function ancestryStillAnswers(config: Config, ancestry: Ancestry): boolean {
  return ancestry.end.kind !== "phased" || inheritedClaims(config, ancestry) !== null;
}

/** The phase an issue's own labels and milestone give it (the latest), or null. */
export function ownPhaseIndex(
  config: Config,
  item: { labels: readonly string[]; milestone: string | null },
): number | null {
  const claims = itemPhaseClaims(config, item);
  return claims.length > 0 ? Math.max(...claims.map((c) => c.phaseIndex)) : null;
}
