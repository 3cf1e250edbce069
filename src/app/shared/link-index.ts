import type { PullLinks } from "../../core/affected.js";
import type { RepoRef } from "../../github/octokit.js";
import { MemoryStateStore } from "../../state/memory-store.js";
import { type StateSpace, type StateStore, space } from "../../state/store.js";

/** How long a repository's links (and an installation's repositories) are trusted. */
export const LINK_INDEX_TTL_MS = 10 * 60_000;

/**
 * Which open PRs of an installation's repositories close which issues, so a
 * linked issue relabelled in one repository re-checks the PRs of the others
 * without listing every repository on every label change. Built on demand
 * from PR bodies, kept for `ttlMs`, and forgotten per repository when one of
 * its PRs is opened, edited or closed. Kept in the store: with `REDIS_URL` a
 * link one process learnt is known to every process, and a forgotten
 * repository is forgotten by all.
 */
export class LinkIndex {
  readonly #repos: StateSpace<RepoRef[]>;
  readonly #pulls: StateSpace<PullLinks[]>;

  constructor(
    private readonly store: StateStore = new MemoryStateStore(),
    ttlMs = LINK_INDEX_TTL_MS,
  ) {
    this.#repos = space("link-repositories", { ttlMs, limit: 10_000 });
    this.#pulls = space("link-pulls", { ttlMs, limit: 10_000 });
  }

  async repositories(installationId: number, load: () => Promise<RepoRef[]>): Promise<RepoRef[]> {
    return this.#cached(this.#repos, String(installationId), load);
  }

  async pullLinks(repo: RepoRef, load: () => Promise<PullLinks[]>): Promise<PullLinks[]> {
    return this.#cached(this.#pulls, key(repo), load);
  }

  /** A PR of `repo` was opened, edited or closed: its links are read again when next needed. */
  async forgetRepository(repo: RepoRef): Promise<void> {
    await this.store.delete(this.#pulls, key(repo));
  }

  /** The app was installed on more (or fewer) repositories. */
  async forgetInstallation(installationId: number): Promise<void> {
    await this.store.delete(this.#repos, String(installationId));
  }

  async #cached<T>(at: StateSpace<T>, k: string, load: () => Promise<T>): Promise<T> {
    const hit = await this.store.get(at, k);
    if (hit !== undefined) return hit;
    const value = await load();
    await this.store.set(at, k, value);
    return value;
  }
}

const key = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase();
