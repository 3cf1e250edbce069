import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { REPO_ROOT } from "../../sandbox/run-app.js";
import { DEFAULT_CONFIG } from "../../src/cli/default-config.js";
import { buildCliStory, type CliStory, runCli } from "../helpers/cli.js";

// The built binary (lib/cli/main.js) as a subprocess: what a user runs.

const VALID = `phases:
  - id: crawl
    gate:
      approvers: { users: [alice] }
  - id: run
`;

const INVALID = `phases:
  - id: Crawl
    gate: { approvals: 0 }
  - id: run
unphased: maybe
linkedIsues: true
`;

/** `file:line:col  key.path  message`, two spaces between the parts. */
const ERROR_LINE = /^(.+):(\d+):(\d+) {2}(\S+) {2}(.+)$/;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phase-gates-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("phase-gates validate", () => {
  it("passes a valid file with a one-line summary of phases and gates, exit 0", async () => {
    const file = join(dir, "valid.yml");
    await writeFile(file, VALID);
    const r = await runCli(["validate", file]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      `✓ ${file} is valid: 2 phases Crawl → Run; 1 gate: Crawl → Run (1 approval from @alice, maintain or higher; 1 criterion)`,
    ]);
  });

  it("prints every error as file:line:col  key.path  message, no colour off a terminal, exit 1", async () => {
    const file = join(dir, "invalid.yml");
    await writeFile(file, INVALID);
    const r = await runCli(["validate", file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines.map((l) => ERROR_LINE.exec(l)?.slice(1, 5))).toEqual([
      [file, "2", "9", "phases[0].id"],
      [file, "3", "24", "phases[0].gate.approvals"],
      [file, "5", "11", "unphased"],
      [file, "6", "1", "linkedIsues"],
    ]);
    expect(lines[3]).toContain('did you mean "linkedIssues"?');
    expect(r.stdout).not.toContain("\x1b[");
    expect(r.stderr).toContain("4 errors");
  });

  it("reports path patterns that can match nothing, each with line and column", async () => {
    const paths = [
      "phases:",
      "  - { id: crawl, gate: {} }",
      "  - id: run",
      "    paths:",
      '      - "infra/prod/**"',
      '      - "#infra"',
      `      - "${"a".repeat(5000)}"`,
      "",
    ].join("\n");
    const r = await runCli(["validate", "-"], { stdin: paths });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines.map((l) => ERROR_LINE.exec(l)?.slice(1, 5))).toEqual([
      ["<stdin>", "6", "9", "phases[1].paths[1]"],
      ["<stdin>", "7", "9", "phases[1].paths[2]"],
    ]);
    expect(lines[0]).toContain("comment in gitignore syntax");
    expect(lines[1]).toContain("expected text of 1 to 500 characters, got 5000");
  });

  it("reads standard input for -, naming it <stdin>", async () => {
    const bad = await runCli(["validate", "-"], { stdin: INVALID });
    expect(bad.code).toBe(1);
    expect(bad.stdout.split("\n")[0]).toMatch(/^<stdin>:2:9 {2}phases\[0\]\.id {2}/);
    const good = await runCli(["validate", "-"], { stdin: VALID });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^✓ <stdin> is valid/);
  });

  it("prints JSON for machines: errors with file, key path, line and column; the resolved config when valid", async () => {
    const bad = await runCli(["validate", "-", "--json"], { stdin: INVALID });
    expect(bad.code).toBe(1);
    const parsed = JSON.parse(bad.stdout) as { valid: boolean; errors: unknown[] };
    expect(parsed.valid).toBe(false);
    expect(parsed.errors[0]).toEqual({
      file: "<stdin>",
      keyPath: "phases[0].id",
      line: 2,
      column: 9,
      message: 'expected an id of lowercase letters, digits and dashes (like "crawl"), got "Crawl"',
    });
    const good = await runCli(["validate", "-", "--json"], { stdin: VALID });
    expect(good.code).toBe(0);
    const config = JSON.parse(good.stdout) as {
      valid: boolean;
      config: { phases: { label: string; gate: { label: string } | null }[] };
    };
    expect(config.valid).toBe(true);
    expect(config.config.phases[0]?.label).toBe("phase: crawl");
    expect(config.config.phases[0]?.gate?.label).toBe("gate: crawl");
  });

  it.each([
    ["a missing file", ["validate", "no-such.yml"], 4, /no-such\.yml: no such file/],
    ["the default file when there is none", ["validate"], 4, /run `phase-gates init`/],
    ["an unknown option", ["validate", "--frobnicate"], 2, /unknown option '--frobnicate'/],
    ["an unknown command", ["valdate"], 2, /unknown command 'valdate'/],
    ["no command at all", [], 2, /Usage: phase-gates/],
  ])("exits with a distinct code on %s", async (_what, args, code, message) => {
    const r = await runCli(args, { cwd: dir });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
  });

  it("prints help with examples and the exit codes, and the version, exit 0", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:");
    expect(help.stdout).toContain("5  rate limited by GitHub");
    const statusHelp = await runCli(["status", "--help"]);
    expect(statusHelp.stdout).toContain("--app-slug <slug>");
    expect(statusHelp.stdout).toContain("<slug>[bot]");
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});

