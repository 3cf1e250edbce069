import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../sandbox/run-app.js";
import { DEFAULT_CONFIG } from "../../../src/cli/default-config.js";
import { NEXT_STEPS } from "../../../src/cli/init.js";

// The package is not on the npm registry: outside a clone, `npx phase-gates`
// fetches whatever package of that name the registry holds (a 404 today, someone
// else's code tomorrow). No text we ship or show tells anyone to run it.

function files(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|md|sh|yml)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe("no `npx phase-gates` in what people read", () => {
  it.each([
    ["init's next steps", NEXT_STEPS],
    ["the default config's header", DEFAULT_CONFIG],
  ])("%s name the installed command", (_name, text) => {
    expect(text).not.toMatch(/npx phase-gates/);
    expect(text).toMatch(/phase-gates (validate|status)/);
  });

  it("README, CONTRIBUTING, src/ and sandbox/ mention it only to warn against it", () => {
    const paths = [
      ...files("src"),
      ...files("sandbox"),
      join(REPO_ROOT, "README.md"),
      join(REPO_ROOT, "CONTRIBUTING.md"),
    ];
    const hits = paths.flatMap((path) =>
      readFileSync(path, "utf8")
        .split("\n")
        .filter(
          (line) => /npx phase-gates/.test(line) && !/Do not run `npx phase-gates`/.test(line),
        )
        .map((line) => `${path}: ${line.trim()}`),
    );
    expect(hits).toEqual([]);
  });
});
