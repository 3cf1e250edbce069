import type nock from "nock";
import { checkRunsQuery, gateIssueQuery, REPO_PATH } from "./app.js";
import { APP_ID, commentObject, type IssueSpec, issueObject, user } from "./webhooks.js";

/** `.github/phase-gates.yml`: two phases and one gate that needs two approvers (acme/leads or maintain). */
export const TWO_APPROVERS = `phases:
  - id: crawl
    gate:
      criteria: [Feasibility shown with evidence]
      approvals: 2
      approvers: { teams: [acme/leads], permission: maintain }
  - id: run
`;

/** The Crawl → Run gate issue of `TWO_APPROVERS`, open, its criteria ticked. */
export const GATE: IssueSpec = {
  number: 1,
  title: "Gate: Crawl → Run",
  labels: ["gate: crawl"],
  body: "- [x] Feasibility shown with evidence",
};

/** The app's own login, as GitHub names it on comments and closes. */
export const BOT = "phase-gates[bot]";

/** A comment on a gate issue, as `GET /issues/{n}/comments` lists it. */
export interface Comment {
  id: number;
  body: string;
  by: string;
  at?: string;
  /** When someone edited it (GitHub shows only `updated_at`). */
  editedAt?: string;
}

/** The body of `POST /check-runs` or `PATCH /check-runs/{id}`. */
export interface CheckBody {
  name?: string;
  head_sha?: string;
  external_id?: string;
  status: string;
  conclusion: string;
  output: { title: string; summary: string };
}

/** One entry of `GET /issues/{n}/events`, as a test states it. */
export interface EventSpec {
  event: "labeled" | "unlabeled" | "closed" | "reopened" | "milestoned" | "demilestoned";
  by: string;
  at: string;
  label?: string;
  stateReason?: "completed" | "not_planned" | "duplicate";
}

/** GitHub's record of a gate issue as the app left it: labelled by the app, closed by `closedBy` when closed. */
export function defaultGateEvents(label: string, issue: IssueSpec): EventSpec[] {
  const events: EventSpec[] = [
    { event: "labeled", by: BOT, at: issue.createdAt ?? "2026-11-01T00:00:00Z", label },
  ];
  if (issue.state === "closed") {
    events.push({
      event: "closed",
      by: issue.closedBy ?? "lead",
      at: issue.closedAt ?? "2026-11-20T12:00:00Z",
      stateReason: issue.stateReason === "not_planned" ? "not_planned" : "completed",
    });
  }
  return events;
}

/** `GET /issues/{n}/events`: the record, oldest first, in GitHub's shape. */
export function replyEvents(scope: nock.Scope, number: number, events: EventSpec[]): nock.Scope {
  return scope
    .get(`${REPO_PATH}/issues/${number}/events`)
    .query({ per_page: "100", page: "1" })
    .reply(
      200,
      events.map((e, i) => ({
        id: 5000 + i,
        event: e.event,
        actor: user(e.by, e.by.endsWith("[bot]") ? "Bot" : "User"),
        created_at: e.at,
        commit_id: null,
        ...(e.label ? { label: { name: e.label, color: "ededed" } } : {}),
        ...(e.event === "closed" ? { state_reason: e.stateReason ?? "completed" } : {}),
        ...(e.event === "reopened" ? { state_reason: "reopened" } : {}),
      })),
      { etag: `"events-${number}-${events.length}"` },
    );
}

/**
 * One read of a gate: `GET /issues?labels=…`, `GET /issues/{n}/events` (who
 * labelled and closed it; by default the app labelled it and `closedBy`
 * closed it), `GET /issues/events` when it is closed (no newer gate issue
 * lost its label), `GET /issues/{n}/comments` when it has any.
 */
export function replyGate(
  scope: nock.Scope,
  label: string,
  issue: IssueSpec,
  comments: Comment[] = [],
  events: EventSpec[] = defaultGateEvents(label, issue),
): nock.Scope {
  const spec = { ...issue, comments: comments.length };
  scope
    .get(`${REPO_PATH}/issues`)
    .query(gateIssueQuery(label))
    .reply(200, [issueObject({ ...spec, closedBy: undefined })]);
  replyEvents(scope, spec.number, events);
  if (spec.state === "closed") {
    // a decided gate: has a newer gate issue just lost its label? (the repository's recent events: no)
    scope.get(`${REPO_PATH}/issues/events`).query({ per_page: "100" }).reply(200, []);
  }
  if (comments.length > 0) {
    scope
      .get(`${REPO_PATH}/issues/${spec.number}/comments`)
      .query({ per_page: "100" })
      .reply(
        200,
        comments.map((c) => commentObject(c.id, c.body, c.by, c.at, c.editedAt)),
      );
  }
  return scope;
}

/** `GET /collaborators/{login}/permission`: the login's role, or 404 (`null`) for a non-collaborator. */
export function replyRole(scope: nock.Scope, login: string, role: string | null): nock.Scope {
  const path = `${REPO_PATH}/collaborators/${login}/permission`;
  if (role === null) return scope.get(path).reply(404, { message: "Not Found" });
  return scope.get(path).reply(200, {
    // The legacy field shows maintain as write and triage as read; the app compares role_name.
    permission: role === "maintain" ? "write" : role === "triage" ? "read" : role,
    role_name: role,
    user: { login },
  });
}

