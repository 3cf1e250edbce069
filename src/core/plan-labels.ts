import { DECISION_LABELS } from "./gate-text.js";
import { phaseMeaning } from "./phase-meaning.js";
import { caseless, type Plan, plan, type Reconcile } from "./reconcile.js";
import type { Config, PhaseConfig } from "./types.js";

/** A label as the app wants it to exist in the repository. */
export interface LabelSpec {
  name: string;
  /** Six hex digits, lowercase, no `#` (the form GitHub returns). */
  color: string;
  description: string;
}

/** A label as GitHub lists it. */
export interface ExistingLabel {
  name: string;
  color: string;
  description: string | null;
}

/** An update names the label by the existing one's spelling (`actual.name`), which stays. */
export type LabelPlan = Plan<LabelSpec, ExistingLabel>;

export const APPROVED_LABEL = DECISION_LABELS.approved;
export const STOPPED_LABEL = DECISION_LABELS.stopped;

/** One colour per phase position (at most 10 phases), none equal to the gate or decision colours. */
export const PHASE_COLORS = [
  "c5def5",
  "1d76db",
  "5319e7",
  "006b75",
  "fbca04",
  "d93f0b",
  "bfdadc",
  "d4c5f9",
  "f9d0c4",
  "0052cc",
] as const;
export const GATE_COLOR = "24292f";
export const APPROVED_COLOR = "0e8a16";
export const STOPPED_COLOR = "b60205";

/** GitHub rejects label descriptions longer than 100 characters. */
const DESCRIPTION_LIMIT = 100;

function clip(text: string): string {
  const chars = [...text];
  return chars.length <= DESCRIPTION_LIMIT
    ? text
    : `${chars.slice(0, DESCRIPTION_LIMIT - 1).join("")}…`;
}

function phaseDescription(phase: PhaseConfig): string {
  const meaning = phaseMeaning(phase.id);
  return clip(meaning ? `Phase: ${phase.name} — ${meaning}` : `Phase: ${phase.name} (phase-gates)`);
}

/**
 * Every label the configuration relies on: the phase labels, the gate
 * labels and the two decision labels. Names are unique ignoring case; if a
 * decision label collides with a configured one, the configured one wins.
 */
export function desiredLabels(config: Config): LabelSpec[] {
  const specs: LabelSpec[] = [];
  config.phases.forEach((phase, i) => {
    specs.push({
      name: phase.label,
      color: PHASE_COLORS[i % PHASE_COLORS.length] ?? PHASE_COLORS[0],
      description: phaseDescription(phase),
    });
  });
  for (const phase of config.phases) {
    if (!phase.gate) continue;
    specs.push({
      name: phase.gate.label,
      color: GATE_COLOR,
      description: clip(`Marks the gate issue that ends ${phase.name}`),
    });
  }
  specs.push(
    {
      name: APPROVED_LABEL,
      color: APPROVED_COLOR,
      description: "Gate decision: approved (display only; state comes from the issue)",
    },
    {
      name: STOPPED_LABEL,
      color: STOPPED_COLOR,
      description: "Gate decision: stopped (display only; state comes from the issue)",
    },
  );
  const seen = new Set<string>();
  return specs.filter((s) => {
    const key = s.name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Labels compare by name ignoring case, as GitHub does; colour ignoring case
 * and a leading `#`, description exactly (none is ""). Nothing is removed.
 */
const REPO_LABELS: Reconcile<LabelSpec, ExistingLabel> = {
  desiredKey: (spec) => caseless(spec.name),
  actualKey: (label) => caseless(label.name),
  same: (spec, found) =>
    found.color.replace(/^#/, "").toLowerCase() === spec.color &&
    (found.description ?? "") === spec.description,
};

/**
 * Desired labels against the repository's labels: create what is missing,
 * repair colour or description drift, and nothing else. Labels nobody
 * configured are never touched, and nothing is ever deleted — a label a
 * person made may be in use in ways the app cannot see.
 *
 * Names compare ignoring case, as GitHub does. A label that differs only in
 * case is the same label: its colour and description are repaired, its
 * spelling is the person's and stays.
 */
export function planLabels(config: Config, existing: readonly ExistingLabel[]): LabelPlan {
  return plan(desiredLabels(config), existing, REPO_LABELS);
}

const DECISION_LABEL_NAMES: readonly string[] = [APPROVED_LABEL, STOPPED_LABEL];

/** The decision labels an issue carries: the app's own, so any it no longer wants may go. */
const DECISION_ON_ISSUE: Reconcile<string, string> = {
  desiredKey: caseless,
  actualKey: caseless,
  removable: () => true,
};

/**
 * The display label of a gate's decision on its issue: `gate: approved` or
 * `gate: stopped`, or neither while pending. A decision label that does not
 * match goes, whoever added it. Removals name the label in the app's
 * spelling; other labels on the issue are not the app's to touch.
 */
export function planDecisionLabel(
  issueLabels: readonly string[],
  decision: "approved" | "stopped" | null,
): Plan<string, string> {
  const have = new Set(issueLabels.map(caseless));
  const carried = DECISION_LABEL_NAMES.filter((l) => have.has(caseless(l)));
  return plan(decision ? [DECISION_LABELS[decision]] : [], carried, DECISION_ON_ISSUE);
}
