import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../sandbox/run-app.js";

describe("REPO_ROOT", () => {
  // sandbox/ (tsx, vitest) and sandbox-build/sandbox/ (the built demo) sit at different depths.
  it("is the repository root from sandbox/, with package.json, src/ and sandbox/ in it", () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      name: string;
    };
    expect(pkg.name).toBe("phase-gates");
    expect(existsSync(join(REPO_ROOT, "src", "index.ts"))).toBe(true);
    expect(existsSync(join(REPO_ROOT, "sandbox", "run-app.ts"))).toBe(true);
  });
});
