/**
 * The bench's knobs, from the environment. BENCH_QUICK=1 scales every
 * scenario down to a run of a few minutes; any single knob overrides it.
 */
export interface BenchSettings {
  quick: boolean;
  /** Scenarios to run (BENCH_ONLY=1,3); all when unset. */
  only: Set<number> | null;
  /** BENCH_REDIS: "auto" runs 4 and 5 when the app shares work through Redis, "force" always, "off" never. */
  redis: "auto" | "force" | "off";
  /** Deliveries per second in scenarios 1 and 2 (BENCH_RATE, 200). */
  rate: number;
  /** Seconds of deliveries timed for acknowledgement (BENCH_ACK_SECONDS, 30; quick 5). */
  ackSeconds: number;
  /** Blocked Run PRs in the event mix (BENCH_MIX_PRS, 100; quick 30). */
  mixPrs: number;
  /** Seconds of the event-mix burst (BENCH_MIX_SECONDS, 10; quick 3). */
  mixSeconds: number;
  /** Open Run PRs in the gate flip (BENCH_FLIP_PRS, 1000; quick 60). */
  flipPrs: number;
  /** Open Run PRs in the two-process flip (BENCH_KILL_PRS, 1000; quick 60). */
  killPrs: number;
  /** PRs pushed to in the restart burst (BENCH_RESTART_PRS, 100; quick 30). */
  restartPrs: number;
  /** Repositories of A (2 open PRs each) in the config fan-out of scenario 8 (BENCH_FANOUT_REPOS, 500; quick 30). */
  fanOutRepos: number;
  /** PRs evaluated and cached in scenario 6 (BENCH_EVAL_PRS, 10000). */
  evalPrs: number;
  /** Soak (scenario 10): minutes of load (BENCH_SOAK_MINUTES, 20; quick 3). */
  soakMinutes: number;
  /** Soak events per second (BENCH_SOAK_RATE, 50). */
  soakRate: number;
  /** Soak installations (BENCH_SOAK_INSTALLATIONS, 10) and repositories across them (BENCH_SOAK_REPOS, 200). */
  soakInstallations: number;
  soakRepos: number;
  /** Open Run PRs per soak repository (BENCH_SOAK_PRS, 5). */
  soakPrsPerRepo: number;
  /**
   * The app's delivery de-duplication window in the soak (BENCH_SOAK_DELIVERY_WINDOW_SECONDS,
   * 60): shorter than the warm-up, so the delivery ids level off within the run.
   */
  soakDeliveryWindowSeconds: number;
  /** Merged PRs in the year the audit reads in scenario 11 (BENCH_AUDIT_PRS, 2000). */
  auditPrs: number;
  /** Phased issues and PRs in the project's first sync (BENCH_PROJECT_ITEMS, 1000; quick 100). */
  projectItems: number;
  /** Heading of the run recorded in BENCHMARKS.md (BENCH_LABEL); BENCH_RECORD=0 records nothing. */
  label: string;
  record: boolean;
}

function int(
  env: NodeJS.ProcessEnv,
  name: string,
  full: number,
  quick: number,
  isQuick: boolean,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return isQuick ? quick : full;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, not "${raw}"`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";
  const only = env.BENCH_ONLY
    ? new Set(
        env.BENCH_ONLY.split(",")
          .map((s) => Number(s.trim()))
          .filter((n) => Number.isInteger(n)),
      )
    : null;
  const redis = env.BENCH_REDIS ?? "auto";
  if (redis !== "auto" && redis !== "force" && redis !== "off") {
    throw new Error(`BENCH_REDIS must be auto, force or off, not "${redis}"`);
  }
  return {
    quick,
    only,
    redis,
    rate: int(env, "BENCH_RATE", 200, 200, quick),
    ackSeconds: int(env, "BENCH_ACK_SECONDS", 30, 5, quick),
    mixPrs: int(env, "BENCH_MIX_PRS", 100, 30, quick),
    mixSeconds: int(env, "BENCH_MIX_SECONDS", 10, 3, quick),
    flipPrs: int(env, "BENCH_FLIP_PRS", 1000, 60, quick),
    killPrs: int(env, "BENCH_KILL_PRS", 1000, 60, quick),
    restartPrs: int(env, "BENCH_RESTART_PRS", 100, 30, quick),
    evalPrs: int(env, "BENCH_EVAL_PRS", 10_000, 10_000, quick),
    fanOutRepos: int(env, "BENCH_FANOUT_REPOS", 500, 30, quick),
    soakMinutes: int(env, "BENCH_SOAK_MINUTES", 20, 3, quick),
    soakRate: int(env, "BENCH_SOAK_RATE", 50, 50, quick),
    soakInstallations: int(env, "BENCH_SOAK_INSTALLATIONS", 10, 10, quick),
    soakRepos: int(env, "BENCH_SOAK_REPOS", 200, 200, quick),
    soakPrsPerRepo: int(env, "BENCH_SOAK_PRS", 5, 5, quick),
    soakDeliveryWindowSeconds: int(env, "BENCH_SOAK_DELIVERY_WINDOW_SECONDS", 60, 60, quick),
    auditPrs: int(env, "BENCH_AUDIT_PRS", 2000, 2000, quick),
    projectItems: int(env, "BENCH_PROJECT_ITEMS", 1000, 100, quick),
    label: env.BENCH_LABEL ?? "run",
    record: env.BENCH_RECORD !== "0",
  };
}
