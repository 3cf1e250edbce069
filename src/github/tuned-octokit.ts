import Bottleneck from "bottleneck";
import { type Context, ProbotOctokit } from "probot";
import type { GitHub } from "./octokit.js";

/** What the job client reports to the app's metrics (app/metrics.ts implements it). */
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
 * Write pacing measured against GitHub's secondary limits instead of
 * plugin-throttling's defaults (1 write/s and 1 notifying write per 3 s, for
 * every installation of the process together):
 * - ≤ 900 points per minute per endpoint, a write costs 5 → ≤ 180 writes/min: one per 350 ms;
 * - content-creating requests (issues, comments) ≈ 80/min: one per 800 ms.
 * Groups are keyed by installation, so one busy org does not slow the others.
 */
const groups = {
  write: new Bottleneck.Group({ id: "phase-gates-write", maxConcurrent: 1, minTime: 350 }),
  notifications: new Bottleneck.Group({
    id: "phase-gates-notifications",
    maxConcurrent: 1,
    minTime: 800,
  }),
};

const MAX_RETRIES = 3;

interface RetryOptions {
  method: string;
  url: string;
}

/** A plugin-throttling limit handler: log, and retry while `retryCount` is below `max`. */
function retryUpTo(
  max: number,
  message: string,
  log: Context["log"] | undefined,
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
  const log = options.log as Context["log"] | undefined;
  const observer = options.observer as RequestObserver | undefined;
  // With REDIS_URL, Probot's clustered limiter (shared by every process) stays in charge of pacing.
  const clustered = throttle.connection !== undefined;
  return {
    ...options,
    throttle: {
      ...throttle,
      ...(clustered ? {} : { write: groups.write, notifications: groups.notifications }),
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

/**
 * The client a queued job uses: an Octokit paced for GitHub's documented
 * limits that authenticates through the event client's own auth strategy.
 * Reusing the strategy (not `auth({ type: "installation" })`, which asks
 * api.github.com whatever GHE_HOST says) keeps the token cache and fetches
 * tokens from the configured API host.
 */
export function tunedOctokitFor(
  context: Pick<Context, "octokit" | "log">,
  installationId: number,
  observer?: RequestObserver,
): GitHub {
  return new TunedOctokit({
    authStrategy: () => context.octokit.auth,
    baseUrl: context.octokit.request.endpoint.DEFAULTS.baseUrl,
    log: context.log,
    throttle: { id: String(installationId) },
    observer,
    ...(observer ? { request: { fetch: observingFetch(installationId, observer) } } : {}),
  }) as GitHub;
}

/**
 * The innermost layer of the client: it sees every HTTP exchange with GitHub,
 * including the 403s and 5xx that plugin-throttling and plugin-retry retry
 * and the 304s Octokit turns into errors.
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
