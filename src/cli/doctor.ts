import { readFileSync } from "node:fs";
import { ProbotOctokit } from "probot";
import { parse } from "yaml";
import { DASHBOARD_TITLE } from "../core/dashboard.js";
import { environmentMatches } from "../core/deployment.js";
import { type Enforcement, enforcementWords, webRoot } from "../core/enforcement.js";
import { gateStatus } from "../core/gate-state.js";
import { describeMissingGrant, type Grants, missingGrants } from "../core/grants.js";
import { GATE_FIELD, planProjectFields } from "../core/plan-project.js";
import { findDashboard } from "../github/dashboard.js";
import { readEnforcement } from "../github/enforcement.js";
import { listEnvironmentNames, readEnvironmentRule } from "../github/environments.js";
import { type RepoInstallation, readRepoInstallation } from "../github/installation.js";
import { type GitHub, httpStatus } from "../github/octokit.js";
import { readProject } from "../github/projects.js";
import { describeGitHubError, rateLimitMessage } from "./connect.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { type NetworkOptions, type OpenRepo, openRepo } from "./open-repo.js";
import { plain, printWarnings } from "./report.js";
import { paint, type Term } from "./term.js";
import { formatErrorLine } from "./validate.js";

/** One line of the report: a check, what it found, and what to do about it. */
export interface DoctorLine {
  check: string;
  status: "ok" | "fail" | "unknown";
  summary: string;
  /** Lines under the summary (each gate, each environment, each config error). */
  details: string[];
  fix: string | null;
  /** The exit code this finding asks for; null: it does not change the exit code. */
  exitCode: ExitCode | null;
}

type InstallationLookup =
  | { kind: "found"; installation: RepoInstallation }
  | { kind: "absent" }
  | { kind: "unknown"; why: string; fix: string };

/** What every check may read: the repository opened as `status` opens it, and the installation once. */
export interface DoctorContext {
  open: OpenRepo;
  /** The installation as the app's JWT sees it (or the token, where it may). */
  installation(): Promise<InstallationLookup>;
  /** The enforcement read, shared by the checks that need it. */
  enforcement(): Promise<Enforcement>;
}

/** A check: its name and its lines. The list is the report's order; add one to extend it. */
export interface DoctorCheck {
  name: string;
  run(ctx: DoctorContext): Promise<DoctorLine[]>;
}

const line = (
  check: string,
  status: DoctorLine["status"],
  summary: string,
  more: Partial<Pick<DoctorLine, "details" | "fix" | "exitCode">> = {},
): DoctorLine => ({
  check,
  status,
  summary,
  details: more.details ?? [],
  fix: more.fix ?? null,
  exitCode: more.exitCode ?? null,
});

/** Where the config came from: the repository, the owner's `.github`, an `_extends` chain. */
function configOrigin(sources: readonly string[], owner: string): string {
  const where = (s: string) =>
    s.toLowerCase().startsWith(`${owner}/.github:`.toLowerCase())
      ? `the owner's .github repository (${s})`
      : s.includes(":")
        ? s
        : `the repository (${s})`;
  if (sources.length <= 1) return `from ${where(sources[0] ?? "?")}`;
  return `from ${where(sources[0] ?? "?")}, extending ${sources.slice(1).join(" → ")} (_extends)`;
}

const configCheck: DoctorCheck = {
  name: "config",
  async run({ open }) {
    const { loaded, repo } = open;
    if (loaded.kind === "invalid") {
      return [
        line(
          "config",
          "fail",
          `invalid, ${configOrigin(loaded.sources, repo.owner)}: every pull request's Phase gate check fails until it is fixed`,
          {
            details: loaded.errors.map((e) => formatErrorLine(e, false)),
            fix: "fix each error on the default branch (phase-gates validate checks a file offline)",
            exitCode: EXIT.invalidConfig,
          },
        ),
      ];
    }
    const { config } = loaded;
    const gates = config.phases.filter((p) => p.gate).length;
    return [
      line(
        "config",
        "ok",
        `valid, ${configOrigin(loaded.sources, repo.owner)}: ${config.phases.length} phases (${config.phases.map((p) => p.name).join(" → ")}), ${gates} ${gates === 1 ? "gate" : "gates"}`,
      ),
    ];
  },
};

function installLink(open: OpenRepo): string {
  return `${webRoot(open.facts.htmlUrl)}/apps/${open.app.slug}/installations/new`;
}

