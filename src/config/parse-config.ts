import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from "yaml";
import type { z } from "zod";
import {
  formatKeyPath,
  isPlainObject,
  issueMessage,
  knownKeys,
  type PathSegment,
  unknownKeyMessage,
  ZOD_DEFAULT_MESSAGE,
} from "./describe-issue.js";
import { keyName, readYaml } from "./read-yaml.js";
import { type Config, configSchema } from "./schema.js";

/**
 * Pure parsing of `.github/phase-gates.yml` (SPEC §1): YAML text in, a typed
 * config or every error with file, key path, line and column out. No I/O —
 * github/load-config.ts fetches the texts, this decides what they mean.
 */

export interface ConfigSource {
  /** Path of the file inside its repository, e.g. `.github/phase-gates.yml`. */
  path: string;
  text: string;
  /** `owner/repo` it came from; when set, errors name the file `owner/repo:path`. */
  repo?: string;
}

export interface ConfigError {
  /** `octo/app:.github/phase-gates.yml` or `.github/phase-gates.yml`. */
  file: string;
  /** `phases[1].gate.approvals`, or `""` for the whole file. */
  keyPath: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** For people: what was expected and what was found. */
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

interface ParsedFile {
  index: number;
  name: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The file's settings, `_extends` removed; `{}` for an empty file. */
  value: Record<string, unknown>;
}

interface PlacedError extends ConfigError {
  fileIndex: number;
}

/**
 * Warnings the yaml package emits that do not change what the file means
 * (an unknown `%directive`, a flow collection indented less than its parent).
 * Every other warning — an unresolved `!tag` that silently becomes a string,
 * an ambiguous alias — is an error: a config must never mean something else
 * than what its author sees.
 */
const HARMLESS_YAML_WARNINGS = new Set(["BAD_DIRECTIVE", "BAD_INDENT"]);

/**
 * Largest config file read, in UTF-8 bytes. A real config is a few KB; a
 * larger file is refused unread so that no input can make parsing slow.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * How many times aliases may copy an anchor's value (the `yaml` package's
 * `maxAliasCount`): enough for any config, far too few for a "billion laughs".
 */
export const MAX_ALIAS_COUNT = 100;

/** One file, no `_extends` chain. */
export function parseConfigText(source: ConfigSource): ConfigResult {
  return parseConfigSources([source]);
}

/**
 * `sources[0]` is the repository's own file; later entries are what it
 * `_extends`, in order. Earlier files win: plain objects merge deeply, every
 * other value (lists included — a repo's `phases` replaces the base's) is
 * taken whole from the first file that sets it. Each error names the file
 * that supplied the offending value. An empty list means no settings at all,
 * i.e. the defaults.
 */
export function parseConfigSources(sources: readonly ConfigSource[]): ConfigResult {
  const files: ParsedFile[] = [];
  const yamlErrors: PlacedError[] = [];
  sources.forEach((source, index) => {
    const read = readFile(source, index);
    if (read.ok) files.push(read.file);
    else yamlErrors.push(...read.errors);
  });
  // Values of a file that is not valid YAML are guesses: report its syntax
  // first rather than schema errors about a structure the author did not mean.
  if (yamlErrors.length > 0) return { ok: false, errors: finish(yamlErrors) };

  const merged = files.reduceRight<Record<string, unknown>>(
    (later, file) => mergeEarlierWins(later, file.value),
    {},
  );
  const result = configSchema.safeParse(merged, {
    error: (issue) => (issue.code === "invalid_format" ? ZOD_DEFAULT_MESSAGE : undefined),
  });
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: finish(schemaErrors(result.error.issues, merged, files, sources)) };
}

type ReadResult = { ok: true; file: ParsedFile } | { ok: false; errors: PlacedError[] };

function displayName(source: ConfigSource): string {
  if (!source.repo || source.path.startsWith(`${source.repo}:`)) return source.path;
  return `${source.repo}:${source.path}`;
}

