import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../sandbox/run-app.js";
import {
  parseRepo,
  rateLimitMessage,
  resolveApiUrl,
  resolveToken,
} from "../../../src/cli/connect.js";
import { CliError, EXIT, EXIT_CODES_HELP } from "../../../src/cli/exit-codes.js";

describe("resolveApiUrl", () => {
  it.each([
    ["nothing set: github.com", undefined, {}, "https://api.github.com"],
    [
      "--api-url wins over the environment",
      "http://127.0.0.1:3001/api/v3/",
      { GH_HOST: "ghe.example.com" },
      "http://127.0.0.1:3001/api/v3",
    ],
    [
      "GH_HOST, a bare host: https",
      undefined,
      { GH_HOST: "ghe.example.com" },
      "https://ghe.example.com/api/v3",
    ],
    [
      "GH_HOST with a scheme",
      undefined,
      { GH_HOST: "http://127.0.0.1:3001" },
      "http://127.0.0.1:3001/api/v3",
    ],
    ["GH_HOST github.com", undefined, { GH_HOST: "github.com" }, "https://api.github.com"],
    [
      "GH_HOST wins over GHE_HOST",
      undefined,
      { GH_HOST: "a.example.com", GHE_HOST: "b.example.com" },
      "https://a.example.com/api/v3",
    ],
    [
      "the app's GHE_HOST and GHE_PROTOCOL",
      undefined,
      { GHE_HOST: "127.0.0.1:3001", GHE_PROTOCOL: "http" },
      "http://127.0.0.1:3001/api/v3",
    ],
  ])("%s", (_what, flag, env, expected) => {
    expect(resolveApiUrl(flag, env)).toBe(expected);
  });

  it.each(["not a url", "ftp://example.com/api/v3"])("refuses %j as a usage error", (flag) => {
    expect(() => resolveApiUrl(flag, {})).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage }),
    );
  });
});

describe("resolveToken", () => {
  it.each([
    [{}, null],
    [{ GITHUB_TOKEN: "a" }, "a"],
    [{ GH_TOKEN: "b" }, "b"],
    [{ GH_TOKEN: "b", GITHUB_TOKEN: "a" }, "b"],
    [{ GH_TOKEN: "  ", GITHUB_TOKEN: "a" }, "a"],
    [{ GH_TOKEN: "", GITHUB_TOKEN: "" }, null],
  ])("%j → %j", (env, expected) => {
    expect(resolveToken(env)).toBe(expected);
  });
});

describe("parseRepo", () => {
  it.each([
    ["acme/rocket", { owner: "acme", repo: "rocket" }],
    ["acme/.github", { owner: "acme", repo: ".github" }],
    ["Acme-Co/my.repo_1", { owner: "Acme-Co", repo: "my.repo_1" }],
  ])("%s", (value, expected) => {
    expect(parseRepo(value)).toEqual(expected);
  });

  it.each(["acme", "acme/", "/rocket", "acme/rocket/extra", "acme/..", "-acme/rocket"])(
    "refuses %j",
    (value) => {
      expect(() => parseRepo(value)).toThrow(CliError);
    },
  );
});

describe("rateLimitMessage", () => {
  const now = Date.parse("2026-11-25T17:00:00Z");
  const error = (status: number, headers: Record<string, string>, message = "Forbidden") => ({
    status,
    message,
    response: { headers },
  });

  it.each([
    [
      "the primary limit: when it resets",
      error(403, {
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(now / 1000 + 1800),
        "x-ratelimit-limit": "5000",
      }),
      "rate limited by GitHub (all 5000 requests of this hour used): it resets at 2026-11-25 17:30:00 UTC, in 30 min",
    ],
    [
      "a secondary limit: when to retry",
      error(403, { "retry-after": "90" }, "You have exceeded a secondary rate limit"),
      "rate limited by GitHub (secondary limit): retry after 90 s, at 2026-11-25 17:01:30 UTC",
    ],
    [
      "a 429 without headers",
      error(429, {}),
      "rate limited by GitHub: wait a minute before trying again",
    ],
    ["a 403 that is not a limit", error(403, { "x-ratelimit-remaining": "4000" }), null],
    ["a 404", error(404, { "x-ratelimit-remaining": "0" }), null],
  ])("%s", (_what, e, expected) => {
    expect(rateLimitMessage(e, now)).toBe(expected);
  });
});

describe("exit codes", () => {
  it("are distinct, and --help and the README list each of them with its number", () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    const numeric = [...codes].sort((a, b) => a - b);
    const helpCodes = [...EXIT_CODES_HELP.matchAll(/^ {1,2}(\d+) {2}/gm)].map((m) => Number(m[1]));
    expect(helpCodes).toEqual(numeric);
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const readmeCodes = [...readme.matchAll(/^\| `(\d+)` +\| /gm)].map((m) => Number(m[1]));
    expect(readmeCodes).toEqual(numeric);
  });
});
