import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generatePrivateKey } from "../../../sandbox/run-app.js";
import { logFormatFor } from "../../../src/start/log.js";
import { checkPrivateKey, normalisePrivateKey } from "../../../src/start/private-key.js";

const pem = generatePrivateKey();
const escaped = pem.trim().replace(/\n/g, "\\n");
const cwd = mkdtempSync(join(tmpdir(), "phase-gates-key-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("normalisePrivateKey", () => {
  it.each([
    ["the PEM as it is", pem, []],
    [
      "double quotes and \\n escapes (docker --env-file)",
      `"${escaped}"`,
      ["surrounding quotes removed", "literal \\n read as line breaks"],
    ],
    ["single quotes around real line breaks", `'${pem}'`, ["surrounding quotes removed"]],
    ["\\n escapes without quotes", escaped, ["literal \\n read as line breaks"]],
    ["base64 of the PEM (Probot takes it too)", Buffer.from(pem).toString("base64"), []],
  ])("%s", (_name, raw, fixes) => {
    const result = normalisePrivateKey(raw);
    expect(result.pem).toBe(pem);
    expect(result.fixes).toEqual(fixes);
  });
});

describe("checkPrivateKey", () => {
  it.each([
    ["no key anywhere", {}, false, "none"],
    ["a valid key", { PRIVATE_KEY: pem }, false, "valid"],
    ["a quoted key from the environment", { PRIVATE_KEY: `"${escaped}"` }, false, "valid"],
    [
      "a quoted key from .env, which Probot reads again itself",
      { PRIVATE_KEY: `"${escaped}"` },
      true,
      "refused",
    ],
    ["half a key", { PRIVATE_KEY: pem.slice(0, 300) }, false, "refused"],
    ["a path to nothing", { PRIVATE_KEY_PATH: "nothing.pem" }, false, "refused"],
  ])("%s: %s", (_name, env, fromDotEnv, kind) => {
    expect(checkPrivateKey(env, { cwd, fromDotEnv }).kind).toBe(kind);
  });

  it("checks a *.pem file in the working directory, as Probot finds one", () => {
    const dir = mkdtempSync(join(cwd, "pem-"));
    writeFileSync(join(dir, "app.private-key.pem"), "not a key");
    const result = checkPrivateKey({}, { cwd: dir, fromDotEnv: false });
    expect(result).toMatchObject({
      kind: "refused",
      message: expect.stringMatching(/^the \.pem file/),
    });
  });
});

describe("logFormatFor", () => {
  it.each([
    [{}, "pretty"],
    [{ NODE_ENV: "production" }, "json"],
    [{ LOG_FORMAT: "json" }, "json"],
    [{ NODE_ENV: "production", LOG_FORMAT: "pretty" }, "pretty"],
    [{ NODE_ENV: "production", LOG_FORMAT: "" }, "json"],
  ])("%o → %s", (env, format) => {
    expect(logFormatFor(env)).toEqual({ ok: true, format });
  });

  it("refuses a format it does not know, naming the two it does", () => {
    expect(logFormatFor({ LOG_FORMAT: "yaml" })).toEqual({
      ok: false,
      message: "LOG_FORMAT=yaml is not a log format: use json or pretty.",
    });
  });
});
