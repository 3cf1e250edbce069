import { describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { useSandbox } from "./sandbox.js";
import { BLOCKED, HELD, PEOPLE, THREAT_CONFIG } from "./threats-stories.js";

// Threat model (SECURITY.md), phase by paths: a PR is Run because of what it
// changes, with no label to forget. Its author (a writer) tries to leave the
// gate behind by renaming the file away, by changing more files than GitHub
// lists, or by removing the label; a push that truly leaves the paths lowers it.
const sandbox = useSandbox();

const PATHS_CONFIG = THREAT_CONFIG.replace(
  "    milestone: Run\n",
  '    milestone: Run\n    paths: ["infra/prod/**", "!infra/prod/docs/**"]\n',
);
const RUN_FILE = "`infra/prod/db.tf` (pattern `infra/prod/**`)";
const FROM_FILES = "**Phase:** Run, from its changed files";

async function repo(owner: string): Promise<Actors> {
  const gh = await sandbox.get().repo(`${owner}/app`, PATHS_CONFIG, PEOPLE);
  await gh.waitFor(() => gh.repo().issues.size > 0, { what: "the app to create the gate issue" });
  return gh;
}

describe("phase by paths: the files decide, whatever the labels", { timeout: 120_000 }, () => {
  it("a PR that changes infra/prod/** with no label is Run: blocked by the Walk gate, the file and pattern named", async () => {
    const gh = await repo("pathsrun");
    const pr = (
      await gh.openPullRequest({
        title: "Bigger database",
        files: { "infra/prod/db.tf": 'resource "db" { size = "xl" }\n' },
        by: "writer",
      })
    ).number;

    const check = await gh.waitForCheck(pr, { title: BLOCKED });
    expect(check.output.summary).toContain(FROM_FILES);
    expect(check.output.summary).toContain(RUN_FILE);
  });

  it("the author renames infra/prod/db.tf to docs/db.tf: still Run, by the old name", async () => {
    const gh = await repo("pathsrename");
    const pr = (
      await gh.openPullRequest({
        title: "Move the db file",
        renames: { "docs/db.tf": "infra/prod/db.tf" },
        by: "writer",
      })
    ).number;

    const check = await gh.waitForCheck(pr, { title: BLOCKED });
    expect(check.output.summary).toContain(RUN_FILE);
  });

  it("a PR of 3,001 files, none in the paths: held in Run, never judged on GitHub's partial list", async () => {
    const gh = await repo("pathsmany");
    const files = Object.fromEntries(
      Array.from({ length: 3001 }, (_, i) => [`src/generated/f${i}.ts`, "export {};\n"]),
    );
    const pr = (await gh.openPullRequest({ title: "Regenerate", files, by: "writer" })).number;

    const check = await gh.waitForCheck(pr, { title: BLOCKED });
    expect(check.output.summary).toContain(
      "GitHub lists at most 3,000 changed files; this pull request changes 3,001",
    );
  });

  it("the author removes `phase: run` from a PR whose files are Run: still Run from the files, no floor involved", async () => {
    const gh = await repo("pathslabel");
    const pr = (
      await gh.openPullRequest({
        title: "Bigger database",
        labels: ["phase: run"],
        files: { "infra/prod/db.tf": "changed\n" },
        by: "writer",
      })
    ).number;
    await gh.waitForCheck(pr, { title: BLOCKED });

    await gh.removeLabel(pr, "phase: run", { by: "writer" });

    const check = await gh.waitFor(
      () => {
        const run = gh.latestCheck(pr);
        return run?.output.summary?.includes("label `phase: run`") === false ? run : undefined;
      },
      { what: "the check to drop the removed label" },
    );
    expect(check.output.title).toBe(BLOCKED);
    expect(check.output.summary).toContain(FROM_FILES);
    expect(check.output.summary).not.toContain(HELD);

    // The label was the writer's claim to lower, and they may not: a push that
    // leaves the paths now meets the phase floor the label left.
    await gh.pushCommit(pr, { revert: ["infra/prod/db.tf"], by: "writer" });
    const held = await gh.waitFor(
      () => {
        const run = gh.latestCheck(pr);
        return run?.output.summary?.includes(HELD) ? run : undefined;
      },
      { what: "the new head to be held at the label's floor" },
    );
    expect(held.output.title).toBe(BLOCKED);
  });

  it("a push that no longer touches infra/prod lowers what came from the files", async () => {
    const gh = await repo("pathspush");
    const pr = (
      await gh.openPullRequest({
        title: "Tune and document",
        files: { "infra/prod/db.tf": "changed\n", "README.md": "docs\n" },
        by: "writer",
      })
    ).number;
    await gh.waitForCheck(pr, { title: BLOCKED });

    await gh.pushCommit(pr, { revert: ["infra/prod/db.tf"], by: "writer" });

    const check = await gh.waitForCheck(pr, { conclusion: "success", title: "No phase" });
    expect(check.output.summary).not.toContain("changed files");
    await expectNoFloor(gh, pr);
  });
});

/** The app's run remembers no floor: the phase came from the files alone. */
async function expectNoFloor(gh: Actors, pr: number): Promise<void> {
  await gh.settle();
  expect(gh.latestCheck(pr)?.external_id ?? "").toBe("phase-gates:floor=");
}
