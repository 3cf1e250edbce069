/**
 * GitHub's published contract, offline: the REST description
 * (`@octokit/openapi`), the webhooks description (`@octokit/openapi-webhooks`)
 * and the GraphQL schema (`@octokit/graphql-schema`).
 *
 *   validateRestResponse("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200, body)
 *   validateWebhook("issues", payload)            // the action comes from payload.action
 *   validateGraphQL("query { viewer { login } }")
 *
 * Each returns a list of problems (empty = conforms), each naming the
 * operation, the field (a JSON pointer) and what was expected vs found.
 * Each description is read once per process, on first use; schemas are
 * interpreted (test/helpers/json-schema.ts), with no compile step to pay.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  githubGraphqlSchema,
  graphqlDocumentErrors,
  packageFile,
  templateShape,
} from "../../sandbox/emulator/descriptions.js";
import { checkSchema, type SchemaProblem } from "./json-schema.js";

type Json = Record<string, unknown>;

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}

const cache = new Map<string, Json>();
function once(key: string, load: () => Json): Json {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

/** Descriptions of the REST API the package carries: api.github.com, ghec, ghes-3.17 … */
export type RestDescription = "api.github.com" | "ghec" | `ghes-${string}`;

/** The REST description (with `$ref`s, not the dereferenced copy: a fifth of the size). */
export function restDescription(name: RestDescription = "api.github.com"): Json {
  return once(`rest:${name}`, () =>
    readJson(packageFile("@octokit/openapi", `generated/${name}.json`)),
  );
}

/** The GHES versions the REST package describes, oldest first, e.g. ["3.17", "3.18", "3.19"]. */
export function ghesVersions(): string[] {
  return readdirSync(dirname(packageFile("@octokit/openapi", "generated/README.md")))
    .map((f) => /^ghes-(\d+\.\d+)\.json$/.exec(f)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => compareVersions(a, b));
}

export function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split(".").map(Number);
  const [b1 = 0, b2 = 0] = b.split(".").map(Number);
  return a1 - b1 || a2 - b2;
}

const METHODS = ["get", "post", "put", "patch", "delete", "head"] as const;

export interface RestOperation {
  method: string;
  /** The description's path template, e.g. "/repos/{owner}/{repo}/check-runs/{check_run_id}". */
  path: string;
  operationId: string;
  operation: Json;
}

function operationIndex(name: RestDescription): Map<string, RestOperation> {
  const key = `ops:${name}`;
  const cached = cache.get(key) as unknown as Map<string, RestOperation> | undefined;
  if (cached) return cached;
  const index = new Map<string, RestOperation>();
  const paths = restDescription(name).paths as Record<string, Json>;
  for (const [path, item] of Object.entries(paths)) {
    for (const m of METHODS) {
      const operation = item[m] as Json | undefined;
      if (!operation) continue;
      index.set(`${m.toUpperCase()} ${templateShape(path)}`, {
        method: m.toUpperCase(),
        path,
        operationId: String(operation.operationId),
        operation,
      });
    }
  }
  cache.set(key, index as unknown as Json);
  return index;
}

/**
 * The operation a request matches: `path` is a template (any parameter names)
 * or a concrete path (`/repos/acme/app/pulls/3`; a query string is ignored).
 * Literal segments win over parameters, as GitHub's router does.
 */
export function findRestOperation(
  method: string,
  path: string,
  description: RestDescription = "api.github.com",
): RestOperation | null {
  const index = operationIndex(description);
  const bare = path.split("?")[0] ?? path;
  const exact = index.get(`${method.toUpperCase()} ${templateShape(bare)}`);
  if (exact) return exact;
  const segments = bare.split("/");
  let best: { op: RestOperation; literals: number } | null = null;
  for (const op of index.values()) {
    if (op.method !== method.toUpperCase()) continue;
    const parts = op.path.split("/");
    const greedy = parts.at(-1) === "{path}";
    if (greedy ? segments.length < parts.length : parts.length !== segments.length) continue;
    let literals = 0;
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i] ?? "";
      if (/^\{.+\}$/.test(part)) continue;
      if (part === segments[i]) literals += 1;
      else ok = false;
    }
    if (ok && (!best || literals > best.literals)) best = { op, literals };
  }
  return best?.op ?? null;
}

/**
 * Statuses GitHub may answer on any operation though its description lists
 * them only on some (the description documents each operation's own errors):
 * - 304: any GET with `If-None-Match` (conditional requests, docs "Use conditional requests");
 * - 401: a bad or expired token;
 * - 403/429: primary and secondary rate limits (docs "Rate limits for the REST API");
 * - 500/502/503: GitHub's own failures, which tests inject on purpose.
 */
const ANY_OPERATION_STATUSES = new Set([304, 401, 403, 429, 500, 502, 503]);

/** A problem as a line: where (a JSON pointer) and what. */
function lines(problems: SchemaProblem[]): string[] {
  return problems.map((p) => `${p.at || "(root)"}: ${p.message}`);
}

