/**
 * The command line's exit codes, one per thing a script may want to tell
 * apart. Documented in `phase-gates --help` and the README; stable.
 */
export const EXIT = {
  /** Done: the config is valid, the report was printed, the PR's check would pass. */
  ok: 0,
  /** The config is invalid: the file given to `validate`, or the repository's. */
  invalidConfig: 1,
  /** Bad command line: unknown command or option, bad argument; `init` would overwrite. */
  usage: 2,
  /** No token (GITHUB_TOKEN / GH_TOKEN), or GitHub refused it (401). */
  auth: 3,
  /** Not found: the repository, the pull request (404), or the file to validate. */
  notFound: 4,
  /** GitHub's rate limit: the message says when it resets. */
  rateLimited: 5,
  /** The repository has no `.github/phase-gates.yml` (nor its owner's `.github` repo): the app does nothing there. */
  notConfigured: 6,
  /** `explain`: the PR's `Phase gate` check would fail. */
  blocked: 7,
  /** Anything else: GitHub answered an error (5xx, 403 forbidden), or could not be reached. */
  failed: 8,
  /** `doctor`: the app is not installed on the repository, or its owner has not accepted a permission or event `app.yml` asks for. */
  appMissing: 10,
  /** `doctor`: nothing requires `Phase gate` on the default branch, or it is not pinned to the app: the gate does not bite. */
  notEnforced: 11,
  /** `doctor`: whether the default branch requires `Phase gate` from the app could not be told. */
  enforcementUnknown: 12,
  /** `doctor`: the gate bites, but something needs attention: a gate without its issue, an environment without the app's rule, no dashboard. */
  attention: 13,
  /** `audit`: GitHub's record shows exceptions (a close that did not count, a PR merged while blocked, …). */
  auditExceptions: 20,
  /** `audit`: stopped early (a rate limit longer than --max-wait): the report is partial. */
  auditIncomplete: 21,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table printed by `--help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok: config valid, report printed, or (explain) the check would pass
  1  invalid config (the file given to validate, or the repository's)
  2  usage: unknown command or option, bad argument; init would overwrite a file
  3  no token (GITHUB_TOKEN or GH_TOKEN), or GitHub refused it (401)
  4  not found: repository, pull request (404), or the file to validate
  5  rate limited by GitHub (the message says when it resets)
  6  the repository has no .github/phase-gates.yml: the app does nothing there
  7  explain: the Phase gate check would fail (the PR is blocked)
  8  any other error from GitHub (5xx, 403) or the network
 10  doctor: the app is not installed, or the installation lacks a permission or event app.yml asks for
 11  doctor: Phase gate is not required on the default branch, or not pinned to the app
 12  doctor: whether Phase gate is required could not be told
 13  doctor: something needs attention (a gate issue, a deployment environment, the dashboard)
     (doctor with several findings: the lowest of these codes, 1 for an invalid config first)
 20  audit: the records show exceptions (see the summary)
 21  audit: stopped early (rate limit beyond --max-wait); the report is partial`;

/** An error the command line ends on: one line for people, and its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = "CliError";
  }
}
