import { createHash } from "node:crypto";
import {
  checkFingerprint as contentFingerprint,
  runFingerprint as listedFingerprint,
  planCheckRun,
} from "../core/plan-check-run.js";
import { nothingToWrite } from "../core/reconcile.js";
import { batchAnnotations, CHECK_NAME, type CheckOutput } from "../core/render-check.js";
import { type StateStore, space } from "../state/store.js";
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
 * What the app last wrote or read per head SHA. Our runs are only ever
 * written by us, so a remembered run lets a fan-out over many PRs skip both
 * the read and the write when nothing changed. With Redis it is shared: a
 * process never skips a write another process has since overwritten.
 */
export const OUR_RUNS = space<KnownRun>("check-run", { limit: 20_000 });

/** The newest run of ours a PR is known to carry: its head SHA and what the run remembers. */
export interface LatestRun {
  sha: string;
  externalId: string | null;
}

/**
 * The newest run the app wrote or read on each PR's head, so the PR's phase
 * floor needs no read of the run before a push or of earlier commits (SPEC
 * §2 "Phase floor"): every run the app writes passes through here. Absent
 * (a fresh process without Redis, or after 30 days) the floor is read from
 * GitHub as before.
 */
export const PULL_LATEST_RUN = space<LatestRun>("pull-latest-run", {
  limit: 20_000,
  ttlMs: 30 * 24 * 60 * 60_000,
});

export const pullRunKey = (repo: RepoRef, number: number) =>
  `${repo.owner}/${repo.repo}#${number}`.toLowerCase();

/**
 * Records `run` as the PR's newest, unless the store already says exactly
 * that (no write). `known`: what the caller already read from the store
 * (null: nothing), so it is not read twice.
 */
export async function rememberLatestRun(
  store: StateStore,
  repo: RepoRef,
  number: number,
  run: LatestRun,
  known?: LatestRun | null,
): Promise<void> {
  const key = pullRunKey(repo, number);
  const held = known === undefined ? await store.get(PULL_LATEST_RUN, key) : known;
  if (held?.sha === run.sha && held.externalId === run.externalId) return;
  await store.set(PULL_LATEST_RUN, key, run);
}

/** Where the app's runs are read and written: the job's client, repository, app id and store. */
export interface RunsAt {
  octokit: GitHub;
  repo: RepoRef;
  appId: number | null;
  store: StateStore;
}

/**
 * Fingerprints are kept as digests: a summary can be 64 KB, and the store
 * holds one per head SHA.
 */
const digest = (fingerprint: string): string =>
  fingerprint === "" ? "" : createHash("sha256").update(fingerprint).digest("base64url");
/** The fingerprint a `KnownRun` carries for a run with this content. */
export const checkFingerprint = (c: Parameters<typeof contentFingerprint>[0]): string =>
  digest(contentFingerprint(c));
const runFingerprint = (c: Parameters<typeof listedFingerprint>[0]) => digest(listedFingerprint(c));

/** This app's run on `headSha`, from what this process wrote or from GitHub; null when none. */
export async function findOurCheckRun(
  at: RunsAt,
  headSha: string,
  /** `knownOnly`: a head just pushed has no run GitHub could list that the store does not know. */
  options: { knownOnly?: boolean } = {},
): Promise<KnownRun | null> {
  const { octokit, repo, appId, store } = at;
  const key = runKey(repo, headSha);
  const known = await store.get(OUR_RUNS, key);
  if (known || options.knownOnly) return known ?? null;
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
  await store.set(OUR_RUNS, key, run);
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

/** The store key of the app's run on one head SHA. */
export const runKey = (repo: RepoRef, headSha: string) =>
  `${repo.owner}/${repo.repo}@${headSha}`.toLowerCase();

/**
 * Writes the `Phase gate` check run for a head SHA: creates it, or updates
 * this app's existing run on that SHA; writes nothing when conclusion, title,
 * summary and what it remembers are unchanged.
 */
export async function writeCheckRun(
  at: RunsAt,
  desired: DesiredCheck,
  /** The run on `desired.headSha` when the caller already looked (null: none); else looked up here. */
  found?: KnownRun | null,
): Promise<CheckWrite> {
  const { octokit, repo } = at;
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

  const known = found === undefined ? await findOurCheckRun(at, desired.headSha) : found;
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
  await at.store.set(OUR_RUNS, key, { id, fingerprint: want, externalId });
  return ours ? "updated" : "created";
}

const OUR_RUNS_QUERY = `query($owner: String!, $repo: String!, $appId: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequests(states: OPEN, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        headRefOid
        commits(last: 1) {
          nodes {
            commit {
              oid
              checkSuites(first: 1, filterBy: { appId: $appId }) {
                nodes {
                  checkRuns(first: 1, filterBy: { checkName: "${CHECK_NAME}", checkType: LATEST }) {
                    nodes { databaseId status conclusion title summary externalId }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}`;

interface GraphqlRun {
  databaseId: number;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  externalId: string | null;
}

interface OurRunsPage {
  repository: {
    pullRequests: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: {
        number: number;
        headRefOid: string;
        commits: {
          nodes: {
            commit: {
              oid: string;
              checkSuites: { nodes: { checkRuns: { nodes: GraphqlRun[] } }[] };
            };
          }[];
        };
      }[];
    };
  } | null;
}

/**
 * This app's run on the head of every open PR, 100 PRs per GraphQL query,
 * remembered as `findOurCheckRun` would remember each, and as the PR's
 * newest run where none is known: a fresh process or a full re-check then
 * reads no run per PR, and a push to any of them reads no run before it. Answers how many runs it learnt in
 * how many queries; an error when GraphQL does not answer
 * (`findOurCheckRun` then reads each run over REST, as before).
 */
export async function preloadOurRuns(at: RunsAt): Promise<{ learnt: number; pages: number }> {
  const { octokit, repo, appId, store } = at;
  if (appId === null) return { learnt: 0, pages: 0 };
  let learnt = 0;
  let pages = 0;
  let after: string | null = null;
  do {
    pages += 1;
    const data: OurRunsPage = await octokit.graphql<OurRunsPage>(OUR_RUNS_QUERY, {
      owner: repo.owner,
      repo: repo.repo,
      appId,
      after,
    });
    const page = data.repository?.pullRequests;
    for (const pr of page?.nodes ?? []) {
      const head = pr.commits.nodes[0]?.commit;
      const ours = head?.checkSuites.nodes[0]?.checkRuns.nodes[0];
      if (!head || head.oid !== pr.headRefOid || !ours) continue;
      const externalId = ours.externalId ?? null;
      // The repository's jobs run one at a time: no run of ours is newer than GitHub's answer.
      await rememberLatestRun(store, repo, pr.number, { sha: head.oid, externalId });
      await store.set(OUR_RUNS, runKey(repo, head.oid), {
        id: ours.databaseId,
        externalId,
        fingerprint: runFingerprint({
          status: ours.status.toLowerCase(),
          conclusion: ours.conclusion?.toLowerCase() ?? null,
          title: ours.title,
          summary: ours.summary,
          externalId,
        }),
      });
      learnt += 1;
    }
    after = page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return { learnt, pages };
}
