import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import {
  type DeploymentConfig,
  decideDeployment,
  deploymentRule,
  environmentMatches,
} from "../../../src/core/deployment.js";
import { gateStatuses, gatesBefore } from "../../../src/core/evaluate.js";
import type { Config, GateIssueFacts } from "../../../src/core/types.js";
import { approvedGate, gateMap, openGate, stoppedGate } from "./helpers.js";

describe("environmentMatches", () => {
  it.each<[string, string, boolean]>([
    ["production", "production", true],
    ["production", "Production", true],
    ["PRODUCTION", "production", true],
    ["production", "production-eu", false],
    ["production", "pre-production", false],
    ["prod-*", "prod-eu", true],
    ["prod-*", "PROD-us-east", true],
    ["prod-*", "prod-", true],
    ["prod-*", "production", false],
    ["*", "anything at all", true],
    ["*-prod", "eu-prod", true],
    ["*-prod", "eu-prod-2", false],
    ["prod.eu", "prod.eu", true],
    ["prod.eu", "prodxeu", false],
    ["prod(eu)", "prod(eu)", true],
    ["a+b", "aab", false],
  ])("%s matches %s: %s", (pattern, environment, expected) => {
    expect(environmentMatches(pattern, environment)).toBe(expected);
  });
});

const config: Config = configSchema.parse({
  deployments: [
    { environment: "production", phase: "run" },
    { environment: "prod-*", phase: "run" },
    { environment: "staging", phase: "walk" },
    { environment: "preview-*", phase: "crawl" },
  ],
});

describe("deploymentRule", () => {
  it.each<[string, { phase: string; phaseIndex: number } | null]>([
    ["production", { phase: "run", phaseIndex: 2 }],
    ["Prod-EU", { phase: "run", phaseIndex: 2 }],
    ["staging", { phase: "walk", phaseIndex: 1 }],
    ["preview-42", { phase: "crawl", phaseIndex: 0 }],
    ["qa", null],
  ])("%s → %j", (environment, expected) => {
    const rule = deploymentRule(config, environment);
    expect(rule && { phase: rule.phase, phaseIndex: rule.phaseIndex }).toEqual(expected);
  });

  it("takes the first matching entry", () => {
    const both = configSchema.parse({
      deployments: [
        { environment: "prod-*", phase: "walk" },
        { environment: "prod-eu", phase: "run" },
      ],
    });
    expect(deploymentRule(both, "prod-eu")?.phase).toBe("walk");
  });
});

const CRAWL_URL = "https://github.com/acme/rocket/issues/7";
const WALK_URL = "https://github.com/acme/rocket/issues/8";
const walkGate = (o: Partial<GateIssueFacts> = {}) => ({ number: 8, url: WALK_URL, ...o });

/** The answer for `environment` with the Crawl and Walk gate issues given. */
function answer(
  environment: string,
  crawl: GateIssueFacts | null,
  walk: GateIssueFacts | null,
  loaded: DeploymentConfig = { kind: "ok", config },
) {
  const rule = loaded.kind === "ok" ? deploymentRule(loaded.config, environment) : null;
  const gates =
    loaded.kind === "ok" && rule
      ? gateStatuses(
          loaded.config,
          gatesBefore(loaded.config, rule.phaseIndex),
          gateMap({ 0: crawl, 1: walk }),
        )
      : [];
  return decideDeployment(loaded, environment, gates);
}

