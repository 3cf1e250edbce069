/**
 * The part of JSON Schema GitHub's descriptions lean on, interpreted rather
 * than compiled: a webhook schema is mostly inline and compiles (ajv) in
 * ~0.5 s each, while walking a payload takes well under a millisecond.
 *
 * Checked: `$ref` (into the same description), `type` (a name or a list,
 * with OpenAPI 3.0's `nullable`), `enum`, `const`, `required`, `properties`,
 * `additionalProperties`, `items`, `allOf`, `anyOf`, `oneOf` (as anyOf:
 * GitHub's branches overlap, e.g. a labeled event is also a generic one),
 * and the formats `date-time` and `uri`. Others (lengths, patterns) are not.
 */

type Json = Record<string, unknown>;

/** One problem: where in the value (a JSON pointer) and what is wrong. */
export interface SchemaProblem {
  at: string;
  message: string;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
// RFC 3986 characters: a `[` or `]` belongs only to an IPv6 host, never to a path.
const URI = /^[a-z][a-z0-9+.-]*:(\/\/(\[[0-9a-f:.]+\]|[^/?#[\]@\s]*@?[^/?#[\]\s]*))?[^\s[\]]*$/i;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(wanted: string, actual: string): boolean {
  return wanted === actual || (wanted === "number" && actual === "integer");
}

function show(value: unknown): string {
  return value === undefined ? "absent" : (JSON.stringify(value)?.slice(0, 80) ?? String(value));
}

/** Resolves "#/components/schemas/x" against the description the schema came from. */
function resolve(root: Json, ref: string): Json {
  let node: unknown = root;
  for (const raw of ref.replace(/^#\//, "").split("/")) {
    const key = decodeURIComponent(raw.replace(/~1/g, "/").replace(/~0/g, "~"));
    node = (node as Json | undefined)?.[key];
  }
  if (!node || typeof node !== "object") throw new Error(`unresolvable $ref ${ref}`);
  return node as Json;
}

/** Every way `value` breaks `schema` (empty: it conforms). `root` is the description holding `$ref` targets. */
export function checkSchema(root: Json, schema: unknown, value: unknown, at = ""): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  walk(root, schema, value, at, problems);
  return problems;
}

function walk(root: Json, node: unknown, value: unknown, at: string, out: SchemaProblem[]): void {
  if (node === true || node === undefined) return;
  if (node === false) {
    out.push({ at, message: "is not allowed here" });
    return;
  }
  let schema = node as Json;
  while (typeof schema.$ref === "string") schema = resolve(root, schema.$ref);
  const actual = typeOf(value);

  if (value === null && schema.nullable === true) return;
  if (schema.type !== undefined) {
    const wanted = Array.isArray(schema.type) ? (schema.type as string[]) : [String(schema.type)];
    if (!wanted.some((t) => typeMatches(t, actual))) {
      out.push({ at, message: `must be ${wanted.join(" or ")} (got ${show(value)})` });
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value)) {
    out.push({ at, message: `expected one of ${JSON.stringify(schema.enum)}, got ${show(value)}` });
  }
  if ("const" in schema && schema.const !== value) {
    out.push({ at, message: `expected ${show(schema.const)}, got ${show(value)}` });
  }
  if (typeof value === "string") {
    if (schema.format === "date-time" && !DATE_TIME.test(value))
      out.push({ at, message: `must match format "date-time" (got ${show(value)})` });
    if (schema.format === "uri" && !URI.test(value))
      out.push({ at, message: `must match format "uri" (got ${show(value)})` });
  }
  if (actual === "object") {
    const object = value as Json;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      if (!(key in object))
        out.push({ at: at || "(root)", message: `required field "${key}" is missing` });
    }
    const properties = (schema.properties as Json | undefined) ?? {};
    for (const [key, child] of Object.entries(object)) {
      const where = `${at}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (key in properties) walk(root, properties[key], child, where, out);
      else if (schema.additionalProperties !== undefined)
        walk(root, schema.additionalProperties, child, where, out);
    }
  }
  if (actual === "array" && schema.items !== undefined) {
    (value as unknown[]).forEach((item, i) => {
      walk(root, schema.items, item, `${at}/${i}`, out);
    });
  }
  for (const part of (schema.allOf as unknown[] | undefined) ?? [])
    walk(root, part, value, at, out);
  const choices = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (choices && choices.length > 0) {
    // None fits: report the closest branch, the one the author meant: of the
    // value's own type, then with the fewest problems.
    let closest: { problems: SchemaProblem[]; score: number } | null = null;
    for (const choice of choices) {
      const problems = checkSchema(root, choice, value, at);
      if (problems.length === 0) return;
      const otherType = problems.some((p) => p.at === at && p.message.startsWith("must be "));
      const score = problems.length + (otherType ? 1_000_000 : 0);
      if (!closest || score < closest.score) closest = { problems, score };
    }
    out.push(...(closest?.problems ?? []));
  }
}