const installationCheck: DoctorCheck = {
  name: "installation",
  async run(ctx) {
    const found = await ctx.installation();
    if (found.kind === "absent") {
      return [
        line("installation", "fail", `the app is not installed on ${ctx.open.facts.fullName}`, {
          fix: `install it on the repository: ${installLink(ctx.open)}`,
          exitCode: EXIT.appMissing,
        }),
      ];
    }
    if (found.kind === "unknown") {
      return [line("installation", "unknown", found.why, { fix: found.fix })];
    }
    const i = found.installation;
    if (i.suspended) {
      return [
        line("installation", "fail", `installation ${i.id} on ${i.account} is suspended`, {
          fix: `unsuspend it: ${i.htmlUrl}`,
          exitCode: EXIT.appMissing,
        }),
      ];
    }
    return [
      line(
        "installation",
        "ok",
        `installed: installation ${i.id} on ${i.account} (${i.repositorySelection} repositories)`,
      ),
    ];
  },
};

interface Manifest {
  default_permissions?: Record<string, string>;
  default_events?: string[];
}

/** What the app asks for: `app.yml` at the package's root (beside lib/ and src/). */
export function readManifestGrants(url = new URL("../../app.yml", import.meta.url)): Grants {
  const manifest = parse(readFileSync(url, "utf8")) as Manifest;
  return {
    permissions: manifest.default_permissions ?? {},
    events: manifest.default_events ?? [],
  };
}

const grantsCheck: DoctorCheck = {
  name: "permissions",
  async run(ctx) {
    const found = await ctx.installation();
    if (found.kind !== "found") {
      return [
        line(
          "permissions",
          "unknown",
          found.kind === "absent"
            ? "no installation to compare with app.yml"
            : "what the installation accepted cannot be read without the app's credentials",
          found.kind === "unknown" ? { fix: found.fix } : {},
        ),
      ];
    }
    let asked: Grants;
    try {
      asked = readManifestGrants();
    } catch (error) {
      return [
        line(
          "permissions",
          "unknown",
          `app.yml could not be read to compare: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ];
    }
    const i = found.installation;
    const missing = missingGrants(asked, { permissions: i.permissions, events: i.events });
    if (missing.length === 0) {
      return [
        line(
          "permissions",
          "ok",
          `every permission and event app.yml asks for is accepted (${Object.keys(asked.permissions).length} permissions, ${asked.events.length} events)`,
        ),
      ];
    }
    return [
      line(
        "permissions",
        "fail",
        `the installation lacks ${missing.length === 1 ? "1 grant" : `${missing.length} grants`} app.yml asks for`,
        {
          details: missing.map(describeMissingGrant),
          fix: `an owner of ${i.account} reviews and accepts the app's requested permissions: ${i.htmlUrl}`,
          exitCode: EXIT.appMissing,
        },
      ),
    ];
  },
};

const enforcementCheck: DoctorCheck = {
  name: "enforcement",
  async run(ctx) {
    const e = await ctx.enforcement();
    const summary = `${enforcementWords(e.state)} — ${plain(e.summary)}`;
    if (e.state === "enforced") return [line("enforcement", "ok", summary)];
    return [
      line("enforcement", e.state === "unknown" ? "unknown" : "fail", summary, {
        fix: e.fix ? plain(e.fix) : null,
        exitCode: e.state === "unknown" ? EXIT.enforcementUnknown : EXIT.notEnforced,
      }),
    ];
  },
};

const gateIssuesCheck: DoctorCheck = {
  name: "gate issues",
  async run({ open }) {
    if (open.loaded.kind !== "ok") {
      return [line("gate issues", "unknown", "not read: the config is invalid")];
    }
    const { config } = open.loaded;
    const details: string[] = [];
    const missing: string[] = [];
    for (const [i, phase] of config.phases.entries()) {
      if (!phase.gate) continue;
      const record = await open.job.gate(i);
      const state = gateStatus(i, phase.gate, record.facts).state;
      if (record.issue) {
        details.push(
          `${phase.name} gate: #${record.issue.number} ${record.issue.html_url} (${state})`,
        );
      } else {
        missing.push(phase.gate.label);
        details.push(`${phase.name} gate: no gate issue (label "${phase.gate.label}")`);
      }
      for (const other of record.impostors) {
        details.push(
          `  ignored: #${other.number} has the label, but ${other.labelledBy ? `@${other.labelledBy}` : "whoever"} applied it may not decide this gate`,
        );
      }
    }
    if (details.length === 0) return [line("gate issues", "ok", "no gates in the config")];
    if (missing.length === 0) {
      return [line("gate issues", "ok", "every gate has its gate issue", { details })];
    }
    return [
      line(
        "gate issues",
        "fail",
        `${missing.length === 1 ? "1 gate has" : `${missing.length} gates have`} no gate issue: PRs behind it stay blocked, with nothing to approve`,
        {
          details,
          fix: config.sync.gateIssues
            ? "the app opens a missing gate issue when it syncs the repository: push a change to .github/phase-gates.yml, or reinstall the app"
            : `sync.gateIssues is off: an approver opens an issue with the label ${missing.map((l) => `"${l}"`).join(", ")}`,
          exitCode: EXIT.attention,
        },
      ),
    ];
  },
};

