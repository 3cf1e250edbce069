import { type RepoRef, repoKey } from "../../github/octokit.js";

/** A deployment GitHub asked about that waits for a gate (SPEC §4 "Deployments"). */
export interface PendingDeployment {
  repo: RepoRef;
  environment: string;
  /** The event's `deployment_callback_url`, kept for the record; the answer goes to `runId` of `repo`. */
  callbackUrl: string;
  runId: number;
  /** ISO time GitHub asked: it keeps a request open for 30 days. */
  receivedAt: string;
  /**
   * The answer once decided, kept until GitHub has it: a POST that failed is
   * sent again with this same answer, never re-decided into a different one.
   */
  answer?: { state: "approved" | "rejected"; comment: string };
}

/**
 * Where waiting deployments are kept until a gate change answers them:
 * in memory by default (a restart forgets them; GitHub still holds the
 * deployment, and re-running it asks again), in Redis when `REDIS_URL` is set
 * (app/shared/redis-pending-deployments.ts). The house/scale issue owns the Redis
 * set-up as a whole (connection sharing, key prefixes): it may move this.
 */
export interface PendingDeployments {
  /** Adds or replaces the request for this run and environment (a redelivery is one request). */
  put(pending: PendingDeployment): Promise<void>;
  /** The requests of one repository, oldest first. */
  list(repo: RepoRef): Promise<PendingDeployment[]>;
  /** Forgets one request, once GitHub has its answer. */
  remove(pending: PendingDeployment): Promise<void>;
}

/** GitHub keeps a deployment request open this long; after it nobody waits for the answer. */
export const GITHUB_WAITS_MS = 30 * 24 * 3600_000;

/** A request older than GitHub waits: forgotten, so a repository's requests do not pile up. */
export function expired(pending: Pick<PendingDeployment, "receivedAt">, now: number): boolean {
  return Date.parse(pending.receivedAt) < now - GITHUB_WAITS_MS;
}

/** One request per workflow run and environment: GitHub asks once per environment a run deploys to. */
export function pendingKey(pending: Pick<PendingDeployment, "runId" | "environment">): string {
  return `${pending.runId}:${pending.environment.toLowerCase()}`;
}

export class InMemoryPendingDeployments implements PendingDeployments {
  readonly #byRepo = new Map<string, Map<string, PendingDeployment>>();

  /** `now`: the clock that says which requests GitHub no longer holds (tests fix it). */
  constructor(private readonly now: () => number = Date.now) {}

  async put(pending: PendingDeployment): Promise<void> {
    const repo = repoKey(pending.repo);
    let entries = this.#byRepo.get(repo);
    if (!entries) {
      entries = new Map();
      this.#byRepo.set(repo, entries);
    }
    for (const [key, entry] of entries) if (expired(entry, this.now())) entries.delete(key);
    entries.set(pendingKey(pending), { ...pending });
  }

  async list(repo: RepoRef): Promise<PendingDeployment[]> {
    const entries = this.#byRepo.get(repoKey(repo));
    return entries
      ? [...entries.values()]
          .map((e) => ({ ...e }))
          .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))
      : [];
  }

  async remove(pending: PendingDeployment): Promise<void> {
    const repo = repoKey(pending.repo);
    const entries = this.#byRepo.get(repo);
    entries?.delete(pendingKey(pending));
    if (entries?.size === 0) this.#byRepo.delete(repo);
  }
}
