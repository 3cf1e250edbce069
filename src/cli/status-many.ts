import { listOrgRepos } from "../github/repository.js";
import { connect, describeGitHubError } from "./connect.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { type NetworkOptions, openRepo } from "./open-repo.js";
import { stateWord } from "./report.js";
import { gather, type StatusReport } from "./status.js";
import { type Term, table } from "./term.js";

/** One line of the cross-repository picture: a repository in one phase. */
export interface PhaseLine {
  repo: string;
  phase: string;
  gate: string;
  issues: number;
  pulls: number;
  blocked: number;
}

/** A repository that could not be shown, and why (no config, invalid, not found). */
export interface SkippedRepo {
  repo: string;
  reason: string;
}

function linesOf(repo: string, report: StatusReport): PhaseLine[] {
  return report.config.phases.map((phase, i) => {
    const gate = report.gates.get(i);
    const pulls = report.pulls.filter((p) => p.verdict?.phase.phaseIndex === i);
    return {
      repo,
      phase: phase.name,
      gate: gate ? gate.state : "—",
      issues: report.issues.filter((x) => x.phaseIndex === i).length,
      pulls: pulls.length,
      blocked: pulls.filter((p) => p.conclusion === "failure").length,
    };
  });
}

/**
 * `phase-gates status --org <org>` or `status <owner/repo> <owner/repo>…`:
 * one line per repository and phase, across repositories, with the same
 * counting as `status` for one. A repository without a config is listed as
 * skipped, not an error; `--org` with none configured exits 6.
 */
export async function statusMany(
  term: Term,
  repoArgs: readonly string[],
  org: string | undefined,
  options: NetworkOptions,
  version: string,
): Promise<ExitCode> {
  const names = [...repoArgs];
  if (org) {
    const conn = connect(options.apiUrl, version);
    try {
      names.push(...(await listOrgRepos(conn.octokit, org)).map((r) => `${r.owner}/${r.repo}`));
    } catch (error) {
      throw describeGitHubError(error, {
        apiUrl: conn.apiUrl,
        notFound: `organisation ${org} not found at ${conn.apiUrl}, or the token cannot see it (404)`,
      });
    }
  }
  const lines: PhaseLine[] = [];
  const skipped: SkippedRepo[] = [];
  for (const name of [...new Set(names)].sort()) {
    try {
      const open = await openRepo(name, { ...options, json: true }, version);
      if (open.loaded.kind === "invalid") {
        skipped.push({
          repo: name,
          reason: `invalid config (${open.loaded.errors.length} errors)`,
        });
        continue;
      }
      const report = await gather(term, open, open.loaded.config).catch((error: unknown) => {
        throw describeGitHubError(error, { apiUrl: open.conn.apiUrl });
      });
      lines.push(...linesOf(name, report));
    } catch (error) {
      // One repository the token cannot see, or without a config, does not hide the others.
      if (!(error instanceof CliError) || error.exitCode === EXIT.auth) throw error;
      skipped.push({ repo: name, reason: error.message });
    }
  }
  if (options.json) {
    term.out(JSON.stringify({ repositories: lines, skipped }, null, 2));
  } else {
    const rows = table([
      ["repository", "phase", "gate", "open issues", "open PRs", "blocked"],
      ...lines.map((l) => [
        l.repo,
        l.phase,
        l.gate === "—" ? "—" : stateWord(term.color, l.gate as "pending" | "approved" | "stopped"),
        String(l.issues),
        String(l.pulls),
        String(l.blocked),
      ]),
    ]);
    for (const row of rows) term.out(row);
    for (const s of skipped) term.err(`skipped ${s.repo}: ${s.reason}`);
  }
  if (lines.length === 0) {
    throw new CliError(
      org
        ? `no configured repository in ${org} the token can see (${skipped.length} skipped)`
        : "none of the repositories given is configured",
      EXIT.notConfigured,
    );
  }
  return EXIT.ok;
}