/** UTF-8 length without encoding: a lone surrogate becomes U+FFFD, 3 bytes. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function toJsFailure(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  if (/excessive alias count/i.test(reason)) {
    return `the aliases (*name) expand into more than ${MAX_ALIAS_COUNT} copies of their anchors; write the values out instead (a "billion laughs" file is refused)`;
  }
  if (/merge sources must be maps/i.test(reason)) {
    return 'invalid YAML: a merge key "<<" must be followed by a mapping or an alias of one';
  }
  return `the YAML could not be read: ${lowerFirst(reason)}`;
}

function readFile(source: ConfigSource, index: number): ReadResult {
  const name = displayName(source);
  const bytes = utf8Length(source.text);
  if (bytes > MAX_CONFIG_BYTES) {
    const message = `the file is ${bytes.toLocaleString("en-US")} bytes, over the ${MAX_CONFIG_BYTES / 1024} KB limit for a config file (${MAX_CONFIG_BYTES.toLocaleString("en-US")} bytes); it was not read`;
    return {
      ok: false,
      errors: [{ fileIndex: index, file: name, keyPath: "", line: 1, column: 1, message }],
    };
  }
  const lineCounter = new LineCounter();
  const at = (offset: number, keyPath: string, message: string): PlacedError => ({
    fileIndex: index,
    file: name,
    keyPath,
    ...position(lineCounter, offset),
    message,
  });
  // Probot reads configs with js-yaml, which honours `<<: *anchor`; so do we.
  // Pure module: problems are returned, never printed by the yaml package.
  const read = readYaml(source.text, lineCounter, { merge: true, logLevel: "error" });
  if (!read.ok) {
    const { offset, path, message } = read.problem;
    return { ok: false, errors: [at(offset, formatKeyPath(path), message)] };
  }
  const { doc } = read;

  const problems = [
    ...doc.errors,
    ...doc.warnings.filter((warning) => !HARMLESS_YAML_WARNINGS.has(warning.code)),
  ];
  const errors = [
    ...problems.map((problem) => {
      const offset = problem.pos[0];
      // Warnings come from a well-formed tree, so the key path is reliable;
      // for syntax errors it would be a guess.
      const path = problem.name === "YAMLWarning" ? pathAtOffset(doc.contents, offset) : [];
      return at(offset, formatKeyPath(path), yamlErrorMessage(problem, source.text));
    }),
    ...read.problems.map(({ offset, path, message }) => at(offset, formatKeyPath(path), message)),
  ];
  if (errors.length > 0) return { ok: false, errors };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, errors: [at(0, "", toJsFailure(error))] };
  }
  if (value === null || value === undefined) value = {};
  if (!isPlainObject(value)) {
    const message = `expected settings written as "key: value" lines (a mapping, e.g. "phases:"), got ${rootKind(value)}`;
    return { ok: false, errors: [{ ...at(0, "", message), line: 1, column: 1 }] };
  }
  // `_extends` is how the chain is built (github/load-config.ts), not a setting.
  const settings = Object.fromEntries(Object.entries(value).filter(([key]) => key !== "_extends"));
  return { ok: true, file: { index, name, doc, lineCounter, value: settings } };
}

function rootKind(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string")
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `the value ${String(value)}`;
}

function yamlErrorMessage(error: YAMLError, text: string): string {
  switch (error.code) {
    case "BLOCK_AS_IMPLICIT_KEY": {
      // `label: phase: crawl` — the most common YAML slip with our default label names.
      const value = lineAt(text, error.pos[0])
        .replace(/\s+#.*$/, "")
        .trim();
      const example = value && !/["']/.test(value) ? `"${value}"` : 'label: "phase: crawl"';
      return `invalid YAML: a value contains ": "; put it in quotes, like ${example}`;
    }
    case "TAB_AS_INDENT":
      return "invalid YAML: a tab is used for indentation; indent with spaces";
    case "MULTIPLE_DOCS":
      return 'invalid YAML: the file holds more than one document ("---"); keep a single one';
    case "TAG_RESOLVE_FAILED":
      return `invalid YAML: ${lowerFirst(error.message)} (tags like "!env" are not supported; write the value itself)`;
    default:
      return `invalid YAML: ${lowerFirst(error.message)}`;
  }
}

function lineAt(text: string, offset: number): string {
  const end = text.indexOf("\n", offset);
  return text.slice(offset, end === -1 ? undefined : end);
}

function lowerFirst(message: string): string {
  return /^[A-Z][a-z]/.test(message) ? message.charAt(0).toLowerCase() + message.slice(1) : message;
}

function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function contains(node: unknown, offset: number): boolean {
  return (
    isNode(node) &&
    node.range !== undefined &&
    node.range !== null &&
    node.range[0] <= offset &&
    offset < node.range[2]
  );
}

/**
 * Index of the last of `count` items (in source order) that starts at or
 * before `offset`, or -1: a binary search, so that thousands of warnings in
 * one long list stay linear.
 */
