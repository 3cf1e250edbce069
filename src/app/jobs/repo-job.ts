import type { Logger } from "probot";
import { gateStatuses, gatesBefore } from "../../core/evaluate.js";
import type { Config, GateIssueFacts, GateStatus, IssueRef } from "../../core/types.js";
import { AncestryReader } from "../../github/ancestry.js";
import { ApproverDirectory } from "../../github/authorize.js";
import {
  findOurCheckRun,
  type KnownRun,
  OUR_RUNS,
  preloadOurRuns,
  type RunsAt,
  runKey,
} from "../../github/check-runs.js";
import {
  closingIssuesOf,
  closingIssuesOfOpenPulls,
  type GraphqlSupport,
} from "../../github/closing-issues.js";
import { type GateReader, type GateRecord, readGate } from "../../github/gate-issues.js";
import { type LoadedConfig, loadConfig } from "../../github/load-config.js";
import type { GitHub, RepoRef } from "../../github/octokit.js";
import { repoKey } from "../../github/octokit.js";
import { LinkedIssueReader } from "../../github/pull-requests.js";
import { MemoryStateStore } from "../../state/memory-store.js";
import { type StateSpace, type StateStore, space } from "../../state/store.js";
import type { Metrics } from "../http/metrics.js";
import { LinkIndex } from "../shared/link-index.js";
import type { PendingDeployments } from "../shared/pending-deployments.js";
import type { JobSpec } from "./job.js";
import type { Reporting } from "./reporting.js";

export interface AppSettings {
  /** Our GitHub App id: our check runs are the ones with this app id. */
  appId: number | null;
  /** Our bot's login, `<slug>[bot]`: the only bot whose closes, labels and comments are ours. */
  appLogin: string;
  /** Whether the API answers GraphQL (GitHub's own list of the issues a PR closes); absent: body only. */
  graphql?: GraphqlSupport;
  /** Counts check writes (app/http/metrics.ts); absent in most tests. */
  metrics?: Pick<Metrics, "checkWrite">;
  /** Deployments waiting for a gate (SPEC §4 "Deployments"); absent → none are kept. */
  deployments?: PendingDeployments;
  /** The dashboard and gate progress sections; absent → none are written (most tests). */
  reporting?: Reporting;
  /**
   * How long the config and gates one job read serve the next jobs of the
   * repository before they are revalidated (conditional requests: a 304 is
   * free). The webhooks that change them drop them at once: a push touching
   * the config, any event on a gate issue. Recent permission and team
   * look-ups are shared too (`PEOPLE_TTL_MS`). Absent: every job reads
   * afresh (the CLI, most tests).
   *
   * `linkedIssuesMs`: how long GitHub's list of the issues a PR closes is
   * kept for the PR while its body names the same issues (default
   * `LINKED_ISSUES_MAX_AGE_MS`). A link made in the Development sidebar sends
   * no webhook: it counts from the first PR event after the list is that old.
   */
  freshness?: { revalidateMs: number; linkedIssuesMs?: number };
}

/** The config a job loaded, and when: later jobs within `revalidateMs` take it as it is. */
interface Timed<V> {
  at: number;
  value: V;
}

const LOADED_CONFIG = space<Timed<LoadedConfig>>("loaded-config", {
  limit: 5_000,
  ttlMs: 3600_000,
});

/** A gate as a job read it, and when (key: repository and gate label). */
const GATE_RECORDS = space<Timed<GateRecord>>("gate-record", {
  limit: 10_000,
  ttlMs: 3600_000,
});

/** Default age at which a PR's list of closed issues is asked again (SPEC allows the delay: a link only raises a phase). */
export const LINKED_ISSUES_MAX_AGE_MS = 60_000;

/** GitHub's list of the issues one PR closes, the body's references it was read with, and when. */
const CLOSING_LISTS = space<{ at: number; body: string; refs: IssueRef[] }>("closing-issues", {
  limit: 20_000,
  ttlMs: 3600_000,
});

const refKey = (ref: IssueRef): string => `${ref.owner}/${ref.repo}#${ref.number}`.toLowerCase();

/** How often a repository's runs may be read in one go (a miss within it reads the one run over REST). */
const RUNS_PRELOAD_EVERY_MS = 60_000;

/** When the app's runs on every open PR's head of a repository were last read in one go (GraphQL). */
const RUNS_PRELOADED = space<{ at: number; misses: number; pages: number }>("runs-preloaded", {
  limit: 20_000,
  ttlMs: 3600_000,
});
/** Runs missed since a read in one go, per GraphQL page it took, before the next one (PRs opened quietly, a store that let runs go). */
const RUNS_PRELOAD_MISSES = 3;

