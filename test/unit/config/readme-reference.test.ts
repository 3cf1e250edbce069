import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildJsonSchema } from "../../../src/config/json-schema.js";

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
}

/** Every key path the schema accepts, in the README's notation (`phases[].gate.label`). */
function keyPaths(node: SchemaNode, prefix = ""): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    paths.push(`${prefix}${key}`, ...keyPaths(child, `${prefix}${key}.`));
  }
  if (node.items) paths.push(...keyPaths(node.items, `${prefix.replace(/\.$/, "")}[].`));
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) {
    paths.push(...keyPaths(alt, prefix));
  }
  return paths;
}

/** Keys the reference table leaves to prose: containers explained by their children, and `_extends`. */
const DOCUMENTED_ELSEWHERE = new Set(["sync", "phases[].gate.approvers", "_extends"]);

describe("README config reference", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("<!-- config-reference");
  // Up to the next section: other tables (the sandbox's variables) follow it.
  const table = readme.slice(start, readme.indexOf("\n## ", start));
  const documented = [...table.matchAll(/^\| `([^`]+)`\s*\|/gm)].map((m) => m[1]);

  it("documents every key of the schema", () => {
    const missing = keyPaths(buildJsonSchema() as SchemaNode).filter(
      (p) => !DOCUMENTED_ELSEWHERE.has(p) && !documented.includes(p),
    );
    expect(missing).toEqual([]);
  });

  it("documents no key the schema does not have", () => {
    const known = new Set(keyPaths(buildJsonSchema() as SchemaNode));
    expect(documented.filter((p) => p !== undefined && !known.has(p))).toEqual([]);
  });
});