/** `GET /orgs/acme/teams/leads/memberships/{login}`: not a member (404) or an error status. */
export function replyNotTeamMember(scope: nock.Scope, login: string, status = 404): nock.Scope {
  return scope
    .get(`/orgs/acme/teams/leads/memberships/${login}`)
    .reply(status, { message: status === 404 ? "Not Found" : "Server Error" });
}

/** `GET /orgs/acme/teams/leads/memberships/{login}`: an active member. */
export function replyTeamMember(scope: nock.Scope, login: string): nock.Scope {
  return scope
    .get(`/orgs/acme/teams/leads/memberships/${login}`)
    .reply(200, { state: "active", role: "member" });
}

/** `GET /pulls?state=open`: no open PRs to re-check. */
export function replyNoOpenPulls(scope: nock.Scope): nock.Scope {
  return scope.get(`${REPO_PATH}/pulls`).query({ state: "open", per_page: "100" }).reply(200, []);
}

/** `POST /issues/1/comments`: a comment on the gate issue, its body pushed to `seen`. */
export function expectComment(scope: nock.Scope, seen: string[]): nock.Scope {
  return scope
    .post(`${REPO_PATH}/issues/1/comments`, (b: { body: string }) => seen.push(b.body) > 0)
    .reply(201, { id: 900 });
}

/** `PATCH /issues/1`: an update of the gate issue, its body pushed to `seen`. */
export function expectIssueUpdate(scope: nock.Scope, seen: Record<string, unknown>[]): nock.Scope {
  return scope
    .patch(`${REPO_PATH}/issues/1`, (b: Record<string, unknown>) => seen.push(b) > 0)
    .reply(200, {});
}

/** `GET /commits/{sha}/check-runs`: no Phase gate check on the commit yet. */
export function replyNoCheckYet(scope: nock.Scope, sha: string): nock.Scope {
  return scope
    .get(`${REPO_PATH}/commits/${sha}/check-runs`)
    .query(checkRunsQuery())
    .reply(200, { total_count: 0, check_runs: [] });
}

/** `GET /commits/{sha}/check-runs`: the app's completed Phase gate check `id` on the commit. */
export function replyExistingCheck(
  scope: nock.Scope,
  sha: string,
  id: number,
  existing: { conclusion: string; title: string; summary: string; externalId?: string },
): nock.Scope {
  return scope
    .get(`${REPO_PATH}/commits/${sha}/check-runs`)
    .query(checkRunsQuery())
    .reply(200, {
      total_count: 1,
      check_runs: [
        {
          id,
          name: "Phase gate",
          head_sha: sha,
          status: "completed",
          conclusion: existing.conclusion,
          external_id: existing.externalId ?? null,
          output: {
            title: existing.title,
            summary: existing.summary,
            text: null,
            annotations_count: 0,
          },
          app: { id: APP_ID, slug: "phase-gates" },
        },
      ],
    });
}

/** `POST /check-runs`: a completed Phase gate check on `sha`, its body pushed to `seen`. */
export function expectCreate(scope: nock.Scope, sha: string, seen: CheckBody[]): nock.Scope {
  return scope
    .post(`${REPO_PATH}/check-runs`, (body: CheckBody) => {
      seen.push(body);
      return body.name === "Phase gate" && body.head_sha === sha && body.status === "completed";
    })
    .reply(201, { id: 99 });
}

/** `PATCH /check-runs/{id}`: a completed update of check `id`, its body pushed to `seen`. */
export function expectUpdate(scope: nock.Scope, id: number, seen: CheckBody[]): nock.Scope {
  return scope
    .patch(`${REPO_PATH}/check-runs/${id}`, (body: CheckBody) => {
      seen.push(body);
      return body.status === "completed";
    })
    .reply(200, { id });
}

/** `GET /pulls/{n}/commits`: the PR's commits, oldest first (where the app looks for an earlier run's phase floor). */
export function replyCommits(
  scope: nock.Scope,
  number: number,
  shas: string[],
  repoPath = REPO_PATH,
): nock.Scope {
  return scope
    .get(`${repoPath}/pulls/${number}/commits`)
    .query({ per_page: "100" })
    .reply(
      200,
      shas.map((sha) => ({ sha, commit: { message: "a commit" } })),
    );
}

/** `GET /installation/repositories`: the installation reaches only this repository (no PRs elsewhere to re-check). */
export function replyInstallationRepos(
  scope: nock.Scope,
  names: string[] = ["rocket"],
): nock.Scope {
  return scope
    .get("/installation/repositories")
    .query({ per_page: "100" })
    .reply(200, {
      total_count: names.length,
      repositories: names.map((name, i) => ({
        id: i + 1,
        name,
        full_name: `acme/${name}`,
        owner: { login: "acme" },
      })),
    });
}

/** The default config's two gate issues, open with their criterion checked (gate label → issue). */
export const OPEN_GATES = {
  crawl: {
    number: 1,
    title: "Gate: Crawl → Walk",
    labels: ["gate: crawl"],
    body: "- [x] Feasibility shown with evidence",
  },
  walk: {
    number: 2,
    title: "Gate: Walk → Run",
    labels: ["gate: walk"],
    body: "- [x] Feasibility shown with evidence",
  },
} satisfies Record<string, IssueSpec>;
