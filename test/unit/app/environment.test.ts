import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const example = readFileSync(join(root, ".env.example"), "utf8");
const documented = new Set(
  [...example.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] ?? ""),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** `process.env.NAME` in the app's own code, src/ (the sandbox and demo, beside it in sandbox/, are not the app). */
function readByApp(): string[] {
  const names = sourceFiles(join(root, "src")).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]),
  );
  return [...new Set(names)].filter((n): n is string => n !== undefined);
}

/** What `probot run` reads (lib/bin/read-env-options.js and the private-key lookup). */
function readByProbot(): string[] {
  const require = createRequire(import.meta.url);
  const lib = dirname(require.resolve("probot"));
  const text = readFileSync(join(lib, "bin", "read-env-options.js"), "utf8");
  const names = [...text.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]);
  return [...new Set([...names, "PRIVATE_KEY", "PRIVATE_KEY_PATH"])].filter(
    (n): n is string => n !== undefined,
  );
}

describe(".env.example", () => {
  it.each(readByApp())("lists %s, which the app reads", (name) => {
    expect(documented.has(name)).toBe(true);
  });

  it.each(readByProbot())("lists %s, which Probot reads", (name) => {
    expect(documented.has(name)).toBe(true);
  });
});

describe("local development", () => {
  it("has smee-client installed, so WEBHOOK_PROXY_URL needs no download at start", async () => {
    // Probot imports it by name and falls back to npx (a download) when it is missing.
    const smee = (await import("smee-client")) as { SmeeClient?: unknown };
    expect(typeof smee.SmeeClient).toBe("function");
  });
});

describe("REDIS_URL in .env.example", () => {
  // The comment block just above `# REDIS_URL=`.
  const block = example.slice(
    example.lastIndexOf("# ---", example.indexOf("REDIS_URL=")),
    example.indexOf("REDIS_URL="),
  );

  it("says the work queue moves to Redis, as src/index.ts does with it", () => {
    const index = readFileSync(join(root, "src", "index.ts"), "utf8");
    expect(index).toMatch(/target\s*\?\s*\{\s*queue: [^}]*new RedisJobQueue/);
    expect(block).toMatch(/The work queue moves to Redis/);
    expect(block).not.toMatch(/stays in-process/);
  });
});