/** What a job may reach beyond its repository: its installation, the link index, the queue. */
export interface JobScope {
  installationId: number | null;
  /** When the webhook behind this job arrived (ms since the epoch). */
  receivedAt: number;
  /** What the app remembers between jobs: one store for every job of the process, or of every process with Redis. */
  store: StateStore;
  /** Which open PRs close which issues, per repository of the installation (app/shared/link-index.ts). */
  links: LinkIndex;
  /** Queues a follow-up job under this job's delivery and installation. */
  enqueue: (spec: JobSpec) => Promise<void>;
}

function standaloneScope(): JobScope {
  const store = new MemoryStateStore();
  return {
    installationId: null,
    receivedAt: Date.now(),
    store,
    links: new LinkIndex(store),
    enqueue: () => Promise.reject(new Error("this job has no queue to add work to")),
  };
}

/**
 * One queued unit of work on one repository. It reads each input at most
 * once (config, gates, people, linked issues), so re-checking 1,000 PRs
 * costs the gate reads once, not 1,000 times.
 */
export class RepoJob {
  readonly directory: ApproverDirectory;
  readonly linked: LinkedIssueReader;
  /** Linked issues' parents through sub-issues, walked once per job (github/ancestry.ts). */
  readonly ancestry: AncestryReader;
  #config: Promise<LoadedConfig> | null = null;
  readonly #gates = new Map<number, Promise<GateRecord>>();
  #closingAll: Promise<Map<number, IssueRef[]> | null> | null = null;

  constructor(
    readonly octokit: GitHub,
    readonly repo: RepoRef,
    readonly log: Logger,
    readonly settings: AppSettings,
    readonly deliveryId: string,
    private readonly scope: JobScope = standaloneScope(),
  ) {
    this.directory = new ApproverDirectory(
      octokit,
      repo,
      log,
      settings.freshness ? scope.store : undefined,
    );
    this.linked = new LinkedIssueReader(octokit);
    this.ancestry = new AncestryReader(octokit, this.linked, scope.store);
  }

  get installationId(): number | null {
    return this.scope.installationId;
  }

  get receivedAt(): number {
    return this.scope.receivedAt;
  }

  /** What the app remembers between jobs (state/store.ts). */
  get store(): StateStore {
    return this.scope.store;
  }

  get links(): LinkIndex {
    return this.scope.links;
  }

  enqueue(spec: JobSpec): Promise<void> {
    return this.scope.enqueue(spec);
  }