function lastStartingBefore(
  count: number,
  offset: number,
  start: (index: number) => number | undefined,
): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = start(mid);
    if (at !== undefined && at <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function nodeStart(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

/** Key path of the node at `offset` (for YAML warnings). */
function pathAtOffset(node: unknown, offset: number, path: PathSegment[] = []): PathSegment[] {
  if (isMap(node)) {
    const pair =
      node.items[
        lastStartingBefore(node.items.length, offset, (i) => {
          const p = node.items[i];
          return p && (nodeStart(p.key) ?? nodeStart(p.value));
        })
      ];
    if (!pair) return path;
    const end = isNode(pair.value)
      ? pair.value.range?.[2]
      : isNode(pair.key)
        ? pair.key.range?.[2]
        : undefined;
    if (end === undefined || offset >= end) return path;
    // Between key and value sit the `:` and any `!tag` or `&anchor` of the value.
    const key = keyName(pair.key);
    return contains(pair.value, offset)
      ? pathAtOffset(pair.value, offset, [...path, key])
      : [...path, key];
  }
  if (isSeq(node)) {
    const index = lastStartingBefore(node.items.length, offset, (i) => nodeStart(node.items[i]));
    if (index >= 0 && contains(node.items[index], offset)) {
      return pathAtOffset(node.items[index], offset, [...path, index]);
    }
  }
  return path;
}

function mergeEarlierWins(later: unknown, earlier: unknown): Record<string, unknown> {
  const base = isPlainObject(later) ? later : {};
  const top = isPlainObject(earlier) ? earlier : {};
  const entries = new Map<string, unknown>(Object.entries(base));
  for (const [key, value] of Object.entries(top)) {
    const below = entries.get(key);
    entries.set(
      key,
      isPlainObject(value) && isPlainObject(below) ? mergeEarlierWins(below, value) : value,
    );
  }
  return Object.fromEntries(entries);
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === "number") value = value[segment];
    else if (isPlainObject(value) && typeof segment === "string" && Object.hasOwn(value, segment)) {
      value = value[segment];
    } else return undefined;
  }
  return value;
}

/**
 * The file whose value ended up at `path` after the merge: at each key, the
 * first file that sets it, plus the following ones for as long as they all
 * hold plain objects (which merged); a list or scalar belongs to one file.
 */
function owningFile(
  files: readonly ParsedFile[],
  path: readonly PathSegment[],
): ParsedFile | undefined {
  let owners = files.map((file) => ({ file, value: file.value as unknown }));
  for (const segment of path) {
    const next: typeof owners = [];
    if (typeof segment === "number") {
      const first = owners[0];
      if (first && Array.isArray(first.value) && segment < first.value.length) {
        next.push({ file: first.file, value: first.value[segment] });
      }
    } else {
      for (const { file, value } of owners) {
        if (!isPlainObject(value) || !Object.hasOwn(value, segment)) continue;
        const child = value[segment];
        if (next.length > 0 && !isPlainObject(child)) break;
        next.push({ file, value: child });
        if (!isPlainObject(child)) break;
      }
    }
    if (next.length === 0) break;
    owners = next;
  }
  return owners[0]?.file ?? files[0];
}

interface Located {
  /** Node at the end of the path, or the deepest one that exists. */
  node: Node | null;
  /** Key node of the pair that holds `node`, when `node` is a mapping value. */
  key: Node | null;
  exact: boolean;
}

/**
 * Pairs of a mapping by key name, the first one winning as in a linear scan;
 * built once per mapping so that thousands of errors in one mapping stay linear.
 */
