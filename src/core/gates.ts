import type { Config } from "./types.js";

/** Index of the phase whose gate carries `label`, or -1. */
export function gatePhaseIndex(config: Config, label: string): number {
  const wanted = label.toLowerCase();
  return config.phases.findIndex((p) => p.gate !== null && p.gate.label.toLowerCase() === wanted);
}
