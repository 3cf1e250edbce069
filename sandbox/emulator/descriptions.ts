/**
 * GitHub's published descriptions of itself, read offline from devDependencies
 * (the sandbox is never shipped): the REST description of each GitHub
 * Enterprise Server version (`@octokit/openapi`) and the GraphQL schema
 * (`@octokit/graphql-schema`). Each is read on first use, once per process.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildClientSchema,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  validate,
} from "graphql";

/**
 * A file of an installed package, found by path: the packages' `exports`
 * hide their description files, and their index files load every variant.
 */
export function packageFile(pkg: string, file: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", pkg);
    if (existsSync(join(candidate, "package.json"))) return join(candidate, file);
    if (dirname(dir) === dir) throw new Error(`${pkg} is not installed (npm install)`);
  }
}

/** Template with parameter names blanked: the emulator's `{id}` and GitHub's `{check_run_id}` compare equal. */
export function templateShape(path: string): string {
  return path.replace(/\{[^}]+\}/g, "{}");
}

const METHODS = ["get", "post", "put", "patch", "delete", "head"] as const;

/**
 * Every REST operation a GitHub Enterprise Server version has, as
 * "METHOD /shape" keys, from GitHub's own description of that version.
 */
export function ghesOperations(version: string): Set<string> {
  const file = packageFile("@octokit/openapi", `generated/ghes-${version}.json`);
  if (!existsSync(file)) {
    throw new Error(
      `@octokit/openapi has no description of GHES ${version} (it carries the versions GitHub supports)`,
    );
  }
  const description = JSON.parse(readFileSync(file, "utf8")) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const operations = new Set<string>();
  for (const [path, item] of Object.entries(description.paths)) {
    for (const method of METHODS) {
      if (item[method]) operations.add(`${method.toUpperCase()} ${templateShape(path)}`);
    }
  }
  return operations;
}

interface Introspection {
  __schema: { types: { name: string; fields?: { name: string }[] | null }[] };
}

let introspection: Introspection | null = null;
const schemas = new Map<string, GraphQLSchema>();

/**
 * GitHub's GraphQL schema (github.com), built from its introspection result;
 * `lacking` ("Type.field") removes fields, as an older GHES's schema lacks them.
 */
export function githubGraphqlSchema(lacking: readonly string[] = []): GraphQLSchema {
  const key = [...lacking].sort().join(",");
  let schema = schemas.get(key);
  if (!schema) {
    if (!introspection) {
      const json = JSON.parse(
        readFileSync(packageFile("@octokit/graphql-schema", "schema.json"), "utf8"),
      ) as { data?: Introspection } & Introspection;
      introspection = json.data ?? json;
    }
    let source = introspection;
    if (lacking.length > 0) {
      source = structuredClone(introspection);
      for (const entry of lacking) {
        const [typeName, field] = entry.split(".");
        const type = source.__schema.types.find((t) => t.name === typeName);
        if (!type?.fields?.some((f) => f.name === field))
          throw new Error(`GitHub's GraphQL schema has no ${entry} to leave out`);
        type.fields = type.fields.filter((f) => f.name !== field);
      }
    }
    schema = buildClientSchema(source as never);
    schemas.set(key, schema);
  }
  return schema;
}

/** An error as GitHub's GraphQL API words it in `errors[]` (answered with status 200). */
export interface GraphqlApiError {
  message: string;
  locations?: { line: number; column: number }[];
  extensions?: { code: string };
}

/**
 * Why GitHub would refuse to run this document (empty: it would run it):
 * syntax, fields and arguments the schema lacks, and, when `variables` are
 * given, required variables left out.
 */
export function graphqlDocumentErrors(
  query: string,
  variables?: Record<string, unknown>,
  lacking: readonly string[] = [],
): GraphqlApiError[] {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return [toApiError(error instanceof GraphQLError ? error : new GraphQLError(String(error)))];
  }
  const invalid = validate(githubGraphqlSchema(lacking), document);
  if (invalid.length > 0) return invalid.map(toApiError);
  if (!variables) return [];
  const missing: GraphqlApiError[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of definition.variableDefinitions ?? []) {
      const name = v.variable.name.value;
      if (v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue && variables[name] == null) {
        missing.push({
          message: `Variable $${name} of type ${printType(v.type)} was provided invalid value`,
          extensions: { code: "variableMismatch" },
        });
      }
    }
  }
  return missing;
}

function printType(type: { kind: string; type?: unknown; name?: { value: string } }): string {
  if (type.kind === Kind.NON_NULL_TYPE) return `${printType(type.type as typeof type)}!`;
  if (type.kind === Kind.LIST_TYPE) return `[${printType(type.type as typeof type)}]`;
  return type.name?.value ?? "";
}

function toApiError(error: GraphQLError): GraphqlApiError {
  // GitHub's wording for the error an app is likeliest to meet (a field this GitHub lacks).
  const field = /^Cannot query field "([^"]+)" on type "([^"]+)"/.exec(error.message);
  return {
    message: field ? `Field '${field[1]}' doesn't exist on type '${field[2]}'` : error.message,
    ...(error.locations ? { locations: error.locations.map((l) => ({ ...l })) } : {}),
    extensions: { code: field ? "undefinedField" : "validationError" },
  };
}
