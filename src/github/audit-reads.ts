import type { Config } from "../config/schema.js";
import { type GateHistory, type LabelEvent, labelActorsToAuthorize } from "../core/audit-gates.js";
import type { MergedPull, PhaseGateRun } from "../core/audit-pulls.js";
import type { AuditWindow } from "../core/audit-report.js";
import { parseCommand } from "../core/commands.js";
import { CHECK_NAME } from "../core/render-check.js";
import type { LinkedIssueFacts } from "../core/types.js";
import {
  type GateReader,
  identifyGateIssue,
  listComments,
  listGateLabelled,
} from "./gate-issues.js";
import { type GitHub, httpStatus, isBot, type RepoRef } from "./octokit.js";

/**
 * The audit's reads of merged pull requests and of gate-label history.
 * GraphQL where the API answers it: 100 merged PRs per query, each with its
 * labels, milestone, closing issues and the `Phase gate` runs on its head
 * (this app's suite by `filterBy: {appId}`, and any other app's by name).
 * Otherwise REST: the closed PRs 100 a page, one check-runs read per merged
 * head, and the repository's issue events (who merged; gate labels) 100 a page.
 * Both stop paging at the first item older than the window.
 *
 * The GraphQL query stays well under GitHub's 500,000-node limit per query
 * (about 60,000 at 100 PRs: 25 closing issues × 25 labels each dominate);
 * a PR's phase from links beyond those is still on the app's run (its floor).
 */

/** Told after each page, for progress on stderr. */
export type OnPage = (what: string, count: number) => void;

/**
 * GraphQL names an app's bot `slug`, REST `slug[bot]`: the audit says it as
 * REST does, so a login compares the same whichever API read it.
 */
function graphqlLogin(
  actor: { __typename?: string; login: string } | null | undefined,
): string | null {
  if (!actor) return null;
  return actor.__typename === "Bot" && !actor.login.endsWith("[bot]")
    ? `${actor.login}[bot]`
    : actor.login;
}

export const MERGED_PULLS_QUERY = `query AuditMergedPulls($owner: String!, $repo: String!, $appId: Int!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    pullRequests(states: MERGED, first: 100, after: $cursor, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        title
        url
        updatedAt
        mergedAt
        baseRefName
        headRefOid
        author { __typename login }
        mergedBy { __typename login }
        labels(first: 50) { nodes { name } }
        milestone { title }
        closingIssuesReferences(first: 25) {
          nodes {
            number
            url
            repository { name owner { login } }
            labels(first: 25) { nodes { name } }
            milestone { title }
          }
        }
        commits(last: 1) {
          nodes {
            commit {
              oid
              ours: checkSuites(first: 1, filterBy: {appId: $appId}) {
                nodes { ...PhaseGateRuns }
              }
              others: checkSuites(first: 30) {
                nodes { ...PhaseGateRuns }
              }
            }
          }
        }
      }
    }
  }
}

fragment PhaseGateRuns on CheckSuite {
  app { databaseId slug }
  checkRuns(first: 5, filterBy: {checkName: "${CHECK_NAME}"}) {
    nodes { databaseId name status conclusion title completedAt externalId url }
  }
}`;

/** A check run as the query asks for it: the fields of a PhaseGateRun, named as GraphQL names them. */
type GqlRun = Omit<PhaseGateRun, "appId" | "appSlug" | "id"> & { databaseId: number; name: string };
interface GqlSuite {
  app: { databaseId: number; slug: string } | null;
  checkRuns: { nodes: GqlRun[] };
}
interface GqlPull {
  number: number;
  title: string;
  url: string;
  updatedAt: string;
  mergedAt: string | null;
  baseRefName: string;
  headRefOid: string;
  author: { __typename?: string; login: string } | null;
  mergedBy: { __typename?: string; login: string } | null;
  labels: { nodes: { name: string }[] };
  milestone: { title: string } | null;
  closingIssuesReferences: {
    nodes: {
      number: number;
      url: string;
      repository: { name: string; owner: { login: string } };
      labels: { nodes: { name: string }[] };
      milestone: { title: string } | null;
    }[];
  };
  commits: {
    nodes: {
      commit: { oid: string; ours: { nodes: GqlSuite[] }; others: { nodes: GqlSuite[] } };
    }[];
  };
}
interface GqlPage<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}

