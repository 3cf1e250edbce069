import { Octokit } from "@octokit/rest";
import { afterEach, describe, expect, it } from "vitest";
import {
  createEmulator,
  type Emulator,
  type LimitedRequest,
  type LimitReason,
  pacingFloorSeconds,
  requestCost,
  SecondaryLimits,
} from "../../../sandbox/emulator/index.js";

describe("requestCost", () => {
  it.each<
    [string, LimitedRequest, { api: string; points: number; content: boolean; mutation?: boolean }]
  >([
    [
      "a REST read",
      { method: "GET", path: "/repos/a/b/pulls/1" },
      { api: "rest", points: 1, content: false },
    ],
    ["HEAD", { method: "HEAD", path: "/repos/a/b" }, { api: "rest", points: 1, content: false }],
    [
      "OPTIONS",
      { method: "OPTIONS", path: "/repos/a/b" },
      { api: "rest", points: 1, content: false },
    ],
    [
      "a check run created",
      { method: "POST", path: "/repos/a/b/check-runs" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "a check run updated",
      { method: "PATCH", path: "/repos/a/b/check-runs/9" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "labels added to a PR",
      { method: "POST", path: "/repos/a/b/issues/3/labels" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "a label created",
      { method: "POST", path: "/repos/a/b/labels" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "a milestone created",
      { method: "POST", path: "/repos/a/b/milestones" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "an issue closed",
      { method: "PATCH", path: "/repos/a/b/issues/3" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "a label removed",
      { method: "DELETE", path: "/repos/a/b/issues/3/labels/x" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "an issue created",
      { method: "POST", path: "/repos/a/b/issues" },
      { api: "rest", points: 5, content: true },
    ],
    [
      "a comment created",
      { method: "POST", path: "/repos/a/b/issues/3/comments" },
      { api: "rest", points: 5, content: true },
    ],
    [
      "a comment created (query string)",
      { method: "POST", path: "/repos/a/b/issues/3/comments?x=1" },
      { api: "rest", points: 5, content: true },
    ],
    [
      "a comment edited",
      { method: "PATCH", path: "/repos/a/b/issues/comments/4" },
      { api: "rest", points: 5, content: false },
    ],
    [
      "a review",
      { method: "POST", path: "/repos/a/b/pulls/3/reviews" },
      { api: "rest", points: 5, content: true },
    ],
    [
      "a merge",
      { method: "PUT", path: "/repos/a/b/pulls/3/merge" },
      { api: "rest", points: 5, content: true },
    ],
    [
      "comments listed",
      { method: "GET", path: "/repos/a/b/issues/3/comments" },
      { api: "rest", points: 1, content: false },
    ],
    [
      "a GraphQL query",
      { method: "POST", path: "/graphql", graphqlQuery: "query { viewer { login } }" },
      { api: "graphql", points: 1, content: false, mutation: false },
    ],
    [
      "a GraphQL shorthand query",
      { method: "POST", path: "/graphql", graphqlQuery: "{ viewer { login } }" },
      { api: "graphql", points: 1, content: false, mutation: false },
    ],
    [
      "a GraphQL mutation",
      {
        method: "POST",
        path: "/graphql",
        graphqlQuery: "mutation { updateIssue(input: {}) { clientMutationId } }",
      },
      { api: "graphql", points: 5, content: false, mutation: true },
    ],
    [
      "a GraphQL comment",
      {
        method: "POST",
        path: "/graphql",
        graphqlQuery: "# note\nmutation { addComment(input: {}) { clientMutationId } }",
      },
      { api: "graphql", points: 5, content: true, mutation: true },
    ],
  ])("%s", (_name, request, expected) => {
    const { endpoint: _endpoint, ...cost } = requestCost(request);
    expect(cost).toEqual(expected);
  });

  it("counts a REST request's points against its endpoint: the route template the server matched, else the path", () => {
    expect(
      requestCost({ ...PATCH, endpoint: "PATCH /repos/{o}/{r}/check-runs/{id}" }),
    ).toMatchObject({
      endpoint: "PATCH /repos/{o}/{r}/check-runs/{id}",
    });
    expect(requestCost({ method: "get", path: "/repos/a/b/pulls/1?page=2" }).endpoint).toBe(
      "GET /repos/a/b/pulls/1",
    );
    expect(requestCost(QUERY).endpoint).toBeUndefined();
  });
});

const GET: LimitedRequest = { method: "GET", path: "/repos/a/b/pulls/1" };
const PATCH: LimitedRequest = { method: "PATCH", path: "/repos/a/b/check-runs/1" };
const COMMENT: LimitedRequest = { method: "POST", path: "/repos/a/b/issues/1/comments" };
const QUERY: LimitedRequest = { method: "POST", path: "/graphql", graphqlQuery: "{ a }" };
const PROJECT_SET: LimitedRequest = {
  method: "POST",
  path: "/graphql",
  graphqlQuery: "mutation { updateProjectV2ItemFieldValue(input: {}) { projectV2Item { id } } }",
};

interface Step {
  at: number;
  request: LimitedRequest;
  subject?: string;
  /** Answer status sent for an admitted request; null keeps it in flight. */
  status?: number | null;
}

/** Plays requests in order; returns what each got: "ok" or "<reason> <retry-after>". */
function play(limits: SecondaryLimits, steps: Step[]): string[] {
  return steps.map((step) => {
    const admission = limits.admit(step.subject ?? "installation:1", step.request, step.at);
    if (!admission.ok) return `${admission.reason} ${admission.retryAfterSeconds}`;
    if (step.status !== null) limits.finish(admission.ticket, step.status ?? 200);
    return "ok";
  });
}

const times = (n: number, step: Omit<Step, "at">, at = 0): Step[] =>
  Array.from({ length: n }, () => ({ ...step, at }));

describe("SecondaryLimits", () => {
  it.each<[string, ConstructorParameters<typeof SecondaryLimits>[0], Step[], string[]]>([
    ["off: nothing is refused", null, times(3, { request: PATCH }), ["ok", "ok", "ok"]],
    [
      "points: the write that would pass 10 points waits for the oldest to age out",
      { pointsPerMinute: 10 },
      [
        { at: 0, request: PATCH },
        { at: 20_000, request: PATCH },
        { at: 30_000, request: PATCH },
      ],
      ["ok", "ok", "points 30"],
    ],
    [
      "points: counted per endpoint (method and route): another endpoint has its own",
      { pointsPerMinute: 10 },
      [
        { at: 0, request: PATCH },
        { at: 0, request: PATCH },
        { at: 0, request: PATCH },
        { at: 0, request: GET },
        {
          at: 0,
          request: {
            ...PATCH,
            path: "/repos/a/b/check-runs/2",
            endpoint: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
          },
        },
        {
          at: 0,
          request: { ...PATCH, endpoint: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}" },
        },
      ],
      ["ok", "ok", "points 60", "ok", "ok", "ok"],
    ],
    [
      "points: a minute later there is room again",
      { pointsPerMinute: 10 },
      [
        { at: 0, request: PATCH },
        { at: 1_000, request: PATCH },
        { at: 60_001, request: PATCH },
      ],
      ["ok", "ok", "ok"],
    ],
    [
      "points: a 304 is free",
      { pointsPerMinute: 2 },
      [
        { at: 0, request: GET, status: 304 },
        { at: 0, request: GET, status: 304 },
        { at: 0, request: GET },
        { at: 0, request: GET },
        { at: 0, request: GET },
      ],
      ["ok", "ok", "ok", "ok", "points 60"],
    ],
    [
      "points: a refused request costs nothing",
      { pointsPerMinute: 10 },
      [
        { at: 0, request: PATCH },
        { at: 30_000, request: PATCH },
        { at: 30_001, request: PATCH },
        { at: 60_001, request: PATCH },
      ],
      ["ok", "ok", "points 30", "ok"],
    ],
    [
      "points: counted per installation",
      { pointsPerMinute: 5 },
      [
        { at: 0, request: PATCH, subject: "installation:1" },
        { at: 0, request: PATCH, subject: "installation:2" },
        { at: 0, request: PATCH, subject: "installation:1" },
      ],
      ["ok", "ok", "points 60"],
    ],
    [
      "GraphQL has a budget of its own",
      { pointsPerMinute: 5, graphqlPointsPerMinute: 1 },
      [
        { at: 0, request: PATCH },
        { at: 0, request: QUERY },
        { at: 0, request: QUERY },
      ],
      ["ok", "ok", "graphql-points 60"],
    ],
    [
      "mutations: one a second (GitHub's pacing); queries between them pass",
      {},
      [
        { at: 0, request: PROJECT_SET },
        { at: 500, request: QUERY },
        { at: 999, request: PROJECT_SET },
        { at: 1_000, request: PROJECT_SET },
        { at: 1_200, request: PROJECT_SET, subject: "installation:2" },
        { at: 2_000, request: PROJECT_SET },
      ],
      ["ok", "ok", "mutation-gap 1", "ok", "ok", "ok"],
    ],
    [
      "content: the third comment in a minute is refused under a limit of two",
      { contentPerMinute: 2 },
      [
        { at: 0, request: COMMENT },
        { at: 10_000, request: COMMENT },
        { at: 20_000, request: COMMENT },
        { at: 20_000, request: PATCH },
      ],
      ["ok", "ok", "content-minute 40", "ok"],
    ],
    [
      "content: the hourly limit outlasts the minute",
      { contentPerMinute: 10, contentPerHour: 2 },
      [
        { at: 0, request: COMMENT },
        { at: 0, request: COMMENT },
        { at: 120_000, request: COMMENT },
        { at: 3_600_001, request: COMMENT },
      ],
      ["ok", "ok", "content-hour 3480", "ok"],
    ],
    [
      "concurrency: a request beyond the limit in flight is refused until one answers",
      { concurrent: 2 },
      [
        { at: 0, request: GET, status: null },
        { at: 0, request: GET, status: null },
        { at: 0, request: GET },
      ],
      ["ok", "ok", "concurrent 1"],
    ],
    [
      "concurrency: answered requests free their slot",
      { concurrent: 1 },
      times(3, { request: GET }),
      ["ok", "ok", "ok"],
    ],
  ])("%s", (_name, settings, steps, expected) => {
    expect(play(new SecondaryLimits(settings), steps)).toEqual(expected);
  });

  it("counts admissions, refusals by limit and free 304s", () => {
    const limits = new SecondaryLimits({ pointsPerMinute: 10, contentPerMinute: 1 });
    play(limits, [
      { at: 0, request: GET, status: 304 },
      { at: 0, request: COMMENT },
      { at: 0, request: COMMENT },
      { at: 0, request: PATCH },
      { at: 0, request: PATCH },
      { at: 0, request: PATCH },
    ]);
    const refused: Partial<Record<LimitReason, number>> = { "content-minute": 1, points: 1 };
    expect(limits.stats()).toEqual({
      admitted: 4,
      notModified: 1,
      refused: {
        points: 0,
        "graphql-points": 0,
        "content-minute": 0,
        "content-hour": 0,
        "mutation-gap": 0,
        concurrent: 0,
        ...refused,
      },
    });
    // All REST points of the minute, every endpoint's together.
    expect(limits.usage("installation:1", 0)).toEqual({
      points: 15,
      graphqlPoints: 0,
      contentLastMinute: 1,
      contentLastHour: 1,
      inFlight: 0,
    });
  });

  it("enable() starts every account afresh; disable() stops refusing", () => {
    const limits = new SecondaryLimits({ pointsPerMinute: 1 });
    expect(play(limits, times(2, { request: GET }))).toEqual(["ok", "points 60"]);
    limits.enable({ pointsPerMinute: 1 });
    expect(play(limits, times(1, { request: GET }))).toEqual(["ok"]);
    limits.disable();
    expect(play(limits, times(2, { request: PATCH }))).toEqual(["ok", "ok"]);
  });
});

describe("pacingFloorSeconds", () => {
  it.each<[string, { writes: number; contentCreating?: number }, number]>([
    ["1,000 check writes at 180/min", { writes: 1000 }, 1000 / 3],
    ["nothing", { writes: 0 }, 0],
    ["content is the tighter limit", { writes: 100, contentCreating: 100 }, 75],
    ["writes are the tighter limit", { writes: 360, contentCreating: 40 }, 120],
  ])("%s", (_name, counts, seconds) => {
    expect(pacingFloorSeconds(counts)).toBeCloseTo(seconds, 6);
  });
});

describe("the emulator with limits on", () => {
  let emu: Emulator | null = null;
  afterEach(async () => {
    await emu?.close();
    emu = null;
  });

  it("answers 403 with retry-after past the points budget, logs it, and lets 304s through free", async () => {
    emu = await createEmulator({ limits: { pointsPerMinute: 3 } });
    const installation = emu.state.install(["acme/rocket"], emu.state.user("lead"));
    const token = emu.state.issueTokenFor(installation.id).token;
    const get = (etag?: string): Promise<Response> =>
      fetch(`${emu?.apiUrl}/repos/acme/rocket`, {
        headers: { authorization: `token ${token}`, ...(etag ? { "if-none-match": etag } : {}) },
      });
    const first = await get();
    const etag = first.headers.get("etag") ?? "";
    expect(first.status).toBe(200);
    expect((await get(etag)).status).toBe(304);
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const refused = await get();
    expect(refused.status).toBe(403);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.json()).toMatchObject({
      message: "You have exceeded a secondary rate limit.",
    });
    expect(emu.requestLog.secondaryLimited()).toEqual([
      expect.objectContaining({
        route: "GET /repos/{owner}/{repo}",
        status: 403,
        limitedBy: "points",
      }),
    ]);
    // Octokit recognises it as a secondary limit (plugin-throttling matches the message).
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    const octokit = new Octokit({ baseUrl: emu.apiUrl, auth: token, log: quiet });
    await expect(octokit.rest.repos.get({ owner: "acme", repo: "rocket" })).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/secondary rate limit/),
    });
  });

  it("is off by default and can be turned on later", async () => {
    emu = await createEmulator();
    expect(emu.limits.enabled).toBe(false);
    emu.limits.enable({ pointsPerMinute: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await fetch(`${emu.apiUrl}/repos/acme/x`)).status);
    expect(statuses).toEqual([404, 403]);
  });
});
