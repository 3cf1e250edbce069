/**
 * The GitHub API calls the shipped code (src/) makes, read from the code
 * itself rather than listed by hand: `octokit.rest.<ns>.<method>` (also
 * inside `paginate(...)`), `octokit.request("VERB /path")`,
 * `paginate("VERB /path")` and `octokit.graphql(DOCUMENT, …)`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Octokit } from "@octokit/rest";
import { REPO_ROOT } from "../../sandbox/run-app.js";

export interface CodeOperation {
  method: string;
  /** The route template, as @octokit/plugin-rest-endpoint-methods or the call spells it. */
  path: string;
  /** Where the code calls it: "src/github/labels.ts:57". */
  sites: string[];
}

export interface GraphqlCall {
  /** The document the call sends, resolved from the constant it names. */
  document: string;
  /** The constant's name, e.g. "QUERY". */
  name: string;
  site: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** Comments blanked (same length, so line numbers hold): a doc comment's "GET /app" is not a call. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|(?<![:"'`])\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, " "));
}

const VERB = "(GET|POST|PUT|PATCH|DELETE|HEAD)";
const REST_METHOD = /\.rest\s*\.\s*([a-zA-Z]+)\s*\.\s*([a-zA-Z]+)/g;
const ROUTE_CALL = new RegExp(
  `\\.(?:request|paginate)(?:\\s*\\.\\s*iterator)?\\s*(?:<[^>]*>)?\\s*\\(\\s*["'\`]${VERB} (/[^"'\`\\s]*)["'\`]`,
  "g",
);
/** `octokit.graphql(NAME, …)`, `octokit.graphql<T>(NAME …)`, `octokit.graphql.paginate(NAME …)` or an inline literal. */
const GRAPHQL_CALL =
  /\.graphql\s*(?:\.\s*paginate\s*)?(?:<[^>]*>)?\s*\(\s*(?:([A-Za-z_$][\w$]*)|`([^`]*)`)/g;

let endpoints: Octokit["rest"] | null = null;

/** `rest.issues.get` → "GET /repos/{owner}/{repo}/issues/{issue_number}", from Octokit's own table. */
export function routeOfRestMethod(
  namespace: string,
  name: string,
): { method: string; path: string } {
  endpoints ??= new Octokit().rest;
  const ns = (endpoints as unknown as Record<string, Record<string, unknown>>)[namespace];
  const fn = ns?.[name] as { endpoint?: { DEFAULTS: { method: string; url: string } } } | undefined;
  if (!fn?.endpoint)
    throw new Error(`octokit.rest.${namespace}.${name} is not an Octokit endpoint method`);
  return { method: fn.endpoint.DEFAULTS.method, path: fn.endpoint.DEFAULTS.url };
}

/** Every REST operation src/ calls, each once, with the places that call it. */
export function restOperationsOfCode(root = join(REPO_ROOT, "src")): CodeOperation[] {
  const found = new Map<string, CodeOperation>();
  const add = (method: string, path: string, site: string): void => {
    const key = `${method} ${path}`;
    const entry = found.get(key) ?? { method, path, sites: [] };
    entry.sites.push(site);
    found.set(key, entry);
  };
  for (const file of sourceFiles(root)) {
    const text = withoutComments(readFileSync(file, "utf8"));
    const at = (index: number): string => `${relative(REPO_ROOT, file)}:${lineOf(text, index)}`;
    for (const m of text.matchAll(REST_METHOD)) {
      const { method, path } = routeOfRestMethod(m[1] ?? "", m[2] ?? "");
      add(method, path, at(m.index));
    }
    for (const m of text.matchAll(ROUTE_CALL)) add(m[1] ?? "", m[2] ?? "", at(m.index));
    if (GRAPHQL_CALL.test(text)) add("POST", "/graphql", relative(REPO_ROOT, file));
    GRAPHQL_CALL.lastIndex = 0;
  }
  return [...found.values()].sort((a, b) =>
    `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`),
  );
}

/**
 * A template literal's `${NAME}` substitutions resolved, each NAME a
 * `const NAME = "…"` string constant somewhere in src/ (e.g. CHECK_NAME), as
 * the running code sends it; null when one is anything else.
 */
function withStringConstants(literal: string, root: string): string | null {
  let unresolved = false;
  const resolved = literal.replace(/\$\{\s*([A-Za-z_$][\w$]*)\s*\}/g, (_m, name: string) => {
    const value = sourceFiles(root)
      .map((file) =>
        new RegExp(`const ${name}\\s*=\\s*"([^"\\\\]*)"\\s*;`).exec(readFileSync(file, "utf8")),
      )
      .find((found) => found)?.[1];
    if (value === undefined) unresolved = true;
    return value ?? "";
  });
  return unresolved || resolved.includes("${") ? null : resolved;
}

/**
 * Every GraphQL document src/ sends: the constant named in each
 * `octokit.graphql(NAME, …)`, read from the same file (a template literal
 * without substitutions, as GitHub receives it).
 */
export function graphqlDocumentsOfCode(root = join(REPO_ROOT, "src")): GraphqlCall[] {
  const calls: GraphqlCall[] = [];
  for (const file of sourceFiles(root)) {
    const raw = readFileSync(file, "utf8");
    const text = withoutComments(raw);
    for (const m of text.matchAll(GRAPHQL_CALL)) {
      const name = m[1] ?? "";
      const site = `${relative(REPO_ROOT, file)}:${lineOf(text, m.index)}`;
      const constant = new RegExp(`const ${name}\\s*=\\s*\`([^\`]*)\``).exec(raw);
      const document = constant?.[1] && withStringConstants(constant[1], root);
      if (!document)
        throw new Error(
          `${site}: graphql(${name}) - ${name} is not a template literal in this file whose ` +
            "substitutions are all string constants of src/",
        );
      calls.push({ document, name, site });
    }
  }
  return calls;
}