describe("phase-gates init", () => {
  it("writes the commented default config, which validates to exactly the defaults", async () => {
    const cwd = await mkdtemp(join(dir, "init-"));
    const r = await runCli(["init"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Wrote .github/phase-gates.yml");
    expect(r.stdout).toMatch(/ruleset.*\n.*\n.*"Phase gate" and pick the phase-gates app/);
    const written = await readFile(join(cwd, ".github/phase-gates.yml"), "utf8");
    expect(written).toBe(DEFAULT_CONFIG);
    expect(written).toMatch(/^# .*\n/);

    const fromInit = await runCli(["validate", "--json"], { cwd });
    const fromEmpty = await runCli(["validate", "-", "--json"], { stdin: "" });
    expect(fromInit.code).toBe(0);
    expect(JSON.parse(fromInit.stdout).config).toEqual(JSON.parse(fromEmpty.stdout).config);
  });

  it("is idempotent, refuses to overwrite another file (exit 2), and replaces it with --force", async () => {
    const cwd = await mkdtemp(join(dir, "init-"));
    const path = join(cwd, ".github/phase-gates.yml");
    expect((await runCli(["init"], { cwd })).code).toBe(0);
    const again = await runCli(["init"], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already holds the default config");
    expect(await readFile(path, "utf8")).toBe(DEFAULT_CONFIG);

    await writeFile(path, VALID);
    const refused = await runCli(["init"], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("already exists; not overwriting it (use --force");
    expect(await readFile(path, "utf8")).toBe(VALID);

    const forced = await runCli(["init", "--force"], { cwd });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("Replaced .github/phase-gates.yml");
    expect(await readFile(path, "utf8")).toBe(DEFAULT_CONFIG);
  });

  it("writes to another path when given one", async () => {
    const cwd = await mkdtemp(join(dir, "init-"));
    const r = await runCli(["init", "org/.github/phase-gates.yml"], { cwd });
    expect(r.code).toBe(0);
    expect(await readFile(join(cwd, "org/.github/phase-gates.yml"), "utf8")).toBe(DEFAULT_CONFIG);
  });
});

describe("phase-gates status and explain against the sandbox", { timeout: 60_000 }, () => {
  let emu: Emulator;
  let story: CliStory;
  const lead = { GH_TOKEN: "user:lead" };
  const api = () => ["--api-url", emu.apiUrl];

  beforeAll(async () => {
    emu = await createEmulator();
    story = await buildCliStory(emu, "acme/rocket");
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("status --json: each gate's state, who decided, criteria, approvals; issues and PRs per phase; the blocked PRs", async () => {
    const r = await runCli(["status", "acme/rocket", "--json", ...api()], { env: lead });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      phases: {
        id: string;
        gate: {
          state: string;
          decidedBy: string | null;
          stopReason: string | null;
          issue: { number: number } | null;
          criteria: { checked: number; total: number };
          approvals: { count: number; needed: number; by: string[] };
        } | null;
        openIssues: { number: number }[];
        openPulls: { number: number; conclusion: string }[];
      }[];
      unphased: { openIssues: { number: number }[]; openPulls: { number: number }[] };
      blocked: { number: number; checkTitle: string; phase: string; heldAtFloor: unknown }[];
    };
    const gate = (i: number) => s.phases[i]?.gate;
    expect(
      s.phases.map((p) => [p.id, p.gate?.state ?? null, p.gate?.issue?.number ?? null]),
    ).toEqual([
      ["crawl", "approved", story.gates.crawl],
      ["walk", "pending", story.gates.walk],
      ["run", "stopped", story.gates.run],
      ["fly", null, null],
    ]);
    expect(gate(0)?.decidedBy).toBe("lead");
    expect(gate(1)?.decidedBy).toBeNull();
    expect(gate(1)?.criteria).toMatchObject({ checked: 1, total: 2 });
    expect(gate(1)?.approvals).toEqual({ count: 1, needed: 2, by: ["lead"] });
    expect(gate(2)?.decidedBy).toBe("lead");
    expect(gate(2)?.stopReason).toBe("no demand beyond the pilot");

    const numbers = (xs: { number: number }[]) => xs.map((x) => x.number).sort((a, b) => a - b);
    expect(s.phases.map((p) => numbers(p.openIssues))).toEqual([
      [],
      [story.issues.walk],
      [],
      [story.issues.fly],
    ]);
    expect(s.phases.map((p) => numbers(p.openPulls))).toEqual([
      [story.pulls.crawl],
      [story.pulls.walk],
      [story.pulls.run, story.pulls.held].sort((a, b) => a - b),
      [story.pulls.fly],
    ]);
    expect(numbers(s.unphased.openIssues)).toEqual([story.issues.unphased]);
    expect(numbers(s.unphased.openPulls)).toEqual([story.pulls.unphased]);
    expect(
      s.blocked
        .map((b) => [b.number, b.phase, b.checkTitle, b.heldAtFloor !== null])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
    ).toEqual([
      [story.pulls.run, "run", "Blocked: Walk gate pending", false],
      [story.pulls.fly, "fly", "Blocked: Run gate stopped", false],
      [story.pulls.held, "run", "Blocked: Walk gate pending", true],
    ]);
  });

  it("status as text: the phase table, each gate with its link, and the blocked PRs; nothing written", async () => {
    const writesBefore = emu.requestLog.writes().length;
    const r = await runCli(["status", "acme/rocket", ...api()], { env: lead });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const text = r.stdout;
    expect(text).toMatch(
      /^Crawl +#1 Gate: Crawl → Walk +approved +@lead \d{4}-\d\d-\d\d \d\d:\d\d UTC +1\/1 +1\/1 +0 +1 +0$/m,
    );
    expect(text).toMatch(/^Walk +#2 Gate: Walk → Run +pending +1\/2 +1\/2 +1 +1 +0$/m);
    expect(text).toMatch(/^Run +#3 Gate: Run → Fly +stopped +@lead .* UTC +0\/1 +0\/1 +0 +2 +2$/m);
    expect(text).toContain(`${emu.url}/acme/rocket/issues/${story.gates.walk}`);
    expect(text).toContain('still needed: 1 unchecked criterion: "Costs are known"');
    expect(text).toContain("stopped by @lead on");
    expect(text).toContain(": no demand beyond the pilot");
    expect(text).toContain("Blocked pull requests (3 of 6 open)");
    expect(text).toMatch(new RegExp(`#${story.pulls.fly} +Orbit +Blocked: Run gate stopped`));
    expect(text).not.toContain("\x1b[");
    expect(emu.requestLog.writes().length).toBe(writesBefore);
  });

  it.each([
    [
      "a Run PR behind the pending Walk gate",
      "run",
      7,
      "Blocked: Walk gate pending",
      /Phase: Run, from label phase: run/,
    ],
    [
      "a PR that closes a Fly issue, behind the stopped Run gate",
      "fly",
      7,
      "Blocked: Run gate stopped",
      /linked issue/,
    ],
    [
      "a Walk PR (milestone) after the approved Crawl gate",
      "walk",
      0,
      "Walk: gates approved",
      /milestone Walk/,
    ],
    ["a Crawl PR: first phase", "crawl", 0, "Crawl: first phase", /first phase/],
    ["a PR with no phase, allowed", "unphased", 0, "No phase", /unphased: allow/],
    [
      "a PR relabelled Crawl by a triager, held at its Run floor read from the app's run",
      "held",
      7,
      "Blocked: Walk gate pending",
      /held: its phase floor/,
    ],
  ] as const)("explain %s", async (_what, which, code, title, summary) => {
    const writesBefore = emu.requestLog.writes().length;
    const pr = story.pulls[which];
    const r = await runCli(["explain", "acme/rocket", String(pr), ...api()], { env: lead });
    expect(r.code).toBe(code);
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([
      expect.stringMatching(new RegExp(`^acme/rocket#${pr} `)),
      `Phase gate: ${code === 0 ? "success" : "failure"} — ${title}`,
    ]);
    expect(r.stdout).toMatch(summary);
    expect(emu.requestLog.writes().length).toBe(writesBefore);
  });

  it("explain --json: the check's conclusion, title and summary, the gates, and the app's run it read the floor from", async () => {
    const r = await runCli(
      ["explain", "acme/rocket", String(story.pulls.held), "--json", ...api()],
      {
        env: lead,
      },
    );
    expect(r.code).toBe(7);
    const e = JSON.parse(r.stdout) as {
      conclusion: string;
      title: string;
      summary: string;
      phase: string;
      heldAtFloor: { current: string | null } | null;
      gates: { phase: string; state: string }[];
      onGitHub: { appId: number; phaseFloor: string } | null;
    };
    expect(e).toMatchObject({
      conclusion: "failure",
      title: "Blocked: Walk gate pending",
      phase: "run",
      heldAtFloor: { current: "crawl" },
    });
    expect(e.gates.map((g) => [g.phase, g.state])).toEqual([
      ["crawl", "approved"],
      ["walk", "pending"],
    ]);
    expect(e.onGitHub).toMatchObject({
      appId: emu.state.app.id,
      phaseFloor: "phase-gates:floor=run",
    });
    expect(e.summary).toContain("held: its phase floor");
  });

  it("reads the phase floor only from the named app's run: --app-slug of another app, or --app-id of another, finds none", async () => {
    for (const flags of [
      ["--app-slug", "other-app"],
      ["--app-id", "999"],
    ]) {
      const r = await runCli(
        ["explain", "acme/rocket", String(story.pulls.held), ...flags, ...api()],
        { env: lead },
      );
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n")[1]).toBe("Phase gate: success — Crawl: first phase");
    }
    const byId = await runCli(
      [
        "explain",
        "acme/rocket",
        String(story.pulls.held),
        "--app-id",
        String(emu.state.app.id),
        ...api(),
      ],
      { env: lead },
    );
    expect(byId.code).toBe(7);
  });

  it("explain holds a PR pushed to since the app's last check at the floor of its earlier commit, as the app does", async () => {
    const gh = (await import("../../sandbox/actors.js")).createActors(emu, {
      repo: "acme/pushed",
    });
    gh.repo();
    gh.addCollaborator("lead", "maintain");
    await gh.pushConfig("{}\n", { by: "lead" });
    const pr = await gh.openPullRequest({ title: "Engine", labels: ["phase: crawl"], by: "acme" });
    emu.state.createCheckRun(
      gh.repo(),
      {
        name: "Phase gate",
        head_sha: pr.pull?.headSha ?? "",
        status: "completed",
        conclusion: "failure",
        external_id: "phase-gates:floor=run",
        output: { title: "Blocked: Crawl gate pending", summary: "…" },
      },
      emu.state.bot,
    );
    await gh.pushCommit(pr.number, { by: "acme" });
    const r = await runCli(["explain", "acme/pushed", String(pr.number), ...api()], { env: lead });
    expect(r.code).toBe(7);
    expect(r.stdout.split("\n")[1]).toBe("Phase gate: failure — Blocked: Walk gate pending");
    expect(r.stdout).toContain("held: its phase floor");
  });

  it("explain names the files and patterns that put a PR in its phase, --json too", async () => {
    const gh = (await import("../../sandbox/actors.js")).createActors(emu, {
      repo: "acme/paths",
    });
    gh.repo();
    await gh.pushConfig(
      'phases:\n  - { id: crawl, gate: {} }\n  - id: run\n    paths: ["infra/prod/**"]\n',
      { by: "acme" },
    );
    const pr = await gh.openPullRequest({
      title: "Bigger database",
      renames: { "docs/db.tf": "infra/prod/db.tf" },
      by: "acme",
    });
    // The check's own Markdown (`--markdown`): what the app writes on GitHub.
    const text = await runCli(
      ["explain", "acme/paths", String(pr.number), "--markdown", ...api()],
      { env: lead },
    );
    expect(text.code).toBe(7);
    expect(text.stdout).toContain("**Phase:** Run, from its changed files");
    expect(text.stdout).toContain("- `infra/prod/db.tf` (pattern `infra/prod/**`)");
    const json = await runCli(["explain", "acme/paths", String(pr.number), "--json", ...api()], {
      env: lead,
    });
    expect(JSON.parse(json.stdout)).toMatchObject({
      phase: "run",
      paths: {
        phase: "run",
        matches: [{ path: "infra/prod/db.tf", pattern: "infra/prod/**" }],
        moreMatches: 0,
        truncated: null,
      },
    });
  });

  it("status and explain on a repository whose config is invalid: every error with line and column, exit 1", async () => {
    const gh = (await import("../../sandbox/actors.js")).createActors(emu, {
      repo: "acme/broken",
    });
    gh.repo();
    await gh.pushConfig("phases:\n  - id: crawl\n  - id: crawl\n", { by: "acme" });
    const pr = await gh.openPullRequest({ title: "Anything", by: "acme" });
    const s = await runCli(["status", "acme/broken", ...api()], { env: lead });
    expect(s.code).toBe(1);
    expect(s.stdout).toMatch(/\.github\/phase-gates\.yml:3:9 {2}phases\[1\]\.id {2}/);
    const e = await runCli(["explain", "acme/broken", String(pr.number), ...api()], { env: lead });
    expect(e.code).toBe(1);
    expect(e.stdout).toContain("Phase gate: failure — Invalid .github/phase-gates.yml");
  });

  it("counts a PR that proposes an invalid config as blocked, as its check is", async () => {
    const gh = (await import("../../sandbox/actors.js")).createActors(emu, {
      repo: "acme/proposal",
    });
    gh.repo();
    await gh.pushConfig("{}\n", { by: "acme" });
    const pr = await gh.openPullRequest({
      title: "Rework the phases",
      labels: ["phase: crawl"],
      files: { ".github/phase-gates.yml": "phases: 3\n" },
      by: "acme",
    });
    const s = await runCli(["status", "acme/proposal", "--json", ...api()], { env: lead });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).blocked).toEqual([
      expect.objectContaining({ number: pr.number, checkTitle: "Invalid .github/phase-gates.yml" }),
    ]);
    const e = await runCli(["explain", "acme/proposal", String(pr.number), ...api()], {
      env: lead,
    });
    expect(e.code).toBe(7);
    expect(e.stdout).toContain("This pull request changes .github/phase-gates.yml");
  });

  it.each([
    ["no token", ["status", "acme/rocket"], {}, 3, /no token: set GITHUB_TOKEN or GH_TOKEN/],
    [
      "a token GitHub refuses",
      ["status", "acme/rocket"],
      { GH_TOKEN: "ghp_nope" },
      3,
      /refused the token \(401 Bad credentials\)/,
    ],
    [
      "an unknown repository",
      ["status", "acme/nope"],
      lead,
      4,
      /repository acme\/nope not found .* \(404\)/,
    ],
    [
      "an unknown pull request",
      ["explain", "acme/rocket", "999"],
      lead,
      4,
      /no pull request #999 in acme\/rocket \(404\)/,
    ],
    [
      "a repository without config",
      ["status", "acme/empty"],
      lead,
      6,
      /acme\/empty is not configured/,
    ],
    [
      "a malformed repository",
      ["status", "acme"],
      lead,
      2,
      /"acme" is not a repository; write it as owner\/repo/,
    ],
    [
      "a malformed PR number",
      ["explain", "acme/rocket", "12a"],
      lead,
      2,
      /"12a" is not a pull request number/,
    ],
    [
      "a malformed --app-id",
      ["explain", "acme/rocket", "1", "--app-id", "x"],
      lead,
      2,
      /numeric id/,
    ],
  ] as const)("exits with a distinct code on %s", async (_what, args, env, code, message) => {
    emu.state.createRepo("acme/empty");
    const requestsBefore = emu.requestLog.entries.length;
    const r = await runCli([...args, ...api()], { env: { ...env } });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    // One line saying what is wrong (commander adds its pointer to --help on a usage error).
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("(run phase-gates --help")),
    ).toHaveLength(1);
    expect(r.stdout).toBe("");
    if (code === 3 && !("GH_TOKEN" in env))
      expect(emu.requestLog.entries.length).toBe(requestsBefore);
  });

  it("warns on stderr when the token cannot read people's permission, since gates then show pending", async () => {
    emu.state.failNext("GET /repos/{owner}/{repo}/collaborators/{username}/permission", 403, {
      body: { message: "Must have push access to view repository collaborators." },
      times: 50,
    });
    try {
      const r = await runCli(["status", "acme/rocket", "--json", ...api()], { env: lead });
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout) as { phases: { gate: { state: string } | null }[] };
      expect(s.phases[0]?.gate?.state).toBe("pending");
      expect(r.stderr).toContain(
        "warning: permission look-up failed; treating as not authorized (Must have push access",
      );
      expect(r.stderr).toContain("a gate may show pending that the app sees approved");
    } finally {
      emu.state.failRules.length = 0;
    }
  });

  it("exits 5 on GitHub's rate limit and says when it resets", async () => {
    const reset = Math.floor(Date.now() / 1000) + 25 * 60;
    emu.state.failNext("GET /repos/{owner}/{repo}", 403, {
      headers: {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(reset),
      },
      body: { message: "API rate limit exceeded for user ID 1." },
    });
    const r = await runCli(["status", "acme/rocket", ...api()], { env: lead });
    expect(r.code).toBe(5);
    const at = new Date(reset * 1000).toISOString().slice(0, 19).replace("T", " ");
    expect(r.stderr.trim()).toBe(
      `phase-gates: rate limited by GitHub (all 5000 requests of this hour used): it resets at ${at} UTC, in 25 min`,
    );
  });

  it("exits 5 on a secondary rate limit with the time to retry", async () => {
    emu.state.failNext("GET /repos/{owner}/{repo}/pulls", 403, {
      headers: { "retry-after": "60" },
    });
    const r = await runCli(["status", "acme/rocket", ...api()], { env: lead });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /^phase-gates: rate limited by GitHub \(secondary limit\): retry after 60 s, at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n$/,
    );
  });

  it.each([
    ["a server error", 502],
    ["a 403 that is not a rate limit", 403],
  ])("exits 8 on %s", async (_what, code) => {
    emu.state.failNext("GET /repos/{owner}/{repo}/pulls/{pull_number}", code, {
      body: { message: code === 403 ? "Resource not accessible by integration" : "Bad Gateway" },
    });
    const r = await runCli(["explain", "acme/rocket", String(story.pulls.run), ...api()], {
      env: lead,
    });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(new RegExp(`^phase-gates: GitHub answered ${code} `));
  });

  it("exits 8 when GitHub cannot be reached", async () => {
    const r = await runCli(["status", "acme/rocket", "--api-url", "http://127.0.0.1:1/api/v3"], {
      env: lead,
    });
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(
      /^phase-gates: cannot reach GitHub at http:\/\/127\.0\.0\.1:1\/api\/v3: /,
    );
  });

  it("finds the API from GH_HOST, as the gh CLI does", async () => {
    const r = await runCli(["status", "acme/rocket", "--json"], {
      env: { ...lead, GH_HOST: emu.url },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).repo).toBe("acme/rocket");
  });
});