/** The JSON schema of a response, as the description gives it (a `$ref` or inline). */
function responseSchema(response: Json | undefined): Json | null {
  if (!response) return null;
  let r = response;
  if (typeof r.$ref === "string") {
    const name = r.$ref.split("/").at(-1) ?? "";
    r = ((restDescription().components as Json).responses as Json)[name] as Json;
  }
  const content = r.content as Record<string, { schema?: Json }> | undefined;
  if (!content) return null;
  return (content["application/json"] ?? Object.values(content)[0])?.schema ?? null;
}

/**
 * Whether a REST answer is one GitHub could give: the status is documented
 * for the operation (or one GitHub gives anywhere, see above) and a JSON body
 * has the documented required fields, types and enum values.
 * `body` undefined = no body (204, 304) or a raw (non-JSON) body: the status alone is checked.
 */
export function validateRestResponse(
  method: string,
  path: string,
  status: number,
  body: unknown,
): string[] {
  const op = findRestOperation(method, path);
  const name = `${method.toUpperCase()} ${path} → ${status}`;
  if (!op) return [`${name}: no such operation in GitHub's REST description`];
  const label = `${op.operationId} (${op.method} ${op.path}) → ${status}`;
  const responses = op.operation.responses as Record<string, Json>;
  const documented = responses[String(status)] ?? responses.default;
  if (!documented && !ANY_OPERATION_STATUSES.has(status)) {
    return [
      `${label}: status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`,
    ];
  }
  if (body === undefined || status === 304) return [];
  const schema = documented
    ? responseSchema(documented)
    : ({ $ref: "#/components/schemas/basic-error" } as Json);
  if (!schema) return [];
  return lines(checkSchema(restDescription(), schema, body)).map((p) => `${label}: ${p}`);
}

/** The webhooks description (OpenAPI 3.1, JSON Schema 2020-12 types). */
export function webhooksDescription(name: RestDescription = "api.github.com"): Json {
  return once(`webhooks:${name}`, () =>
    readJson(packageFile("@octokit/openapi-webhooks", `generated/${name}.json`)),
  );
}

/** The webhook events a description lists ("merge_group", "issues" …), without their actions. */
export function webhookEvents(name: RestDescription = "api.github.com"): Set<string> {
  const webhooks = webhooksDescription(name).webhooks as Record<string, { post: Json }>;
  return new Set(
    Object.values(webhooks).map(
      (w) => String(w.post.operationId).split("/")[0]?.replace(/-/g, "_") ?? "",
    ),
  );
}

/**
 * `event.action` (or `event` for events without actions) → the description's
 * schema ref. The event is the operationId's first part ("check-run/…" →
 * check_run); the action is the one the schema's `action` enum allows
 * ("requested_action", where the operationId says "requested-action").
 */
function webhookIndex(): Map<string, string> {
  const key = "webhook-index";
  const cached = cache.get(key) as unknown as Map<string, string> | undefined;
  if (cached) return cached;
  const index = new Map<string, string>();
  const schemas = (webhooksDescription().components as Json).schemas as Record<string, Json>;
  for (const item of Object.values(webhooksDescription().webhooks as Record<string, Json>)) {
    const post = item.post as Json;
    const event = String(post.operationId).split("/")[0]?.replace(/-/g, "_") ?? "";
    const content = ((post.requestBody as Json).content as Json)["application/json"] as Json;
    const ref = String((content.schema as Json).$ref);
    const schema = schemas[ref.split("/").at(-1) ?? ""];
    const actions = ((schema?.properties as Json | undefined)?.action as Json | undefined)?.enum;
    const action = Array.isArray(actions) && actions.length === 1 ? String(actions[0]) : null;
    index.set(action ? `${event}.${action}` : event, ref);
  }
  cache.set(key, index as unknown as Json);
  return index;
}

/** Every event.action (or bare event) GitHub's webhooks description has. */
export function webhookKinds(): string[] {
  return [...webhookIndex().keys()];
}

/** Whether a webhook payload is one GitHub sends for `event` (and `payload.action`). */
export function validateWebhook(event: string, payload: Record<string, unknown>): string[] {
  const action = typeof payload.action === "string" ? payload.action : null;
  const kind = action ? `${event}.${action}` : event;
  const ref = webhookIndex().get(kind) ?? webhookIndex().get(event);
  if (!ref) return [`${kind}: no such webhook in GitHub's webhooks description`];
  return lines(checkSchema(webhooksDescription(), { $ref: ref }, payload)).map(
    (p) => `${kind}: ${p}`,
  );
}

export { githubGraphqlSchema };

/**
 * Whether GitHub's GraphQL API would run this document: parse and validation
 * errors (and, given `variables`, required variables left out), as messages.
 */
export function validateGraphQL(document: string, variables?: Record<string, unknown>): string[] {
  return graphqlDocumentErrors(document, variables).map((e) => e.message);
}
