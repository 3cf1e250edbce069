import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { DEFAULT_CONFIG } from "./default-config.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { paint, type Term } from "./term.js";

export const NEXT_STEPS = `Next steps:
  1. Edit it to your phases and approvers, then check it: phase-gates validate
  2. Commit it to the default branch: the app reads the config from there only.
  3. Install the phase-gates GitHub App on the repository (see the README,
     "Installing on GitHub"). On that push it creates the labels, milestones
     and gate issues, and checks every open pull request.
  4. Require the check: Settings → Rules → Rulesets → New branch ruleset →
     target the default branch → Require status checks to pass → add
     "Phase gate" and pick the phase-gates app as its source, so no other app
     or workflow can post a green check with that name.
  5. See where you stand: phase-gates status OWNER/REPO`;

async function existing(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * `phase-gates init [file]`: writes the commented default config. A file
 * that already holds exactly that is left alone (running it twice is fine);
 * any other file is kept unless `--force`.
 */
export async function init(
  term: Term,
  file: string,
  options: { force?: boolean },
): Promise<ExitCode> {
  const before = await existing(file);
  if (before === DEFAULT_CONFIG) {
    term.out(`${file} already holds the default config; nothing to do.\n\n${NEXT_STEPS}`);
    return EXIT.ok;
  }
  if (before !== null && !options.force) {
    throw new CliError(
      `${file} already exists; not overwriting it (use --force to replace it with the default config)`,
      EXIT.usage,
    );
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, DEFAULT_CONFIG, "utf8");
  const verb = before === null ? "Wrote" : "Replaced";
  term.out(
    `${paint(term.color, "green", "✓")} ${verb} ${file}: Crawl → Walk → Run, 2 gates, every default spelled out.\n\n${NEXT_STEPS}`,
  );
  return EXIT.ok;
}
