import { pino } from "pino";
import { type Logger, ProbotOctokit } from "probot";
import type { GitHub, RepoRef } from "../github/octokit.js";
import { CliError, EXIT } from "./exit-codes.js";

export const DEFAULT_API_URL = "https://api.github.com";

export interface Connection {
  octokit: GitHub;
  apiUrl: string;
  /** What the readers logged at warn or above (a permission look-up that failed, …), to print once at the end. */
  warnings(): string[];
  log: Logger;
}

type Env = Record<string, string | undefined>;

/**
 * The REST root: `--api-url`, else `GH_HOST` (as the `gh` CLI reads it; a
 * bare host means https), else the app's own `GHE_HOST`/`GHE_PROTOCOL`,
 * else github.com.
 */
export function resolveApiUrl(flag: string | undefined, env: Env = process.env): string {
  const fromHost = (host: string, protocol = "https") => {
    const bare = host.replace(/\/+$/, "");
    if (/^(api\.)?github\.com$/i.test(bare)) return DEFAULT_API_URL;
    return /^https?:\/\//i.test(bare) ? `${bare}/api/v3` : `${protocol}://${bare}/api/v3`;
  };
  const raw = flag
    ? flag
    : env.GH_HOST
      ? fromHost(env.GH_HOST)
      : env.GHE_HOST
        ? fromHost(env.GHE_HOST, env.GHE_PROTOCOL || "https")
        : DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(
      `"${raw}" is not a URL; expected e.g. https://github.example.com/api/v3`,
      EXIT.usage,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new CliError(`"${raw}" is not an http(s) URL`, EXIT.usage);
  }
  return raw.replace(/\/+$/, "");
}

/**
 * GitHub Enterprise Server serves its REST API under `/api/v3` of its web
 * host: the same URL with that path, for an API URL given with no path (a
 * host's root), else null. github.com's API, and GHE.com's `api.<name>.ghe.com`,
 * answer at their root, so the root is tried first.
 */
export function enterpriseApiUrl(apiUrl: string): string | null {
  if (apiUrl === DEFAULT_API_URL) return null;
  const url = new URL(apiUrl);
  return url.pathname === "/" || url.pathname === "" ? `${url.origin}/api/v3` : null;
}

/** True when GitHub (or whatever answered) said 404. */
export function isNotFound(error: unknown): boolean {
  return (error as HttpErrorLike | null)?.status === 404;
}

/** `GH_TOKEN` wins over `GITHUB_TOKEN`, as in the `gh` CLI. */
export function resolveToken(env: Env = process.env): string | null {
  const token = (env.GH_TOKEN?.trim() || env.GITHUB_TOKEN?.trim()) ?? "";
  return token === "" ? null : token;
}

export function parseRepo(value: string): RepoRef {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(value.trim());
  if (!m?.[1] || !m[2] || m[2] === "." || m[2] === "..") {
    throw new CliError(`"${value}" is not a repository; write it as owner/repo`, EXIT.usage);
  }
  return { owner: m[1], repo: m[2] };
}

/**
 * A client of the same type the app uses, with a person's token. Retries and
 * the throttle are off: a command line should say at once that it is rate
 * limited and until when, not sleep for an hour.
 */
