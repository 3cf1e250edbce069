/**
 * The sandbox against GitHub's published contract, in one representative run:
 * the REST description (@octokit/openapi, api.github.com) and the webhooks
 * description (@octokit/openapi-webhooks).
 *
 * 1. A representative run (test/contract/story.ts: the app in this process,
 *    then `phase-gates status` and `explain`) records every answer the
 *    emulator gives; each is checked with `validateRestResponse(method, path,
 *    status, body)` from test/helpers/openapi.ts: the status is documented for
 *    the operation and the body has its required fields, types and enums.
 * 2. Every REST operation the shipped code calls (read from src/ by
 *    test/helpers/code-operations.ts, not listed by hand) has a sandbox route,
 *    exists in GitHub's description, and was driven by the run.
 * 3. Every webhook the sandbox sent (and those it would send to an app
 *    subscribed to more) is checked with `validateWebhook(event, payload)`,
 *    event by event and action by action; every GraphQL answer has data.
 *
 * A failure names the operation, the request, the field (a JSON pointer) and
 * what was expected vs found. Reuse the helpers for new routes:
 *   expect(validateRestResponse("GET", "/repos/{owner}/{repo}/rulesets", 200, body)).toEqual([]);
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { templateShape } from "../../sandbox/emulator/descriptions.js";
import { buildPayload, type RequestLogEntry } from "../../sandbox/emulator/index.js";
import { routes } from "../../sandbox/emulator/routes/index.js";
import { restOperationsOfCode } from "../helpers/code-operations.js";
import { findRestOperation, validateRestResponse, validateWebhook } from "../helpers/openapi.js";
import { beforeInstall, CONTRACT_CONFIG, runCli, runStory } from "./story.js";
import { createWorld, type World } from "./world.js";

/**
 * Where GitHub's description is known to differ from what GitHub sends: a
 * part of a problem line ("operation → status: /field: …" or "event.action:
 * /field: …") → why. Keep it short; each entry is a gap in the description,
 * never a sandbox shortcut.
 */
const KNOWN_DESCRIPTION_GAPS: Record<string, string> = {
  // A label's description and a milestone's due date are nullable (REST says so); the
  // webhooks description types their old value in `changes` as a string only.
  "label.edited: /changes/description/from: must be string": "null when there was none",
  "milestone.edited: /changes/due_on/from: must be string": "null when there was none",
};

/** A problem with list indexes and the value found left out: one line per field. */
function generalised(problem: string): string {
  return problem.replace(/\/\d+(?=[/:])/g, "/*").replace(/ \(got .*\)$/, "");
}

/** Problems of one answer, less the known gaps of GitHub's description. */
function problemsOf(entry: RequestLogEntry): string[] {
  const [method = "", template = ""] = entry.route.split(" ");
  return validateRestResponse(method, template, entry.status, entry.response?.body).filter(
    notKnownGap,
  );
}

function notKnownGap(problem: string): boolean {
  return !Object.keys(KNOWN_DESCRIPTION_GAPS).some((gap) => problem.includes(gap));
}

