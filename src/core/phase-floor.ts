import type { Config, EffectivePhase } from "./types.js";

/**
 * The phase floor is remembered on GitHub in the `external_id` of the app's
 * own check run, so it survives restarts and every process sees the same one.
 */
const FLOOR_PREFIX = "phase-gates:floor=";

export function encodePhaseFloor(config: Config, phaseIndex: number | null): string {
  return `${FLOOR_PREFIX}${phaseIndex === null ? "" : (config.phases[phaseIndex]?.id ?? "")}`;
}

/** The floor stored in a check run's `external_id`, as a phase index of today's config (null: none). */
export function decodePhaseFloor(
  config: Config,
  externalId: string | null | undefined,
): number | null {
  if (!externalId?.startsWith(FLOOR_PREFIX)) return null;
  const id = externalId.slice(FLOOR_PREFIX.length);
  const index = config.phases.findIndex((p) => p.id === id);
  return index >= 0 ? index : null;
}

/**
 * The gates a PR would skip if its phase went from `floorIndex` down to
 * `currentIndex`: a PR with no phase skips every gate before the floor.
 * Empty when nothing is lowered.
 */
export function gatesSkippedByLowering(
  config: Config,
  floorIndex: number | null,
  currentIndex: number | null,
): number[] {
  if (floorIndex === null || (currentIndex !== null && currentIndex >= floorIndex)) return [];
  const from = currentIndex ?? 0;
  return config.phases.flatMap((p, i) => (p.gate && i >= from && i < floorIndex ? [i] : []));
}

/**
 * The phase a PR is evaluated at (SPEC §2 "Phase floor"): what its sources
 * say now, unless that is lower than its floor and the change was not made
 * by someone allowed to decide every gate it would skip — then the floor.
 * A lowering that skips no gate (e.g. Run → Walk with no Walk gate) is
 * honoured, since it lets nothing through that was held.
 */
export function applyPhaseFloor(
  config: Config,
  phase: EffectivePhase,
  floorIndex: number | null,
  lowering: { by: string | null; mayLower: boolean },
): EffectivePhase {
  const skippedGates = gatesSkippedByLowering(config, floorIndex, phase.phaseIndex);
  if (floorIndex === null || skippedGates.length === 0 || lowering.mayLower) return phase;
  return {
    phaseIndex: floorIndex,
    deciding: [],
    ignored: [...phase.deciding, ...phase.ignored],
    unreadable: phase.unreadable,
    ...(phase.linkedIssuesDropped ? { linkedIssuesDropped: phase.linkedIssuesDropped } : {}),
    ...(phase.ancestryStops ? { ancestryStops: phase.ancestryStops } : {}),
    floor: {
      phaseIndex: floorIndex,
      currentIndex: phase.phaseIndex,
      loweredBy: lowering.by,
      skippedGates,
    },
  };
}