const before = (at: string, w: AuditWindow) => Date.parse(at) < Date.parse(w.since);
const within = (at: string | null, w: AuditWindow): at is string =>
  at !== null && !before(at, w) && Date.parse(at) <= Date.parse(w.until);

function runsOf(commit: GqlPull["commits"]["nodes"][number]["commit"] | undefined): PhaseGateRun[] {
  if (!commit) return [];
  const byId = new Map<number, PhaseGateRun>();
  for (const suite of [...commit.ours.nodes, ...commit.others.nodes])
    for (const r of suite.checkRuns.nodes) {
      if (r.name !== CHECK_NAME) continue;
      byId.set(r.databaseId, {
        appId: suite.app?.databaseId ?? null,
        appSlug: suite.app?.slug ?? null,
        id: r.databaseId,
        status: r.status.toLowerCase(),
        conclusion: r.conclusion?.toLowerCase() ?? null,
        title: r.title,
        completedAt: r.completedAt,
        externalId: r.externalId,
        url: r.url,
      });
    }
  return [...byId.values()];
}

/** Merged PRs of the window through GraphQL, most recently updated first, paging until older than the window. */
export async function readMergedPullsGraphql(
  octokit: GitHub,
  repo: RepoRef,
  appId: number,
  window: AuditWindow,
  onPage?: OnPage,
): Promise<MergedPull[]> {
  const pulls: MergedPull[] = [];
  let cursor: string | null = null;
  for (;;) {
    const data: { repository: { pullRequests: GqlPage<GqlPull> } | null } = await octokit.graphql(
      MERGED_PULLS_QUERY,
      { owner: repo.owner, repo: repo.repo, appId, cursor },
    );
    const page = data.repository?.pullRequests;
    if (!page) return pulls;
    let older = false;
    for (const pr of page.nodes) {
      if (before(pr.updatedAt, window)) older = true;
      if (!within(pr.mergedAt, window)) continue;
      const linkedIssues: LinkedIssueFacts[] = pr.closingIssuesReferences.nodes.map((i) => ({
        ref: { owner: i.repository.owner.login, repo: i.repository.name, number: i.number },
        readable: true,
        url: i.url,
        labels: i.labels.nodes.map((l) => l.name),
        milestone: i.milestone?.title ?? null,
      }));
      pulls.push({
        number: pr.number,
        title: pr.title,
        url: pr.url,
        author: graphqlLogin(pr.author),
        mergedBy: graphqlLogin(pr.mergedBy),
        mergedAt: pr.mergedAt,
        base: pr.baseRefName,
        headSha: pr.headRefOid,
        labels: pr.labels.nodes.map((l) => l.name),
        milestone: pr.milestone?.title ?? null,
        linkedIssues,
        runs: runsOf(pr.commits.nodes[0]?.commit),
      });
    }
    onPage?.("merged pull requests", pulls.length);
    if (older || !page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return pulls;
    cursor = page.pageInfo.endCursor;
  }
}

export const ISSUE_LABELS_QUERY = `query AuditIssueLabels($owner: String!, $repo: String!, $since: DateTime!, $cursor: String) {
  repository(owner: $owner, name: $repo) {
    issues(first: 100, after: $cursor, filterBy: {since: $since}, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        url
        timelineItems(first: 100, itemTypes: [LABELED_EVENT, UNLABELED_EVENT]) {
          nodes {
            __typename
            ... on LabeledEvent { createdAt actor { __typename login } label { name } }
            ... on UnlabeledEvent { createdAt actor { __typename login } label { name } }
          }
        }
      }
    }
  }
}`;

interface GqlLabelEvent {
  __typename: "LabeledEvent" | "UnlabeledEvent";
  createdAt: string;
  actor: { __typename?: string; login: string } | null;
  label: { name: string };
}

/** Label events on issues (not PRs) updated since the window began, through GraphQL. */
export async function readLabelEventsGraphql(
  octokit: GitHub,
  repo: RepoRef,
  window: AuditWindow,
  labels: readonly string[],
): Promise<LabelEvent[]> {
  const wanted = new Set(labels.map((l) => l.toLowerCase()));
  const events: LabelEvent[] = [];
  let cursor: string | null = null;
  for (;;) {
    const data: {
      repository: {
        issues: GqlPage<{ number: number; url: string; timelineItems: { nodes: GqlLabelEvent[] } }>;
      } | null;
    } = await octokit.graphql(ISSUE_LABELS_QUERY, {
      owner: repo.owner,
      repo: repo.repo,
      since: window.since,
      cursor,
    });
    const page = data.repository?.issues;
    if (!page) return events;
    for (const issue of page.nodes)
      for (const e of issue.timelineItems.nodes) {
        if (!wanted.has(e.label.name.toLowerCase())) continue;
        const actor = graphqlLogin(e.actor);
        events.push({
          event: e.__typename === "LabeledEvent" ? "labeled" : "unlabeled",
          actor,
          actorIsBot: isBot({ login: actor ?? "", type: e.actor?.__typename ?? null }),
          at: e.createdAt,
          label: e.label.name,
          stateReason: null,
          issueNumber: issue.number,
          issueUrl: issue.url,
        });
      }
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return events;
    cursor = page.pageInfo.endCursor;
  }
}

interface RawRepoEvent {
  event: string;
  actor?: { login: string; type?: string } | null;
  created_at: string;
  label?: { name?: string } | null;
  issue?: { number: number; html_url: string; pull_request?: unknown };
}

/**
 * The repository's issue events since the window began (`GET /issues/events`,
 * newest first, 100 a page): who merged each PR, and gate-label events on issues.
 */
export async function readRepoEventsRest(
  octokit: GitHub,
  repo: RepoRef,
  window: AuditWindow,
  labels: readonly string[],
  onPage?: OnPage,
): Promise<{ labelEvents: LabelEvent[]; mergedBy: Map<number, string> }> {
  const wanted = new Set(labels.map((l) => l.toLowerCase()));
  const labelEvents: LabelEvent[] = [];
  const mergedBy = new Map<number, string>();
  let seen = 0;
  for (let page = 1; ; page++) {
    let response: Awaited<ReturnType<GitHub["request"]>>;
    try {
      response = await octokit.request("GET /repos/{owner}/{repo}/issues/events", {
        ...repo,
        per_page: 100,
        page,
      });
    } catch (error) {
      // GitHub may limit how deep a list pages (422): merged PRs the scan did not reach
      // are asked one by one (readMergedPullsRest), so nothing is silently missing.
      if (page > 1 && httpStatus(error) === 422)
        return { labelEvents: labelEvents.reverse(), mergedBy };
      throw error;
    }
    const data = response.data as RawRepoEvent[];
    let older = false;
    for (const e of data) {
      if (before(e.created_at, window)) {
        older = true;
        continue;
      }
      if (!e.issue) continue;
      if (e.event === "merged" && e.actor && !mergedBy.has(e.issue.number))
        mergedBy.set(e.issue.number, e.actor.login);
      if (
        (e.event === "labeled" || e.event === "unlabeled") &&
        !e.issue.pull_request &&
        e.label?.name &&
        wanted.has(e.label.name.toLowerCase())
      )
        labelEvents.push({
          event: e.event,
          actor: e.actor?.login ?? null,
          actorIsBot: isBot(e.actor),
          at: e.created_at,
          label: e.label.name,
          stateReason: null,
          issueNumber: e.issue.number,
          issueUrl: e.issue.html_url,
        });
    }
    seen += data.length;
    onPage?.("issue events", seen);
    const more = /\brel="next"/.test(String(response.headers.link ?? ""));
    if (older || !more || data.length === 0)
      return { labelEvents: labelEvents.reverse(), mergedBy };
  }
}

interface RestPull {
  number: number;
  title: string;
  html_url: string;
  updated_at: string;
  merged_at: string | null;
  user: { login: string } | null;
  base: { ref: string };
  head: { sha: string };
  labels: { name?: string }[];
  milestone: { title: string } | null;
}

/** The `Phase gate` runs of every app on one head (`GET /commits/{sha}/check-runs?check_name=`). */
async function phaseGateRunsRest(
  octokit: GitHub,
  repo: RepoRef,
  sha: string,
): Promise<PhaseGateRun[]> {
  const { data } = await octokit.rest.checks.listForRef({
    ...repo,
    ref: sha,
    check_name: CHECK_NAME,
    filter: "all",
    per_page: 100,
  });
  return data.check_runs
    .filter((r) => r.name === CHECK_NAME)
    .map((r) => ({
      appId: r.app?.id ?? null,
      appSlug: r.app?.slug ?? null,
      id: r.id,
      status: r.status,
      conclusion: r.conclusion,
      title: r.output.title,
      completedAt: r.completed_at,
      externalId: r.external_id,
      url: r.html_url ?? "",
    }));
}

/** Who merged one PR (`GET /pulls/{n}`): for a merge the repository's events did not show. */
async function mergedByOf(octokit: GitHub, repo: RepoRef, number: number): Promise<string | null> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return data.merged_by?.login ?? null;
}

