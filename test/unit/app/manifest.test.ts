import { readFileSync } from "node:fs";
import type { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createPhaseGatesApp } from "../../../src/app/register-handlers.js";
import { buildJsonSchema } from "../../../src/config/json-schema.js";

type Level = "read" | "write";

/**
 * The permission GitHub requires before it sends an event to an app, from
 * GitHub's "Webhook events and payloads" reference ("To subscribe to this
 * event, a GitHub App must have at least read-level access for …"). Any one
 * entry of a list is enough. Where the actions we handle need more than the
 * event itself, the level is the one those actions need (noted).
 */
const REQUIRED_PERMISSION: Record<string, Array<{ permission: string; level: Level }>> = {
  // `rerequested` (the "Re-run" button) is sent only with checks write.
  check_run: [{ permission: "checks", level: "write" }],
  // `requested` and `rerequested` are sent only with checks write.
  check_suite: [{ permission: "checks", level: "write" }],
  issue_comment: [{ permission: "issues", level: "read" }],
  issues: [{ permission: "issues", level: "read" }],
  merge_group: [{ permission: "merge_queues", level: "read" }],
  milestone: [
    { permission: "issues", level: "read" },
    { permission: "pull_requests", level: "read" },
  ],
  pull_request: [{ permission: "pull_requests", level: "read" }],
  push: [{ permission: "contents", level: "read" }],
  sub_issues: [{ permission: "issues", level: "read" }],
  // Answering (POST …/actions/runs/{id}/deployment_protection_rule) also needs actions read (test below).
  deployment_protection_rule: [{ permission: "deployments", level: "write" }],
};

/**
 * Handled, but left out of app.yml on purpose (least privilege): an owner who
 * turns on the opt-in feature adds the event and its permission, as the README says.
 */
const OPT_IN: Record<string, { permission: string; readme: string }> = {
  projects_v2_item: { permission: "organization_projects", readme: "## Projects" },
};

/** Sent to every app whatever it subscribes to; a manifest cannot list them. */
const ALWAYS_SENT = new Set(["installation", "installation_repositories", "installation_target"]);

interface Manifest {
  url: string;
  default_events: string[];
  default_permissions: Record<string, Level>;
}

const root = new URL("../../../", import.meta.url);
const manifest = parse(readFileSync(new URL("app.yml", root), "utf8")) as Manifest;
const readme = readFileSync(new URL("README.md", root), "utf8");

function grants(level: Level | undefined, needed: Level): boolean {
  return level === "write" || (level === "read" && needed === "read");
}

/** `| \`name\` | cell | …` rows of the README table that follows `marker`. */
function readmeTable(marker: string): Array<[string, string]> {
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no "${marker}" table`);
  const rows: Array<[string, string]> = [];
  for (const line of readme.slice(start).split("\n").slice(1)) {
    if (!line.startsWith("|")) {
      if (rows.length > 0) break;
      continue;
    }
    const cells = line.split("|").map((c) => c.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
    if (name) rows.push([name, cells[2] ?? ""]);
  }
  return rows;
}

/** Every event the app registers a handler for, without the action. */
function handledEvents(): string[] {
  const events = new Set<string>();
  const log = { child: () => log, info() {}, debug() {}, warn() {}, error() {} };
  const probot = {
    log,
    on: (names: string | string[]) => {
      for (const name of [names].flat()) events.add(name.split(".")[0] ?? name);
    },
  } as unknown as Probot;
  void createPhaseGatesApp({ appId: 1 }).app(probot, { cwd: ".", addHandler: () => {} });
  return [...events].sort();
}

describe("app.yml: events and permissions", () => {
  it.each(manifest.default_events)(
    "%s is sent only with a permission app.yml asks for",
    (event) => {
      const required = REQUIRED_PERMISSION[event];
      expect(required, `no entry for "${event}" in the table of this test`).toBeDefined();
      const granted = (required ?? []).some(({ permission, level }) =>
        grants(manifest.default_permissions[permission], level),
      );
      expect(
        granted,
        `${event} needs ${JSON.stringify(required)}; app.yml grants ${JSON.stringify(manifest.default_permissions)}`,
      ).toBe(true);
    },
  );

  it("can answer the deployments it is asked about: deployments write and actions read", () => {
    expect(manifest.default_events).toContain("deployment_protection_rule");
    expect(grants(manifest.default_permissions.deployments, "write")).toBe(true);
    expect(grants(manifest.default_permissions.actions, "read")).toBe(true);
  });

  it("subscribes to every event the app handles", () => {
    const missing = handledEvents().filter(
      (e) => !ALWAYS_SENT.has(e) && !(e in OPT_IN) && !manifest.default_events.includes(e),
    );
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(OPT_IN))(
    "%s is opt-in: not in app.yml, its permission not asked, and the README says what to add",
    (event, { permission, readme: heading }) => {
      expect(handledEvents()).toContain(event);
      expect(manifest.default_events).not.toContain(event);
      expect(manifest.default_permissions[permission]).toBeUndefined();
      const section = readme.slice(readme.indexOf(heading));
      expect(section).toContain(`\`${event}\``);
      expect(section).toContain(`\`${permission}: write\``);
    },
  );
});

describe("README tables match app.yml", () => {
  it("permissions", () => {
    const documented = Object.fromEntries(readmeTable("<!-- permissions:"));
    expect(documented).toEqual(manifest.default_permissions);
  });

  it("events", () => {
    const documented = readmeTable("<!-- events:").map(([name]) => name);
    expect(documented.sort()).toEqual([...manifest.default_events].sort());
  });
});

describe("the JSON Schema's address", () => {
  it("is the raw URL of the committed schema in app.yml's repository, and the README gives it", () => {
    const repository = new URL(manifest.url).pathname;
    const url = `https://raw.githubusercontent.com${repository}/main/phase-gates.schema.json`;
    expect(buildJsonSchema().$id).toBe(url);
    expect(readme).toContain(`$schema=${url}`);
  });
});
