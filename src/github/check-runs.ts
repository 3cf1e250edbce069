import { checkFingerprint, planCheckRun, runFingerprint } from "../core/plan-check-run.js";
import { nothingToWrite } from "../core/reconcile.js";
import { batchAnnotations, CHECK_NAME, type CheckOutput } from "../core/render-check.js";
import type { GitHub, RepoRef } from "./octokit.js";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
  title?: string;
}

export interface DesiredCheck extends CheckOutput {
  headSha: string;
  detailsUrl?: string;
  annotations?: CheckAnnotation[];
  /** What the app remembers on the run (the PR's phase floor). */
  externalId?: string;
}

export type CheckWrite = "created" | "updated" | "unchanged";

/** This app's `Phase gate` run on one head SHA, as last read or written. */
export interface KnownRun {
  id: number;
  fingerprint: string;
  externalId: string | null;
}

/**
 * What this process last wrote per head SHA. Our runs are only ever written
 * by us, so a remembered run lets a fan-out over many PRs skip both the read
 * and the write when nothing changed.
 */
const written = new Map<string, KnownRun>();
const WRITTEN_LIMIT = 20_000;

/** This app's run on `headSha`, from what this process wrote or from GitHub; null when none. */
export async function findOurCheckRun(
  octokit: GitHub,
  repo: RepoRef,
  appId: number | null,
  headSha: string,
): Promise<KnownRun | null> {
  const key = runKey(repo, headSha);
  const known = written.get(key);
  if (known) return known;
  const { data } = await octokit.rest.checks.listForRef({
    ...repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "latest",
    ...(appId ? { app_id: appId } : {}),
    per_page: 100,
  });
  const ours = data.check_runs.find(
    // `app_id` already filters on GitHub; the check here guards against an API that ignores it.
    (r) => r.name === CHECK_NAME && (appId === null || !r.app || r.app.id === appId),
  );
  if (!ours) return null;
  const externalId = ours.external_id ?? null;
  const run: KnownRun = {
    id: ours.id,
    externalId,
    fingerprint: runFingerprint({
      status: ours.status,
      conclusion: ours.conclusion,
      title: ours.output.title,
      summary: ours.output.summary,
      externalId,
    }),
  };
  remember(key, run);
  return run;
}

/** A `Phase gate` run as GitHub shows it, with the app that wrote it. */
export interface AppCheckRun {
  appId: number;
  run: KnownRun;
  status: string;
  conclusion: string | null;
  title: string | null;
  htmlUrl: string | null;
}

/**
 * The latest `Phase gate` run on `headSha` written by one app, named by its
 * id or, when the id is not known (a person's token cannot ask for it), by
 * its slug: another app or a workflow may post a check with the same name,
 * and its `external_id` must not be read as this app's phase floor.
 */
export async function findCheckRunOfApp(
  octokit: GitHub,
  repo: RepoRef,
  app: { id: number | null; slug: string },
  headSha: string,
): Promise<AppCheckRun | null> {
  const { data } = await octokit.rest.checks.listForRef({
    ...repo,
    ref: headSha,
    check_name: CHECK_NAME,
    filter: "latest",
    ...(app.id ? { app_id: app.id } : {}),
    per_page: 100,
  });
  const slug = app.slug.toLowerCase();
  const found = data.check_runs.find(
    (r) =>
      r.name === CHECK_NAME &&
      r.app !== null &&
      (app.id ? r.app.id === app.id : r.app.slug?.toLowerCase() === slug),
  );
  if (!found?.app) return null;
  const externalId = found.external_id ?? null;
  return {
    appId: found.app.id,
    run: {
      id: found.id,
      externalId,
      fingerprint: runFingerprint({
        status: found.status,
        conclusion: found.conclusion,
        title: found.output.title,
        summary: found.output.summary,
        externalId,
      }),
    },
    status: found.status,
    conclusion: found.conclusion,
    title: found.output.title,
    htmlUrl: found.html_url,
  };
}

const runKey = (repo: RepoRef, headSha: string) =>
  `${repo.owner}/${repo.repo}@${headSha}`.toLowerCase();

/**
 * Writes the `Phase gate` check run for a head SHA: creates it, or updates
 * this app's existing run on that SHA; writes nothing when conclusion, title,
 * summary and what it remembers are unchanged.
 */
export async function writeCheckRun(
  octokit: GitHub,
  repo: RepoRef,
  appId: number | null,
  desired: DesiredCheck,
  /** The run on `desired.headSha` when the caller already looked (null: none); else looked up here. */
  found?: KnownRun | null,
): Promise<CheckWrite> {
  const key = runKey(repo, desired.headSha);
  const externalId = desired.externalId ?? null;
  const want = checkFingerprint({ ...desired, externalId });
  // GitHub takes at most 50 annotations per request: the first batch goes with
  // the write, the rest in updates of the same run (they accumulate).
  const [annotations, ...moreAnnotations] = batchAnnotations(desired.annotations ?? []);
  const output = {
    title: desired.title,
    summary: desired.summary,
    ...(annotations ? { annotations } : {}),
  };

  const known =
    found === undefined ? await findOurCheckRun(octokit, repo, appId, desired.headSha) : found;
  const plan = planCheckRun({ headSha: desired.headSha, fingerprint: want }, known);
  if (nothingToWrite(plan)) return "unchanged";

  const completion = {
    status: "completed" as const,
    conclusion: desired.conclusion,
    completed_at: new Date().toISOString(),
    output,
    ...(desired.detailsUrl ? { details_url: desired.detailsUrl } : {}),
    ...(externalId !== null ? { external_id: externalId } : {}),
  };
  const ours = plan.update[0]?.actual;
  let id: number;
  if (ours) {
    await octokit.rest.checks.update({ ...repo, check_run_id: ours.id, ...completion });
    id = ours.id;
  } else {
    const { data } = await octokit.rest.checks.create({
      ...repo,
      name: CHECK_NAME,
      head_sha: desired.headSha,
      ...completion,
    });
    id = data.id;
  }
  for (const batch of moreAnnotations) {
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: id,
      output: { title: desired.title, summary: desired.summary, annotations: batch },
    });
  }
  remember(key, { id, fingerprint: want, externalId });
  return ours ? "updated" : "created";
}

function remember(key: string, run: KnownRun): void {
  if (written.size >= WRITTEN_LIMIT) {
    const oldest = written.keys().next().value;
    if (oldest !== undefined) written.delete(oldest);
  }
  written.delete(key);
  written.set(key, run);
}

/** For tests: forget remembered runs. */
export function clearCheckRunCache(): void {
  written.clear();
}
