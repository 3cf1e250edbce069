import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { decideDeployment, deploymentRule } from "../../../src/core/deployment.js";
import { gateStatuses, gatesBefore } from "../../../src/core/evaluate.js";
import type { GateIssueFacts } from "../../../src/core/types.js";
import { approvedGate, gateMap, openGate, stoppedGate } from "./helpers.js";

// The README's "Deployments" section quotes the comments a release manager
// sees; they must be the ones the app writes.
const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## Deployments"), readme.indexOf("## Reporting"));

const config = configSchema.parse({
  deployments: [
    { environment: "production", phase: "run" },
    { environment: "preview-*", phase: "crawl" },
  ],
});
const WALK = { number: 2, url: "https://github.com/acme/rocket/issues/2" };

function comment(environment: string, walk: GateIssueFacts | null = null) {
  const rule = deploymentRule(config, environment);
  const gates = rule
    ? gateStatuses(
        config,
        gatesBefore(config, rule.phaseIndex),
        gateMap({ 0: approvedGate(), 1: walk }),
      )
    : [];
  return decideDeployment({ kind: "ok", config }, environment, gates).comment;
}

describe("README: the deployment comments", () => {
  it.each([
    ["approved", comment("production", approvedGate(WALK))],
    ["waiting", comment("production", openGate(WALK))],
    [
      "rejected: stopped",
      comment(
        "production",
        stoppedGate({ ...WALK, stop: { by: "lena", reason: "no demand in the pilot" } }),
      ),
    ],
    [
      "rejected: closed as not planned",
      /the gate issue was closed as not planned by @who/.exec(
        comment("production", stoppedGate({ ...WALK, stop: null, closedBy: "who" })),
      )?.[0] ?? "(not in the comment)",
    ],
    ["unlisted", comment("staging")],
    ["no gate before the phase", comment("preview-1")],
    ["no config", decideDeployment({ kind: "none" }, "production", []).comment],
    [
      "invalid config",
      decideDeployment({ kind: "invalid", errors: ["x"] }, "production", []).comment.split(
        "\n",
      )[0] ?? "",
    ],
  ])("%s", (_name, text) => {
    expect(section).toContain(text);
  });
});
