import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../../sandbox/emulator/index.js";

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let emu: Emulator;
let octokit: Octokit;
const repoRef = { owner: "acme", repo: "rocket" };

beforeAll(async () => {
  emu = await createEmulator();
  const installation = emu.state.install(["acme/rocket"], emu.state.user("lead"));
  octokit = new Octokit({
    baseUrl: emu.apiUrl,
    auth: emu.state.issueTokenFor(installation.id).token,
    log: quiet,
  });
  emu.state.commitFiles(
    emu.state.repo("acme/rocket"),
    "main",
    { "infra/prod/db.tf": 'resource "db" {}\n' },
    emu.state.user("lead"),
  );
});

afterAll(async () => {
  await emu.close();
});

function openPull(files: Record<string, string | null>, renames?: Record<string, string>) {
  return emu.state.createPull(
    emu.state.repo("acme/rocket"),
    { title: "change", files, ...(renames ? { renames } : {}) },
    emu.state.user("dev"),
  );
}

const many = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`src/f${i}.ts`, "x\n"]));

describe("GET /pulls/{n}/files, as GitHub lists a PR's files", () => {
  it("a rename is one entry with previous_filename, and counts once in changed_files", async () => {
    const pr = openPull({}, { "docs/db.tf": "infra/prod/db.tf" });
    const { data: files } = await octokit.rest.pulls.listFiles({
      ...repoRef,
      pull_number: pr.number,
    });
    expect(files).toEqual([
      expect.objectContaining({
        filename: "docs/db.tf",
        previous_filename: "infra/prod/db.tf",
        status: "renamed",
      }),
    ]);
    const { data: pull } = await octokit.rest.pulls.get({ ...repoRef, pull_number: pr.number });
    expect(pull.changed_files).toBe(1);
  });

  it("pages of at most 100, with Link headers to follow", async () => {
    const pr = openPull(many(250));
    const first = await octokit.rest.pulls.listFiles({
      ...repoRef,
      pull_number: pr.number,
      per_page: 100,
    });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, {
      ...repoRef,
      pull_number: pr.number,
      per_page: 100,
    });
    expect(all).toHaveLength(250);
  });

  it("stops at 3,000 files while changed_files keeps the real count", async () => {
    const pr = openPull(many(3412));
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, {
      ...repoRef,
      pull_number: pr.number,
      per_page: 100,
    });
    expect(all).toHaveLength(3000);
    const { data: pull } = await octokit.rest.pulls.get({ ...repoRef, pull_number: pr.number });
    expect(pull.changed_files).toBe(3412);
  });

  it("a push that reverts a change takes the file out of the list", async () => {
    const repo = emu.state.repo("acme/rocket");
    const pr = openPull({ "infra/prod/db.tf": "changed\n", "README.md": "hi\n" });
    emu.state.pushToPull(repo, pr.number, emu.state.user("dev"), { revert: ["infra/prod/db.tf"] });
    const { data: files } = await octokit.rest.pulls.listFiles({
      ...repoRef,
      pull_number: pr.number,
    });
    expect(files.map((f) => f.filename)).toEqual(["README.md"]);
  });
});
