import { describe, expect, it } from "vitest";
import {
  type ApiRequest,
  GITHUB_SECONDARY_LIMITS,
  graphqlPoints,
  isContentCreating,
  isGraphqlMutation,
  type LimitAnswer,
  PRIMARY_LIMIT_RESERVE,
  primaryLimitHoldMs,
  rateLimitHoldMs,
  requestPath,
  restEndpointFamily,
  restPoints,
  type WindowEntry,
  windowWait,
} from "../../../src/core/request-cost.js";
import {
  ADD_ITEM_MUTATION,
  CLEAR_VALUE_MUTATION,
  CREATE_FIELD_MUTATION,
  SET_VALUE_MUTATION,
} from "../../../src/github/projects.js";

const API = "https://api.github.com";
const GHE = "https://ghe.example.com/api/v3";
const R = "/repos/acme/rocket";

const query = JSON.stringify({ query: "query { viewer { login } }" });
const mutation = JSON.stringify({
  query:
    "# adds a comment\nmutation Add($id: ID!) { addComment(input: {subjectId: $id}) { clientMutationId } }",
});

/** Costs against each default limit, in GITHUB_SECONDARY_LIMITS order. */
function costs(request: ApiRequest): Record<string, number> {
  return Object.fromEntries(GITHUB_SECONDARY_LIMITS.map((l) => [l.name, l.cost(request)]));
}

