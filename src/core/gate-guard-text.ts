import { describeApprovers } from "./render-check.js";
import type { GateConfig } from "./types.js";

/** Markers of the comments that defend a gate's record (one per issue or comment, never repeated). */
export const GUARD_MARKERS = {
  impostor: "<!-- phase-gates:impostor -->",
  restored: "<!-- phase-gates:label-restored -->",
  edited: (commentId: number) => `<!-- phase-gates:edited:${commentId} -->`,
} as const;

const who = (login: string | null) => (login ? `@${login}` : "Someone");

/** On an issue someone below approver labelled as a gate: why the label is gone again. */
export function impostorComment(
  gate: GateConfig,
  labelledBy: string | null,
  gateIssue: { number: number; url: string } | null,
): string {
  return [
    GUARD_MARKERS.impostor,
    `${who(labelledBy)} added the \`${gate.label}\` label, but only the gate's approvers (${describeApprovers(gate)}) or phase-gates itself can make an issue the gate issue, so the app removed the label. Nothing about the gate changed.`,
    gateIssue
      ? `The gate's review record is [#${gateIssue.number}](${gateIssue.url}).`
      : "The gate has no issue yet: an approver can create one with this label.",
  ].join("\n\n");
}

/** On the gate issue whose label someone below approver removed: the label is back. */
export function labelRestoredComment(gate: GateConfig, removedBy: string | null): string {
  return [
    GUARD_MARKERS.restored,
    `${who(removedBy)} removed the \`${gate.label}\` label, but only the gate's approvers (${describeApprovers(gate)}) can take it off the gate issue, so the app put it back. This issue is still the gate's review record.`,
  ].join("\n\n");
}

/** Under an edited comment that holds a command: it does not count. */
export function editedCommandComment(commentId: number, command: string): string {
  return [
    GUARD_MARKERS.edited(commentId),
    `A command counts only in a comment that was never edited (anyone with write access can edit other people's comments), so this edited \`/${command}\` is ignored. To decide, post a new comment.`,
  ].join("\n\n");
}
