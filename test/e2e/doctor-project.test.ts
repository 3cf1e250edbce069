import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { generatePrivateKey } from "../../sandbox/run-app.js";
import { type DoctorJson, runCli } from "../helpers/cli.js";

// `phase-gates doctor`'s project line (SPEC §5 "Projects"): the permission the
// installation accepted, the project, and its fields, with the fix for each.

let emu: Emulator;
let installationId = 0;
const privateKey = generatePrivateKey();

async function projectLine(repo: string) {
  const env = { GH_TOKEN: "user:lead", APP_ID: String(emu.state.app.id), PRIVATE_KEY: privateKey };
  const r = await runCli(["doctor", repo, "--json", "--api-url", emu.apiUrl], { env });
  const json = JSON.parse(r.stdout) as DoctorJson;
  return { code: r.code, line: json.checks.find((c) => c.check === "project") };
}

async function configured(repo: string, project: string): Promise<void> {
  const gh = createActors(emu, { repo });
  gh.repo();
  gh.addCollaborator("lead", "maintain");
  await gh.pushConfig(
    `phases:\n  - id: crawl\n    gate: {}\n  - id: walk\n    gate: {}\n  - id: run\nproject: ${project}\n`,
    { by: "lead" },
  );
}

beforeAll(async () => {
  emu = await createEmulator();
  emu.state.user("proj", "Organization");
  emu.state.createProject("proj", { number: 1, title: "Launch" });
  emu.state.createProject("proj", {
    number: 2,
    title: "Half done",
    fields: [{ name: "Phase", options: ["Crawl", "Walk"] }],
  });
  await configured("proj/api", "{ number: 1 }");
  await configured("proj/web", "{ number: 2 }");
  await configured("proj/gone", "{ number: 9 }");
  installationId = emu.state.install(
    ["proj/api", "proj/web", "proj/gone"],
    emu.state.user("proj"),
  ).id;
});
afterAll(async () => {
  await emu?.close();
});

describe("phase-gates doctor: the project", { timeout: 60_000 }, () => {
  it("without organization_projects accepted: ✗ with the permission to add, exit 13 at most", async () => {
    const { code, line } = await projectLine("proj/api");
    expect(line?.status).toBe("fail");
    expect(line?.summary).toBe(
      "proj/projects/1: the installation has not accepted organization_projects: write and the projects_v2_item event",
    );
    expect(line?.fix).toContain("Projects: Read and write");
    expect(code).not.toBe(0);
  });

  describe("with the permission and the event accepted", () => {
    beforeAll(() => {
      // Unset grants are the app's (app.yml); the owner accepted Projects on top of them.
      const installation = emu.state.installations.get(installationId);
      emu.state.setInstallationGrants(installationId, {
        permissions: {
          ...(installation?.permissions ?? emu.state.app.permissions),
          organization_projects: "write",
        },
        events: [...(installation?.events ?? emu.state.app.events), "projects_v2_item"],
      });
    });

    it.each([
      [
        "a project without the app's fields: ✓, they will be created",
        "proj/api",
        "ok",
        /^proj\/projects\/1 "Launch": fields Phase and Gate usable$/,
        'field "Phase" will be created on the first sync',
      ],
      [
        "a Phase field that lacks an option: ✗, never rewritten",
        "proj/web",
        "fail",
        /^proj\/projects\/2 "Half done": a field needs attention$/,
        'the project\'s field "Phase" has no option "Run"',
      ],
      [
        "a project number that does not exist: ✗",
        "proj/gone",
        "fail",
        /^proj\/projects\/9: project 9 does not exist in proj/,
        null,
      ],
    ])("%s", async (_, repo, status, summary, detail) => {
      const { line } = await projectLine(repo);
      expect(line?.status).toBe(status);
      expect(line?.summary).toMatch(summary);
      if (detail) expect(line?.details.join("\n")).toContain(detail);
    });
  });
});
