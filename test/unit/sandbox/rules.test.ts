import { generateKeyPairSync } from "node:crypto";
import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../sandbox/emulator/index.js";
import { requiredChecksRule } from "../../../sandbox/emulator/state/index.js";
import { readEnforcement } from "../../../src/github/enforcement.js";
import type { GitHub } from "../../../src/github/octokit.js";

// The emulator's rules, rulesets, branch protection, environments and
// installation, answered as GitHub answers them.

let emu: Emulator;
const as = (token: string): GitHub =>
  new ProbotOctokit({
    auth: { token },
    baseUrl: emu.apiUrl,
    retry: { enabled: false },
    throttle: { enabled: false },
  }) as GitHub;

beforeAll(async () => {
  emu = await createEmulator();
  const repo = emu.state.createRepo("rules/rocket");
  emu.state.addCollaborator("rules/rocket", "owner-admin", "admin");
  emu.state.addCollaborator("rules/rocket", "lead", "maintain");
  emu.state.install(["rules/rocket"], emu.state.user("owner-admin"));
  emu.state.ensureEnvironment(repo, "production", { appRule: true });
  emu.state.ensureEnvironment(repo, "staging");
});
afterAll(async () => {
  await emu?.close();
});

const REPO = { owner: "rules", repo: "rocket" };
const target = () => ({
  appId: emu.state.app.id,
  repoUrl: `${emu.url}/rules/rocket`,
  branch: "main",
});

describe("rulesets and the rules for a branch", () => {
  it("a ruleset created over REST by an admin applies to the default branch; deleting it removes its rules", async () => {
    const admin = as("user:owner-admin");
    const { data: created } = await admin.rest.repos.createRepoRuleset({
      ...REPO,
      name: "Phase gate from phase-gates",
      enforcement: "active",
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
      rules: [
        {
          type: "required_status_checks",
          parameters: {
            strict_required_status_checks_policy: false,
            required_status_checks: [{ context: "Phase gate", integration_id: emu.state.app.id }],
          },
        },
      ],
    });
    expect(created).toMatchObject({
      name: "Phase gate from phase-gates",
      source_type: "Repository",
    });
    const { data: rules } = await as("user:lead").rest.repos.getBranchRules({
      ...REPO,
      branch: "main",
    });
    expect(rules).toEqual([
      {
        type: "required_status_checks",
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: [{ context: "Phase gate", integration_id: emu.state.app.id }],
        },
        ruleset_source_type: "Repository",
        ruleset_source: "rules/rocket",
        ruleset_id: created.id,
      },
    ]);
    expect((await readEnforcement(as("user:lead"), REPO, target())).enforcement.state).toBe(
      "enforced",
    );
    // Not on another branch, and gone once deleted.
    emu.state.repo("rules/rocket").branches.set("dev", "b".repeat(40));
    expect((await admin.rest.repos.getBranchRules({ ...REPO, branch: "dev" })).data).toEqual([]);
    await admin.rest.repos.deleteRepoRuleset({ ...REPO, ruleset_id: created.id });
    expect((await admin.rest.repos.getBranchRules({ ...REPO, branch: "main" })).data).toEqual([]);
  });

  it("refuses the app's installation token and a person without admin on rulesets", async () => {
    await expect(
      as("user:lead").rest.repos.createRepoRuleset({ ...REPO, name: "x", enforcement: "active" }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("leaves out disabled and evaluate-mode rulesets, and shows an organisation's with its source", () => {
    const state = emu.state;
    const repo = state.repo("rules/rocket");
    const off = state.createRuleset(repo, {
      enforcement: "disabled",
      rules: [requiredChecksRule([{ context: "Phase gate" }])],
    });
    const org = state.createRuleset(repo, {
      organization: true,
      include: ["refs/heads/ma*"],
      rules: [requiredChecksRule([{ context: "Phase gate" }])],
    });
    return as("user:lead")
      .rest.repos.getBranchRules({ ...REPO, branch: "main" })
      .then(({ data }) => {
        expect(data).toEqual([
          expect.objectContaining({
            ruleset_source_type: "Organization",
            ruleset_source: "rules",
            ruleset_id: org.id,
          }),
        ]);
        state.deleteRuleset(repo, off.id);
        state.deleteRuleset(repo, org.id);
      });
  });
});

describe("classic branch protection", () => {
  it("shows on the branch (contents read); its own endpoint is refused to the app (403) and read by an admin", async () => {
    const repo = emu.state.repo("rules/rocket");
    emu.state.setBranchProtection(repo, "main", {
      checks: [{ context: "Phase gate", app_id: null }],
      strict: true,
    });
    const { data: branch } = await as("user:lead").rest.repos.getBranch({
      ...REPO,
      branch: "main",
    });
    expect(branch.protected).toBe(true);
    expect(branch.protection.required_status_checks?.checks).toEqual([
      { context: "Phase gate", app_id: null },
    ]);
    const installation = emu.state.installationFor(repo);
    const token = emu.state.issueTokenFor(installation?.id ?? 0).token;
    await expect(
      as(token).rest.repos.getStatusChecksProtection({ ...REPO, branch: "main" }),
    ).rejects.toMatchObject({ status: 403 });
    const { data } = await as("user:owner-admin").rest.repos.getStatusChecksProtection({
      ...REPO,
      branch: "main",
    });
    expect(data.checks).toEqual([{ context: "Phase gate", app_id: null }]);
    expect((await readEnforcement(as(token), REPO, target())).enforcement.state).toBe("not-pinned");
    emu.state.setBranchProtection(repo, "main", null);
    await expect(
      as("user:owner-admin").rest.repos.getStatusChecksProtection({ ...REPO, branch: "main" }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("environments and the installation", () => {
  it("lists each environment's custom deployment protection rules with the app", async () => {
    const lead = as("user:lead");
    const { data } = await lead.rest.repos.getAllDeploymentProtectionRules({
      ...REPO,
      environment_name: "Production",
    });
    expect(data.custom_deployment_protection_rules?.map((r) => [r.app.id, r.app.slug])).toEqual([
      [emu.state.app.id, "phase-gates"],
    ]);
    const staging = await lead.rest.repos.getAllDeploymentProtectionRules({
      ...REPO,
      environment_name: "staging",
    });
    expect(staging.data.total_count).toBe(0);
    await expect(
      lead.rest.repos.getAllDeploymentProtectionRules({ ...REPO, environment_name: "qa" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("answers GET /repos/{o}/{r}/installation to the app's JWT only, with what the owner accepted", async () => {
    await expect(as("user:lead").rest.apps.getRepoInstallation(REPO)).rejects.toMatchObject({
      status: 401,
    });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const app = new ProbotOctokit({
      auth: {
        appId: emu.state.app.id,
        privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      },
      baseUrl: emu.apiUrl,
      retry: { enabled: false },
      throttle: { enabled: false },
    }) as GitHub;
    const { data } = await app.rest.apps.getRepoInstallation(REPO);
    expect((data.permissions as Record<string, string>).merge_queues).toBe("read");
    const installation = emu.state.installationFor(emu.state.repo("rules/rocket"));
    const { merge_queues: _m, ...without } = emu.state.app.permissions;
    emu.state.setInstallationGrants(installation?.id ?? 0, { permissions: without });
    const after = await app.rest.apps.getRepoInstallation(REPO);
    expect((after.data.permissions as Record<string, string>).merge_queues).toBeUndefined();
  });
});
