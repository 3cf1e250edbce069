import { generateKeyPairSync, randomUUID } from "node:crypto";
import nock from "nock";
import { type Logger, Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach } from "vitest";
import { createPhaseGatesApp, type PhaseGatesOptions } from "../../src/app/register-handlers.js";
import type { GitHub } from "../../src/github/octokit.js";
import { API, APP_ID, INSTALLATION_ID, OWNER, REPO } from "./webhooks.js";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export interface TestApp {
  /** Delivers a webhook and waits until every job it queued has finished. */
  receive: (name: string, payload: Record<string, unknown>, id?: string) => Promise<void>;
  /** Errors thrown by jobs (a test fails if any are unexpected). */
  errors: unknown[];
  /** Waits for queued work, e.g. a refresh a test's clock just made due. */
  idle: () => Promise<void>;
  /** What a shutdown does first: the app stops refreshing reports. */
  beginDrain: () => void;
  /** Closes the queue (its Redis connections, when it has any). */
  close: () => Promise<void>;
}

/**
 * A Probot with the app loaded, retries and write pacing off, and the app's caches emptied.
 * `log` replaces Probot's logger (tests that assert what the app logs).
 * Reports (dashboard, gate progress) are off unless `reporting` is given:
 * the tests of other features do not stub their reads and writes.
 */
export async function createTestApp(
  options: {
    log?: Logger;
    graphql?: boolean;
    reporting?: PhaseGatesOptions["reporting"];
    revalidateMs?: PhaseGatesOptions["revalidateMs"];
    /** Where jobs wait (default: in process). */
    queue?: PhaseGatesOptions["queue"];
  } = {},
): Promise<TestApp> {
  const errors: unknown[] = [];
  const { app, idle, beginDrain, close } = createPhaseGatesApp({
    appId: APP_ID,
    appSlug: "phase-gates",
    // GraphQL's list of linked issues is asked only where a test says so (linked-issues-graphql.test.ts).
    graphql: options.graphql ?? false,
    onJobError: (e) => errors.push(e),
    octokitForJob: async (probot, installationId) =>
      (await probot.auth(installationId ?? undefined)) as GitHub,
    reporting: options.reporting ?? false,
    // Each job reads afresh unless a test says otherwise: a test states every read its events make.
    revalidateMs: options.revalidateMs ?? false,
    ...(options.queue ? { queue: options.queue } : {}),
  });
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    logLevel: (process.env.TEST_LOG_LEVEL as "fatal" | undefined) ?? "fatal",
    ...(options.log ? { log: options.log } : {}),
    // A function, not an object: Probot applies its own throttle options on top of
    // object defaults, which would turn write pacing (1 write/s) back on in tests.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
  await probot.load(app);
  return {
    errors,
    idle,
    beginDrain,
    close,
    receive: async (name, payload, id = randomUUID()) => {
      // biome-ignore lint/suspicious/noExplicitAny: payloads are built from real examples, typed loosely
      await probot.receive({ id, name, payload } as any);
      await idle();
    },
  };
}

export const REPO_PATH = `/repos/${OWNER}/${REPO}`;

/** A nock scope on the GitHub API that hands out one installation token. */
export function githubScope(): nock.Scope {
  return (
    nock(API)
      // the installation token Probot asks for before the first call
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} })
  );
}

/** `GET .github/phase-gates.yml` from the default branch: `text`, or 404 here and in `<owner>/.github`. */
export function replyConfig(scope: nock.Scope, text: string | null, etag = '"cfg1"'): nock.Scope {
  const path = `${REPO_PATH}/contents/.github%2Fphase-gates.yml`;
  if (text === null) {
    return scope
      .get(path)
      .reply(404, { message: "Not Found" })
      .get(`/repos/${OWNER}/.github/contents/.github%2Fphase-gates.yml`)
      .reply(404, { message: "Not Found" });
  }
  return scope.get(path).reply(200, text, { "content-type": "text/plain; charset=utf-8", etag });
}

export function gateIssueQuery(label: string): Record<string, string> {
  return { labels: label, state: "all", sort: "created", direction: "desc", per_page: "10" };
}

export function checkRunsQuery(): Record<string, string> {
  return { check_name: "Phase gate", filter: "latest", app_id: String(APP_ID), per_page: "100" };
}

export function assertAllCalled(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll(); // a failed test must not leave its mocks to the next one
  if (pending.length > 0)
    throw new Error(`GitHub calls expected but not made:\n${pending.join("\n")}`);
}

/** `GET /pulls/{n}/files`: what a PR changes (the app looks for `.github/phase-gates.yml`). */
export function replyFiles(
  scope: nock.Scope,
  number: number,
  files: string[] = ["src/feature.ts"],
): nock.Scope {
  return scope
    .get(`${REPO_PATH}/pulls/${number}/files`)
    .query({ per_page: "100" })
    .reply(
      200,
      files.map((filename, i) => ({
        sha: `f${i}`,
        filename,
        status: "modified",
        additions: 1,
        deletions: 0,
        changes: 1,
      })),
    );
}

/**
 * A fresh app for each test of the file, which fails the test when a job threw
 * or a mocked GitHub call was not made. Use `app()` inside the tests.
 */
export function useTestApp(options: Parameters<typeof createTestApp>[0] = {}): () => TestApp {
  let current: TestApp | null = null;
  beforeEach(async () => {
    current = await createTestApp(options);
  });
  afterEach(() => {
    const errors = current?.errors ?? [];
    assertAllCalled();
    if (errors.length > 0) throw new Error(`jobs failed: ${errors.map(String).join("; ")}`);
  });
  return () => {
    if (!current) throw new Error("useTestApp: no app outside a test");
    return current;
  };
}