/**
 * Merged PRs of the window over REST: closed PRs, most recently updated
 * first, 100 a page, until older than the window; one check-runs read per
 * merged head. Who merged comes from the repository's `merged` events.
 */
export async function readMergedPullsRest(
  octokit: GitHub,
  repo: RepoRef,
  window: AuditWindow,
  mergedBy: ReadonlyMap<number, string>,
  onPage?: OnPage,
): Promise<MergedPull[]> {
  const merged: RestPull[] = [];
  for (let page = 1; ; page++) {
    const response = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      ...repo,
      state: "closed",
      sort: "updated",
      direction: "desc",
      per_page: 100,
      page,
    });
    const data = response.data as RestPull[];
    let older = false;
    for (const pr of data) {
      if (before(pr.updated_at, window)) older = true;
      if (within(pr.merged_at, window)) merged.push(pr);
    }
    onPage?.("closed pull requests", merged.length);
    const more = /\brel="next"/.test(String(response.headers.link ?? ""));
    if (older || !more || data.length === 0) break;
  }
  const pulls: MergedPull[] = [];
  for (const pr of merged) {
    pulls.push({
      number: pr.number,
      title: pr.title,
      url: pr.html_url,
      author: pr.user?.login ?? null,
      mergedBy: mergedBy.get(pr.number) ?? (await mergedByOf(octokit, repo, pr.number)),
      mergedAt: pr.merged_at ?? "",
      base: pr.base.ref,
      headSha: pr.head.sha,
      labels: pr.labels.flatMap((l) => (l.name ? [l.name] : [])),
      milestone: pr.milestone?.title ?? null,
      linkedIssues: [],
      runs: await phaseGateRunsRest(octokit, repo, pr.head.sha),
    });
    onPage?.("check runs of merged heads", pulls.length);
  }
  return pulls;
}