const deploymentsCheck: DoctorCheck = {
  name: "deployments",
  async run({ open }) {
    if (open.loaded.kind !== "ok") {
      return [line("deployments", "unknown", "not read: the config is invalid")];
    }
    const entries = open.loaded.config.deployments;
    if (entries.length === 0) {
      return [
        line("deployments", "ok", "the config lists no deployments: no environment is gated"),
      ];
    }
    const { conn, repo, app } = open;
    const settings = `${open.facts.htmlUrl}/settings/environments`;
    const details: string[] = [];
    const problems: string[] = [];
    let unreadable: string | null = null;
    for (const entry of entries) {
      let names = [entry.environment];
      if (entry.environment.includes("*")) {
        try {
          names = (await listEnvironmentNames(conn.octokit, repo)).filter((n) =>
            environmentMatches(entry.environment, n),
          );
        } catch (error) {
          unreadable = refusal(error, "the environments");
          break;
        }
        if (names.length === 0) {
          problems.push(entry.environment);
          details.push(`${entry.environment} (${entry.phase}): no environment matches`);
          continue;
        }
      }
      for (const name of names) {
        let rule: Awaited<ReturnType<typeof readEnvironmentRule>>;
        try {
          rule = await readEnvironmentRule(conn.octokit, repo, name, app);
        } catch (error) {
          unreadable = refusal(error, `environment ${name}'s protection rules`);
          break;
        }
        if (rule.kind === "missing") {
          problems.push(name);
          details.push(`${name} (${entry.phase}): no such environment`);
        } else if (rule.appRule !== "enabled") {
          problems.push(name);
          details.push(
            `${name} (${entry.phase}): the phase-gates protection rule is ${rule.appRule === "disabled" ? "disabled" : "not on it"}, so deployments to it are not held`,
          );
        } else {
          details.push(`${name} (${entry.phase}): held by the phase-gates protection rule`);
        }
      }
      if (unreadable) break;
    }
    if (unreadable) {
      return [
        line("deployments", "unknown", unreadable, {
          details,
          fix: "use a token that can read the repository's environments (Actions: read, or repo scope)",
        }),
      ];
    }
    if (problems.length === 0) {
      return [line("deployments", "ok", "every gated environment has the app's rule", { details })];
    }
    return [
      line(
        "deployments",
        "fail",
        `${problems.length === 1 ? "1 gated environment is" : `${problems.length} gated environments are`} not held by the app`,
        {
          details,
          fix: `Settings → Environments → the environment (create it if missing) → Deployment protection rules: enable phase-gates (${settings})`,
          exitCode: EXIT.attention,
        },
      ),
    ];
  },
};

const dashboardCheck: DoctorCheck = {
  name: "dashboard",
  async run({ open }) {
    if (open.loaded.kind === "ok" && !open.loaded.config.dashboard) {
      return [line("dashboard", "ok", "off (dashboard: false)")];
    }
    const found = await findDashboard(open.conn.octokit, open.repo, `${open.app.slug}[bot]`);
    if (found) {
      return [
        line(
          "dashboard",
          "ok",
          `#${found.number} "${found.title}" ${open.facts.htmlUrl}/issues/${found.number}`,
        ),
      ];
    }
    return [
      line("dashboard", "fail", `no "${DASHBOARD_TITLE}" issue opened by ${open.app.slug}[bot]`, {
        fix: "the app opens it when it syncs the repository: push a change to .github/phase-gates.yml, or reinstall the app",
        exitCode: EXIT.attention,
      }),
    ];
  },
};

const PROJECT_PERMISSION_FIX =
  'the app\'s settings → Permissions & events: Organization permissions → Projects: Read and write, and the "Projects v2 item" event; then the owner accepts them on the installation';

