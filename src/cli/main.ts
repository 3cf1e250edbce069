#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { CONFIG_PATH } from "../config/schema.js";
import { type AuditOptions, audit } from "./audit.js";
import { doctor } from "./doctor.js";
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from "./exit-codes.js";
import { explain } from "./explain.js";
import { init } from "./init.js";
import type { NetworkOptions } from "./open-repo.js";
import { status } from "./status.js";
import { statusMany } from "./status-many.js";
import { createTerm, type Term } from "./term.js";
import { validate } from "./validate.js";

function packageVersion(): string {
  // lib/cli/main.js and src/cli/main.ts both sit two levels below package.json.
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

const ENVIRONMENT_HELP = `Environment (status, explain, doctor, audit):
  GH_TOKEN, GITHUB_TOKEN  a token that can read the repository (GH_TOKEN wins, as in gh);
                          e.g. GH_TOKEN=$(gh auth token). Nothing is written with it.
  GH_HOST                 GitHub Enterprise host (API at https://HOST/api/v3), as gh reads it
  GHE_HOST, GHE_PROTOCOL  the app's own variables for the same, used when GH_HOST is unset
  NO_COLOR                no colour (colour is only ever used on a terminal)
  APP_ID, PRIVATE_KEY     doctor: the app's own credentials (or PRIVATE_KEY_PATH), to read what its
                          installation accepted (GET /repos/{owner}/{repo}/installation answers only the app)`;

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
  phase-gates doctor acme/rocket              does the gate bite? each check with its fix
  phase-gates audit acme/rocket --since 2026-01-01 --format csv --out audit.csv

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
      .argument("[owner/repo...]", "the repository (several: one line per repository and phase)")
      .option("--org <org>", "every configured repository of an organisation, one line per phase"),
  )
    .addHelpText(
      "after",
      `
Reads only; the gates and every open PR's verdict are computed with the app's own code.

Examples:
  GH_TOKEN=$(gh auth token) phase-gates status acme/rocket
  phase-gates status acme/rocket --json | jq '.phases[] | {id, state: .gate.state}'
  phase-gates status --org acme              (every configured repository, by phase)
  phase-gates status acme/api acme/web --json`,
    )
    .action(async (repos: string[], opts: { org?: string }, command: Command) => {
      const [only] = repos;
      if (only !== undefined && repos.length === 1 && !opts.org) {
        finish(await status(term(command), only, networkOptions(command), version));
        return;
      }
      if (repos.length === 0 && !opts.org)
        throw new CliError("status needs <owner/repo> or --org <org>", EXIT.usage);
      finish(await statusMany(term(command), repos, opts.org, networkOptions(command), version));
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

  withNetworkOptions(
    program
      .command("doctor")
      .description(
        "does the gate bite? the config, the app's installation and what it accepted, whether the default branch requires Phase gate from the app, the gate issues, the gated environments and the dashboard, each ✓/✗/? with its fix (exit 10-13 per kind of finding)",
      )
      .argument("<owner/repo>", "the repository"),
  )
    .addHelpText(
      "after",
      `
Reads only. The installation's permissions and events are read with the app's
own credentials (APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH); without them
those lines show "?". The rules are compared with --app-id, else APP_ID, else
the id of --app-slug (GET /apps/<slug>).

Examples:
  GH_TOKEN=$(gh auth token) phase-gates doctor acme/rocket
  phase-gates doctor acme/rocket --json | jq '.checks[] | select(.status != "ok")'`,
    )
    .action(async (repo: string, _opts: unknown, command: Command) => {
      finish(await doctor(term(command), repo, networkOptions(command), version));
    });

  program
    .command("audit")
    .description(
      "the evidence a compliance review asks for: every gate round and every merged PR over a window, rebuilt from GitHub's records, with the exceptions; a summary and a SHA-256 digest at the end (exit 20 with exceptions)",
    )
    .argument("[owner/repo...]", "the repositories (or --org)")
    .option("--org <org>", "every repository of the organisation that has a config")
    .option(
      "--since <when>",
      "start of the window: a date (2026-01-31), a date-time, or days before now (90d)",
      "90d",
    )
    .option("--until <when>", "end of the window, as --since (default: now)")
    .option("--format <format>", "jsonl, csv or md (default: md on a terminal, jsonl otherwise)")
    .option("--out <file>", "write the report to a file instead of standard output")
    .option(
      "--max-wait <duration>",
      "the longest to wait for GitHub's rate limits in all (seconds, or 90s, 15m, 1h); past it the audit stops with what it has and exits 21",
      "1h",
    )
    .option(
      "--api <api>",
      "auto (GraphQL, REST where GraphQL is not answered), graphql or rest",
      "auto",
    )
    .option(
      "--api-url <url>",
      "GitHub's REST API root, for GitHub Enterprise Server (https://HOST/api/v3) or the local sandbox; default from GH_HOST, else https://api.github.com",
    )
    .option(
      "--app-slug <slug>",
      "slug of the phase-gates GitHub App registration: its runs and its bot's writes are the app's",
      "phase-gates",
    )
    .option(
      "--app-id <id>",
      "the app's numeric id, when the token cannot read GET /apps/<slug>",
      appId,
    )
    .addHelpText(
      "after",
      `
Reads only. Records are sorted and carry no time of the run: the same window gives the same bytes.

Examples:
  phase-gates audit acme/rocket --since 2026-01-01 --until 2026-06-30 --format csv --out audit.csv
  phase-gates audit --org acme --since 365d --format md
  phase-gates audit acme/rocket | jq 'select(.exceptions | length > 0)'`,
    )
    .action(async (repos: string[], _opts: unknown, command: Command) => {
      // Options commander leaves undefined are left out (exactOptionalPropertyTypes).
      const options = Object.fromEntries(
        Object.entries(command.opts<AuditOptions>()).filter(([, v]) => v !== undefined),
      ) as AuditOptions;
      finish(await audit(term(command), repos, options, version));
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
