import { ProbotOctokit } from "probot";
import { rateLimitHoldMs } from "../core/request-cost.js";
import type { GitHub } from "./octokit.js";
import {
  type BudgetClock,
  InMemoryRequestBudget,
  type RequestBudget,
  systemClock,
} from "./request-budget.js";

/**
 * GitHub asked for a longer wait than `--max-wait` allows: the audit stops
 * with what it has and says so.
 */
export class AuditInterrupted extends Error {
  /** `AbortError`: Octokit passes such an error through as it is (any other becomes a 500). */
  override readonly name = "AbortError";

  constructor(
    readonly waitMs: number,
    readonly resumeAt: number,
  ) {
    super(
      `GitHub's rate limit asks for a ${Math.ceil(waitMs / 1000)} s wait (until ${new Date(resumeAt).toISOString()}), more than --max-wait allows`,
    );
  }
}

export interface AuditClientOptions {
  token: string;
  baseUrl: string;
  userAgent: string;
  /** The longest the audit waits for rate limits in all, in ms. */
  maxWaitMs: number;
  /** Default: the app's in-memory budget with GitHub's secondary limits. */
  budget?: RequestBudget;
  clock?: BudgetClock;
  /** Told of each wait, to say it on stderr. */
  onWait?: (ms: number, resumeAt: number) => void;
  /** Told of every HTTP exchange (the bench and tests count requests). */
  onRequest?: (method: string, url: string, status: number) => void;
}

/** The one installation the budget paces: a person's token is one caller. */
const CALLER = 0;

/**
 * The audit's client: every request waits for the same request budget as
 * the app's job clients (github/request-budget.ts), and a 403/429 rate limit
 * is waited out for the time GitHub asks (core's rateLimitHoldMs) and the
 * request sent again, as long as the waits together stay within `maxWaitMs`.
 * Past that it throws AuditInterrupted: an audit never ends silently partial.
 */
export function auditClient(options: AuditClientOptions): GitHub {
  const clock = options.clock ?? systemClock;
  const budget = options.budget ?? new InMemoryRequestBudget({ clock });
  let waited = 0;
  const never = new AbortController().signal;
  const paced: typeof fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? "GET";
    for (;;) {
      await budget.take(CALLER, { method, url, body: init?.body });
      const response = await fetch(input, init);
      options.onRequest?.(method, url, response.status);
      if (response.status !== 403 && response.status !== 429) return response;
      const headers = Object.fromEntries(response.headers.entries());
      const body = headers["retry-after"] === undefined ? await response.clone().text() : "";
      const ms = rateLimitHoldMs({ status: response.status, headers, body }, clock.now());
      if (ms === null) return response;
      const resumeAt = clock.now() + ms;
      if (waited + ms > options.maxWaitMs) throw new AuditInterrupted(ms, resumeAt);
      waited += ms;
      options.onWait?.(ms, resumeAt);
      await budget.hold(CALLER, ms);
      await clock.sleep(ms, never);
    }
  };
  return new ProbotOctokit({
    auth: { token: options.token },
    baseUrl: options.baseUrl,
    userAgent: options.userAgent,
    throttle: { enabled: false },
    retry: { enabled: false },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    request: { fetch: paced },
  }) as GitHub;
}
