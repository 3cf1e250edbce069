#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { CONFIG_PATH } from "../config/schema.js";
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from "./exit-codes.js";
import { explain } from "./explain.js";
import { init } from "./init.js";
import type { NetworkOptions } from "./open-repo.js";
import { status } from "./status.js";
import { createTerm, type Term } from "./term.js";
import { validate } from "./validate.js";

function packageVersion(): string {
  // lib/cli/main.js and src/cli/main.ts both sit two levels below package.json.
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

const ENVIRONMENT_HELP = `Environment (status, explain):
  GH_TOKEN, GITHUB_TOKEN  a token that can read the repository (GH_TOKEN wins, as in gh);
                          e.g. GH_TOKEN=$(gh auth token). Nothing is written with it.
  GH_HOST                 GitHub Enterprise host (API at https://HOST/api/v3), as gh reads it
  GHE_HOST, GHE_PROTOCOL  the app's own variables for the same, used when GH_HOST is unset
  NO_COLOR                no colour (colour is only ever used on a terminal)`;

function appId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected the app's numeric id, e.g. 123456");
  }
  return n;
}

function withNetworkOptions(command: Command): Command {
  return command
    .option("--json", "print JSON for scripts instead of text")
    .option(
      "--api-url <url>",
      "GitHub's REST API root, for GitHub Enterprise Server (https://HOST/api/v3) or the local sandbox (http://127.0.0.1:PORT/api/v3); default from GH_HOST, else https://api.github.com",
    )
    .option(
      "--app-slug <slug>",
      "slug of the phase-gates GitHub App registration (https://github.com/apps/<slug>): its bot <slug>[bot] is the only bot whose gate labels and closes count, and its own Phase gate check runs hold each PR's phase floor",
      "phase-gates",
    )
    .option(
      "--app-id <id>",
      "the app's numeric id, when the token cannot read GET /apps/<slug> (a private registration)",
      appId,
    );
}

function networkOptions(command: Command): NetworkOptions {
  const o = command.optsWithGlobals<{
    json?: boolean;
    apiUrl?: string;
    appSlug: string;
    appId?: number;
    color?: boolean;
  }>();
  return {
    appSlug: o.appSlug,
    ...(o.json ? { json: true } : {}),
    ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}),
    ...(o.appId ? { appId: o.appId } : {}),
  };
}

/** The program; `finish` receives each command's exit code. */
export function buildProgram(
  version: string,
  makeTerm: (color: boolean) => Term,
  finish: (code: ExitCode) => void,
): Command {
  const program = new Command("phase-gates")
    .description(
      "Check a phase-gates config, start one, and see a repository's Crawl → Walk → Run gates from a terminal.",
    )
    .version(version, "-v, --version", "print the version")
    .option("--no-color", "no colour, even on a terminal")
    // Set before the subcommands, which inherit it: usage errors become exit 2, not commander's 1.
    .exitOverride()
    .showHelpAfterError("(run phase-gates --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  phase-gates validate                        check .github/phase-gates.yml (offline)
  git show main:.github/phase-gates.yml | phase-gates validate -
  phase-gates init                            write the commented default config
  GH_TOKEN=$(gh auth token) phase-gates status acme/rocket
  phase-gates explain acme/rocket 42          what the Phase gate check says for PR #42
  phase-gates status acme/rocket --json | jq '.blocked[].number'
  phase-gates status acme/rocket --api-url http://127.0.0.1:3001/api/v3   (the local sandbox)

${ENVIRONMENT_HELP}

${EXIT_CODES_HELP}`,
    );
  const term = (command: Command) =>
    makeTerm(command.optsWithGlobals<{ color?: boolean }>().color !== false);

  program
    .command("validate")
    .description(
      `check a config file with the app's own parser, offline; errors as file:line:col  key.path  message (exit 1)`,
    )
    .argument("[file]", `the file, or - for standard input`, CONFIG_PATH)
    .option("--json", "print { file, valid, errors, config } as JSON")
    .addHelpText(
      "after",
      `
An _extends line is not followed offline: the file is checked on its own.

Examples:
  phase-gates validate
  phase-gates validate path/to/phase-gates.yml --json
  cat phase-gates.yml | phase-gates validate -`,
    )
    .action(async (file: string, opts: { json?: boolean }, command: Command) => {
      finish(await validate(term(command), file, opts));
    });

  program
    .command("init")
    .description("write a commented default config (Crawl → Walk → Run) and print the next steps")
    .argument("[file]", "where to write it", CONFIG_PATH)
    .option("-f, --force", "replace a file that already exists")
    .action(async (file: string, opts: { force?: boolean }, command: Command) => {
      finish(await init(term(command), file, opts));
    });

  withNetworkOptions(
    program
      .command("status")
      .description(
        "each phase and its gate (state, who decided and when, criteria, approvals), open issues and PRs per phase, and the PRs blocked now",
      )
      .argument("<owner/repo>", "the repository"),
  )
    .addHelpText(
      "after",
      `
Reads only; the gates and every open PR's verdict are computed with the app's own code.

Examples:
  GH_TOKEN=$(gh auth token) phase-gates status acme/rocket
  phase-gates status acme/rocket --json | jq '.phases[] | {id, state: .gate.state}'`,
    )
    .action(async (repo: string, _opts: unknown, command: Command) => {
      finish(await status(term(command), repo, networkOptions(command), version));
    });

  withNetworkOptions(
    program
      .command("explain")
      .description(
        "what the Phase gate check says for a pull request now, computed with the app's own code; writes nothing (exit 7 when it would fail)",
      )
      .argument("<owner/repo>", "the repository")
      .argument("<pr>", "the pull request number")
      .option(
        "--markdown",
        "print the check's summary as the Markdown GitHub shows, not rendered as text for a terminal",
      ),
  )
    .addHelpText(
      "after",
      `
The PR's phase floor is read from the app's own Phase gate run on its head
(found by --app-id, else by --app-slug), as the app does.

Examples:
  phase-gates explain acme/rocket 42
  phase-gates explain acme/rocket 42 --markdown > summary.md
  phase-gates explain acme/rocket 42 --json | jq -r .summary`,
    )
    .action(async (repo: string, pr: string, opts: { markdown?: boolean }, command: Command) => {
      const options = { ...networkOptions(command), markdown: opts.markdown === true };
      finish(await explain(term(command), repo, pr, options, version));
    });

  return program;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(
    packageVersion(),
    (color) => createTerm({ color }),
    (c) => {
      code = c;
    },
  );
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too; commander has already printed them.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`phase-gates: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `phase-gates: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failed;
  }
}

// \`phase-gates status … | head\` closes the pipe early: not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? EXIT.ok);
});
process.exitCode = await main(process.argv);
