import { computeCheck } from "../app/recipes/evaluate-pull-request.js";
import { type AppCheckRun, findCheckRunOfApp } from "../github/check-runs.js";
import { getPull } from "../github/pull-requests.js";
import { describeGitHubError } from "./connect.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { markdownForTerminal } from "./markdown-text.js";
import { type NetworkOptions, openRepo } from "./open-repo.js";
import { gateJson, phaseJson, printWarnings } from "./report.js";
import { paint, type Term } from "./term.js";

export function parsePullNumber(value: string): number {
  const n = Number(value.replace(/^#/, ""));
  if (!/^#?\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new CliError(`"${value}" is not a pull request number`, EXIT.usage);
  }
  return n;
}

/**
 * `phase-gates explain <owner/repo> <pr>`: what the `Phase gate` check says
 * for the PR as GitHub stands now, computed by the app's own `computeCheck`
 * (the same config, gates, phase floor and words), and written nowhere.
 */
export async function explain(
  term: Term,
  repoArg: string,
  prArg: string,
  options: NetworkOptions & { markdown?: boolean },
  version: string,
): Promise<ExitCode> {
  const number = parsePullNumber(prArg);
  const { conn, repo, job, app, loaded } = await openRepo(repoArg, options, version);
  const fullName = `${repo.owner}/${repo.repo}`;
  try {
    const pr = await getPull(conn.octokit, repo, number).catch((error: unknown) => {
      throw describeGitHubError(error, {
        apiUrl: conn.apiUrl,
        notFound: `no pull request #${number} in ${fullName} (404)`,
      });
    });
    // The floor lives on this app's own run; a same-named check from another app must not set it.
    const onGitHub: AppCheckRun | null = await findCheckRunOfApp(
      conn.octokit,
      repo,
      app,
      pr.headSha,
    );
    const computed = await computeCheck(job, loaded, pr, onGitHub?.run ?? null, {
      inspectConfigChange: true,
    });
    const { output, verdict } = computed;
    const config = loaded.kind === "ok" ? loaded.config : null;
    const code =
      loaded.kind === "invalid"
        ? EXIT.invalidConfig
        : output.conclusion === "success"
          ? EXIT.ok
          : EXIT.blocked;

    if (options.json) {
      term.out(
        JSON.stringify(
          {
            repo: fullName,
            pull: {
              number: pr.number,
              title: pr.title,
              url: pr.htmlUrl,
              state: pr.state,
              headSha: pr.headSha,
            },
            conclusion: output.conclusion,
            title: output.title,
            summary: output.summary,
            ...(verdict && config
              ? {
                  reason: verdict.reason,
                  ...phaseJson(config, verdict.phase),
                  gates: verdict.gates.map((g) => gateJson(config, g)),
                }
              : {
                  reason: "config-invalid",
                  errors: loaded.kind === "invalid" ? loaded.errors : [],
                }),
            configErrorsInPullRequest: computed.proposedErrors,
            onGitHub: onGitHub
              ? {
                  appId: onGitHub.appId,
                  status: onGitHub.status,
                  conclusion: onGitHub.conclusion,
                  title: onGitHub.title,
                  url: onGitHub.htmlUrl,
                  phaseFloor: onGitHub.run.externalId,
                }
              : null,
          },
          null,
          2,
        ),
      );
      printWarnings(term, conn.warnings());
      return code;
    }

    const c = term.color;
    const verdictColor = output.conclusion === "success" ? "green" : "red";
    const lines = [
      `${paint(c, "bold", `${fullName}#${pr.number}`)} ${pr.title}`,
      `Phase gate: ${paint(c, verdictColor, `${output.conclusion} — ${output.title}`)}`,
    ];
    if (pr.state !== "open")
      lines.push(`(the pull request is ${pr.state}: the app no longer checks it)`);
    if (!onGitHub) {
      lines.push(
        `(the ${app.slug} app${app.id ? ` (id ${app.id})` : ""} has not checked this head yet; see --app-slug)`,
      );
    } else if (onGitHub.conclusion === output.conclusion && onGitHub.title === output.title) {
      lines.push(
        paint(c, "dim", `(the app's check on GitHub says the same: ${onGitHub.htmlUrl ?? ""})`),
      );
    } else {
      lines.push(
        `(the app's check on GitHub says ${onGitHub.conclusion ?? onGitHub.status} — ${onGitHub.title ?? ""}: it was written before the latest change, and the app rewrites it when it next checks this PR)`,
      );
    }
    lines.push("", options.markdown ? output.summary : markdownForTerminal(output.summary, c));
    term.out(lines.join("\n"));
    printWarnings(term, conn.warnings());
    return code;
  } catch (error) {
    throw describeGitHubError(error, { apiUrl: conn.apiUrl });
  }
}