export function connect(apiUrlFlag: string | undefined, version: string): Connection {
  const apiUrl = resolveApiUrl(apiUrlFlag);
  const token = resolveToken();
  if (token === null) {
    throw new CliError(
      "no token: set GITHUB_TOKEN or GH_TOKEN to a token that can read the repository (e.g. GH_TOKEN=$(gh auth token))",
      EXIT.auth,
    );
  }
  // Full-URL closing references ("Fixes https://HOST/o/r/issues/1") name the
  // web host; the app takes it from GHE_HOST, so the same reading needs it here.
  if (apiUrl !== DEFAULT_API_URL && !process.env.GHE_HOST) {
    process.env.GHE_HOST = new URL(apiUrl).host;
  }
  const warnings: string[] = [];
  const log = pino(
    { level: "warn", base: null, timestamp: false },
    {
      write(line: string) {
        warnings.push(describeWarning(line));
      },
    },
  );
  const octokit: GitHub = new ProbotOctokit({
    auth: { token },
    baseUrl: apiUrl,
    userAgent: `phase-gates-cli/${version}`,
    throttle: { enabled: false },
    retry: { enabled: false },
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { octokit, apiUrl, log, warnings: () => [...new Set(warnings)] };
}

/** One line from a pino JSON record: its message, and why. */
function describeWarning(line: string): string {
  try {
    const record = JSON.parse(line) as { msg?: string; err?: { message?: string } };
    const why = record.err?.message ? ` (${record.err.message.split("\n")[0]})` : "";
    return `${record.msg ?? "warning"}${why}`;
  } catch {
    return line.trim();
  }
}

interface HttpErrorLike {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  request?: { method?: string; url?: string };
}

function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function inWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.round(m / 6) / 10} h`;
}

/** Why GitHub refused, and until when, if the error is a rate limit; null otherwise. */
export function rateLimitMessage(error: unknown, now = Date.now()): string | null {
  const e = error as HttpErrorLike;
  if (e?.status !== 403 && e?.status !== 429) return null;
  const headers = e.response?.headers ?? {};
  const message = String(e.message ?? "");
  const remaining = headers["x-ratelimit-remaining"];
  const retryAfter = Number(headers["retry-after"]);
  if (Number.isFinite(retryAfter) && headers["retry-after"] !== undefined) {
    const at = new Date(now + retryAfter * 1000);
    return `rate limited by GitHub (secondary limit): retry after ${retryAfter} s, at ${formatTime(at)}`;
  }
  if (String(remaining) === "0") {
    const reset = Number(headers["x-ratelimit-reset"]);
    const limit = headers["x-ratelimit-limit"];
    const used = limit !== undefined ? ` (all ${limit} requests of this hour used)` : "";
    if (Number.isFinite(reset) && reset > 0) {
      const at = new Date(reset * 1000);
      return `rate limited by GitHub${used}: it resets at ${formatTime(at)}, in ${inWords(at.getTime() - now)}`;
    }
    return `rate limited by GitHub${used}`;
  }
  if (e.status === 429 || /rate limit/i.test(message)) {
    return "rate limited by GitHub: wait a minute before trying again";
  }
  return null;
}

/**
 * The one line and exit code for an error from GitHub. `notFound` says what
 * a 404 means where the call was made (a repository, a pull request).
 */
export function describeGitHubError(
  error: unknown,
  context: { apiUrl: string; notFound?: string },
): CliError {
  if (error instanceof CliError) return error;
  const e = error as HttpErrorLike;
  const limited = rateLimitMessage(error);
  if (limited) return new CliError(limited, EXIT.rateLimited);
  const status = typeof e?.status === "number" ? e.status : null;
  const detail = apiMessage(e);
  if (status !== null && e.response) {
    const where =
      e.request?.method && e.request.url ? ` (${e.request.method} ${e.request.url})` : "";
    if (status === 401) {
      return new CliError(
        `GitHub refused the token (401${detail ? ` ${detail}` : ""}): check GITHUB_TOKEN / GH_TOKEN and --api-url`,
        EXIT.auth,
      );
    }
    if (status === 404) {
      return new CliError(
        context.notFound ??
          `not found (404)${where}: the token cannot see it, or it does not exist`,
        EXIT.notFound,
      );
    }
    return new CliError(
      `GitHub answered ${status}${detail ? ` ${detail}` : ""}${where}`,
      EXIT.failed,
    );
  }
  // Octokit reports a failed fetch as a RequestError whose message is the socket's reason.
  const why = error instanceof Error ? error.message : String(error);
  return new CliError(`cannot reach GitHub at ${context.apiUrl}: ${why}`, EXIT.failed);
}

function apiMessage(e: HttpErrorLike): string {
  const data = e.response?.data;
  if (typeof data === "object" && data !== null && "message" in data) {
    return String((data as { message: unknown }).message);
  }
  return "";
}
