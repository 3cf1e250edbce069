import Bottleneck from "bottleneck";
import { type Logger, ProbotOctokit } from "probot";
import { primaryLimitHoldMs, rateLimitHoldMs } from "../core/request-cost.js";
import type { GitHub } from "./octokit.js";
import { ConcurrencyCap, type RequestBudget } from "./request-budget.js";

/** What the job client reports to the app's metrics (app/http/metrics.ts implements it). */
export interface RequestObserver {
  githubResponse(response: {
    method: string;
    status: number;
    installationId: number;
    headers: Record<string, string | number | undefined>;
  }): void;
  rateLimited(kind: "primary" | "secondary"): void;
}

/**
 * Pacing is the budget's alone (github/request-budget.ts: every request,
 * reads included, counted against GitHub's secondary limits per
 * installation). plugin-throttling would pace again with its own Bottleneck
 * groups (1 write/s, 1 notifying write per 3 s, 10 concurrent), in the
 * process or, with a Redis connection, for every process and installation
 * together: its groups are replaced by one that lets everything through.
 * Its search group stays: the budget does not model the search API's own
 * 30-a-minute limit (the app does not search).
 * What stays of the plugin is its answer to a 403/429: wait `retry-after`, retry.
 */
const unpaced = new Bottleneck.Group({ id: "phase-gates-unpaced" });

const MAX_RETRIES = 3;

interface RetryOptions {
  method: string;
  url: string;
}

/** A plugin-throttling limit handler: log, and retry while `retryCount` is below `max`. */
function retryUpTo(
  max: number,
  message: string,
  log: Logger | undefined,
  onLimited: (() => void) | undefined,
) {
  return (
    retryAfter: number,
    request: RetryOptions,
    _octokit: unknown,
    retryCount: number,
  ): boolean => {
    onLimited?.();
    log?.warn({ retryAfter, method: request.method, url: request.url, retryCount }, message);
    return retryCount < max;
  };
}

const TunedOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => {
  const throttle = (options.throttle ?? {}) as Record<string, unknown>;
  const log = options.log as Logger | undefined;
  const observer = options.observer as RequestObserver | undefined;
  return {
    ...options,
    throttle: {
      ...throttle,
      // No `connection`: a Redis connection would make these groups clustered again.
      connection: undefined,
      global: unpaced,
      write: unpaced,
      notifications: unpaced,
      // Probot only logs a secondary limit; retry after the time GitHub asks for (plugin-throttling waits `retry-after`).
      onSecondaryRateLimit: retryUpTo(
        MAX_RETRIES,
        "secondary rate limit: retrying",
        log,
        observer && (() => observer.rateLimited("secondary")),
      ),
      onRateLimit: retryUpTo(
        MAX_RETRIES,
        "rate limit: retrying after reset",
        log,
        observer && (() => observer.rateLimited("primary")),
      ),
    },
  };
});

/** Requests in flight per installation in this process (GitHub allows 100 concurrent). */
const processConcurrency = new ConcurrencyCap(10);

export interface TunedOctokitOptions {
  /**
   * The `auth` of an installation-authenticated client, e.g.
   * `(await probot.auth(installationId)).auth`: its token cache is reused,
   * and its tokens come from the API host it was made for (GHE_HOST).
   */
  auth: GitHub["auth"];
  /** The API root, e.g. `octokit.request.endpoint.DEFAULTS.baseUrl`. */
  baseUrl: string;
  log: Logger;
  installationId: number;
  /** Every request waits for it (app-wide: one per process, or Redis-backed with REDIS_URL). */
  budget: RequestBudget;
  observer?: RequestObserver | undefined;
  /** Default: one cap of 10 per installation for the whole process. */
  concurrency?: ConcurrencyCap | undefined;
}

/**
 * The client a queued job uses: an Octokit whose every request (reads,
 * writes, retries) first waits for the installation's request budget, and
 * that authenticates through an existing client's auth strategy. Reusing the
 * strategy (not `auth({ type: "installation" })`, which asks api.github.com
 * whatever GHE_HOST says) keeps the token cache and the configured API host.
 */