/** SPEC §5 "Projects": the configured project, its fields, and what the installation accepted for it. */
const projectCheck: DoctorCheck = {
  name: "project",
  async run(ctx) {
    const { open } = ctx;
    const config = open.loaded.kind === "ok" ? open.loaded.config : null;
    const project = config?.project;
    if (!config || !project) return [line("project", "ok", "off (no project in the config)")];
    const { number, field } = project;
    const ref = { owner: project.owner ?? open.repo.owner, number };
    const where = `${ref.owner}/projects/${number}`;
    const lines: DoctorLine[] = [];
    const found = await ctx.installation();
    if (found.kind === "found") {
      const { permissions, events } = found.installation;
      const missing = [
        ...(permissions.organization_projects === "write" ? [] : ["organization_projects: write"]),
        ...(events.includes("projects_v2_item") ? [] : ["the projects_v2_item event"]),
      ];
      if (missing.length > 0) {
        return [
          line(
            "project",
            "fail",
            `${where}: the installation has not accepted ${missing.join(" and ")}`,
            {
              fix: PROJECT_PERMISSION_FIX,
              exitCode: EXIT.attention,
            },
          ),
        ];
      }
    }
    let read: Awaited<ReturnType<typeof readProject>>;
    try {
      read = await readProject(open.conn.octokit, ref);
    } catch (error) {
      return [line("project", "unknown", refusal(error, `project ${where}`))];
    }
    if (!read.ok) {
      return [
        line(
          "project",
          found.kind === "found" ? "fail" : "unknown",
          `${where}: ${read.problem.message}`,
          {
            fix: PROJECT_PERMISSION_FIX,
            ...(found.kind === "found" ? { exitCode: EXIT.attention } : {}),
          },
        ),
      ];
    }
    const fields = planProjectFields(config, field, read.project);
    const details = fields.create.map((f) => `field "${f.name}" will be created on the first sync`);
    if (fields.problems.length > 0) {
      lines.push(
        line(
          "project",
          "fail",
          `${where} "${read.project.title}": ${fields.problems.length === 1 ? "a field needs" : "fields need"} attention`,
          {
            details: [...fields.problems.map((p) => p.message), ...details],
            fix: "fix the field in the project's settings (the app never rewrites a field people use)",
            exitCode: EXIT.attention,
          },
        ),
      );
      return lines;
    }
    return [
      line(
        "project",
        "ok",
        `${where} "${read.project.title}": fields ${field} and ${GATE_FIELD} usable`,
        { details },
      ),
    ];
  },
};

/** Every check, in the report's order. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  configCheck,
  installationCheck,
  grantsCheck,
  enforcementCheck,
  gateIssuesCheck,
  deploymentsCheck,
  dashboardCheck,
  projectCheck,
];

/** A refusal in words (403/401: the token may not read it); anything else is thrown on. */
function refusal(error: unknown, what: string): string {
  const status = httpStatus(error);
  if (rateLimitMessage(error) !== null || (status !== 401 && status !== 403)) throw error;
  return `${what} cannot be read with this token (${status})`;
}

/** The app's credentials from the environment, as `npm start` reads them. */
function appCredentials(env = process.env): { appId: number; privateKey: string } | null {
  const appId = Number(env.APP_ID);
  let privateKey = env.PRIVATE_KEY?.replace(/\\n/g, "\n");
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      throw new CliError(
        `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        EXIT.usage,
      );
    }
  }
  if (!Number.isSafeInteger(appId) || appId < 1 || !privateKey) return null;
  return { appId, privateKey };
}

const NO_CREDENTIALS_FIX =
  "run doctor with the app's APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) set, or look at the owner's Settings → GitHub Apps → phase-gates";

/** The installation: with the app's JWT when APP_ID and its key are given, else with the token (GitHub answers only the JWT). */
async function lookUpInstallation(open: OpenRepo, jwt: GitHub | null): Promise<InstallationLookup> {
  const octokit = jwt ?? open.conn.octokit;
  try {
    const installation = await readRepoInstallation(octokit, open.repo);
    return installation ? { kind: "found", installation } : { kind: "absent" };
  } catch (error) {
    const status = httpStatus(error);
    if (jwt && status === null) {
      // Not an answer from GitHub: the key could not sign a JWT (not a PEM private key).
      return {
        kind: "unknown",
        why: `the app's PRIVATE_KEY could not sign a JWT: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
        fix: "PRIVATE_KEY (or the file at PRIVATE_KEY_PATH) must be the app's private key, a PEM file from its settings page",
      };
    }
    if (rateLimitMessage(error) !== null || (status !== 401 && status !== 403)) throw error;
    return jwt
      ? {
          kind: "unknown",
          why: `GitHub refused the app's credentials (${status}): check APP_ID and PRIVATE_KEY`,
          fix: NO_CREDENTIALS_FIX,
        }
      : {
          kind: "unknown",
          why: "not checked: GET /repos/{owner}/{repo}/installation answers only the app itself (its JWT)",
          fix: NO_CREDENTIALS_FIX,
        };
  }
}

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => {
    value ??= make();
    return value;
  };
}

