import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../sandbox/run-app.js";

const run = promisify(execFile);

// The install the README shows, on a machine that has never seen the project:
// `npm pack`, then `npm install --global ./phase-gates-x.y.z.tgz` into an empty
// prefix with an empty npm cache, offline, and the command run from an empty
// folder with nothing of the clone on its PATH. The tarball carries its
// dependencies (bundleDependencies), so no registry is asked.

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("the packed CLI, installed globally offline on a clean machine", {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "phase-gates-install-"));
  const prefix = join(dir, "prefix");
  const home = join(dir, "home");
  const work = join(dir, "work");
  /** A machine with node and npm, and nothing else: the clone's node_modules/.bin is not on it. */
  const cleanEnv = {
    PATH: `${join(prefix, "bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: home,
    npm_config_cache: join(dir, "empty-cache"),
    npm_config_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  };
  let tarball = "";
  let files: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, "lib", "cli", "main.js"))) {
      throw new Error("lib/ is missing: run `npm run build` first");
    }
    for (const d of [prefix, home, work]) mkdirSync(d, { recursive: true });
    // --ignore-scripts: prepack (`npm run build`) already ran as `npm test`'s build step,
    // and rebuilding lib/ now would rewrite files the other e2e tests are running.
    const packed = await run(
      "npm",
      ["pack", "--ignore-scripts", "--json", "--pack-destination", dir],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    const [info] = JSON.parse(packed.stdout) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    tarball = join(dir, info?.filename ?? "");
    files = (info?.files ?? []).map((f) => f.path);
    await run("npm", ["install", "--global", tarball, "--prefix", prefix], {
      cwd: work,
      env: cleanEnv,
    });
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is publishable: built by prepack, no private flag, the CLI as its bin", () => {
    expect(pkg.scripts.prepack).toBe("npm run build");
    expect(pkg).not.toHaveProperty("private");
    expect(pkg.scripts).not.toHaveProperty("prepare");
    expect(tarball).toMatch(new RegExp(`${pkg.name}-${pkg.version}\\.tgz$`));
  });

  it("ships lib/, app.yml and its production dependencies, and no sources, tests or dev tools", () => {
    expect(files).toEqual(expect.arrayContaining(["lib/cli/main.js", "lib/start.js", "app.yml"]));
    const own = files.filter((f) => !f.startsWith("node_modules/"));
    expect(own.filter((f) => /^(src|test|sandbox|bench|scripts|fixtures)\//.test(f))).toEqual([]);
    expect(own.filter((f) => f.endsWith(".ts") || f.endsWith(".map"))).toEqual([]);
    const bundled = new Set(files.map((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]));
    expect(bundled.has("probot")).toBe(true);
    // Packages only dev dependencies need, as the lockfile marks them (a dev dependency
    // that a production one needs too, like @octokit/openapi-types, is not one of them).
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.dev === true && /^node_modules\/[^/]+(\/[^/]+)?$/.test(path))
      .map(([path]) => path.slice("node_modules/".length));
    expect(devOnly).toEqual(
      expect.arrayContaining(
        Object.keys(pkg.devDependencies).filter((n) => n !== "@octokit/openapi-types"),
      ),
    );
    expect(devOnly.filter((name) => bundled.has(name))).toEqual([]);
  });

  it("runs `phase-gates --help` from an empty folder", async () => {
    const help = await run("phase-gates", ["--help"], { cwd: work, env: cleanEnv });
    expect(help.stdout).toMatch(/^Usage: phase-gates /);
    expect(help.stdout).toContain("validate");
  });

  it("validates a config offline, as the GitHub Actions recipe does", async () => {
    mkdirSync(join(work, ".github"), { recursive: true });
    writeFileSync(join(work, ".github", "phase-gates.yml"), "{}\n");
    const out = await run("phase-gates", ["validate", ".github/phase-gates.yml"], {
      cwd: work,
      env: cleanEnv,
    });
    expect(out.stdout).toMatch(/is valid: 3 phases Crawl → Walk → Run/);
  });
});
