import type { RequestLogEntry } from "../../sandbox/emulator/index.js";

/**
 * The app's API requests: all but token minting (an app-level request, not
 * counted against the installation). 304s are apart: they are free.
 */
export function apiRequests(entries: readonly RequestLogEntry[]): {
  counted: number;
  notModified: number;
  reads: number;
  writes: number;
  secondaryLimited: number;
  byRoute: string;
} {
  const app = entries.filter((e) => !e.route.includes("/access_tokens"));
  const counted = app.filter((e) => e.status !== 304);
  const byRoute = new Map<string, number>();
  for (const e of counted) byRoute.set(e.route, (byRoute.get(e.route) ?? 0) + 1);
  return {
    counted: counted.length,
    notModified: app.length - counted.length,
    reads: counted.filter((e) => e.method === "GET" || e.route.endsWith("/graphql")).length,
    writes: counted.filter((e) => e.method !== "GET" && !e.route.endsWith("/graphql")).length,
    secondaryLimited: app.filter((e) => e.limitedBy !== undefined).length,
    byRoute:
      [...byRoute.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([route, n]) => `${n} × ${route}`)
        .join("; ") || "none",
  };
}
