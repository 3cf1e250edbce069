import { z } from "zod";
import { configInputSchema } from "./schema.js";

/**
 * Turns zod issues into sentences for someone who has never read the schema:
 * what was expected and what was found, with a hint when the fix is a typo or
 * a pair of quotes. Pure: no YAML, no positions (parse-config.ts adds those).
 */

export type PathSegment = string | number;

/** `phases[1].gate.approvals`; `""` for the root; odd keys as `["a b"]`. */
export function formatKeyPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The input schema at `path`, with optional/default/prefault peeled off. */
export function schemaAt(path: readonly PathSegment[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = unwrap(configInputSchema);
  for (const segment of path) {
    if (schema instanceof z.ZodObject && typeof segment === "string") {
      const shape = schema.shape as Record<string, z.ZodType>;
      schema = Object.hasOwn(shape, segment) ? shape[segment] : undefined;
    } else if (schema instanceof z.ZodArray && typeof segment === "number") {
      schema = schema.element as z.ZodType;
    } else {
      return undefined;
    }
    schema = schema ? unwrap(schema) : undefined;
  }
  return schema;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNullable
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The keys a mapping at `path` accepts, in schema order. */
export function knownKeys(path: readonly PathSegment[]): string[] {
  const schema = schemaAt(path);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function lengthBounds(schema: z.ZodType): { min: number | null; max: number | null } {
  let min: number | null = null;
  let max: number | null = null;
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as { check: string; minimum?: unknown; maximum?: unknown };
    if (def.check === "min_length" && typeof def.minimum === "number") min = def.minimum;
    if (def.check === "max_length" && typeof def.maximum === "number") max = def.maximum;
  }
  return { min, max };
}

function rangeText(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return `${min} to ${max}`;
  if (min !== null) return `at least ${min}`;
  if (max !== null) return `at most ${max}`;
  return "";
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "a whole number ≥ 1", "true or false", 'one of "allow", "block"', … */
export function describeExpected(schema: z.ZodType | undefined): string {
  if (schema instanceof z.ZodObject) {
    return `a mapping of "key: value" lines (keys: ${Object.keys(schema.shape).join(", ")})`;
  }
  if (schema instanceof z.ZodArray) {
    const { min, max } = lengthBounds(schema);
    const count = rangeText(min, max);
    return `a list${count ? ` of ${count} entries` : ""} (one "- item" per line)`;
  }
  if (schema instanceof z.ZodString) {
    const min = schema.minLength ?? 0;
    // GitHub limits count code points, checked by a refinement that declares its maxLength as metadata.
    const declared = schema.meta()?.maxLength;
    const max = schema.maxLength ?? (typeof declared === "number" ? declared : null);
    if (max !== null) return `text of ${Math.max(min, 1)} to ${max} characters`;
    return min > 0 ? "non-empty text" : "text";
  }
  if (schema instanceof z.ZodNumber) {
    let text = schema.isInt ? "a whole number" : "a number";
    const min = schema.minValue;
    const max = schema.maxValue;
    if (min !== null && min > Number.MIN_SAFE_INTEGER) text += ` ≥ ${min}`;
    if (max !== null && max < Number.MAX_SAFE_INTEGER) text += ` ≤ ${max}`;
    return text;
  }
  if (schema instanceof z.ZodBoolean) return "true or false";
  if (schema instanceof z.ZodEnum) return `one of ${quoteList(schema.options)}`;
  return "a valid value";
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

/** What the user wrote, in words: `"two"`, `1.5`, `an empty value`, `a list of 3 entries`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") {
    if (value.length <= 60) return JSON.stringify(value);
    return `${JSON.stringify(`${value.slice(0, 40)}…`)} (${value.length} characters)`;
  }
  if (Array.isArray(value)) return `a list of ${plural(value.length, "entry", "entries")}`;
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** Small edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const left = row[j - 1] ?? 0;
      row[j] = Math.min(above + 1, left + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest candidate within 2 edits (ignoring case, `-` and `_`), if any. */
export function closest(word: string, candidates: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of candidates) {
    const distance = editDistance(norm(word), norm(candidate));
    if (distance > 2 || distance >= Math.max(norm(word).length, 1)) continue;
    if (best === null || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  // A key can be as long as the file; the message only has to make it recognisable.
  const shown = key.length <= 60 ? key : `${key.slice(0, 40)}…`;
  const suggestion = closest(key, allowed);
  if (suggestion !== null) return `unknown key "${shown}" (did you mean "${suggestion}"?)`;
  if (allowed.length === 0) return `unknown key "${shown}"`;
  return `unknown key "${shown}" (allowed here: ${allowed.join(", ")})`;
}

/** A hint when the fix is mechanical: quotes added or missing, yes/no for booleans. */
function hint(schema: z.ZodType | undefined, value: unknown): string {
  if (schema instanceof z.ZodString && (typeof value === "number" || typeof value === "boolean")) {
    return ` (put it in quotes: "${String(value)}")`;
  }
  if (
    schema instanceof z.ZodNumber &&
    typeof value === "string" &&
    value.trim() !== "" &&
    Number.isFinite(Number(value))
  ) {
    return " (remove the quotes)";
  }
  if (schema instanceof z.ZodBoolean && typeof value === "string") {
    if (/^(true|false)$/i.test(value)) return " (remove the quotes)";
    if (/^(yes|no|on|off|y|n)$/i.test(value)) return " (write true or false)";
  }
  if (schema instanceof z.ZodArray && typeof value === "string") {
    return ' (write each entry on its own line, starting with "- ")';
  }
  return "";
}

/**
 * Marks messages zod made up itself, so that the schema's own wording (e.g.
 * 'expected a team written as "org/team-slug"') can be told apart and kept.
 */
export const ZOD_DEFAULT_MESSAGE = "\u0000zod-default";

/** Message for one zod issue (not `unrecognized_keys`, which is per key). */
export function issueMessage(issue: z.core.$ZodIssue, value: unknown, parent: unknown): string {
  const path = issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
  const schema = schemaAt(path);
  const got = () => `${describeValue(value)}${hint(schema, value)}`;
  switch (issue.code) {
    case "invalid_type": {
      const key = path[path.length - 1];
      if (value === undefined && typeof key === "string" && isPlainObject(parent)) {
        return `missing required key "${key}"`;
      }
      return `expected ${describeExpected(schema)}, got ${got()}`;
    }
    case "too_small":
    case "too_big": {
      if (Array.isArray(value) && schema) {
        const { min, max } = lengthBounds(schema);
        const key = path[path.length - 1];
        const noun = typeof key === "string" ? key : "entries";
        return `expected ${rangeText(min, max)} ${noun}, got ${value.length}`;
      }
      if (typeof value === "string" && issue.code === "too_big") {
        return `expected ${describeExpected(schema)}, got ${value.length} characters`;
      }
      return `expected ${describeExpected(schema)}, got ${got()}`;
    }
    case "invalid_value": {
      const options = issue.values.map(String);
      const suggestion = typeof value === "string" ? closest(value, options) : null;
      const didYouMean = suggestion === null ? "" : ` (did you mean "${suggestion}"?)`;
      return `expected one of ${quoteList(issue.values)}, got ${describeValue(value)}${didYouMean}`;
    }
    case "invalid_format":
      if (issue.message !== ZOD_DEFAULT_MESSAGE)
        return `${issue.message}, got ${describeValue(value)}`;
      return `expected text in ${issue.format} format, got ${describeValue(value)}`;
    case "custom":
      return issue.message;
    default:
      // Codes the schema cannot produce today (unions, records, …): zod's own words.
      return issue.message;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
