import { phaseMeaning } from "./phase-meaning.js";
import { phaseIndexOfLabel, phaseIndexOfMilestone } from "./phases.js";
import { caseless, type Plan, plan, type Reconcile } from "./reconcile.js";
import type { Config, PhaseConfig } from "./types.js";

/** A milestone as the app creates it. */
export interface MilestoneSpec {
  title: string;
  description: string;
}

/** A milestone as GitHub lists it (open or closed). */
export interface ExistingMilestone {
  title: string;
}

export type MilestonePlan = Plan<MilestoneSpec, ExistingMilestone>;

export function milestoneDescription(phase: PhaseConfig): string {
  const meaning = phaseMeaning(phase.id);
  return `Phase: ${phase.name}${meaning ? ` — ${meaning}` : ""}. Issues and PRs in this milestone get the \`${phase.label}\` label.`;
}

/** Titles compare ignoring case, as the phase mapping does; an existing milestone is never edited or removed. */
const PHASE_MILESTONES: Reconcile<MilestoneSpec, ExistingMilestone> = {
  desiredKey: (spec) => caseless(spec.title),
  actualKey: (m) => caseless(m.title),
};

/**
 * The phase milestones that do not exist yet (titles compare ignoring case,
 * as the phase mapping does). An existing milestone, open or closed, is left
 * exactly as it is: its due date is the team's timebox, its state their call.
 */
export function planMilestones(
  config: Config,
  existing: readonly ExistingMilestone[],
): MilestonePlan {
  const wanted = config.phases.flatMap((phase) =>
    phase.milestone === null
      ? []
      : [{ title: phase.milestone, description: milestoneDescription(phase) }],
  );
  return plan(wanted, existing, PHASE_MILESTONES);
}

/** An issue or PR's own phase inputs, as GitHub has them now. */
export interface ItemPhaseState {
  labels: readonly string[];
  milestone: string | null;
}

/** Label writes on one issue or PR: names to add, and existing names (their own spelling) to remove. */
export type ItemLabelPlan = Plan<string, string>;

/** The milestone that was just removed, and the item's other phase sources. */
export interface Demilestoned {
  milestone: string;
  /**
   * Sources other than the item's own labels that can imply a phase: for a
   * PR, the issues it closes (when `linkedIssues` is on); for an issue, none.
   */
  otherSources: readonly ItemPhaseState[];
}

/**
 * Phase labels on one item, named ignoring case; which of the item's phase
 * labels may go is the caller's rule (the only labels it is ever given).
 */
function itemLabels(removable: (label: string) => boolean): Reconcile<string, string> {
  return { desiredKey: caseless, actualKey: caseless, removable };
}

const nothing = (): ItemLabelPlan =>
  plan(
    [],
    [],
    itemLabels(() => false),
  );

/**
 * Milestone → phase label (SPEC §2, `sync.milestones`), planned on the
 * item's CURRENT state, so a late or repeated event plans the same thing and
 * the app's own writes plan nothing:
 *
 * - milestone maps to phase P → the item carries P's label and no other
 *   phase label;
 * - else, when `demilestoned` names a removed milestone M of phase P → P's
 *   label goes, unless another source implies P.
 *
 * "Another source" cannot be the item's labels themselves: GitHub does not
 * say whether a person or the milestone added P's label, and by our own rule
 * a milestone of P always brought it. So for an issue there is no other
 * source and the label goes; for a PR, an issue it closes that is itself in
 * P (by label or milestone) keeps it. A person who wants the label back
 * after removing the milestone adds it again; no milestone event follows.
 */
export function planItemPhaseLabels(
  config: Config,
  item: ItemPhaseState,
  demilestoned?: Demilestoned,
): ItemLabelPlan {
  const phaseLabels = item.labels.filter((l) => phaseIndexOfLabel(config, l) >= 0);

  const current = phaseIndexOfMilestone(config, item.milestone);
  if (current >= 0) {
    const want = config.phases[current]?.label;
    if (want === undefined) return nothing();
    return plan(
      [want],
      phaseLabels,
      itemLabels(() => true),
    );
  }

  if (!demilestoned) return nothing();
  const removed = phaseIndexOfMilestone(config, demilestoned.milestone);
  const implied = config.phases[removed]?.label;
  if (removed < 0 || implied === undefined) return nothing();
  const elsewhere = demilestoned.otherSources.some(
    (s) =>
      phaseIndexOfMilestone(config, s.milestone) === removed ||
      s.labels.some((l) => phaseIndexOfLabel(config, l) === removed),
  );
  return elsewhere
    ? nothing()
    : plan(
        [],
        phaseLabels,
        itemLabels((l) => caseless(l) === caseless(implied)),
      );
}
