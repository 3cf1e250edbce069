import { z } from "zod";
import { configInputSchema } from "./schema.js";

/**
 * Where editors fetch the schema: the committed file on the default branch
 * (`# yaml-language-server: $schema=<this URL>`), so `$id` is also a URL that resolves.
 */
export const SCHEMA_ID =
  "https://raw.githubusercontent.com/phase-gates/phase-gates/main/phase-gates.schema.json";

/** Where `npm run schema` writes the schema, relative to the repository root. */
export const SCHEMA_FILE_NAME = "phase-gates.schema.json";

/**
 * JSON Schema (2020-12) of what a user may write in `.github/phase-gates.yml`,
 * generated from the zod input schema so it cannot drift from validation.
 * Cross-field rules (unique ids, no gate on the last phase) are not expressible
 * here; the app reports them with line and column.
 */
export function buildJsonSchema(): Record<string, unknown> {
  const { $schema, ...generated } = z.toJSONSchema(configInputSchema, { io: "input" });
  const properties = (generated.properties ?? {}) as Record<string, unknown>;
  return {
    $schema,
    $id: SCHEMA_ID,
    title: "phase-gates configuration (.github/phase-gates.yml)",
    description:
      "Crawl → Walk → Run phase gates for a repository. Every key is optional; an empty file means the defaults.",
    ...generated,
    properties: {
      ...properties,
      // Read by the loader (Probot's convention), stripped before validation;
      // declared so editors do not flag it under additionalProperties: false.
      _extends: {
        type: "string",
        description:
          'Inherit settings from another repository\'s config: "repo", "owner/repo" or "owner/repo:path/to/file.yml". Settings in this file win.',
      },
    },
  };
}

/** The file's exact contents: pretty JSON with a trailing newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
