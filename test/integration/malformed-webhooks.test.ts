import nock from "nock";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app.js";
import {
  checkRunRerequestedEvent,
  checkSuiteEvent,
  installationCreatedEvent,
  installationRepositoriesAddedEvent,
  issueCommentEvent,
  issueEvent,
  mergeGroupEvent,
  milestone,
  pullRequestEvent,
  pushEvent,
} from "../helpers/webhooks.js";

type Json = Record<string, unknown>;

interface LogLine {
  level: number;
  msg?: string;
  delivery?: string;
  event?: string;
  issues?: string[];
}

const WARN = 40;
const REMOVE = Symbol("remove");

/** A copy of `payload` with the field at a dotted path (`a.b.0.c`) set, or removed. */
function breakField(payload: Json, path: string, value: unknown): Json {
  const copy = structuredClone(payload);
  const keys = path.split(".");
  const last = keys.pop() ?? "";
  let target: Record<string, unknown> = copy;
  for (const key of keys) target = target[key] as Record<string, unknown>;
  if (value === REMOVE) delete target[last];
  else target[last] = value;
  return copy;
}

const CONFIG_PUSH = pushEvent({ modified: [".github/phase-gates.yml"] });

// One row per handled event: a payload that is valid but for one field. Without
// the validation each row would crash its handler, queue a job that calls
// GitHub (nothing is mocked, so any call fails), or skip silently.
const ROWS: [string, string, Json, string, unknown, string][] = [
  // [event, what breaks, valid payload, dotted path, new value, logged issue]
  [
    "pull_request",
    "no PR number",
    pullRequestEvent("opened", { number: 7 }),
    "pull_request.number",
    REMOVE,
    "pull_request.number: invalid_type",
  ],
  [
    "pull_request",
    "a milestone title that is not a string",
    pullRequestEvent(
      "milestoned",
      { number: 7, milestone: "Walk" },
      { milestone: milestone("Walk") },
    ),
    "milestone.title",
    42,
    "milestone.title: invalid_type",
  ],
  [
    "pull_request",
    "no repository owner",
    pullRequestEvent("synchronize", { number: 7 }),
    "repository.owner",
    REMOVE,
    "repository.owner: invalid_type",
  ],
  [
    "issues",
    "an issue number as a string",
    issueEvent("opened", { number: 3 }),
    "issue.number",
    "3",
    "issue.number: invalid_type",
  ],
  [
    "issues",
    "a label event whose label has no name",
    issueEvent("labeled", { number: 3 }, { label: "phase: walk" }),
    "label.name",
    REMOVE,
    "label.name: invalid_type",
  ],
  [
    "issues",
    "an issue label with no name",
    issueEvent("edited", { number: 3, labels: ["gate: crawl"] }),
    "issue.labels.0.name",
    REMOVE,
    "issue.labels.0.name: invalid_type",
  ],
  [
    "issues",
    "no sender",
    issueEvent("closed", { number: 3, state: "closed" }),
    "sender",
    REMOVE,
    "sender: invalid_type",
  ],
  [
    "issues",
    "no installation",
    issueEvent("reopened", { number: 3 }),
    "installation",
    REMOVE,
    "installation: invalid_type",
  ],
  [
    "issue_comment",
    "a comment with no body",
    issueCommentEvent("created", { number: 3 }, { id: 11, body: "/approve", by: "lead" }),
    "comment.body",
    REMOVE,
    "comment.body: invalid_type",
  ],
  [
    "issue_comment",
    "a comment author whose login is a number",
    issueCommentEvent("edited", { number: 3 }, { id: 11, body: "/approve", by: "lead" }),
    "comment.user.login",
    5,
    "comment.user.login: invalid_type",
  ],
  [
    "issue_comment",
    "a deleted comment with no id",
    issueCommentEvent("deleted", { number: 3 }, { id: 11, body: "/approve", by: "lead" }),
    "comment.id",
    REMOVE,
    "comment.id: invalid_type",
  ],
  [
    "check_run",
    "a linked PR with no number",
    checkRunRerequestedEvent("abc123", [7]),
    "check_run.pull_requests.0.number",
    REMOVE,
    "check_run.pull_requests.0.number: invalid_type",
  ],
  [
    "check_run",
    "no head sha",
    checkRunRerequestedEvent("abc123", [7]),
    "check_run.head_sha",
    REMOVE,
    "check_run.head_sha: invalid_type",
  ],
  [
    "check_suite",
    "pull requests that are not a list",
    checkSuiteEvent("requested", "abc123", [7]),
    "check_suite.pull_requests",
    { number: 7 },
    "check_suite.pull_requests: invalid_type",
  ],
  [
    "merge_group",
    "no head ref",
    mergeGroupEvent(7, "abc123"),
    "merge_group.head_ref",
    REMOVE,
    "merge_group.head_ref: invalid_type",
  ],
  ["push", "no commits list", CONFIG_PUSH, "commits", REMOVE, "commits: invalid_type"],
  [
    "push",
    "no default branch",
    CONFIG_PUSH,
    "repository.default_branch",
    REMOVE,
    "repository.default_branch: invalid_type",
  ],
  [
    "installation",
    "a repository with no full name",
    installationCreatedEvent(["rocket"]),
    "repositories.0.full_name",
    REMOVE,
    "repositories.0.full_name: invalid_type",
  ],
  [
    "installation",
    "an installation id of zero",
    installationCreatedEvent(["rocket"]),
    "installation.id",
    0,
    "installation.id: too_small",
  ],
  [
    "installation_repositories",
    "an added repository named without its owner",
    installationRepositoriesAddedEvent(["rocket"]),
    "repositories_added.0.full_name",
    "rocket",
    "repositories_added.0.full_name: invalid_format",
  ],
];

describe("a webhook missing a field the app reads", () => {
  let app: TestApp;
  let logs: LogLine[];
  let unmocked: string[];
  const recordUnmocked = (req: { method?: string; path?: string; href?: string }) => {
    unmocked.push(`${req.method ?? "?"} ${req.href ?? req.path ?? "?"}`);
  };

  beforeEach(async () => {
    logs = [];
    unmocked = [];
    nock.emitter.on("no match", recordUnmocked);
    const log = pino(
      { level: "warn" },
      { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
    );
    app = await createTestApp({ log });
  });

  afterEach(() => {
    nock.emitter.removeListener("no match", recordUnmocked);
  });

  it.each(ROWS)("%s: %s is logged and skipped", async (event, _what, valid, path, value, issue) => {
    const delivery = `bad-${event}-${path}`;
    await app.receive(event, breakField(valid, path, value), delivery);

    expect(unmocked).toEqual([]);
    expect(app.errors).toEqual([]);
    const warnings = logs.filter((l) => l.level === WARN);
    expect(warnings).toEqual([
      expect.objectContaining({
        delivery,
        event,
        issues: [issue],
        msg: "skip: webhook payload lacks fields the app reads",
      }),
    ]);
    // Field paths only: nothing of the payload itself reaches the log.
    expect(JSON.stringify(warnings)).not.toContain("acme/rocket");
  });
});
