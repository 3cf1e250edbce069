import type {
  AncestorFacts,
  Ancestry,
  AncestryStop,
  Config,
  EffectivePhase,
  LinkedIssueFacts,
  PhaseClaim,
  PullRequestPhaseFacts,
} from "./types.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Index of the phase a label names, or -1. Labels compare case-insensitively, as on GitHub. */
export function phaseIndexOfLabel(config: Config, label: string): number {
  return config.phases.findIndex((p) => same(p.label, label));
}

export function phaseIndexOfMilestone(config: Config, milestone: string | null): number {
  if (!milestone) return -1;
  return config.phases.findIndex((p) => p.milestone !== null && same(p.milestone, milestone));
}

/** The phase claims of one issue or PR's own labels and milestone. */
export function itemPhaseClaims(
  config: Config,
  item: { labels: readonly string[]; milestone: string | null },
): PhaseClaim[] {
  const claims: PhaseClaim[] = [];
  for (const label of item.labels) {
    const phaseIndex = phaseIndexOfLabel(config, label);
    if (phaseIndex >= 0) claims.push({ phaseIndex, source: { kind: "label", label } });
  }
  const milestoneIndex = phaseIndexOfMilestone(config, item.milestone);
  if (milestoneIndex >= 0 && item.milestone) {
    claims.push({
      phaseIndex: milestoneIndex,
      source: { kind: "milestone", title: item.milestone },
    });
  }
  return claims;
}

function linkedIssueClaims(config: Config, issue: LinkedIssueFacts): PhaseClaim[] {
  if (!issue.readable) return [];
  const own = itemPhaseClaims(config, issue);
  // SPEC §2 "Parent issues": an issue with no phase of its own is in its nearest ancestor's.
  const inherited =
    own.length === 0 && config.parentIssues && issue.ancestry
      ? inheritedClaims(config, issue.ancestry)
      : null;
  const claims = inherited?.claims ?? own;
  const from = inherited
    ? { inheritedFrom: { ref: inherited.from.ref, url: inherited.from.url } }
    : {};
  return claims.map(({ phaseIndex, source }) => ({
    phaseIndex,
    source: {
      kind: "linked-issue" as const,
      ref: issue.ref,
      url: issue.url,
      via: source.kind === "label" ? ("label" as const) : ("milestone" as const),
      value:
        source.kind === "label"
          ? source.label
          : source.kind === "milestone"
            ? source.title
            : source.kind === "linked-issue"
              ? source.value
              : "",
      ...from,
    },
  }));
}

/** The nearest ancestor with a phase of its own, and its claims; null when none has one. */
export function inheritedClaims(
  config: Config,
  ancestry: Ancestry,
): { from: AncestorFacts; claims: PhaseClaim[] } | null {
  for (const from of ancestry.ancestors) {
    const claims = itemPhaseClaims(config, from);
    if (claims.length > 0) return { from, claims };
  }
  return null;
}

/** Linked issues whose walk up their parents stopped early without finding a phase. */
function ancestryStops(config: Config, linked: readonly LinkedIssueFacts[]): AncestryStop[] {
  if (!config.parentIssues) return [];
  return linked.flatMap((issue) => {
    if (!issue.readable || !issue.ancestry) return [];
    const { end } = issue.ancestry;
    if (end.kind === "phased" || end.kind === "root") return [];
    if (inheritedClaims(config, issue.ancestry)) return [];
    return [{ issue: issue.ref, end }];
  });
}

/**
 * A PR's effective phase is the LATEST phase claimed by its labels, its
 * milestone and (with `linkedIssues`) the issues it closes — so removing a
 * label cannot lower the phase while another source still says Run.
 */
export function effectivePhase(config: Config, facts: PullRequestPhaseFacts): EffectivePhase {
  const linked = config.linkedIssues ? facts.linkedIssues : [];
  const claims = [
    ...itemPhaseClaims(config, facts),
    ...linked.flatMap((issue) => linkedIssueClaims(config, issue)),
  ];
  const unreadable = linked.filter(
    (i): i is Extract<LinkedIssueFacts, { readable: false }> => !i.readable,
  );
  const dropped = config.linkedIssues ? (facts.linkedIssuesDropped ?? 0) : 0;
  const stops = ancestryStops(config, linked);
  const extra = {
    ...(dropped > 0 ? { linkedIssuesDropped: dropped } : {}),
    ...(stops.length > 0 ? { ancestryStops: stops } : {}),
  };
  if (claims.length === 0)
    return { phaseIndex: null, deciding: [], ignored: [], unreadable, ...extra };
  const phaseIndex = Math.max(...claims.map((c) => c.phaseIndex));
  return {
    phaseIndex,
    deciding: claims.filter((c) => c.phaseIndex === phaseIndex),
    ignored: claims.filter((c) => c.phaseIndex !== phaseIndex),
    unreadable,
    ...extra,
  };
}
