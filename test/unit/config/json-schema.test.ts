import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  buildJsonSchema,
  renderJsonSchema,
  SCHEMA_FILE_NAME,
} from "../../../src/config/json-schema.js";

describe("phase-gates.schema.json", () => {
  it("is fresh: run `npm run schema` and commit the result if this fails", () => {
    const committed = readFileSync(
      new URL(`../../../${SCHEMA_FILE_NAME}`, import.meta.url),
      "utf8",
    );
    expect(committed, "phase-gates.schema.json is stale: run `npm run schema`").toBe(
      renderJsonSchema(),
    );
  });

  it("describes the file for editors: strict, with defaults and _extends", () => {
    const schema = buildJsonSchema();
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: expect.any(String),
      title: expect.stringContaining("phase-gates"),
      type: "object",
      additionalProperties: false,
      properties: {
        phases: { type: "array", minItems: 2, maxItems: 10 },
        unphased: { enum: ["allow", "block"], default: "allow" },
        _extends: { type: "string" },
      },
    });
    const phase = (schema.properties as { phases: { items: Record<string, unknown> } }).phases
      .items;
    expect(phase).toMatchObject({ required: ["id"], additionalProperties: false });
  });
});
