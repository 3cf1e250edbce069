import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { requiredChecksRule } from "../../sandbox/emulator/state/index.js";
import type { RepoRecord } from "../../sandbox/emulator/types.js";
import { generatePrivateKey } from "../../sandbox/run-app.js";
import { DASHBOARD_LABEL, DASHBOARD_TITLE } from "../../src/core/dashboard.js";
import { type DoctorJson, runCli } from "../helpers/cli.js";

// `phase-gates doctor` and `status`'s enforcement, the built binary against the sandbox.

const CONFIG = `phases:
  - id: crawl
    gate:
      criteria: [Feasibility shown]
  - id: run
deployments:
  - environment: production
    phase: run
`;

let emu: Emulator;
let repo: RepoRecord;
let rulesetId = 0;
const lead = { GH_TOKEN: "user:lead" };
const api = () => ["--api-url", emu.apiUrl];
const privateKey = generatePrivateKey();
/** The app's own credentials, so the installation can be read. */
const asApp = () => ({ ...lead, APP_ID: String(emu.state.app.id), PRIVATE_KEY: privateKey });

const statusOf = (j: DoctorJson, check: string) => j.checks.find((c) => c.check === check);

async function doctor(env: Record<string, string>, ...more: string[]) {
  const r = await runCli(["doctor", "doc/rocket", ...more, ...api()], { env });
  return r;
}

async function doctorJson(env: Record<string, string>, ...more: string[]) {
  const r = await doctor(env, "--json", ...more);
  return { code: r.code, stderr: r.stderr, json: JSON.parse(r.stdout) as DoctorJson };
}

beforeAll(async () => {
  emu = await createEmulator();
  const gh = createActors(emu, { repo: "doc/rocket" });
  repo = gh.repo();
  gh.addCollaborator("lead", "maintain");
  await gh.pushConfig(CONFIG, { by: "lead" });
  await gh.openIssue({
    title: "Gate: Crawl → Run",
    body: "- [ ] Feasibility shown\n",
    labels: ["gate: crawl"],
    by: "lead",
  });
  emu.state.createIssue(
    repo,
    { title: DASHBOARD_TITLE, body: "…", labels: [DASHBOARD_LABEL] },
    emu.state.bot,
  );
  emu.state.ensureEnvironment(repo, "production", { appRule: true });
  rulesetId = emu.state.createRuleset(repo, {
    name: "Phase gate from phase-gates",
    rules: [requiredChecksRule([{ context: "Phase gate", appId: emu.state.app.id }])],
  }).id;
  emu.state.install(["doc/rocket"], emu.state.user("doc"));
});
afterAll(async () => {
  await emu?.close();
});

