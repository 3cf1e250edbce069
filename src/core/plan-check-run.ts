import { type Plan, plan, type Reconcile } from "./reconcile.js";

/** What decides whether a `Phase gate` run must be written again. */
export interface CheckRunContent {
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  /** The phase floor the run remembers. */
  externalId: string | null;
}

/**
 * One string for a run's conclusion, title, summary and floor. A run that is
 * not completed gets "" (see `runFingerprint`), which no written run has.
 */
export function checkFingerprint(c: CheckRunContent): string {
  return JSON.stringify([c.conclusion, c.title, c.summary, c.externalId]);
}

/** The fingerprint of a run as GitHub lists it: only a completed run can be left as it is. */
export function runFingerprint(run: CheckRunContent & { status: string }): string {
  return run.status === "completed" ? checkFingerprint(run) : "";
}

/** The run wanted on a head SHA. */
export interface WantedRun {
  headSha: string;
  fingerprint: string;
}

/** This app's run on that SHA, as last read or written. */
export interface ExistingRun {
  id: number;
  fingerprint: string;
}

/**
 * Create a run when the head has none of ours, update ours when its
 * fingerprint differs, else nothing. Runs are never removed: GitHub keeps
 * a SHA's runs, and the latest one is what a required check reads.
 */
export function planCheckRun<A extends ExistingRun>(
  wanted: WantedRun,
  ours: A | null,
): Plan<WantedRun, A> {
  const how: Reconcile<WantedRun, A> = {
    desiredKey: () => wanted.headSha,
    // Found on this head SHA: it is the run of that key.
    actualKey: () => wanted.headSha,
    same: (d, a) => a.fingerprint === d.fingerprint,
  };
  return plan([wanted], ours ? [ours] : [], how);
}