describe("what a request costs against GitHub's secondary limits", () => {
  it.each<[string, ApiRequest, [rest: number, graphql: number, content: number, gap?: number]]>([
    ["a read", { method: "GET", url: `${API}${R}/pulls/1` }, [1, 0, 0]],
    ["a read with a query string", { method: "GET", url: `${R}/issues?labels=a,b` }, [1, 0, 0]],
    ["a HEAD", { method: "HEAD", url: `${API}${R}` }, [1, 0, 0]],
    ["an OPTIONS", { method: "options", url: `${API}${R}` }, [1, 0, 0]],
    [
      "a check run created (notifies nobody)",
      { method: "POST", url: `${API}${R}/check-runs` },
      [5, 0, 0],
    ],
    ["a check run updated", { method: "PATCH", url: `${API}${R}/check-runs/7` }, [5, 0, 0]],
    ["labels added to a PR", { method: "POST", url: `${API}${R}/issues/3/labels` }, [5, 0, 0]],
    ["a label removed", { method: "DELETE", url: `${API}${R}/issues/3/labels/x` }, [5, 0, 0]],
    ["a milestone created", { method: "POST", url: `${API}${R}/milestones` }, [5, 0, 0]],
    ["an issue body edited", { method: "PATCH", url: `${API}${R}/issues/3` }, [5, 0, 0]],
    ["a comment edited", { method: "PATCH", url: `${API}${R}/issues/comments/9` }, [5, 0, 0]],
    ["an issue created", { method: "POST", url: `${API}${R}/issues` }, [5, 0, 1]],
    ["an issue created on GHE", { method: "POST", url: `${GHE}${R}/issues` }, [5, 0, 1]],
    ["a comment created", { method: "post", url: `${API}${R}/issues/3/comments` }, [5, 0, 1]],
    ["a review created", { method: "POST", url: `${API}${R}/pulls/3/reviews` }, [5, 0, 1]],
    ["a PR merged", { method: "PUT", url: `${API}${R}/pulls/3/merge` }, [5, 0, 1]],
    ["a release created", { method: "POST", url: `${API}${R}/releases` }, [5, 0, 1]],
    ["issues listed (same path, a read)", { method: "GET", url: `${API}${R}/issues` }, [1, 0, 0]],
    ["a GraphQL query", { method: "POST", url: `${API}/graphql`, body: query }, [0, 1, 0]],
    [
      "a GraphQL query on GHE",
      { method: "POST", url: "https://ghe.example.com/api/graphql", body: query },
      [0, 1, 0],
    ],
    [
      "a GraphQL query as an object",
      { method: "POST", url: "/graphql", body: { query: "{ viewer { login } }" } },
      [0, 1, 0],
    ],
    [
      "a GraphQL mutation (may create content)",
      { method: "POST", url: `${API}/graphql`, body: mutation },
      [0, 5, 1, 1],
    ],
    ...[ADD_ITEM_MUTATION, SET_VALUE_MUTATION, CLEAR_VALUE_MUTATION, CREATE_FIELD_MUTATION].map(
      (document): [string, ApiRequest, [number, number, number, number]] => [
        `a project mutation (notifies nobody): ${/mutation[^{]*\{\s*(\w+)/.exec(document)?.[1]}`,
        { method: "POST", url: `${API}/graphql`, body: JSON.stringify({ query: document }) },
        [0, 5, 0, 1],
      ],
    ),
    [
      "a project mutation beside one that creates content",
      {
        method: "POST",
        url: `${API}/graphql`,
        body: {
          query:
            "mutation { a: addProjectV2ItemById(input: {}) { item { id } } b: addComment(input: {}) { clientMutationId } }",
        },
      },
      [0, 5, 1, 1],
    ],
    [
      "a GraphQL body that is not JSON",
      { method: "POST", url: `${API}/graphql`, body: "{" },
      [0, 5, 1, 1],
    ],
    [
      "a GraphQL body without a query",
      { method: "POST", url: `${API}/graphql`, body: "{}" },
      [0, 5, 1, 1],
    ],
  ])("%s", (_name, request, [rest, graphql, content, gap = 0]) => {
    expect(costs(request)).toEqual({
      "rest-points": rest,
      "graphql-points": graphql,
      "content-minute": content,
      "content-hour": content,
      "graphql-mutation-gap": gap,
    });
  });

  it.each([
    ["https://api.github.com/repos/a/b/issues?state=open", "/repos/a/b/issues"],
    ["/repos/a/b/pulls/1#x", "/repos/a/b/pulls/1"],
    ["https://api.github.com", "/"],
    ["http://127.0.0.1:3000/api/v3/graphql", "/api/v3/graphql"],
  ])("reads the path of %s", (url, path) => {
    expect(requestPath(url)).toBe(path);
  });

  it.each<[string, unknown, boolean]>([
    ["an anonymous query", JSON.stringify({ query: "{ a }" }), false],
    [
      "a query mentioning mutation in a comment",
      JSON.stringify({ query: "# no mutation here\n{ a }" }),
      false,
    ],
    ["a named mutation", JSON.stringify({ query: "mutation M { a }" }), true],
    [
      "a mutation after a fragment",
      JSON.stringify({ query: "fragment F on X { a }\nmutation { b }" }),
      true,
    ],
    ["a null body", null, true],
  ])("tells %s", (_name, body, isMutation) => {
    expect(isGraphqlMutation(body)).toBe(isMutation);
  });

  it("leaves REST points and GraphQL points apart", () => {
    expect(restPoints({ method: "POST", url: "/graphql", body: query })).toBe(0);
    expect(graphqlPoints({ method: "GET", url: "/graphql" })).toBe(0);
    expect(isContentCreating({ method: "DELETE", url: `${R}/pulls/3/requested_reviewers` })).toBe(
      false,
    );
  });

  it("uses GitHub's documented limits, each a second longer than GitHub's window (the mutation gap 50 ms)", () => {
    expect(GITHUB_SECONDARY_LIMITS.map((l) => [l.name, l.capacity, l.windowMs])).toEqual([
      ["rest-points", 900, 61_000],
      ["graphql-points", 2000, 61_000],
      ["content-minute", 80, 61_000],
      ["content-hour", 500, 3_601_000],
      ["graphql-mutation-gap", 1, 1_050],
    ]);
  });
});

describe("how long a request waits for a rolling window", () => {
  const limit = { windowMs: 60_000, capacity: 10 };
  const at = (...pairs: [number, number][]): WindowEntry[] =>
    pairs.map(([t, cost]) => ({ at: t, cost }));

  it.each<[string, WindowEntry[], number, number, number]>([
    ["an empty window", [], 1_000, 5, 0],
    ["a request that fills it exactly", at([0, 5]), 1_000, 5, 0],
    ["a request one unit over: until the oldest leaves", at([0, 5], [500, 5]), 1_000, 1, 59_000],
    ["a request needing two entries to leave", at([0, 4], [300, 4], [600, 2]), 1_000, 7, 59_300],
    ["entries already outside the window do not count", at([-60_000, 10], [0, 5]), 0, 5, 0],
    ["an entry exactly a window old has left", at([0, 10]), 60_000, 10, 0],
    ["a free request never waits", at([0, 10]), 1_000, 0, 0],
    [
      "a request above the capacity waits for an empty window",
      at([0, 1], [100, 1]),
      1_000,
      50,
      59_100,
    ],
  ])("%s", (_name, entries, now, cost, wait) => {
    expect(windowWait(entries, now, limit, cost)).toBe(wait);
  });
});