/**
 * Every gate issue of each gate, with GitHub's record of it (events,
 * comments) and the people found authorized: what core's gateRounds rebuilds
 * the rounds from. An issue counts as the gate's when gateIdentity says so,
 * as in readGate; older gate issues that still carry the label are kept too.
 */
export async function readGateHistories(
  reader: GateReader,
  config: Config,
  fullName: string,
): Promise<GateHistory[]> {
  const histories: GateHistory[] = [];
  for (const [phaseIndex, phase] of config.phases.entries()) {
    const gate = phase.gate;
    if (!gate) continue;
    for (const issue of await listGateLabelled(reader.octokit, reader.repo, gate.label)) {
      const who = await identifyGateIssue(reader, gate, issue.number);
      if (!who.identity.isGate) continue;
      const comments =
        issue.comments > 0 ? await listComments(reader.octokit, reader.repo, issue.number) : [];
      const commandAuthors = comments
        .filter((c) => !c.authorIsBot && parseCommand(c.body))
        .map((c) => c.author.toLowerCase());
      const approvers = new Set(who.approvers);
      for (const login of new Set(commandAuthors))
        if ((await reader.directory.authorize(gate, login)).authorized) approvers.add(login);
      histories.push({
        repo: fullName,
        phaseIndex,
        gate,
        issue: {
          number: issue.number,
          url: issue.html_url,
          title: issue.title,
          state: issue.state === "closed" ? "closed" : "open",
          stateReason: null,
          closedAt: issue.closed_at,
          body: issue.body ?? null,
        },
        events: who.events,
        comments,
        deciders: { appLogin: reader.appLogin, approvers },
      });
    }
  }
  return histories;
}

/** Per gate, the lower-cased logins among the label events' actors who may decide it. */
export async function approversOfLabelEvents(
  reader: GateReader,
  config: Config,
  events: readonly LabelEvent[],
): Promise<Map<number, Set<string>>> {
  const found = new Map<number, Set<string>>();
  for (const [phaseIndex, phase] of config.phases.entries()) {
    const gate = phase.gate;
    if (!gate) continue;
    const approvers = new Set<string>();
    for (const login of labelActorsToAuthorize(events, gate.label))
      if ((await reader.directory.authorize(gate, login)).authorized) approvers.add(login);
    found.set(phaseIndex, approvers);
  }
  return found;
}
