import {
  Composer,
  CST,
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  type LineCounter,
  type Node,
  Parser,
  YAMLParseError,
} from "yaml";
import type { PathSegment } from "./describe-issue.js";

/**
 * YAML text → document, guarded against input that would make the `yaml`
 * package slow or blow the stack: deep nesting is refused before the
 * (recursive) composer sees it, and duplicate keys are found here in linear
 * time because the package's own `uniqueKeys` check compares every key with
 * every earlier one (seconds for a 256 KB file of short keys).
 */

/** Deepest nesting of mappings and lists a config may have (aliases expanded). */
export const MAX_NESTING_DEPTH = 64;

/** Problems the `yaml` package does not report as errors, with their key path when known. */
export interface YamlProblem {
  offset: number;
  path: PathSegment[];
  message: string;
}

export type ReadYamlResult =
  | { ok: true; doc: Document.Parsed; problems: YamlProblem[] }
  | { ok: false; problem: YamlProblem };

const TOO_DEEP = `the settings are nested more than ${MAX_NESTING_DEPTH} levels deep (lists and mappings inside each other); a config needs far fewer`;

/** Tokens that may precede a line's first block indicator ("--- - a" is one list). */
const LINE_START_TYPES = new Set<string | null>([
  "space",
  "doc-mode",
  "doc-start",
  "byte-order-mark",
]);

export function readYaml(
  text: string,
  lineCounter: LineCounter,
  options: { merge: boolean; logLevel: "error" },
): ReadYamlResult {
  // Parser.parse() with the lexing done here, so that a nesting bomb ("[[[[…",
  // "- - - - …") is refused at its 65th level instead of after parsing 256 KB.
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const tokens: CST.Token[] = [];
  let flowDepth = 0;
  // "- - - a" and "? ? a" nest one block collection per indicator at the start of a line.
  let lineIndicators = 0;
  let atLineStart = true;
  let scalarNext = false;
  for (const lexeme of new Lexer().lex(text)) {
    let depth = 0;
    const type = scalarNext ? "scalar" : CST.tokenType(lexeme);
    scalarNext = lexeme === CST.SCALAR;
    if (type === "newline") {
      atLineStart = true;
      lineIndicators = 0;
    } else if (type === "seq-item-ind" || type === "explicit-key-ind") {
      if (atLineStart) depth = ++lineIndicators;
    } else if (!LINE_START_TYPES.has(type)) atLineStart = false;
    if (type === "flow-seq-start" || type === "flow-map-start") depth = ++flowDepth;
    else if (type === "flow-seq-end" || type === "flow-map-end") {
      flowDepth = Math.max(0, flowDepth - 1);
    }
    // The lexer closes every open bracket when a block line ends a broken flow collection.
    else if (type === "flow-error-end") flowDepth = 0;
    if (depth > MAX_NESTING_DEPTH) {
      return { ok: false, problem: { offset: parser.offset, path: [], message: TOO_DEEP } };
    }
    for (const token of parser.next(lexeme)) tokens.push(token);
  }
  for (const token of parser.end()) tokens.push(token);

  // Block nesting ("- - - - …") is only known once the tokens are parsed.
  const deep = tooDeepOffset(tokens);
  if (deep !== null) return { ok: false, problem: { offset: deep, path: [], message: TOO_DEEP } };

  // What parseDocument() does with the tokens, minus the lexing done above.
  const composer = new Composer({
    lineCounter,
    keepSourceTokens: true,
    prettyErrors: false,
    uniqueKeys: false,
    merge: options.merge,
    logLevel: options.logLevel,
  });
  let doc: Document.Parsed | null = null;
  for (const next of composer.compose(tokens, true, text.length)) {
    if (doc === null) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          "MULTIPLE_DOCS",
          "Source contains multiple documents",
        ),
      );
      break;
    }
  }
  // compose(…, forceDoc) always yields a document; this keeps the no-throw promise regardless.
  if (doc === null) {
    return { ok: false, problem: { offset: 0, path: [], message: "the YAML could not be read" } };
  }
  return { ok: true, doc, problems: documentProblems(doc) };
}

