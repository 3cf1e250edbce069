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
 * Descriptions are read once per process and validators compiled on first
 * use, so a test pays only for the schemas it touches.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";
import {
  buildClientSchema,
  type GraphQLSchema,
  parse,
  validate as validateDocument,
} from "graphql";
import { templateShape } from "../../sandbox/emulator/ghes.js";

// ajv-formats is CommonJS: under NodeNext its default export sits one level down.
const addFormats =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

/**
 * A description file of a package, read by path: the packages' index files
 * load every variant (~400 MB), and their `exports` hide the files.
 */
function packageFile(pkg: string, file: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", pkg);
    if (existsSync(join(candidate, "package.json"))) return join(candidate, file);
    if (dirname(dir) === dir) throw new Error(`${pkg} is not installed (npm install)`);
  }
}

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

let restAjv: Ajv | null = null;
let hooksAjv: Ajv | null = null;
const compiled = new Map<string, ValidateFunction>();

function newAjv(): Ajv {
  // strict: false - the descriptions carry OpenAPI keywords (example, discriminator, x-github …)
  // that are not JSON Schema (`nullable` is rewritten first, see openapi30ToJsonSchema).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

function validatorFor(kind: "rest" | "webhooks", ref: string, schema?: Json): ValidateFunction {
  const key = `${kind}:${ref}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  let fn: ValidateFunction;
  if (kind === "rest") {
    if (!restAjv) {
      restAjv = newAjv();
      restAjv.addSchema(
        { $id: "rest", components: openapi30ToJsonSchema(restDescription().components) } as Json,
        "rest",
      );
    }
    fn = schema
      ? restAjv.compile(rebase(openapi30ToJsonSchema(schema) as Json, "rest"))
      : restAjv.compile({ $ref: `rest${ref}` });
  } else {
    if (!hooksAjv) {
      hooksAjv = newAjv();
      hooksAjv.addSchema(
        { $id: "webhooks", components: webhooksDescription().components } as Json,
        "webhooks",
      );
    }
    fn = hooksAjv.compile({ $ref: `webhooks${ref}` });
  }
  compiled.set(key, fn);
  return fn;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `type: [t, "null"]`, or
 * `anyOf: [schema, { type: "null" }]` where there is no `type` (a `$ref`, an
 * `allOf`). ajv's own `nullable` wants a `type` beside it, which GitHub's
 * description often leaves out.
 */
function openapi30ToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openapi30ToJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === "nullable" || k === "example" || k === "examples") continue;
    out[k] = k === "enum" || k === "required" ? v : openapi30ToJsonSchema(v);
  }
  if ((node as Json).nullable !== true) return out;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

/** An inline schema whose `$ref`s point into the description's components. */
function rebase(schema: Json, id: string): Json {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${id}#/`)) as Json;
}

/**
 * A `oneOf`/`anyOf` that failed reports every branch's errors; keep only the
 * closest branch's (fewest errors), which is the one the author meant.
 */
function closestBranches(errors: ErrorObject[]): ErrorObject[] {
  let out = errors;
  for (const choice of errors.filter((e) => e.keyword === "oneOf" || e.keyword === "anyOf")) {
    const prefix = `${choice.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of out) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split("/")[0] ?? "";
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    if (branches.size === 0) continue;
    const best = [...branches.values()].sort((a, b) => a.length - b.length)[0] ?? [];
    out = out.filter((e) => e !== choice && (!e.schemaPath.startsWith(prefix) || best.includes(e)));
  }
  return out;
}

function describe(errors: ErrorObject[] | null | undefined, body: unknown): string[] {
  return closestBranches(errors ?? []).map((e) => {
    const at = e.instancePath || "(root)";
    const actual = pointer(body, e.instancePath);
    const shown = actual === undefined ? "absent" : JSON.stringify(actual)?.slice(0, 80);
    if (e.keyword === "required")
      return `${at}: required field "${(e.params as { missingProperty: string }).missingProperty}" is missing`;
    if (e.keyword === "enum")
      return `${at}: expected one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}, got ${shown}`;
    return `${at}: ${e.message ?? e.keyword} (got ${shown})`;
  });
}

function pointer(value: unknown, path: string): unknown {
  let current = value;
  for (const raw of path.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
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
  const fn = validatorFor("rest", `${op.operationId}:${status}`, schema);
  if (fn(body)) return [];
  return describe(fn.errors, body).map((p) => `${label}: ${p}`);
}

/** The webhooks description (OpenAPI 3.1, JSON Schema 2020-12 types). */
export function webhooksDescription(): Json {
  return once("webhooks", () =>
    readJson(packageFile("@octokit/openapi-webhooks", "generated/api.github.com.json")),
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
  const fn = validatorFor("webhooks", ref);
  if (fn(payload)) return [];
  return describe(fn.errors, payload).map((p) => `${kind}: ${p}`);
}

let graphqlSchema: GraphQLSchema | null = null;

/** GitHub's GraphQL schema (github.com), built once from its introspection result. */
export function githubGraphqlSchema(): GraphQLSchema {
  if (!graphqlSchema) {
    const json = readJson(packageFile("@octokit/graphql-schema", "schema.json"));
    graphqlSchema = buildClientSchema((json.data ?? json) as never);
  }
  return graphqlSchema;
}

/** Whether GitHub's GraphQL API would run this document: parse and validation errors, as GitHub words them. */
export function validateGraphQL(document: string): string[] {
  try {
    return validateDocument(githubGraphqlSchema(), parse(document)).map((e) => e.message);
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
