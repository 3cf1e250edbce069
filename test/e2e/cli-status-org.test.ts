import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { buildCliStory, runCli } from "../helpers/cli.js";

/** The lines the two configured repositories give, in order: repository, then phase. */
const BY_PHASE = ["api", "web"].flatMap((repo) =>
  ["Crawl", "Walk", "Run", "Fly"].map((phase) => `fleet/${repo} ${phase}`),
);

// `phase-gates status --org` (SPEC §5 "Projects", issue: the cross-repository
// picture from the command line): one line per repository and phase.
describe("phase-gates status across repositories", { timeout: 60_000 }, () => {
  let emu: Emulator;
  const lead = { GH_TOKEN: "user:lead" };
  const api = () => ["--api-url", emu.apiUrl];

  beforeAll(async () => {
    emu = await createEmulator();
    await buildCliStory(emu, "fleet/api");
    await buildCliStory(emu, "fleet/web");
    // A repository with no config: listed as skipped, not an error.
    createActors(emu, { repo: "fleet/docs" }).repo();
    createActors(emu, { repo: "quiet/notes" }).repo();
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("--org --json: every configured repository by phase, the others skipped with the reason", async () => {
    const r = await runCli(["status", "--org", "fleet", "--json", ...api()], { env: lead });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      repositories: { repo: string; phase: string; gate: string; pulls: number; blocked: number }[];
      skipped: { repo: string; reason: string }[];
    };
    expect(s.repositories.map((l) => `${l.repo} ${l.phase}`)).toEqual(BY_PHASE);
    // The same counting as `status` for one repository.
    const single = JSON.parse(
      (await runCli(["status", "fleet/api", "--json", ...api()], { env: lead })).stdout,
    ) as { blocked: unknown[] };
    const blocked = s.repositories
      .filter((l) => l.repo === "fleet/api")
      .reduce((n, l) => n + l.blocked, 0);
    expect(blocked).toBe(single.blocked.length);
    expect(s.skipped.map((x) => x.repo)).toEqual(["fleet/docs"]);
    expect(s.skipped[0]?.reason).toMatch(/not configured/);
  });

  it("as text: a table, and a line on stderr for each skipped repository", async () => {
    const r = await runCli(["status", "fleet/api", "fleet/web", "fleet/docs", ...api()], {
      env: lead,
    });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^repository\s+phase\s+gate\s+open issues\s+open PRs\s+blocked$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(" "))).toEqual(BY_PHASE);
    expect(r.stderr).toMatch(/^skipped fleet\/docs: fleet\/docs is not configured/);
  });

  it.each([
    [
      "an organisation with no configured repository",
      ["--org", "quiet"],
      6,
      /no configured repository in quiet/,
    ],
    [
      "an organisation that does not exist",
      ["--org", "nobody"],
      4,
      /organisation nobody not found/,
    ],
    ["neither a repository nor --org", [], 2, /status needs <owner\/repo> or --org <org>/],
  ])("%s: one line on stderr and its documented exit code", async (_, args, code, message) => {
    const r = await runCli(["status", ...args, ...api()], { env: lead });
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
