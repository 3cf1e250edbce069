import type { Config, GateConfig, PhaseConfig } from "../config/schema.js";

export type { Config, GateConfig, PhaseConfig };

/** An issue anywhere GitHub can name it: `#12`, `owner/repo#12`. */
export interface IssueRef {
  owner: string;
  repo: string;
  number: number;
}

/** What we know about an issue a PR closes (same repo or another repo of the installation). */
export type LinkedIssueFacts =
  | {
      ref: IssueRef;
      readable: true;
      url: string;
      labels: string[];
      milestone: string | null;
      /**
       * Its parent through GitHub's sub-issues: a ref, null (none), or absent
       * when the read did not say (GitHub leaves `parent_issue_url` out of a
       * root issue): then `GET …/parent` is asked.
       */
      parent?: IssueRef | null;
      /** With `parentIssues`, for an issue with no phase of its own: its ancestors (SPEC §2 "Parent issues"). */
      ancestry?: Ancestry;
    }
  | { ref: IssueRef; readable: false; reason: string };

/** One ancestor of an issue, as read while walking up its sub-issue parents. */
export interface AncestorFacts {
  ref: IssueRef;
  url: string;
  labels: string[];
  milestone: string | null;
  /** Its own parent; absent when not known yet (the walk asks). */
  parent?: IssueRef | null;
}

/**
 * Why the walk up the parents ended: the nearest ancestor with a phase was
 * found, the top was reached, or it stopped at `at` (a loop, more than
 * `MAX_PARENT_DEPTH` levels, a parent the app cannot read).
 */
export type AncestryEnd =
  | { kind: "phased" }
  | { kind: "root" }
  | { kind: "cycle"; at: IssueRef }
  | { kind: "depth"; at: IssueRef }
  | { kind: "unreadable"; at: IssueRef; reason: string };

/** An issue's ancestors, nearest first, up to the nearest one with a phase, and how the walk ended. */
export interface Ancestry {
  ancestors: AncestorFacts[];
  end: AncestryEnd;
}

/** A linked issue whose walk up its parents stopped before it found a phase: the summary says where. */
export interface AncestryStop {
  issue: IssueRef;
  end: Extract<AncestryEnd, { at: IssueRef }>;
}

/** Everything that can put a PR into a phase. */
export interface PullRequestPhaseFacts {
  labels: string[];
  milestone: string | null;
  linkedIssues: LinkedIssueFacts[];
  /** Closing references past the cap, not read (a body cannot make thousands of API calls). */
  linkedIssuesDropped?: number;
}

/** Where a phase came from, so the summary can say it in words. */
export type PhaseSource =
  | { kind: "label"; label: string }
  | { kind: "milestone"; title: string }
  | {
      kind: "linked-issue";
      ref: IssueRef;
      url: string;
      via: "label" | "milestone";
      value: string;
      /** The ancestor (sub-issues) whose label or milestone this is: the linked issue has no phase of its own. */
      inheritedFrom?: { ref: IssueRef; url: string };
    }
  /** The PR's changed files match the phase's `paths` (or GitHub could not list them all). */
  | { kind: "paths"; files: number; truncated: boolean };

export interface PhaseClaim {
  phaseIndex: number;
  source: PhaseSource;
}

export interface EffectivePhase {
  /** Index into `config.phases`, or null when nothing puts the PR in a phase. */
  phaseIndex: number | null;
  /** Claims that set the effective (latest) phase. */
  deciding: PhaseClaim[];
  /** Claims for earlier phases, ignored because a later one wins. */
  ignored: PhaseClaim[];
  /** Linked issues we could not read: reported, never silently dropped. */
  unreadable: Extract<LinkedIssueFacts, { readable: false }>[];
  /** Closing references past the cap, not read: reported in the summary. */
  linkedIssuesDropped?: number;
  /** Linked issues whose walk up their parents stopped (a loop, too deep, unreadable): reported. */
  ancestryStops?: AncestryStop[];
  /** Set when the PR is evaluated at its phase floor rather than at what its sources say now (SPEC §2). */
  floor?: PhaseFloorHold;
  /**
   * Set when the config has `paths`: the phase people claim (labels,
   * milestone, linked issues, after the floor). Only this is the floor the
   * check run remembers; the phase from paths is recomputed every time.
   */
  claimedIndex?: number | null;
  /** What the PR's changed files say (SPEC §2 "Phase by paths"), when they put it in a phase. */
  paths?: PathsPhase;
}

