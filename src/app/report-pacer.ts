/**
 * How often issue and pull request activity may regenerate a repository's
 * reports (the dashboard and the gates' progress sections): at most once per
 * interval, the first event of a burst at once and the rest of the burst as
 * one more refresh when the interval is up. Gate decisions, config pushes and
 * milestone changes refresh at once and only record the time here.
 *
 * The state is per repository: when it last refreshed, and whether a refresh
 * is waiting. It lives behind `PacerState` so it can move to a shared store;
 * the waiting refresh itself is a timer of this process.
 */

export interface Clock {
  now(): number;
  /** Calls `run` after `ms`; the timer must not keep the process alive. */
  setTimer(run: () => void, ms: number): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (run, ms) => {
    setTimeout(run, ms).unref();
  },
};

export interface RepoPace {
  /** When the last refresh was started (ms since the epoch). */
  lastAt: number;
  /** A refresh is scheduled for the end of the interval. */
  pending: boolean;
}

/** Where the per-repository pace is kept: in memory for one process. */
export interface PacerState {
  get(key: string): RepoPace | undefined;
  set(key: string, pace: RepoPace): void;
}

export function memoryPacerState(): PacerState {
  const map = new Map<string, RepoPace>();
  return { get: (key) => map.get(key), set: (key, pace) => void map.set(key, pace) };
}

export const DEFAULT_REPORT_INTERVAL_MS = 60_000;

export type Activity = "now" | "scheduled" | "already-scheduled";

export class ReportPacer {
  /** The refresh each repository's waiting timer will run: the latest one asked for. */
  readonly #waiting = new Map<string, () => void>();

  constructor(
    readonly clock: Clock = systemClock,
    readonly intervalMs: number = DEFAULT_REPORT_INTERVAL_MS,
    readonly state: PacerState = memoryPacerState(),
  ) {}

  /** A refresh ran (or is about to) for another reason: activity waits a full interval from now. */
  refreshed(key: string): void {
    const pace = this.state.get(key);
    this.state.set(key, { lastAt: this.clock.now(), pending: pace?.pending ?? false });
  }

  /**
   * Issue or pull request activity on a repository: `refresh` runs now when
   * the interval since the last refresh is up, else once when it is (however
   * many events arrive meanwhile; the latest `refresh` given is the one run).
   */
  activity(key: string, refresh: () => void): Activity {
    const now = this.clock.now();
    const pace = this.state.get(key);
    if (pace?.pending) {
      this.#waiting.set(key, refresh);
      return "already-scheduled";
    }
    if (!pace || now - pace.lastAt >= this.intervalMs) {
      this.state.set(key, { lastAt: now, pending: false });
      refresh();
      return "now";
    }
    this.state.set(key, { ...pace, pending: true });
    this.#waiting.set(key, refresh);
    this.clock.setTimer(() => this.#due(key), pace.lastAt + this.intervalMs - now);
    return "scheduled";
  }

  #due(key: string): void {
    const run = this.#waiting.get(key);
    this.#waiting.delete(key);
    this.state.set(key, { lastAt: this.clock.now(), pending: false });
    run?.();
  }
}
