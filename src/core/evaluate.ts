import { gateStatus } from "./gate-state.js";
import { effectivePhase } from "./phases.js";
import type {
  Config,
  EffectivePhase,
  GateIssueFacts,
  GateStatus,
  PullRequestPhaseFacts,
  Verdict,
} from "./types.js";

/** Phase indexes whose gates a PR in `phaseIndex` depends on: every gate before it. */
export function gatesBefore(config: Config, phaseIndex: number | null): number[] {
  if (phaseIndex === null) return [];
  return config.phases.slice(0, phaseIndex).flatMap((phase, i) => (phase.gate ? [i] : []));
}

/** The gate statuses of the given phases. `gateIssues[i]` is the gate issue of phase i (or null when none exists). */
export function gateStatuses(
  config: Config,
  indexes: readonly number[],
  gateIssues: ReadonlyMap<number, GateIssueFacts | null>,
): GateStatus[] {
  return indexes.flatMap((i) => {
    const gate = config.phases[i]?.gate;
    return gate ? [gateStatus(i, gate, gateIssues.get(i) ?? null)] : [];
  });
}

/**
 * The blocking gate is the one a contributor waits for: a stopped gate if
 * any (a "no" outranks a "not yet"), else the pending gate nearest the PR's
 * phase — a Run PR waits for the Walk gate.
 */
function blockingGate(gates: readonly GateStatus[]): GateStatus | null {
  const stopped = gates.filter((g) => g.state === "stopped");
  if (stopped.length > 0) return stopped[stopped.length - 1] ?? null;
  const pending = gates.filter((g) => g.state === "pending");
  return pending[pending.length - 1] ?? null;
}

export function decide(config: Config, phase: EffectivePhase, gates: GateStatus[]): Verdict {
  const base = { phase, gates };
  if (phase.phaseIndex === null) {
    return config.unphased === "allow"
      ? {
          ...base,
          conclusion: "success",
          reason: "unphased-allowed",
          title: "No phase",
          blockingGate: null,
        }
      : {
          ...base,
          conclusion: "failure",
          reason: "unphased-blocked",
          title: "Blocked: no phase label",
          blockingGate: null,
        };
  }
  const phaseName = config.phases[phase.phaseIndex]?.name ?? "?";
  const blocker = blockingGate(gates);
  if (blocker) {
    const gateName = config.phases[blocker.phaseIndex]?.name ?? "?";
    return {
      ...base,
      conclusion: "failure",
      reason: blocker.state === "stopped" ? "gate-stopped" : "gate-pending",
      title: `Blocked: ${gateName} gate ${blocker.state}`,
      blockingGate: blocker,
    };
  }
  if (phase.phaseIndex === 0) {
    return {
      ...base,
      conclusion: "success",
      reason: "first-phase",
      title: `${phaseName}: first phase`,
      blockingGate: null,
    };
  }
  return {
    ...base,
    conclusion: "success",
    reason: "gates-approved",
    title: `${phaseName}: gates approved`,
    blockingGate: null,
  };
}

/** The verdict for one PR, from plain facts (SPEC §2–§4). */
export function evaluatePullRequest(
  config: Config,
  facts: PullRequestPhaseFacts,
  gateIssues: ReadonlyMap<number, GateIssueFacts | null>,
): Verdict {
  const phase = effectivePhase(config, facts);
  return decide(
    config,
    phase,
    gateStatuses(config, gatesBefore(config, phase.phaseIndex), gateIssues),
  );
}