describe("phase-gates doctor", { timeout: 60_000 }, () => {
  it("says the gate bites, each check ✓, exit 0, nothing written", async () => {
    const writes = emu.requestLog.writes().length;
    const r = await doctor(asApp());
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const marks = r.stdout
      .split("\n")
      .filter((l) => /^[✓✗?] /.test(l))
      .map((l) => l.slice(0, 14).trimEnd());
    expect(marks).toEqual([
      "✓ config",
      "✓ installation",
      "✓ permissions",
      "✓ enforcement",
      "✓ gate issues",
      "✓ deployments",
      "✓ dashboard",
      "✓ project",
    ]);
    expect(r.stdout).toContain(
      "✓ enforcement   enforced — Phase gate is required on main from phase-gates (ruleset #",
    );
    expect(r.stdout).toContain("production (run): held by the phase-gates protection rule");
    expect(r.stdout).toContain("The gate bites: nothing to fix.");
    expect(r.stdout).not.toContain("\x1b[");
    expect(emu.requestLog.writes().length).toBe(writes);
  });

  it("--json: every check with its status, summary and fix, the enforcement, and the exit code", async () => {
    const { code, json } = await doctorJson(asApp());
    expect(code).toBe(0);
    expect(json).toMatchObject({ bites: true, exitCode: 0, enforcement: { state: "enforced" } });
    expect(json.checks.map((c) => [c.check, c.status])).toEqual([
      ["config", "ok"],
      ["installation", "ok"],
      ["permissions", "ok"],
      ["enforcement", "ok"],
      ["gate issues", "ok"],
      ["deployments", "ok"],
      ["dashboard", "ok"],
      ["project", "ok"],
    ]);
    expect(statusOf(json, "config")?.summary).toBe(
      "valid, from the repository (.github/phase-gates.yml): 2 phases (Crawl → Run), 1 gate",
    );
  });

  it.each([
    [
      "no ruleset: not required",
      () => {
        emu.state.deleteRuleset(repo, rulesetId);
        return () => {
          rulesetId = emu.state.createRuleset(repo, {
            rules: [requiredChecksRule([{ context: "Phase gate", appId: emu.state.app.id }])],
          }).id;
        };
      },
      11,
      "enforcement",
      /^not required — Nothing requires Phase gate on main/,
      /^Settings → Rules → Rulesets → New ruleset/,
    ],
    [
      "a ruleset requiring Phase gate from any source: not pinned",
      () => {
        const loose = emu.state.createRuleset(repo, {
          rules: [requiredChecksRule([{ context: "Phase gate" }])],
        });
        emu.state.deleteRuleset(repo, rulesetId);
        return () => {
          emu.state.deleteRuleset(repo, loose.id);
          rulesetId = emu.state.createRuleset(repo, {
            rules: [requiredChecksRule([{ context: "Phase gate", appId: emu.state.app.id }])],
          }).id;
        };
      },
      11,
      "enforcement",
      /^required but not pinned to phase-gates — main requires Phase gate from any source: any app or workflow could post a green Phase gate\.$/,
      /choose the phase-gates app as its source/,
    ],
    [
      "an owner who never accepted merge_queues",
      () => {
        const id = emu.state.installationFor(repo)?.id ?? 0;
        const { merge_queues: _m, ...rest } = emu.state.app.permissions;
        emu.state.setInstallationGrants(id, {
          permissions: rest,
          events: emu.state.app.events.filter((e) => e !== "merge_group"),
        });
        return () =>
          emu.state.setInstallationGrants(id, {
            permissions: emu.state.app.permissions,
            events: emu.state.app.events,
          });
      },
      10,
      "permissions",
      /^the installation lacks 2 grants app\.yml asks for$/,
      /accepts the app's requested permissions: .*\/settings\/installations\/\d+$/,
    ],
    [
      "the production environment without the app's rule",
      () => {
        emu.state.ensureEnvironment(repo, "production", { appRule: false });
        return () => emu.state.ensureEnvironment(repo, "production", { appRule: true });
      },
      13,
      "deployments",
      /^1 gated environment is not held by the app$/,
      /Settings → Environments → .* Deployment protection rules: enable phase-gates/,
    ],
  ] as const)(
    "%s: ✗ with its fix and its exit code",
    async (_what, change, code, check, summary, fix) => {
      const restore = change();
      try {
        const { code: exit, json } = await doctorJson(asApp());
        expect(exit).toBe(code);
        expect(json.exitCode).toBe(code);
        const line = statusOf(json, check);
        expect(line?.status).toBe("fail");
        expect(line?.summary).toMatch(summary);
        expect(line?.fix).toMatch(fix);
        // Every other check still ✓: one finding, one line.
        expect(json.checks.filter((c) => c.status !== "ok").map((c) => c.check)).toEqual([check]);
      } finally {
        restore();
      }
    },
  );

  it("lists the missing grants, merge_queues first with what it costs", async () => {
    const id = emu.state.installationFor(repo)?.id ?? 0;
    const { merge_queues: _m, ...rest } = emu.state.app.permissions;
    emu.state.setInstallationGrants(id, { permissions: rest });
    try {
      const r = await doctor(asApp());
      expect(r.code).toBe(10);
      expect(r.stdout).toContain(
        "merge_queues: read asked, none accepted: GitHub sends no merge_group events: a merge queue waits forever for a Phase gate check",
      );
    } finally {
      emu.state.setInstallationGrants(id, { permissions: emu.state.app.permissions });
    }
  });

  it("without the app's credentials: the installation lines are ?, with how to check them, and do not change the exit code", async () => {
    const { code, json } = await doctorJson(lead);
    expect(code).toBe(0);
    expect(statusOf(json, "installation")).toMatchObject({
      status: "unknown",
      summary:
        "not checked: GET /repos/{owner}/{repo}/installation answers only the app itself (its JWT)",
    });
    expect(statusOf(json, "permissions")?.status).toBe("unknown");
    expect(statusOf(json, "installation")?.fix).toContain("APP_ID and PRIVATE_KEY");
  });

  it("an app key that is not a private key: the installation line is ?, saying so", async () => {
    const { code, json } = await doctorJson({ ...lead, APP_ID: "4242", PRIVATE_KEY: "not a key" });
    expect(code).toBe(0);
    expect(statusOf(json, "installation")?.summary).toMatch(
      /^the app's PRIVATE_KEY could not sign a JWT: /,
    );
  });

  it("when the app's id is unknown, a ruleset pinned to some app leaves enforcement unknown: exit 12", async () => {
    const { code, json } = await doctorJson(lead, "--app-slug", "not-this-app");
    expect(code).toBe(12);
    expect(statusOf(json, "enforcement")).toMatchObject({ status: "unknown" });
    expect(statusOf(json, "enforcement")?.fix).toContain("--app-id");
  });

  it("an app not installed on the repository: ✗ with the install link, exit 10", async () => {
    const gh = createActors(emu, { repo: "loose/rocket" });
    gh.repo();
    await gh.pushConfig("{}\n", { by: "loose" });
    const r = await runCli(["doctor", "loose/rocket", "--json", ...api()], { env: asApp() });
    expect(r.code).toBe(10);
    const json = JSON.parse(r.stdout) as DoctorJson;
    expect(statusOf(json, "installation")).toMatchObject({
      status: "fail",
      summary: "the app is not installed on loose/rocket",
      fix: `install it on the repository: ${emu.url}/apps/phase-gates/installations/new`,
    });
  });

  it("an invalid config: ✗ with each error's line and column, exit 1 before any other finding", async () => {
    const gh = createActors(emu, { repo: "broken/rocket" });
    gh.repo();
    await gh.pushConfig("phases:\n  - id: crawl\n  - id: crawl\n", { by: "broken" });
    const r = await runCli(["doctor", "broken/rocket", ...api()], { env: lead });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ config +invalid, from the repository/m);
    expect(r.stdout).toMatch(/\.github\/phase-gates\.yml:3:9 {2}phases\[1\]\.id {2}/);
    expect(r.stdout).toMatch(/^\? gate issues +not read: the config is invalid$/m);
  });

  it.each([
    [
      "no token",
      {},
      ["doctor", "doc/rocket"],
      3,
      /^phase-gates: no token: set GITHUB_TOKEN or GH_TOKEN/,
    ],
    [
      "a repository the token cannot see",
      lead,
      ["doctor", "doc/hidden"],
      4,
      /^phase-gates: repository doc\/hidden not found .* \(404\)$/,
    ],
    [
      "a repository without config",
      lead,
      ["doctor", "doc/empty"],
      6,
      /^phase-gates: doc\/empty is not configured: /,
    ],
    ["a malformed repository", lead, ["doctor", "doc"], 2, /"doc" is not a repository/],
    [
      "an app key path that cannot be read",
      { ...lead, APP_ID: "4242", PRIVATE_KEY_PATH: "/no/such/key.pem" },
      ["doctor", "doc/rocket"],
      2,
      /^phase-gates: PRIVATE_KEY_PATH=\/no\/such\/key\.pem cannot be read: ENOENT$/,
    ],
  ] as const)(
    "%s: one line on stderr, exit %i, no stack trace",
    async (_what, env, args, code, message) => {
      emu.state.createRepo("doc/empty");
      const r = await runCli([...args, ...api()], { env: { ...env } });
      expect(r.code).toBe(code);
      expect(r.stdout).toBe("");
      const lines = r.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.startsWith("(run phase-gates --help"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe("phase-gates status shows whether the gate bites", { timeout: 60_000 }, () => {
  it("--json carries the enforcement; the text says it under the title", async () => {
    const json = await runCli(["status", "doc/rocket", "--json", ...api()], { env: lead });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).enforcement).toMatchObject({
      state: "enforced",
      branch: "main",
      requiredBy: [{ appId: emu.state.app.id, where: `ruleset #${rulesetId}` }],
    });
    emu.state.deleteRuleset(repo, rulesetId);
    try {
      const text = await runCli(["status", "doc/rocket", ...api()], { env: lead });
      expect(text.stdout.split("\n").slice(1, 3)).toEqual([
        "enforcement: not required — Nothing requires Phase gate on main: a pull request the gate blocks can still be merged.",
        expect.stringMatching(/^ {2}fix: Settings → Rules → Rulesets → New ruleset/),
      ]);
    } finally {
      rulesetId = emu.state.createRuleset(repo, {
        rules: [requiredChecksRule([{ context: "Phase gate", appId: emu.state.app.id }])],
      }).id;
    }
  });
});
