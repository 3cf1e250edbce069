import type { PullLinks } from "../core/affected.js";
import type { RepoRef } from "../github/octokit.js";

interface Entry<T> {
  at: number;
  value: T;
}

/**
 * Which open PRs of an installation's repositories close which issues, so a
 * linked issue relabelled in one repository re-checks the PRs of the others
 * without listing every repository on every label change. Built on demand
 * from PR bodies, kept for `ttlMs`, and forgotten per repository when one of
 * its PRs is opened, edited or closed. Lives in one process for now; the
 * house work moves it into the shared store.
 */
export class LinkIndex {
  readonly #repos = new Map<number, Entry<RepoRef[]>>();
  readonly #pulls = new Map<string, Entry<PullLinks[]>>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async repositories(installationId: number, load: () => Promise<RepoRef[]>): Promise<RepoRef[]> {
    return this.#cached(this.#repos, installationId, load);
  }

  async pullLinks(repo: RepoRef, load: () => Promise<PullLinks[]>): Promise<PullLinks[]> {
    return this.#cached(this.#pulls, key(repo), load);
  }

  /** A PR of `repo` was opened, edited or closed: its links are read again when next needed. */
  forgetRepository(repo: RepoRef): void {
    this.#pulls.delete(key(repo));
  }

  /** The app was installed on more (or fewer) repositories. */
  forgetInstallation(installationId: number): void {
    this.#repos.delete(installationId);
  }

  async #cached<K, T>(map: Map<K, Entry<T>>, k: K, load: () => Promise<T>): Promise<T> {
    const hit = map.get(k);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    const value = await load();
    map.set(k, { at: this.now(), value });
    return value;
  }
}

const key = (repo: RepoRef) => `${repo.owner}/${repo.repo}`.toLowerCase();