export function tunedOctokit(options: TunedOctokitOptions): GitHub {
  const { installationId, observer } = options;
  const send = observer ? observingFetch(installationId, observer) : globalFetch;
  return new TunedOctokit({
    authStrategy: () => options.auth,
    baseUrl: options.baseUrl,
    log: options.log,
    throttle: { id: String(installationId) },
    observer,
    request: {
      fetch: pacedFetch(
        installationId,
        options.budget,
        options.concurrency ?? processConcurrency,
        send,
      ),
    },
  }) as GitHub;
}

/**
 * `tunedOctokit` from an installation client a worker already holds
 * (`await probot.auth(installationId)`): its auth and API root, no Context.
 */
export function tunedOctokitFrom(
  octokit: GitHub,
  options: Omit<TunedOctokitOptions, "auth" | "baseUrl">,
): GitHub {
  return tunedOctokit({
    ...options,
    auth: octokit.auth,
    baseUrl: octokit.request.endpoint.DEFAULTS.baseUrl,
  });
}

/**
 * An app-authenticated client (`await probot.auth()`) without Probot's own
 * throttle: with `REDIS_URL` Probot clusters plugin-throttling's Bottleneck
 * groups on that Redis, and Bottleneck's keys carry no hash tag, so on a
 * Redis Cluster every request through them fails (CROSSSLOT, MOVED). The app
 * paces its own requests (the budget); what it asks as the app (`GET /app`,
 * once) needs no pacing.
 */
export function unclusteredOctokitFrom(octokit: GitHub, log: Logger): GitHub {
  return new TunedOctokit({
    authStrategy: () => octokit.auth,
    baseUrl: octokit.request.endpoint.DEFAULTS.baseUrl,
    log,
  }) as GitHub;
}

/** Looked up at call time: nock and other interceptors replace the global after import. */
const globalFetch: typeof fetch = (input, init) => fetch(input, init);

/**
 * The innermost layer of the client, so that it counts every HTTP exchange,
 * including the retries of plugin-throttling and plugin-retry. The slot is
 * taken before the budget: a request must be stamped when it leaves, not
 * while it still queues for a slot. A rate limit holds the installation's
 * whole budget: GitHub asks that no request be sent until then, and may ban
 * an integration that keeps sending.
 */
function pacedFetch(
  installationId: number,
  budget: RequestBudget,
  concurrency: ConcurrencyCap,
  send: typeof fetch,
): typeof fetch {
  return async (input, init) => {
    const release = await concurrency.acquire(installationId);
    try {
      await budget.take(installationId, {
        method: init?.method ?? "GET",
        url: requestUrl(input),
        body: init?.body,
      });
      const response = await send(input, init);
      await holdAfterRateLimit(installationId, budget, response);
      return response;
    } finally {
      release();
    }
  };
}

/**
 * A rate limit GitHub answered (403/429), or a primary limit about to run out
 * (any answer's `x-ratelimit-remaining` down to the reserve), holds the
 * installation's budget: its requests wait, and the queues start none of its
 * jobs, until `retry-after` or the reset.
 */
async function holdAfterRateLimit(
  installationId: number,
  budget: RequestBudget,
  response: Response,
): Promise<void> {
  if (response.status !== 403 && response.status !== 429) {
    const remaining = response.headers.get("x-ratelimit-remaining");
    if (remaining === null) return;
    const ms = primaryLimitHoldMs(
      {
        "x-ratelimit-remaining": remaining,
        "x-ratelimit-reset": response.headers.get("x-ratelimit-reset") ?? undefined,
      },
      Date.now(),
    );
    if (ms !== null) await budget.hold(installationId, ms);
    return;
  }
  const headers = Object.fromEntries(response.headers.entries());
  // A clone: Octokit still reads the body it was sent.
  const body = headers["retry-after"] === undefined ? await response.clone().text() : "";
  const ms = rateLimitHoldMs({ status: response.status, headers, body }, Date.now());
  if (ms !== null) await budget.hold(installationId, ms);
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * It sees every HTTP exchange with GitHub, including the 403s and 5xx that
 * plugin-throttling and plugin-retry retry and the 304s Octokit turns into errors.
 */
function observingFetch(installationId: number, observer: RequestObserver): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? "GET";
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      observer.githubResponse({ method, status: 0, installationId, headers: {} });
      throw error;
    }
    observer.githubResponse({
      method,
      status: response.status,
      installationId,
      headers: Object.fromEntries(response.headers.entries()),
    });
    return response;
  };
}