describe("how long GitHub asks an installation to stay away after an answer", () => {
  const NOW = 1_700_000_000_000;
  it.each<[string, LimitAnswer, number | null]>([
    ["a success", { status: 200, headers: { "retry-after": "5" } }, null],
    [
      "a 403 without any sign of a limit (no permission)",
      { status: 403, headers: {}, body: '{"message":"Resource not accessible by integration"}' },
      null,
    ],
    ["a secondary limit with retry-after", { status: 403, headers: { "retry-after": "7" } }, 7_000],
    ["a 429 with retry-after", { status: 429, headers: { "retry-after": "2" } }, 2_000],
    [
      "retry-after 0, read as plugin-throttling reads it",
      { status: 403, headers: { "retry-after": "0" } },
      60_000,
    ],
    [
      "the primary limit: until a second past the reset",
      {
        status: 403,
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 90) },
      },
      91_000,
    ],
    [
      "the primary limit with a reset already past",
      {
        status: 403,
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 - 5) },
      },
      1_000,
    ],
    [
      "the primary limit without a reset",
      { status: 403, headers: { "x-ratelimit-remaining": "0" } },
      60_000,
    ],
    [
      "a secondary limit saying so only in its body",
      {
        status: 403,
        headers: { "x-ratelimit-remaining": "4000" },
        body: '{"message":"You have exceeded a secondary rate limit."}',
      },
      60_000,
    ],
    ["a bare 429", { status: 429, headers: {} }, 60_000],
  ])("%s", (_name, answer, ms) => {
    expect(rateLimitHoldMs(answer, NOW)).toBe(ms);
  });
});

describe("how long an installation waits for its primary limit's reset", () => {
  const NOW = 1_700_000_000_000;
  const reset = String(NOW / 1000 + 120);
  it.each<[string, Record<string, string>, number | null]>([
    ["an answer without the headers (GHES with limits off)", {}, null],
    [
      "plenty left",
      { "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4000", "x-ratelimit-reset": reset },
      null,
    ],
    [
      "one more than the reserve left",
      {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": String(PRIMARY_LIMIT_RESERVE + 1),
        "x-ratelimit-reset": reset,
      },
      null,
    ],
    [
      "the reserve reached: until a second past the reset",
      {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": String(PRIMARY_LIMIT_RESERVE),
        "x-ratelimit-reset": reset,
      },
      121_000,
    ],
    [
      "none left, the reset just past",
      { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 - 1) },
      1_000,
    ],
    ["none left and no reset", { "x-ratelimit-remaining": "0" }, 60_000],
  ])("%s", (_name, headers, ms) => {
    expect(primaryLimitHoldMs(headers, NOW)).toBe(ms);
  });
});

describe("restEndpointFamily (GitHub counts REST points per endpoint)", () => {
  it.each([
    ["GET", "/repos/acme/rocket/pulls/7/files?per_page=100", "GET:pulls"],
    ["GET", "https://ghe.example.com/api/v3/repos/acme/rocket/pulls/7", "GET:pulls"],
    ["POST", "/repos/acme/rocket/check-runs", "POST:check-runs"],
    ["PATCH", "https://api.github.com/repos/acme/rocket/check-runs/12", "PATCH:check-runs"],
    ["GET", "/repos/acme/rocket/commits/abc/check-runs", "GET:commits"],
    ["GET", "/repos/acme/rocket", "GET:repository"],
    ["GET", "/repos/acme/rocket/contents/.github%2Fphase-gates.yml?ref=main", "GET:contents"],
    ["get", "/orgs/acme/repos", "GET:orgs"],
    ["GET", "/", "GET:root"],
  ])("%s %s → %s", (method, url, family) => {
    expect(restEndpointFamily({ method, url })).toBe(family);
  });
});