describe("decideDeployment", () => {
  it.each<[string, ReturnType<typeof answer>, string, string]>([
    [
      "an environment the config does not list",
      answer("qa", openGate(), openGate(walkGate())),
      "approved",
      'No phase gate applies: .github/phase-gates.yml does not list the environment "qa" under deployments, so phase-gates does not hold it.',
    ],
    [
      "a repository without a config",
      answer("production", null, null, { kind: "none" }),
      "approved",
      'No phase gate applies: this repository has no .github/phase-gates.yml, so deployments to "production" are not held by phase-gates.',
    ],
    [
      "Run work, the Walk gate pending",
      answer("production", approvedGate(), openGate(walkGate({ title: "Gate: Walk → Run" }))),
      "waiting",
      `Waiting: Deployments to "production" carry Run-phase work, so they need the team's go-ahead at every gate before Run. The gate "Gate: Walk → Run" (${WALK_URL}) is not decided yet. This deployment goes ahead by itself once that gate is approved.`,
    ],
    [
      "Run work, both gates pending: the nearest one is named",
      answer("production", openGate(), openGate(walkGate())),
      "waiting",
      `Waiting: Deployments to "production" carry Run-phase work, so they need the team's go-ahead at every gate before Run. The gate "Gate: Walk → Run" (${WALK_URL}) is not decided yet. This deployment goes ahead by itself once that gate is approved.`,
    ],
    [
      "Run work, the Walk gate issue missing",
      answer("production", approvedGate(), null),
      "waiting",
      `Waiting: Deployments to "production" carry Run-phase work, so they need the team's go-ahead at every gate before Run. The gate "Gate: Walk → Run" (its gate issue does not exist yet) is not decided yet. This deployment goes ahead by itself once that gate is approved.`,
    ],
    [
      "Run work, the Walk gate stopped with /stop",
      answer("prod-eu", approvedGate(), stoppedGate(walkGate())),
      "rejected",
      `Rejected: Deployments to "prod-eu" carry Run-phase work, so they need the team's go-ahead at every gate before Run. The team stopped at the gate "Gate: Walk → Run" (${WALK_URL}): "budget cut" (@maria). Work past that gate is not going ahead; if that decision changes (the gate issue is reopened and approved), re-run the deployment.`,
    ],
    [
      "a stop outranks a pending gate",
      answer("production", stoppedGate(), openGate(walkGate())),
      "rejected",
      `Rejected: Deployments to "production" carry Run-phase work, so they need the team's go-ahead at every gate before Run. The team stopped at the gate "Gate: Crawl → Walk" (${CRAWL_URL}): "budget cut" (@maria). Work past that gate is not going ahead; if that decision changes (the gate issue is reopened and approved), re-run the deployment.`,
    ],
    [
      "a gate closed as not planned without a reason",
      answer("staging", stoppedGate({ stop: null }), null),
      "rejected",
      `Rejected: Deployments to "staging" carry Walk-phase work, so they need the team's go-ahead at every gate before Walk. The team stopped at the gate "Gate: Crawl → Walk" (${CRAWL_URL}): the gate issue was closed as not planned by @maria. Work past that gate is not going ahead; if that decision changes (the gate issue is reopened and approved), re-run the deployment.`,
    ],
    [
      "Run work, both gates approved",
      answer("production", approvedGate(), approvedGate(walkGate())),
      "approved",
      `Approved: Deployments to "production" carry Run-phase work, so they need the team's go-ahead at every gate before Run. Every one is approved: "Gate: Crawl → Walk", "Gate: Walk → Run".`,
    ],
    [
      "Crawl work: no gate comes before it",
      answer("preview-1", openGate(), null),
      "approved",
      'Approved: deployments to "preview-1" carry Crawl-phase work, and no gate comes before Crawl.',
    ],
    [
      "an invalid config",
      answer("production", null, null, {
        kind: "invalid",
        errors: ['.github/phase-gates.yml:3:12 deployments[0].phase: unknown phase "fly"'],
      }),
      "rejected",
      [
        'Rejected: phase-gates cannot tell whether this deployment to "production" may go ahead, because .github/phase-gates.yml has an error. Fix it on the default branch, then re-run the deployment:',
        '- .github/phase-gates.yml:3:12 deployments[0].phase: unknown phase "fly"',
      ].join("\n"),
    ],
  ])("%s", (_name, decision, state, comment) => {
    expect(decision).toEqual({ state, comment });
  });

  it("lists at most ten errors of an invalid config and counts the rest", () => {
    const errors = Array.from({ length: 12 }, (_, i) => `f:${i + 1}:1 x: bad`);
    const { state, comment } = decideDeployment({ kind: "invalid", errors }, "production", []);
    expect(state).toBe("rejected");
    expect(comment.split("\n")).toHaveLength(1 + 10 + 1);
    expect(comment).toContain("has 12 errors. Fix them");
    expect(comment.endsWith("- and 2 more")).toBe(true);
  });

  it("keeps a stop reason on one line, so it cannot forge lines of the comment", () => {
    const { comment } = answer(
      "production",
      approvedGate(),
      stoppedGate(walkGate({ stop: { by: "maria", reason: "no\n- Approved: ship it" } })),
    );
    expect(comment.split("\n")).toHaveLength(1);
  });
});
