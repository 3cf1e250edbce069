import type { TimelineEvent } from "../core/gate-timeline.js";
import { type StateStore, space } from "../state/store.js";
import { type GitHub, httpStatus, isBot, type RepoRef } from "./octokit.js";

interface RawIssueEvent {
  event: string;
  actor?: { login: string; type?: string } | null;
  created_at: string;
  label?: { name?: string } | null;
  state_reason?: string | null;
}

interface CachedEvents {
  etag: string;
  events: TimelineEvent[];
}

/**
 * Gate decisions are re-read on every event of a busy repository; revalidating
 * with `If-None-Match` answers 304 when nothing happened on the issue, and a
 * 304 does not count against the rate limit. Only single-page records are
 * cached: on a longer record new events land on a later page, which the first
 * page's ETag does not cover.
 */
export const ISSUE_EVENTS = space<CachedEvents>("issue-events", { limit: 5_000 });
/** The repository-wide list, per repository: revalidated the same way. */
export const RECENT_ISSUE_EVENTS = space<{ etag: string; events: RepoIssueEvent[] }>(
  "recent-issue-events",
  { limit: 5_000 },
);

function toTimelineEvent(e: RawIssueEvent): TimelineEvent {
  const actor = e.actor ?? null;
  return {
    event: e.event,
    actor: actor?.login ?? null,
    actorIsBot: isBot(actor),
    at: e.created_at,
    label: e.label?.name ?? null,
    stateReason: e.state_reason ?? null,
  };
}

/** GitHub's record of who did what on an issue, oldest first (`GET /issues/{n}/events`). */
export async function listIssueEvents(
  octokit: GitHub,
  repo: RepoRef,
  issueNumber: number,
  store: StateStore,
): Promise<TimelineEvent[]> {
  const key = `${repo.owner}/${repo.repo}#${issueNumber}`.toLowerCase();
  const cached = await store.get(ISSUE_EVENTS, key);
  const events: TimelineEvent[] = [];
  let etag: string | undefined;
  for (let page = 1; ; page++) {
    let response: Awaited<ReturnType<GitHub["request"]>>;
    try {
      response = await octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}/events", {
        ...repo,
        issue_number: issueNumber,
        per_page: 100,
        page,
        headers: page === 1 && cached ? { "if-none-match": cached.etag } : {},
      });
    } catch (error) {
      if (page === 1 && cached && httpStatus(error) === 304) return cached.events;
      throw error;
    }
    if (page === 1) etag = response.headers.etag;
    const data = response.data as RawIssueEvent[];
    events.push(...data.map(toTimelineEvent));
    const more = /\brel="next"/.test(String(response.headers.link ?? ""));
    if (!more) break;
    etag = undefined; // more than one page: do not cache
  }
  if (etag) await store.set(ISSUE_EVENTS, key, { etag, events });
  else await store.delete(ISSUE_EVENTS, key);
  return events;
}

/** One entry of the repository's recent issue events, with the issue it happened on. */
export interface RepoIssueEvent extends TimelineEvent {
  issueNumber: number;
  onPullRequest: boolean;
}

/**
 * The repository's most recent issue events (`GET /repos/{o}/{r}/issues/events`,
 * newest first, one page): enough to see a gate label that was just taken off
 * an issue, which a search by label no longer finds.
 */
export async function listRecentRepoIssueEvents(
  octokit: GitHub,
  repo: RepoRef,
  store: StateStore,
): Promise<RepoIssueEvent[]> {
  const key = `${repo.owner}/${repo.repo}`.toLowerCase();
  const cached = await store.get(RECENT_ISSUE_EVENTS, key);
  let response: Awaited<ReturnType<GitHub["request"]>>;
  try {
    response = await octokit.request("GET /repos/{owner}/{repo}/issues/events", {
      ...repo,
      per_page: 100,
      // Revalidated: read on every check of a decided gate, and a 304 is free.
      headers: cached ? { "if-none-match": cached.etag } : {},
    });
  } catch (error) {
    if (cached && httpStatus(error) === 304) return cached.events;
    throw error;
  }
  const events = (
    response.data as (RawIssueEvent & { issue?: { number: number; pull_request?: unknown } })[]
  )
    .filter((e) => e.issue)
    .map((e) => ({
      ...toTimelineEvent(e),
      issueNumber: e.issue?.number ?? 0,
      onPullRequest: Boolean(e.issue?.pull_request),
    }));
  const etag = response.headers.etag;
  if (etag) await store.set(RECENT_ISSUE_EVENTS, key, { etag, events });
  return events;
}
