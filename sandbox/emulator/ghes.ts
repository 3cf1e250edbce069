import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** Template with parameter names blanked: the emulator's `{id}` and GitHub's `{check_run_id}` compare equal. */
export function templateShape(path: string): string {
  return path.replace(/\{[^}]+\}/g, "{}");
}

const METHODS = ["get", "post", "put", "patch", "delete", "head"] as const;

/**
 * Every REST operation a GitHub Enterprise Server version has, as
 * "METHOD /shape" keys, read from GitHub's own description of that version
 * (`@octokit/openapi`, a devDependency: the sandbox is never shipped).
 */
export function ghesOperations(version: string): Set<string> {
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = require.resolve(`@octokit/openapi/generated/ghes-${version}.json`);
  } catch {
    throw new Error(
      `GitHub publishes no REST description of GHES ${version} in @octokit/openapi (it carries the versions GitHub supports)`,
    );
  }
  const description = JSON.parse(readFileSync(file, "utf8")) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const operations = new Set<string>();
  for (const [path, item] of Object.entries(description.paths)) {
    for (const method of METHODS) {
      if (item[method]) operations.add(`${method.toUpperCase()} ${templateShape(path)}`);
    }
  }
  return operations;
}