/** One changed file as GitHub lists it: a rename has its old name too. */
export interface ChangedFile {
  filename: string;
  previousFilename?: string;
  /** GitHub's `status` is "removed". */
  removed?: true;
}

/** A PR head's changed files: GitHub's list (at most 3,000) and how many the PR really changes. */
export interface ChangedFiles {
  files: ChangedFile[];
  /**
   * The PR's `changed_files`: more than `files.length` when GitHub's list
   * stops short; null when GitHub did not list the files at all.
   */
  changedFiles: number | null;
}

/** A changed path and the pattern that put it in a phase. */
export interface PathMatch {
  path: string;
  pattern: string;
}

/** The phase a PR's changed files put it in, and why. */
export interface PathsPhase {
  phaseIndex: number;
  /** The first matches (at most `PATH_MATCHES_SHOWN`), in GitHub's order. */
  matches: PathMatch[];
  /** How many changed paths match in all. */
  matchCount: number;
  /**
   * GitHub listed fewer files than the PR changes (`changed` null: it listed
   * none): the PR is held here, the latest phase with `paths` (fails closed).
   */
  truncated: { listed: number; changed: number | null } | null;
}

/**
 * The PR once was in a later phase than its labels, milestone and linked
 * issues say now, and the change that lowered it was not made by someone
 * allowed to skip the gates in between: the PR stays at its floor.
 */
export interface PhaseFloorHold {
  /** The phase the PR is held at. */
  phaseIndex: number;
  /** What the PR's sources say now (null: no phase). */
  currentIndex: number | null;
  /** Who made the change that would have lowered it, when known. */
  loweredBy: string | null;
  /** The gates the lowering would skip: only their approvers may lower the phase. */
  skippedGates: number[];
}

export type GateStateName = "pending" | "approved" | "stopped";

/** Plain facts about a gate issue, gathered by the GitHub layer. */
export interface GateIssueFacts {
  number: number;
  url: string;
  title: string;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | "duplicate" | null;
  closedAt: string | null;
  /**
   * Who decided the close. When the app itself closed the issue on an
   * approver's `/approve` or `/stop`, this is that approver, not the bot.
   */
  closedBy: string | null;
  closerAuthorized: boolean;
  /**
   * Why the latest close cannot count whoever approved: closed before the
   * issue became the gate issue, by a bot other than this app, or by this app
   * on an approval since withdrawn. Null when open or when the closer decides.
   */
  closeRejected?: string | null;
  /** Who actually closed it, per GitHub's record (this app's bot when it carried out a command). */
  closeActor?: string | null;
  /** Commands in edited comments, ignored: GitHub lets writers edit anyone's comment. */
  editedCommands?: number;
  /** Distinct authorized approvers who approved (commands, not revoked). Excludes the closer unless they also commented. */
  approvals: string[];
  /** A `/stop <reason>` by an authorized approver, if any. */
  stop: { by: string; reason: string } | null;
  checklist: ChecklistProgress;
}

export interface ChecklistProgress {
  total: number;
  checked: number;
  unchecked: string[];
}

export interface GateStatus {
  phaseIndex: number;
  gate: GateConfig;
  state: GateStateName;
  issue: GateIssueFacts | null;
  /** Distinct approvals that count, the closer included when closed as completed by an approver. */
  approvals: string[];
  /** What still stands between this gate and approval, in words. Empty when approved or stopped. */
  missing: string[];
  /** When closed in a way that does not count: why. */
  closeIgnoredBecause: string | null;
}

export type VerdictReason =
  | "first-phase"
  | "gates-approved"
  | "unphased-allowed"
  | "gate-pending"
  | "gate-stopped"
  | "unphased-blocked";

export interface Verdict {
  conclusion: "success" | "failure";
  reason: VerdictReason;
  title: string;
  phase: EffectivePhase;
  /** Every gate before the PR's phase, in order. */
  gates: GateStatus[];
  /** The gate named in the title: the nearest stopped gate, else the nearest pending one. */
  blockingGate: GateStatus | null;
}
