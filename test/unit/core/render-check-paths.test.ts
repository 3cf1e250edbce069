import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { pathsPhase, withPathsPhase } from "../../../src/core/changed-paths.js";
import { decide } from "../../../src/core/evaluate.js";
import { effectivePhase } from "../../../src/core/phases.js";
import { renderVerdict } from "../../../src/core/render-check.js";
import type { ChangedFiles } from "../../../src/core/types.js";
import { REPO } from "./helpers.js";

const config = configSchema.parse({
  phases: [
    { id: "crawl", gate: {} },
    { id: "walk", gate: {} },
    { id: "run", paths: ["infra/prod/**", "!infra/prod/docs/**", "*.tfvars"] },
  ],
});

function summary(files: ChangedFiles, labels: string[] = []): { title: string; summary: string } {
  const claimed = effectivePhase(config, { labels, milestone: null, linkedIssues: [] });
  const phase = withPathsPhase(claimed, pathsPhase(config, files));
  const verdict = decide(config, phase, []);
  return renderVerdict(config, verdict, REPO);
}

const names = (n: number, prefix = "infra/prod/m") =>
  Array.from({ length: n }, (_, i) => ({ filename: `${prefix}${i}.tf` }));

describe("renderVerdict: the files and patterns that set the phase", () => {
  it("names each matching file with its pattern", () => {
    const { summary: text } = summary({
      files: [
        { filename: "docs/db.tf", previousFilename: "infra/prod/db.tf" },
        { filename: "a.tfvars" },
      ],
      changedFiles: 2,
    });
    expect(text).toContain(
      "**Phase:** Run, from its changed files (2 files match the phase's `paths`).",
    );
    expect(text).toContain("- `infra/prod/db.tf` (pattern `infra/prod/**`)");
    expect(text).toContain("- `a.tfvars` (pattern `*.tfvars`)");
    expect(text).not.toContain("docs/db.tf` (pattern");
  });

  it.each<[number, string | null]>([
    [10, null],
    [11, "- and 1 more file"],
    [25, "- and 15 more files"],
  ])("%i matching files: the first ten, then %s", (n, more) => {
    const { summary: text } = summary({ files: names(n), changedFiles: n });
    expect(text.match(/^- `infra\/prod\/m\d+\.tf` \(pattern/gm)).toHaveLength(10);
    if (more) expect(text).toContain(more);
    else expect(text).not.toContain("more file");
  });

  it("says in words why a PR GitHub cannot list in full is held", () => {
    const { summary: text } = summary({ files: names(3000, "src/f"), changedFiles: 3412 });
    expect(text).toContain(
      "⚠️ GitHub lists at most 3,000 changed files; this pull request changes 3,412, so 412 files were never listed and cannot be checked against `paths`. It is held in Run, the latest phase with `paths`, rather than judged on a partial list.",
    );
    expect(text).toContain("**Phase:** Run, from its changed files (more than GitHub lists).");
  });

  it("says so when GitHub did not list the files at all", () => {
    const { summary: text } = summary({ files: [], changedFiles: null });
    expect(text).toContain("GitHub did not list this pull request's changed files");
  });

  it("a label and the files both saying Run: both named", () => {
    const { summary: text } = summary({ files: names(1), changedFiles: 1 }, ["phase: run"]);
    expect(text).toContain(
      "**Phase:** Run, from label `phase: run`, its changed files (1 file matches the phase's `paths`).",
    );
  });

  it("a file name cannot break the Markdown", () => {
    const { summary: text } = summary({
      files: [{ filename: "infra/prod/a`b<!--x.tf" }],
      changedFiles: 1,
    });
    expect(text).toContain("- `infra/prod/a'b<\\!--x.tf` (pattern `infra/prod/**`)");
  });
});
