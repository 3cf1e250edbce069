import type { AuditException } from "./audit-gates.js";
import { decodePhaseFloor } from "./phase-floor.js";
import { effectivePhase } from "./phases.js";
import type { Config, LinkedIssueFacts, PhaseSource } from "./types.js";

/** A check run named `Phase gate` on a merged head, with the app that wrote it (null: unknown). */
export interface PhaseGateRun {
  appId: number | null;
  appSlug: string | null;
  id: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  completedAt: string | null;
  externalId: string | null;
  url: string;
}

/** A merged pull request as the GitHub layer read it (GraphQL or REST alike). */
export interface MergedPull {
  number: number;
  title: string;
  url: string;
  author: string | null;
  mergedBy: string | null;
  mergedAt: string;
  base: string;
  headSha: string;
  labels: string[];
  milestone: string | null;
  /** The issues it closes, with their labels (GraphQL); empty over REST, where the app's run says the phase. */
  linkedIssues: LinkedIssueFacts[];
  /** Every `Phase gate` run on the merged head, any app. */
  runs: PhaseGateRun[];
}

export interface PullRecord
  extends Pick<
    MergedPull,
    "number" | "title" | "url" | "author" | "mergedBy" | "mergedAt" | "base" | "headSha"
  > {
  record: "pull-request";
  repo: string;
  /** The phase at merge (null: none) and what put it there. */
  phase: string | null;
  phaseSources: string[];
  /** This app's latest `Phase gate` run on the merged head. */
  run: {
    conclusion: string | null;
    title: string | null;
    completedAt: string | null;
    url: string;
  } | null;
  exceptions: AuditException[];
}

function sourceText(source: PhaseSource): string {
  switch (source.kind) {
    case "label":
      return `label "${source.label}"`;
    case "milestone":
      return `milestone "${source.title}"`;
    case "linked-issue":
      return `linked issue ${source.ref.owner}/${source.ref.repo}#${source.ref.number} (${source.via} "${source.value}"${source.inheritedFrom ? `, inherited from ${source.inheritedFrom.ref.owner}/${source.inheritedFrom.ref.repo}#${source.inheritedFrom.ref.number}` : ""})`;
    case "paths":
      return source.truncated
        ? "changed files (more than GitHub lists)"
        : `changed files (${source.files} matching paths)`;
  }
}

/** The newest of the runs (GitHub shows the newest run of a name): by id, which GitHub hands out in order. */
function newest(runs: readonly PhaseGateRun[]): PhaseGateRun | null {
  return [...runs].sort((a, b) => b.id - a.id)[0] ?? null;
}

/**
 * A merged PR's audit record: its phase at merge (the latest of its labels,
 * milestone and linked issues, and the phase floor this app's run held it
 * at), this app's `Phase gate` run on the merged head, and the exceptions:
 * merged while that run was not green, merged with no run from this app, or
 * with a `Phase gate` run from another app or workflow on the head.
 */
export function pullRecord(input: {
  repo: string;
  config: Config;
  appId: number | null;
  appSlug: string;
  pull: MergedPull;
}): PullRecord {
  const { config, pull } = input;
  const slug = input.appSlug.toLowerCase();
  const isOurs = (r: PhaseGateRun) =>
    input.appId !== null ? r.appId === input.appId : r.appSlug?.toLowerCase() === slug;
  const ours = newest(pull.runs.filter(isOurs));
  const foreign = pull.runs.filter((r) => !isOurs(r));

  const phase = effectivePhase(config, {
    labels: pull.labels,
    milestone: pull.milestone,
    linkedIssues: pull.linkedIssues,
  });
  const floor = decodePhaseFloor(config, ours?.externalId);
  let sources = phase.deciding.map((c) => sourceText(c.source));
  let phaseIndex = phase.phaseIndex;
  if (floor !== null && (phaseIndex === null || floor > phaseIndex)) {
    // Held at its floor (SPEC §2): what its sources say now was a lowering that did not count.
    phaseIndex = floor;
    sources = ["phase floor on the app's Phase gate run", ...sources.map((s) => `lowered to ${s}`)];
  }

  const exceptions: AuditException[] = [];
  const by = pull.mergedBy;
  if (!ours) {
    exceptions.push({
      kind: "merged-without-run",
      at: pull.mergedAt,
      by,
      detail: `merged with no Phase gate run from ${input.appSlug} on its head ${pull.headSha.slice(0, 7)}`,
      url: pull.url,
    });
  } else if (ours.conclusion !== "success") {
    exceptions.push({
      kind: "merged-while-failing",
      at: pull.mergedAt,
      by,
      detail: `merged while the Phase gate run said ${ours.conclusion ?? ours.status}${ours.title ? `: ${ours.title}` : ""}`,
      url: pull.url,
    });
  }
  for (const run of [...foreign].sort((a, b) => a.id - b.id)) {
    exceptions.push({
      kind: "foreign-phase-gate",
      at: run.completedAt ?? pull.mergedAt,
      by: run.appSlug,
      detail: `a Phase gate run from ${run.appSlug ? `@${run.appSlug}` : "another app"} (${run.conclusion ?? run.status}) on the merged head: only a ruleset pinned to ${input.appSlug} ignores it`,
      url: run.url,
    });
  }
  return {
    record: "pull-request",
    repo: input.repo,
    number: pull.number,
    title: pull.title,
    url: pull.url,
    author: pull.author,
    mergedBy: pull.mergedBy,
    mergedAt: pull.mergedAt,
    base: pull.base,
    headSha: pull.headSha,
    phase: phaseIndex === null ? null : (config.phases[phaseIndex]?.id ?? null),
    phaseSources: sources,
    run: ours
      ? {
          conclusion: ours.conclusion,
          title: ours.title,
          completedAt: ours.completedAt,
          url: ours.url,
        }
      : null,
    exceptions,
  };
}
