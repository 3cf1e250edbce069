import { pino } from "pino";
import { createActors } from "../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { RepoJob } from "../../src/app/jobs/repo-job.js";
import { type AuditApi, auditRepositories } from "../../src/cli/audit.js";
import { parseWindow } from "../../src/core/audit-report.js";
import { auditClient } from "../../src/github/audit-client.js";
import { appIdOfSlug, readRepository } from "../../src/github/repository.js";
import { InMemoryRequestBudget } from "../../src/github/request-budget.js";
import type { ScenarioResult } from "../harness/report.js";
import type { BenchSettings } from "../harness/settings.js";

/** PRs merged before the window: the reads must stop at them, not page through them. */
const OLDER = 100;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * A year of one repository in the emulator: a gate approved, `prs` PRs
 * merged over the year (each labelled, each with the app's `Phase gate` run
 * on its head, 1 in 100 failing, 1 in 200 with none), and `OLDER` merged
 * before it. Times are spread over the year as GitHub would keep them, in
 * the order the events happened. Each merged PR leaves three issue events
 * (labeled, merged, closed), the fewest GitHub records for one.
 */
async function buildYear(emu: Emulator, prs: number, now: number): Promise<void> {
  const gh = createActors(emu, { repo: "acme/year" });
  const state = emu.state;
  gh.repo();
  gh.addCollaborator("lead", "maintain");
  await gh.pushConfig("{}\n", { by: "lead" });
  const repo = gh.repo();
  const lead = state.user("lead");
  const start = now - 400 * DAY;
  const gate = state.createIssue(
    repo,
    {
      title: "Gate: Crawl → Walk",
      body: "- [x] Feasibility shown with evidence\n",
      labels: ["gate: crawl"],
    },
    lead,
  );
  state.updateIssue(repo, gate.number, { state: "closed", state_reason: "completed" }, lead);
  const total = OLDER + prs;
  for (let i = 0; i < total; i++) {
    // The first OLDER are merged before the window (the last 365 days), the rest spread over it.
    const at =
      i < OLDER ? start + i * 60_000 : now - 365 * DAY + ((i - OLDER + 1) * 365 * DAY) / (prs + 1);
    const pr = state.createPull(repo, { title: `Change ${i}`, labels: ["phase: walk"] }, lead);
    const sha = pr.pull?.headSha ?? "";
    if (i % 200 !== 7)
      state.createCheckRun(
        repo,
        {
          name: "Phase gate",
          head_sha: sha,
          status: "completed",
          conclusion: i % 100 === 3 ? "failure" : "success",
          external_id: "phase-gates:floor=walk",
          output: { title: "Walk: gates approved", summary: "…" },
        },
        state.bot,
      );
    state.mergePull(repo, pr.number, lead);
    pr.created_at = iso(at - 3_600_000);
    pr.updated_at = iso(at);
    pr.closed_at = iso(at);
    for (const e of repo.issueEvents) if (e.issueNumber === pr.number) e.created_at = iso(at);
  }
  for (const e of repo.issueEvents)
    if (e.issueNumber === gate.number) e.created_at = iso(start - DAY);
  for (const i of [gate]) {
    i.created_at = iso(start - DAY);
    i.updated_at = iso(start - DAY);
    i.closed_at = iso(start - DAY);
  }
}

/** Every request the audit sends for one repository and a year, as the CLI makes them. */
async function countRequests(
  emu: Emulator,
  api: AuditApi,
  now: number,
): Promise<{ requests: number; pulls: number; rounds: number; byRoute: string }> {
  let requests = 0;
  const routes = new Map<string, number>();
  let clock = now;
  // The app's budget, on a clock that sleeps by moving its hands: the count is measured, not the pacing.
  const fake = {
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
  };
  const octokit = auditClient({
    token: "user:lead",
    baseUrl: emu.apiUrl,
    userAgent: "bench",
    maxWaitMs: 3_600_000,
    clock: fake,
    budget: new InMemoryRequestBudget({ clock: fake }),
    onRequest: (method, url) => {
      requests++;
      const route = `${method} ${new URL(url).pathname
        .replace(/^\/api\/v3/, "")
        .replace("/repos/acme/year", "/repos/{o}/{r}")
        .replace(/\/commits\/[0-9a-f]{40}/, "/commits/{sha}")
        .replace(/\/issues\/\d+\//, "/issues/{n}/")}`;
      routes.set(route, (routes.get(route) ?? 0) + 1);
    },
  });
  const repo = { owner: "acme", repo: "year" };
  await readRepository(octokit, repo);
  const appId = await appIdOfSlug(octokit, emu.state.app.slug);
  const job = new RepoJob(
    octokit,
    repo,
    pino({ level: "silent" }),
    { appId, appLogin: `${emu.state.app.slug}[bot]` },
    "bench",
  );
  const loaded = await job.config();
  if (loaded.kind !== "ok") throw new Error("the bench repository has no valid config");
  const parsed = parseWindow("365d", undefined, now);
  if (!parsed.ok) throw new Error(parsed.error);
  const result = await auditRepositories({
    octokit,
    targets: [{ repo, config: loaded.config, job }],
    window: parsed.window,
    api,
    app: { id: appId, slug: emu.state.app.slug },
  });
  return {
    requests,
    pulls: result.records.filter((r) => r.record === "pull-request").length,
    rounds: result.records.filter((r) => r.record === "gate-round").length,
    byRoute: [...routes]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([route, n]) => `${n} × ${route}`)
      .join("; "),
  };
}

/** Scenario 10: what `phase-gates audit` costs for a year of a repository with `auditPrs` merged PRs. */
export async function auditRequests(settings: BenchSettings): Promise<ScenarioResult> {
  const started = performance.now();
  const emu = await createEmulator();
  try {
    const now = Date.now();
    await buildYear(emu, settings.auditPrs, now);
    const graphql = await countRequests(emu, "graphql", now);
    const rest = await countRequests(emu, "rest", now);
    for (const r of [graphql, rest])
      if (r.pulls !== settings.auditPrs)
        throw new Error(`the audit found ${r.pulls} merged PRs, not ${settings.auditPrs}`);
    const perPr = rest.requests / settings.auditPrs;
    return {
      id: 11,
      title: "audit requests",
      setup: { mergedPrsInYear: settings.auditPrs, mergedBefore: OLDER, issueEventsPerPr: 3 },
      figures: [
        {
          name: "GraphQL: requests for the year",
          value: graphql.requests,
          target: "≤ 40",
          met: graphql.requests <= 40,
        },
        { name: "REST: requests for the year", value: rest.requests },
        {
          name: "REST: requests per merged PR",
          value: Number(perPr.toFixed(3)),
          target: "≤ 1.05",
          met: perPr <= 1.05,
        },
      ],
      seconds: (performance.now() - started) / 1000,
      notes: [
        "Whole audit as the CLI makes it: repository, app id, config, gate issues and people, merged PRs with their Phase gate runs, gate-label history.",
        `GraphQL requests by route: ${graphql.byRoute}.`,
        `REST requests by route: ${rest.byRoute}.`,
        "REST learns who merged each PR from the repository's issue events (100 a page): a repository whose PRs leave more events pays 0.01 a PR for each extra event.",
      ],
    };
  } finally {
    await emu.close();
  }
}
