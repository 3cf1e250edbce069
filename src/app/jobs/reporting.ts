import type { ReportPacer } from "./report-pacer.js";

/**
 * What a job needs to write reports: the pacer it records refreshes in, and
 * the day it is. Its own module so that `repo-job` (which carries it in its
 * settings) does not import the report recipe, which imports the PR recipe,
 * which imports `repo-job`: the import graph of app/ stays a tree.
 */
export interface Reporting {
  pacer: ReportPacer;
  /** `YYYY-MM-DD`, UTC: countdowns change once a day, not on every render. */
  today(): string;
  /** False once the process is shutting down: the next event regenerates the reports. */
  active(): boolean;
}
