import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { describe, expect, it } from "vitest";
import { ISSUE_EVENTS } from "../../../src/app/handlers/gate-issue.js";
import { PULL_REQUEST_EVENTS } from "../../../src/app/handlers/pull-request.js";
import { validatePayload } from "../../../src/app/http/payloads.js";
import { deploymentProtectionRuleEvent, subIssuesEvent } from "../../helpers/webhooks.js";

type Json = Record<string, unknown>;

/** Every `event.action` the app registers a handler for (src/app/register-handlers.ts). */
const HANDLED = new Set<string>([
  ...PULL_REQUEST_EVENTS,
  ...ISSUE_EVENTS,
  "issue_comment.created",
  "issue_comment.edited",
  "issue_comment.deleted",
  "check_run.rerequested",
  "check_suite.requested",
  "check_suite.rerequested",
  "merge_group.checks_requested",
  "push",
  "installation.created",
  "installation_repositories.added",
  "deployment_protection_rule.requested",
]);

const REAL = (examples as unknown as { name: string; examples: Json[] }[]).flatMap((group) =>
  group.examples
    .map((payload, i): [string, number, Json] => [group.name, i, payload])
    .filter(([name, , payload]) =>
      HANDLED.has(typeof payload.action === "string" ? `${name}.${payload.action}` : name),
    ),
);

describe("GitHub's example payloads for every handled event", () => {
  it("cover every handled event and action that has an example", () => {
    const covered = new Set(
      REAL.map(([name, , p]) => (typeof p.action === "string" ? `${name}.${p.action}` : name)),
    );
    // GitHub publishes no example for these; the sandbox borrows a sibling's shape.
    const withoutExample = [
      "deployment_protection_rule.requested",
      "issues.closed",
      "pull_request.demilestoned",
      "pull_request.edited",
      "pull_request.milestoned",
    ];
    expect([...HANDLED].filter((e) => !covered.has(e)).sort()).toEqual(withoutExample);
  });

  // Examples captured from repository webhooks carry no `installation`; every
  // delivery to a GitHub App does, and the app needs it for its token.
  it.each(REAL)("%s example #%i passes validation", (name, _i, payload) => {
    const asSentToAnApp = { installation: { id: 1 }, ...payload };
    const result = validatePayload(name, asSentToAnApp);
    expect(result).toMatchObject({ ok: true });
    if (!("installation" in payload)) {
      expect(validatePayload(name, payload)).toEqual({
        ok: false,
        issues: [{ path: "installation", code: "invalid_type" }],
      });
    }
  });
});

describe("validatePayload", () => {
  const [, , example] = REAL.find(([name]) => name === "pull_request") ?? [];
  const pullRequest = { installation: { id: 1 }, ...example };

  it("accepts a deployment request in the shape of GitHub's schema", () => {
    expect(
      validatePayload("deployment_protection_rule", deploymentProtectionRuleEvent("production")),
    ).toMatchObject({ ok: true });
  });

  it("keeps fields it does not check", () => {
    const result = validatePayload("pull_request", { ...pullRequest, extra: { new: true } });
    expect(result.ok && result.payload.extra).toEqual({ new: true });
  });

  it.each([
    ["an event without a schema", "deployment", pullRequest, "", "unknown_event"],
    ["a payload that is not an object", "pull_request", "not json", "", "invalid_type"],
    [
      "a pull request number of zero",
      "pull_request",
      { ...pullRequest, pull_request: { number: 0 } },
      "pull_request.number",
      "too_small",
    ],
    [
      "a deployment request without an environment",
      "deployment_protection_rule",
      { ...deploymentProtectionRuleEvent("production"), environment: undefined },
      "environment",
      "invalid_type",
    ],
    [
      "a deployment callback URL that names no workflow run",
      "deployment_protection_rule",
      {
        ...deploymentProtectionRuleEvent("production"),
        deployment_callback_url: "https://api.github.com/repos/acme/rocket/deployments/1",
      },
      "deployment_callback_url",
      "custom",
    ],
    [
      "a deployment callback URL that is not a URL",
      "deployment_protection_rule",
      { ...deploymentProtectionRuleEvent("production"), deployment_callback_url: "runs/1" },
      "deployment_callback_url",
      "custom",
    ],
  ])("rejects %s", (_what, event, payload, path, code) => {
    expect(validatePayload(event, payload)).toEqual({ ok: false, issues: [{ path, code }] });
  });
});

describe("sub_issues payloads", () => {
  const link = { parent: { number: 12 }, sub: { number: 5 } };

  it.each([
    "sub_issue_added",
    "sub_issue_removed",
    "parent_issue_added",
    "parent_issue_removed",
  ] as const)("%s in GitHub's shape passes", (action) => {
    expect(validatePayload("sub_issues", subIssuesEvent(action, link)).ok).toBe(true);
  });

  it.each([
    [
      "an issue without its API url",
      (p: Json) => delete (p.sub_issue as Json).url,
      "sub_issue.url",
    ],
    [
      "an API url that names no issue",
      (p: Json) => Object.assign(p.parent_issue as Json, { url: "https://x/y" }),
      "parent_issue.url",
    ],
    ["no sub_issue_id", (p: Json) => delete p.sub_issue_id, "sub_issue_id"],
  ])("%s is refused", (_name, spoil, path) => {
    const payload = subIssuesEvent("sub_issue_added", link);
    spoil(payload);
    const checked = validatePayload("sub_issues", payload);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues.map((i) => i.path)).toContain(path);
  });
});
