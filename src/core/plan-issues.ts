import { gateIssueBody } from "./gate-text.js";
import { caseless, type Plan, plan, type Reconcile } from "./reconcile.js";
import type { Config } from "./types.js";

/** A gate issue as the app opens it. */
export interface GateIssueSpec {
  phaseIndex: number;
  title: string;
  body: string;
  labels: string[];
}

const GATE_ISSUES: Reconcile<GateIssueSpec, number> = {
  desiredKey: (spec) => String(spec.phaseIndex),
  actualKey: String,
};

/**
 * The gate issues to open: one for every gate that has none. `withGateIssue`
 * holds the phase indexes whose gate already has one, open or closed (an
 * issue someone below approver labelled does not count). An existing gate
 * issue is never edited from here: its body is the team's record.
 */
export function planGateIssues(
  config: Config,
  withGateIssue: readonly number[],
): Plan<GateIssueSpec, number> {
  const wanted = config.phases.flatMap((phase, i) =>
    phase.gate
      ? [
          {
            phaseIndex: i,
            title: phase.gate.title,
            body: gateIssueBody(config, i),
            labels: [phase.gate.label],
          },
        ]
      : [],
  );
  return plan(wanted, withGateIssue, GATE_ISSUES);
}

/** A comment the app finds again by a hidden marker in its body. */
export interface MarkedComment {
  marker: string;
  body: string;
}

/** A comment as read from the issue. */
export interface ExistingComment {
  id: number;
  author: string;
  body: string;
}

export interface MarkedCommentRules {
  /**
   * Only a comment by this login is the marked one (anyone can paste a
   * marker into a comment of their own); null: a comment by anyone counts.
   */
  author: string | null;
  /** Create the comment when none exists (default true); false: only keep an existing one up to date. */
  create?: boolean;
  /** Edit an existing one whose text changed (default true); false: a one-time notice, posted once and left. */
  update?: boolean;
}

/**
 * The comment carrying `want.marker`: create it, update its body when the
 * text changed (ignoring surrounding whitespace, which GitHub may trim), or
 * nothing. Never a second copy: the first marked comment found is the one.
 */
export function planMarkedComment(
  comments: readonly ExistingComment[],
  want: MarkedComment,
  rules: MarkedCommentRules,
): Plan<MarkedComment, ExistingComment> {
  const author = rules.author === null ? null : caseless(rules.author);
  const marked = comments.filter(
    (c) => (author === null || caseless(c.author) === author) && c.body.includes(want.marker),
  );
  const how: Reconcile<MarkedComment, ExistingComment> = {
    desiredKey: (d) => d.marker,
    // Filtered to comments carrying the marker: each one is under its key.
    actualKey: () => want.marker,
    ...(rules.update === false ? {} : { same: (d, c) => c.body.trim() === d.body.trim() }),
  };
  const wanted = rules.create === false && marked.length === 0 ? [] : [want];
  return plan(wanted, marked, how);
}