  config(): Promise<LoadedConfig> {
    const config =
      this.#config ??
      this.#recent(LOADED_CONFIG, this.#repoKey, () =>
        loadConfig(this.octokit, this.repo, this.store),
      );
    this.#config = config;
    return config;
  }

  /** The config changed (a push): this job and every later one read it again. */
  async forgetConfig(): Promise<void> {
    this.#config = null;
    this.#gates.clear();
    await this.store.delete(LOADED_CONFIG, this.#repoKey);
  }

  get #repoKey(): string {
    return repoKey(this.repo);
  }

  /**
   * What a job of the last `revalidateMs` read, or a fresh read remembered
   * for the next jobs. Without `freshness`, always a fresh read.
   */
  async #recent<V>(at: StateSpace<Timed<V>>, key: string, read: () => Promise<V>): Promise<V> {
    const window = this.settings.freshness?.revalidateMs;
    if (!window) return read();
    const known = await this.store.get(at, key);
    if (known && Date.now() - known.at < window) return known.value;
    const started = Date.now();
    const value = await read();
    await this.store.set(at, key, { at: started, value });
    return value;
  }

  /** Where this job reads and writes the app's check runs. */
  get runs(): RunsAt {
    return {
      octokit: this.octokit,
      repo: this.repo,
      appId: this.settings.appId,
      store: this.store,
    };
  }

  /**
   * This app's run on a PR's head `headSha` (`findOurCheckRun`; a commit
   * that is no longer a head, e.g. the one before a push, is read as it is:
   * the runs read in one go are the heads'). The first time a
   * repository's run is not known (a fresh process, a full re-check), the
   * runs on every open PR's head are read in one GraphQL query per 100 PRs
   * (again after a minute, or once three misses per query it took have been
   * read one by one since); where GraphQL does not answer, each run is read
   * over REST as before.
   */
  async ourRun(headSha: string, options: { knownOnly?: boolean } = {}): Promise<KnownRun | null> {
    const runs = this.runs;
    if (options.knownOnly) return findOurCheckRun(runs, headSha, options);
    const support = this.settings.graphql;
    if (
      support?.available &&
      this.settings.freshness &&
      runs.appId !== null &&
      !(await this.store.get(OUR_RUNS, runKey(this.repo, headSha)))
    ) {
      const last = await this.store.get(RUNS_PRELOADED, this.#repoKey);
      const now = Date.now();
      // Again after a minute, or once misses cost three times what the last read in one go did.
      const due =
        !last ||
        now - last.at >= RUNS_PRELOAD_EVERY_MS ||
        last.misses + 1 >= RUNS_PRELOAD_MISSES * last.pages;
      if (!due) {
        await this.store.set(RUNS_PRELOADED, this.#repoKey, { ...last, misses: last.misses + 1 });
      } else {
        await this.store.set(RUNS_PRELOADED, this.#repoKey, { at: now, misses: 0, pages: 1 });
        await preloadOurRuns(runs).then(
          async ({ learnt, pages }) => {
            await this.store.set(RUNS_PRELOADED, this.#repoKey, { at: now, misses: 0, pages });
            this.log.debug({ learnt, pages }, "runs on open PRs read in one go");
          },
          (error: unknown) =>
            this.log.info({ err: error }, "runs on open PRs not read in one go: read one by one"),
        );
      }
    }
    return findOurCheckRun(runs, headSha, options);
  }

  /** Reads gates with this job's client, people and identity. */
  get gateReader(): GateReader {
    return {
      octokit: this.octokit,
      repo: this.repo,
      directory: this.directory,
      log: this.log,
      appLogin: this.settings.appLogin,
      store: this.store,
    };
  }

  /** The gate of phase `phaseIndex`, read once per job. */
  async gate(phaseIndex: number): Promise<GateRecord> {
    let found = this.#gates.get(phaseIndex);
    if (!found) {
      found = (async () => {
        const loaded = await this.config();
        const gate = loaded.kind === "ok" ? loaded.config.phases[phaseIndex]?.gate : null;
        if (!gate) throw new Error(`phase ${phaseIndex} has no gate`);
        return this.#recent(GATE_RECORDS, this.#gateKey(gate.label), () =>
          readGate(this.gateReader, gate),
        );
      })();
      this.#gates.set(phaseIndex, found);
    }
    return found;
  }

  /** The status of every gate before `phaseIndex`, in order: what a PR or issue in that phase waits for. */
  async gatesBefore(config: Config, phaseIndex: number | null): Promise<GateStatus[]> {
    const needed = gatesBefore(config, phaseIndex);
    const facts = new Map<number, GateIssueFacts | null>();
    for (const i of needed) facts.set(i, (await this.gate(i)).facts);
    return gateStatuses(config, needed, facts);
  }

  /**
   * GitHub's list of the issues PR `number` closes (null: GraphQL unavailable).
   * After `preloadClosingIssues`, answered from one query for all open PRs.
   * With `freshness`, a list read for the PR is kept while `bodyRefs` (the
   * issues its body names) stay the same and it is younger than
   * `linkedIssuesMs`: a burst of label or push events asks GitHub once.
   */
  async closingIssues(
    number: number,
    bodyRefs: readonly IssueRef[] = [],
  ): Promise<IssueRef[] | null> {
    const support = this.settings.graphql;
    if (!support) return null;
    if (this.#closingAll) {
      const all = await this.#closingAll;
      if (all) return all.get(number) ?? [];
      return null;
    }
    const maxAge = this.settings.freshness
      ? (this.settings.freshness.linkedIssuesMs ?? LINKED_ISSUES_MAX_AGE_MS)
      : 0;
    if (maxAge <= 0) return closingIssuesOf(this.octokit, this.repo, number, support);
    const key = `${this.#repoKey}#${number}`;
    const body = bodyRefs.map(refKey).sort().join(" ");
    const known = await this.store.get(CLOSING_LISTS, key);
    if (known && known.body === body && Date.now() - known.at < maxAge) return known.refs;
    const at = Date.now();
    const refs = await closingIssuesOf(this.octokit, this.repo, number, support);
    if (refs) await this.store.set(CLOSING_LISTS, key, { at, body, refs });
    return refs;
  }

  /** Before a fan-out over the open PRs: one GraphQL query per 100 PRs instead of one per PR. */
  preloadClosingIssues(): void {
    const support = this.settings.graphql;
    if (support) this.#closingAll ??= closingIssuesOfOpenPulls(this.octokit, this.repo, support);
  }

  #gateKey(label: string): string {
    return `${this.#repoKey}:${label.toLowerCase()}`;
  }

  /**
   * Forget a gate: this job changed it, or an event on its issue may have.
   * Later reads, in this job and every other, see GitHub's record again.
   */
  async forgetGate(phaseIndex: number): Promise<void> {
    this.#gates.delete(phaseIndex);
    const loaded = await this.config();
    const gate = loaded.kind === "ok" ? loaded.config.phases[phaseIndex]?.gate : null;
    if (gate) await this.store.delete(GATE_RECORDS, this.#gateKey(gate.label));
  }
}
