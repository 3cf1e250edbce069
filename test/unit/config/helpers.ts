import { readFileSync } from "node:fs";
import { formatConfigError } from "../../../src/config/format-config-error.js";
import { type ConfigResult, parseConfigText } from "../../../src/config/parse-config.js";
import type { Config } from "../../../src/config/schema.js";

export const FILE = ".github/phase-gates.yml";

/** YAML from lines, so a test's line numbers can be read off the array index + 1. */
export function yaml(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

export function fixture(name: string): string {
  return readFileSync(new URL(`../../../fixtures/configs/${name}`, import.meta.url), "utf8");
}

export function parse(text: string): ConfigResult {
  return parseConfigText({ path: FILE, text });
}

/** The config, or a failure that shows the errors instead of `ok: false`. */
export function configOf(text: string): Config {
  const result = parse(text);
  if (!result.ok)
    throw new Error(
      `expected a valid config, got:\n${result.errors.map(formatConfigError).join("\n")}`,
    );
  return result.config;
}

/** Every error as `line:column keyPath: message`, the file name left out. */
export function errorsOf(result: ConfigResult): string[] {
  if (result.ok) return [];
  return result.errors.map((e) => `${e.line}:${e.column} ${e.keyPath}: ${e.message}`);
}