describe("the sandbox answers as GitHub's REST description says", { timeout: 180_000 }, () => {
  let world: World;
  let entries: RequestLogEntry[] = [];

  beforeAll(async () => {
    world = await createWorld({ config: CONTRACT_CONFIG, keepResponses: true, beforeInstall });
    await runStory(world);
    await runCli(world);
    entries = world.emu.requestLog.entries.filter((e) => !e.route.endsWith(" /graphql"));
  }, 180_000);

  afterAll(async () => {
    await world?.close();
  });

  it("runs the story without a job error or an unemulated request", () => {
    expect(world.errors).toEqual([]);
    expect(world.emu.requestLog.unhandled).toEqual([]);
  });

  it("gives, for every operation the run drove, only answers GitHub's description allows", () => {
    // One line per operation and field: list items ("/3/user/url") count as one ("/*/user/url").
    const byOperation = new Map<string, Map<string, string>>();
    for (const entry of entries) {
      const problems = byOperation.get(entry.route) ?? new Map<string, string>();
      byOperation.set(entry.route, problems);
      for (const p of problemsOf(entry)) {
        const general = generalised(p);
        if (!problems.has(general))
          problems.set(general, `${p} [e.g. ${entry.method} ${entry.path}]`);
      }
    }
    const conforming = [...byOperation.values()].filter((o) => o.size === 0).length;
    process.stdout.write(
      `[contract] REST: ${conforming}/${byOperation.size} operations conform fully (${entries.length} answers)\n`,
    );
    const problems = [...byOperation.values()].flatMap((o) => [...o.values()]);
    expect(problems).toEqual([]);
  });

  it("has a sandbox route, in GitHub's description, for every REST operation the shipped code calls", () => {
    const missing = restOperationsOfCode()
      .filter((op) => op.path !== "/graphql")
      .flatMap((op) => {
        const problems: string[] = [];
        const shape = `${op.method} ${templateShape(op.path)}`;
        if (!routes.some((r) => `${r.method} ${templateShape(r.template)}` === shape))
          problems.push(
            `${op.method} ${op.path}: no sandbox route (called at ${op.sites.join(", ")})`,
          );
        if (!findRestOperation(op.method, op.path))
          problems.push(
            `${op.method} ${op.path}: not in GitHub's REST description (called at ${op.sites.join(", ")})`,
          );
        return problems;
      });
    expect(missing).toEqual([]);
  });

  it("sends only webhooks GitHub's webhooks description allows, event by event and action by action", () => {
    const { deliveries, dropped } = world.emu.webhooks;
    // Sent to the app, and those GitHub would send to an app subscribed to more.
    const sent = [
      ...deliveries.map((d) => ({ event: d.event, payload: d.payload })),
      ...dropped.map((e) => ({ event: e.name, payload: buildPayload(world.emu.state, e) })),
    ];
    const byKind = new Map<string, Map<string, string>>();
    for (const { event, payload } of sent) {
      const kind = typeof payload.action === "string" ? `${event}.${payload.action}` : event;
      const problems = byKind.get(kind) ?? new Map<string, string>();
      byKind.set(kind, problems);
      for (const p of validateWebhook(event, payload).filter(notKnownGap))
        problems.set(generalised(p), p);
    }
    const valid = [...byKind.values()].filter((p) => p.size === 0).length;
    process.stdout.write(
      `[contract] webhooks: ${valid}/${byKind.size} event.action kinds validate (${sent.length} payloads: ${[...byKind.keys()].sort().join(", ")})\n`,
    );
    expect([...byKind.values()].flatMap((p) => [...p.values()])).toEqual([]);
  });

  it("answers every GraphQL document the app sent in the run with data, none with errors", () => {
    const answers = world.emu.requestLog.entries.filter((e) => e.route.endsWith(" /graphql"));
    expect(answers.length).toBeGreaterThan(0);
    const refused = answers.flatMap((e) => {
      const body = e.response?.body as { errors?: unknown[] } | undefined;
      return e.status === 200 && !body?.errors ? [] : [`${e.status} ${JSON.stringify(body)}`];
    });
    expect(refused).toEqual([]);
  });

  /**
   * Operations no story step can reach on a GitHub that answers as its description says:
   * - required_status_checks: read only when `GET …/branches/{branch}` gives a protected
   *   branch without `protection.required_status_checks.checks`, which the description
   *   (and so the sandbox) always includes.
   */
  const UNREACHABLE = new Set([
    "GET /repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks",
  ]);

  it("drives every REST operation the shipped code calls", () => {
    const driven = new Set(entries.map((e) => templateShape(e.route)));
    const undriven = restOperationsOfCode()
      .filter((op) => op.path !== "/graphql")
      .filter((op) => !UNREACHABLE.has(`${op.method} ${op.path}`))
      .filter((op) => !driven.has(`${op.method} ${templateShape(op.path)}`))
      .map(
        (op) =>
          `${op.method} ${op.path} (called at ${op.sites.join(", ")}): add a step to runStory (the app) or runCli (the CLI) in test/contract/story.ts`,
      );
    expect(undriven).toEqual([]);
  });
});