/** Offset of the first collection nested deeper than allowed, walking without recursion. */
function tooDeepOffset(tokens: readonly CST.Token[]): number | null {
  const stack: { token: CST.Token; depth: number }[] = tokens.map((token) => ({
    token,
    depth: 0,
  }));
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { token, depth } = next;
    if (token.type === "document") {
      if (token.value) stack.push({ token: token.value, depth });
      continue;
    }
    if (
      token.type !== "block-map" &&
      token.type !== "block-seq" &&
      token.type !== "flow-collection"
    )
      continue;
    if (depth + 1 > MAX_NESTING_DEPTH) return token.offset;
    for (const item of token.items) {
      if ("key" in item && item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * A mapping key as the config's key paths show it (JS object keys are
 * strings). A mapping or list used as a key is shown as the package prints
 * it, which can fail (a merge key inside it); such a key is shown as "?".
 */
export function keyName(node: unknown): string {
  if (isScalar(node)) {
    return typeof node.value === "symbol" ? (node.value.description ?? "") : String(node.value);
  }
  try {
    return String(node);
  } catch {
    return "?";
  }
}

/** The same equality as the `yaml` package's `uniqueKeys: true`, as a Set key. */
function uniqueKeyOf(node: unknown): unknown {
  if (!isScalar(node)) return node; // collections and aliases: only the same node is equal
  // NaN !== NaN in the package's check; symbols (`<<` merge keys) are fresh per key.
  return typeof node.value === "number" && Number.isNaN(node.value) ? {} : node.value;
}

/**
 * Duplicate keys, aliases used inside their own anchor (an endless value),
 * and aliases whose expansion nests deeper than allowed. The document is at
 * most MAX_NESTING_DEPTH deep here, so plain recursion is safe.
 */
function documentProblems(doc: Document.Parsed): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const anchors = new Map<string, Node>();
  /** Nesting depth of every collection walked, aliases expanded. */
  const depths = new Map<Node, number>();
  const open = new Set<Node>();

  const walk = (node: unknown, path: PathSegment[], enclosing: number): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) return 0; // the package reports unresolved aliases
      if (open.has(target)) {
        problems.push({
          offset: node.range?.[0] ?? 0,
          path,
          message: `the alias *${node.source} is used inside its own anchor &${node.source}, which makes the value endless`,
        });
        return 0;
      }
      const depth = depths.get(target) ?? 0;
      if (enclosing + depth > MAX_NESTING_DEPTH) {
        problems.push({
          offset: node.range?.[0] ?? 0,
          path,
          message: `the alias *${node.source} nests the settings more than ${MAX_NESTING_DEPTH} levels deep`,
        });
      }
      return depth;
    }
    if (!isMap(node) && !isSeq(node)) {
      if (isScalar(node) && node.anchor) anchors.set(node.anchor, node);
      return 0;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    open.add(node);
    let deepest = 0;
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = keyName(pair.key);
        const unique = uniqueKeyOf(pair.key);
        if (seen.has(unique) && isScalar(pair.key)) {
          const offset = pair.key.range?.[0] ?? 0;
          problems.push({
            offset,
            path: [...path, key],
            message: `duplicate key "${key}" (a key may appear only once in the same mapping)`,
          });
        }
        seen.add(unique);
        deepest = Math.max(deepest, walk(pair.key, path, enclosing + 1));
        deepest = Math.max(deepest, walk(pair.value, [...path, key], enclosing + 1));
      }
    } else {
      node.items.forEach((item, i) => {
        const child = isPair(item) ? item.value : item;
        deepest = Math.max(deepest, walk(child, [...path, i], enclosing + 1));
      });
    }
    open.delete(node);
    depths.set(node, deepest + 1);
    return deepest + 1;
  };
  walk(doc.contents, [], 0);
  return problems;
}