const pairsByKey = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairNamed(map: YAMLMap, key: string): Pair | undefined {
  let index = pairsByKey.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      const name = keyName(pair.key);
      if (!index.has(name)) index.set(name, pair);
    }
    pairsByKey.set(map, index);
  }
  return index.get(key);
}

/** Alias targets, cached: `resolve()` walks the whole document on every call. */
const aliasTargets = new WeakMap<Alias, unknown>();

function resolveAlias(alias: Alias, doc: Document.Parsed): unknown {
  if (!aliasTargets.has(alias)) aliasTargets.set(alias, alias.resolve(doc));
  return aliasTargets.get(alias);
}

function findNode(doc: Document.Parsed, path: readonly PathSegment[]): Located {
  let node: Node | null = doc.contents;
  let key: Node | null = null;
  let depth = 0;
  for (const segment of path) {
    const here: unknown = isAlias(node) ? resolveAlias(node, doc) : node;
    if (isMap(here) && typeof segment === "string") {
      const pair = pairNamed(here, segment);
      if (!pair) break;
      key = isNode(pair.key) ? pair.key : null;
      node = isNode(pair.value) ? pair.value : null;
    } else if (isSeq(here) && typeof segment === "number" && segment < here.items.length) {
      const item = here.items[segment];
      key = null;
      node = isNode(item) ? item : null;
    } else {
      break;
    }
    depth++;
  }
  return { node, key, exact: depth === path.length };
}

/** Offset to report for a located node: the key for mappings/lists and empty values. */
function reportOffset({ node, key }: Located): number {
  const range = node?.range;
  const emptyValue = node === null || (isScalar(node) && range != null && range[0] === range[1]);
  const target = key !== null && (emptyValue || isCollection(node)) ? key : node;
  return target?.range?.[0] ?? 0;
}

function schemaErrors(
  issues: readonly z.core.$ZodIssue[],
  merged: Record<string, unknown>,
  files: readonly ParsedFile[],
  sources: readonly ConfigSource[],
): PlacedError[] {
  const place = (path: PathSegment[], keyOnly: boolean, message: string): PlacedError => {
    const file = owningFile(files, path);
    if (!file) {
      // No file parsed (an empty chain): nothing to point at.
      const name = sources[0] ? displayName(sources[0]) : "";
      return {
        fileIndex: 0,
        file: name,
        keyPath: formatKeyPath(path),
        line: 1,
        column: 1,
        message,
      };
    }
    const located = findNode(file.doc, path);
    const offset =
      keyOnly && located.exact && located.key
        ? (located.key.range?.[0] ?? 0)
        : reportOffset(located);
    return {
      fileIndex: file.index,
      file: file.name,
      keyPath: formatKeyPath(path),
      ...position(file.lineCounter, offset),
      message,
    };
  };

  const pathOf = (issue: z.core.$ZodIssue) =>
    issue.path.filter((s): s is PathSegment => typeof s !== "symbol");
  // zod also runs length checks on a value of the wrong type ("phases: abc"
  // is too short); the type error alone is the useful one.
  const wrongType = new Set(
    issues.filter((i) => i.code === "invalid_type").map((i) => formatKeyPath(pathOf(i))),
  );

  const errors: PlacedError[] = [];
  for (const issue of issues) {
    const path = pathOf(issue);
    if (issue.code === "unrecognized_keys") {
      const allowed = knownKeys(path);
      for (const key of issue.keys) {
        errors.push(place([...path, key], true, unknownKeyMessage(key, allowed)));
      }
      continue;
    }
    if (
      (issue.code === "too_small" || issue.code === "too_big") &&
      wrongType.has(formatKeyPath(path))
    )
      continue;
    const message = issueMessage(issue, valueAt(merged, path), valueAt(merged, path.slice(0, -1)));
    errors.push(place(path, false, message));
  }
  return errors;
}

/** Sorted by file (chain order), line, column; exact repeats dropped. */
function finish(errors: readonly PlacedError[]): ConfigError[] {
  const seen = new Set<string>();
  return [...errors]
    .sort((a, b) => a.fileIndex - b.fileIndex || a.line - b.line || a.column - b.column)
    .flatMap(({ fileIndex: _, ...error }) => {
      const id = JSON.stringify(error);
      if (seen.has(id)) return [];
      seen.add(id);
      return [error];
    });
}
