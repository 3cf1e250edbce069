import { describe, expect, it } from "vitest";
import { checkSchema } from "../helpers/json-schema.js";

const root = {
  components: {
    schemas: {
      user: {
        type: "object",
        required: ["login", "url"],
        properties: { login: { type: "string" }, url: { type: "string", format: "uri" } },
      },
      milestone: {
        anyOf: [
          { type: "null" },
          {
            type: "object",
            required: ["creator"],
            properties: { creator: { $ref: "#/components/schemas/user" } },
          },
        ],
      },
    },
  },
};
const user = { $ref: "#/components/schemas/user" };
const good = { login: "octo", url: "https://api.github.com/users/octo" };

describe("checkSchema (the subset of JSON Schema GitHub's descriptions use)", () => {
  it.each([
    ["a conforming value", user, good, []],
    [
      "a required field left out",
      user,
      { login: "octo" },
      ['(root): required field "url" is missing'],
    ],
    ["a wrong type", user, { ...good, login: 3 }, ["/login: must be string (got 3)"]],
    [
      "a bot URL with raw brackets (GitHub escapes them)",
      user,
      { login: "app[bot]", url: "https://api.github.com/users/app[bot]" },
      ['/url: must match format "uri" (got "https://api.github.com/users/app[bot]")'],
    ],
    [
      "an escaped bot URL",
      user,
      { login: "app[bot]", url: "https://api.github.com/users/app%5Bbot%5D" },
      [],
    ],
    [
      "a value outside the enum",
      { enum: ["open", "closed"] },
      "merged",
      ['expected one of ["open","closed"], got "merged"'],
    ],
    ["OpenAPI 3.0 nullable", { type: "string", nullable: true }, null, []],
    ["a type list with null", { type: ["string", "null"] }, null, []],
    ["an integer where a number goes", { type: "number" }, 3, []],
    ["a date-time", { type: "string", format: "date-time" }, "2026-12-07T05:00:00Z", []],
    [
      "not a date-time",
      { type: "string", format: "date-time" },
      "yesterday",
      ['must match format "date-time" (got "yesterday")'],
    ],
    [
      "a choice: the branch of the value's own type is reported",
      { $ref: "#/components/schemas/milestone" },
      { creator: { login: "octo" } },
      ['/creator: required field "url" is missing'],
    ],
    ["a choice that fits", { $ref: "#/components/schemas/milestone" }, null, []],
    [
      "items of a list",
      { type: "array", items: user },
      [good, { login: "x" }],
      ['/1: required field "url" is missing'],
    ],
  ])("%s", (_what, schema, value, expected) => {
    const problems = checkSchema(root, schema, value).map((p) =>
      p.at ? `${p.at}: ${p.message}` : p.message,
    );
    expect(problems).toEqual(expected);
  });
});