/** Runs every check; the exit code is the lowest any finding asks for, 0 when none does. */
export async function runDoctor(
  open: OpenRepo,
  checks: readonly DoctorCheck[] = DOCTOR_CHECKS,
): Promise<{ lines: DoctorLine[]; exitCode: ExitCode; enforcement: Enforcement }> {
  const credentials = appCredentials();
  const jwt = credentials
    ? (new ProbotOctokit({
        auth: credentials,
        baseUrl: open.conn.apiUrl,
        throttle: { enabled: false },
        retry: { enabled: false },
        log: { debug() {}, info() {}, warn() {}, error() {} },
      }) as GitHub)
    : null;
  const enforcement = memo(async () => {
    const { enforcement } = await readEnforcement(open.conn.octokit, open.repo, {
      appId: open.app.id,
      repoUrl: open.facts.htmlUrl,
      branch: open.facts.defaultBranch,
    });
    return enforcement;
  });
  const ctx: DoctorContext = {
    open,
    installation: memo(() => lookUpInstallation(open, jwt)),
    enforcement,
  };
  const lines: DoctorLine[] = [];
  for (const check of checks) lines.push(...(await check.run(ctx)));
  const codes = lines.flatMap((l) => (l.exitCode === null ? [] : [l.exitCode]));
  const exitCode = codes.length === 0 ? EXIT.ok : (Math.min(...codes) as ExitCode);
  return { lines, exitCode, enforcement: await enforcement() };
}

const MARK = { ok: "✓", fail: "✗", unknown: "?" } as const;
const MARK_STYLE = { ok: "green", fail: "red", unknown: "yellow" } as const;

function doctorText(color: boolean, open: OpenRepo, lines: DoctorLine[], code: ExitCode): string {
  const width = Math.max(...lines.map((l) => l.check.length));
  const out = [
    `${paint(color, "bold", open.facts.fullName)}  ${paint(color, "dim", `app ${open.app.slug}${open.app.id === null ? " (id unknown)" : `, id ${open.app.id}`}; ${open.conn.apiUrl}`)}`,
    "",
  ];
  const indent = " ".repeat(width + 4);
  for (const l of lines) {
    out.push(
      `${paint(color, MARK_STYLE[l.status], MARK[l.status])} ${l.check.padEnd(width)}  ${l.summary}`,
    );
    for (const d of l.details) out.push(`${indent}${d}`);
    if (l.fix && l.status !== "ok") out.push(`${indent}${paint(color, "cyan", "fix:")} ${l.fix}`);
  }
  out.push("");
  const fails = lines.filter((l) => l.exitCode !== null).length;
  out.push(
    code === EXIT.ok
      ? paint(color, "green", "The gate bites: nothing to fix.")
      : paint(
          color,
          "red",
          `${fails === 1 ? "1 finding" : `${fails} findings`} (exit ${code}: see phase-gates --help).`,
        ),
  );
  return out.join("\n");
}

/**
 * `phase-gates doctor <owner/repo>`: everything that makes the gate bite or
 * not, each with a fix (SPEC §5). Reads only.
 */
export async function doctor(
  term: Term,
  repoArg: string,
  options: NetworkOptions,
  version: string,
): Promise<ExitCode> {
  const envAppId = Number(process.env.APP_ID);
  const open = await openRepo(
    repoArg,
    {
      ...options,
      ...(options.appId === undefined && Number.isSafeInteger(envAppId) && envAppId > 0
        ? { appId: envAppId }
        : {}),
    },
    version,
  );
  let report: Awaited<ReturnType<typeof runDoctor>>;
  try {
    report = await runDoctor(open);
  } catch (error) {
    throw describeGitHubError(error, { apiUrl: open.conn.apiUrl });
  }
  const { lines, exitCode, enforcement } = report;
  term.out(
    options.json
      ? JSON.stringify(
          {
            repo: open.facts.fullName,
            apiUrl: open.conn.apiUrl,
            app: open.app,
            bites: enforcement.state === "enforced",
            enforcement,
            checks: lines,
            exitCode,
          },
          null,
          2,
        )
      : doctorText(term.color, open, lines, exitCode),
  );
  printWarnings(term, open.conn.warnings());
  return exitCode;
}
