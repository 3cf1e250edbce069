export interface RequestLogEntry {
  method: string;
  /** Method and route template, e.g. "PATCH /repos/{owner}/{repo}/check-runs/{id}"; unmatched: "GET <path>". */
  route: string;
  path: string;
  status: number;
  /** Login acting (the bot for installation tokens), "app" for JWT, null when anonymous. */
  actor: string | null;
  at: number;
  /** The JSON body answered (absent: no body, or a raw one); kept only when `keepResponses` is on. */
  response?: { body: unknown };
  /** Set when the emulator refused the request over a secondary rate limit (a 403): which limit. */
  limitedBy?: string;
  /** A GraphQL request's fields called with arguments (`projectV2`, `addProjectV2ItemById`…), to tell operations apart. */
  graphql?: string[];
}

/** Every request the emulator answered, so tests can count calls and prove "no writes". */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  /** Requests that matched no emulated route ("GET /api/v3/…"). */
  readonly unhandled: string[] = [];
  /** Keep each answer's body (for checking the sandbox against GitHub's description; off: memory). */
  keepResponses = false;

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  /** How many requests per route, e.g. `{ "POST /repos/{owner}/{repo}/check-runs": 2 }`. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries) out[e.route] = (out[e.route] ?? 0) + 1;
    return out;
  }

  count(route: string): number {
    return this.entries.filter((e) => e.route === route).length;
  }

  /** Non-GET requests (POST/PATCH/PUT/DELETE): the writes an app makes. */
  /** Requests that change something on GitHub: not reads, token requests or GraphQL queries. */
  writes(): RequestLogEntry[] {
    return this.entries.filter(
      (e) =>
        e.method !== "GET" &&
        e.method !== "HEAD" &&
        !e.route.includes("/access_tokens") &&
        !e.route.endsWith("/graphql"),
    );
  }

  /** Requests refused with 403 over a secondary rate limit (see limits.ts). */
  secondaryLimited(): RequestLogEntry[] {
    return this.entries.filter((e) => e.limitedBy !== undefined);
  }

  /** Time of the most recent request, or 0. */
  lastAt(): number {
    return this.entries.at(-1)?.at ?? 0;
  }

  reset(): void {
    this.entries.length = 0;
    this.unhandled.length = 0;
  }
}
