/**
 * How often issue and pull request activity may regenerate a repository's
 * reports (the dashboard and the gates' progress sections): at most once per
 * interval, the first event of a burst at once and the rest of the burst as
 * one more refresh when the interval is up. Gate decisions, config pushes and
 * milestone changes refresh at once and only record the time here.
 *
 * The state is per repository and lives in the state store, so with
 * `REDIS_URL` N processes together refresh a repository at most once per
 * interval: "refreshed within the interval" is an entry that expires with
 * the interval, and "a refresh is waiting" an entry only one process can add
 * (`StateStore.add`); that process holds the timer of the waiting refresh.
 */
import { MemoryStateStore } from "../../state/memory-store.js";
import { type StateSpace, type StateStore, space } from "../../state/store.js";

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

export const DEFAULT_REPORT_INTERVAL_MS = 60_000;

export type Activity = "now" | "scheduled" | "already-scheduled";

export class ReportPacer {
  /** The refresh each waiting timer of this process will run: the latest one asked for. */
  readonly #waiting = new Map<string, () => void>();
  /** When a repository's reports last refreshed; gone once the interval is up. */
  readonly #refreshed: StateSpace<number>;
  /** When the waiting refresh of a repository is due; held by the process with the timer. */
  readonly #due: StateSpace<number>;

  constructor(
    readonly clock: Clock = systemClock,
    readonly intervalMs: number = DEFAULT_REPORT_INTERVAL_MS,
    /** Shared by every process with `REDIS_URL`; by default this process's own, on `clock`. */
    readonly store: StateStore = new MemoryStateStore(() => clock.now()),
    /** Where a timer's store error goes (nobody awaits a timer); the refresh runs all the same. */
    readonly onTimerError: (error: unknown) => void = (error) =>
      process.emitWarning(
        `report pacer: ${error instanceof Error ? error.message : String(error)}`,
      ),
  ) {
    this.#refreshed = space("report-refreshed", { ttlMs: intervalMs });
    this.#due = space("report-due", { ttlMs: intervalMs });
  }

  /** A refresh ran (or is about to) for another reason: activity waits a full interval from now. */
  async refreshed(key: string): Promise<void> {
    await this.store.set(this.#refreshed, key, this.clock.now());
  }

  /**
   * Issue or pull request activity on a repository: `refresh` runs now when
   * the interval since the last refresh (by any process) is up, else once
   * when it is (however many events arrive meanwhile, in however many
   * processes; the latest `refresh` the timer's process was given is the one run).
   */
  async activity(key: string, refresh: () => void): Promise<Activity> {
    const now = this.clock.now();
    if (await this.store.add(this.#refreshed, key, now)) {
      refresh();
      return "now";
    }
    if (this.#waiting.has(key)) {
      this.#waiting.set(key, refresh);
      return "already-scheduled";
    }
    // Read after the add failed: absent only if the interval ran out in between (then it is due now).
    const lastAt = (await this.store.get(this.#refreshed, key)) ?? now - this.intervalMs;
    const due = lastAt + this.intervalMs;
    if (!(await this.store.add(this.#due, key, due))) return "already-scheduled";
    this.#waiting.set(key, refresh);
    this.clock.setTimer(() => void this.#run(key).catch(this.onTimerError), Math.max(0, due - now));
    return "scheduled";
  }

  async #run(key: string): Promise<void> {
    const run = this.#waiting.get(key);
    this.#waiting.delete(key);
    try {
      await this.store.set(this.#refreshed, key, this.clock.now());
      await this.store.delete(this.#due, key);
    } finally {
      run?.();
    }
  }
}
