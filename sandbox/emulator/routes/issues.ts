import { serializeIssue, serializeIssueEvent } from "../serialize.js";
import { ApiError, type IssuePatch } from "../state/index.js";
import type { StateReason } from "../types.js";
import {
  actor,
  bodyObject,
  intParam,
  labelNames,
  milestoneValue,
  openClosed,
  paged,
  param,
  R,
  type Route,
  repoOf,
  repoPath,
  sortIssues,
  str,
  strings,
  withDefined,
} from "./helpers.js";

export const issueRoutes: Route[] = [
  // Issues (pull requests included, as on GitHub)
  {
    method: "GET",
    template: `${R}/issues`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const labels = (ctx.query.get("labels") ?? "")
        .split(",")
        .map((l) => l.trim().toLowerCase())
        .filter(Boolean);
      const milestone = ctx.query.get("milestone");
      const creator = ctx.query.get("creator");
      const since = ctx.query.get("since");
      const items = [...repo.issues.values()].filter((issue) => {
        if (state !== "all" && issue.state !== state) return false;
        const names = issue.labelIds.map((id) =>
          repo.labels.find((l) => l.id === id)?.name.toLowerCase(),
        );
        if (!labels.every((l) => names.includes(l))) return false;
        if (milestone === "none" && issue.milestoneId !== null) return false;
        if (milestone === "*" && issue.milestoneId === null) return false;
        if (milestone && /^\d+$/.test(milestone)) {
          const m = repo.milestones.find((x) => x.number === Number(milestone));
          if (!m || issue.milestoneId !== m.id) return false;
        }
        if (creator && issue.user.login.toLowerCase() !== creator.toLowerCase()) return false;
        if (since && issue.updated_at < since) return false;
        return true;
      });
      return paged(
        ctx,
        sortIssues(ctx, items).map((i) => serializeIssue(ctx.state.urls, repo, i)),
        repoPath(repo, "/issues"),
      );
    },
  },
  {
    method: "POST",
    template: `${R}/issues`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const issue = ctx.state.createIssue(
        repo,
        withDefined({
          title: str(b.title) ?? "",
          body: str(b.body),
          labels: strings(b.labels),
          milestone: milestoneValue(b.milestone),
        }),
        actor(ctx),
      );
      return { status: 201, body: serializeIssue(ctx.state.urls, repo, issue) };
    },
  },
  // The repository's issue events, newest first, each with its issue (before `/issues/{n}`).
  {
    method: "GET",
    template: `${R}/issues/events`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const events = [...repo.issueEvents].reverse().map((e) => ({
        ...serializeIssueEvent(ctx.state.urls, repo, ctx.state.app, e),
        issue: serializeIssue(ctx.state.urls, repo, ctx.state.issue(repo, e.issueNumber)),
      }));
      return paged(ctx, events, repoPath(repo, "/issues/events"));
    },
  },
  {
    method: "GET",
    template: `${R}/issues/{issue_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return {
        body: serializeIssue(
          ctx.state.urls,
          repo,
          ctx.state.issue(repo, intParam(ctx, "issue_number")),
        ),
      };
    },
  },
  {
    method: "PATCH",
    template: `${R}/issues/{issue_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const stateValue = str(b.state);
      const reason = str(b.state_reason);
      const patch: IssuePatch = withDefined({
        title: str(b.title),
        body: b.body === null ? null : str(b.body),
        state: openClosed(stateValue),
        state_reason: reason ? (reason as StateReason) : b.state_reason === null ? null : undefined,
        labels: strings(b.labels),
        milestone: milestoneValue(b.milestone),
      });
      const issue = ctx.state.updateIssue(repo, intParam(ctx, "issue_number"), patch, actor(ctx));
      return { body: serializeIssue(ctx.state.urls, repo, issue) };
    },
  },

  // Issue labels
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "issue_number"));
      return paged(
        ctx,
        serializeIssue(ctx.state.urls, repo, issue).labels,
        repoPath(repo, `/issues/${issue.number}/labels`),
      );
    },
  },
  {
    method: "POST",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.addLabels(
        repo,
        intParam(ctx, "issue_number"),
        labelNames(ctx),
        actor(ctx),
      );
      return { body: serializeIssue(ctx.state.urls, repo, issue).labels };
    },
  },
  {
    method: "PUT",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.setLabels(
        repo,
        intParam(ctx, "issue_number"),
        labelNames(ctx),
        actor(ctx),
      );
      return { body: serializeIssue(ctx.state.urls, repo, issue).labels };
    },
  },
  {
    method: "DELETE",
    template: `${R}/issues/{issue_number}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.setLabels(repo, intParam(ctx, "issue_number"), [], actor(ctx));
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    template: `${R}/issues/{issue_number}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.removeLabel(
        repo,
        intParam(ctx, "issue_number"),
        param(ctx, "name"),
        actor(ctx),
      );
      return { body: serializeIssue(ctx.state.urls, repo, issue).labels };
    },
  },

  // Sub-issues (GitHub's REST API: `sub_issue_id` is the issue's id, not its number)
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/sub_issues`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const number = intParam(ctx, "issue_number");
      const children = (ctx.state.issue(repo, number).subIssues ?? []).map((child) => {
        const { repo: at } = ctx.state.issueById(child.id);
        return serializeIssue(ctx.state.urls, at, child);
      });
      return paged(ctx, children, repoPath(repo, `/issues/${number}/sub_issues`));
    },
  },
  {
    method: "POST",
    template: `${R}/issues/{issue_number}/sub_issues`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const parent = ctx.state.addSubIssue(
        repo,
        intParam(ctx, "issue_number"),
        subIssueId(b),
        actor(ctx),
        { replaceParent: b.replace_parent === true },
      );
      return { status: 201, body: serializeIssue(ctx.state.urls, repo, parent) };
    },
  },
  {
    method: "DELETE",
    template: `${R}/issues/{issue_number}/sub_issue`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const parent = ctx.state.removeSubIssue(
        repo,
        intParam(ctx, "issue_number"),
        subIssueId(bodyObject(ctx)),
        actor(ctx),
      );
      return { body: serializeIssue(ctx.state.urls, repo, parent) };
    },
  },
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/parent`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const found = ctx.state.parentOf(ctx.state.issue(repo, intParam(ctx, "issue_number")));
      if (!found) throw new ApiError(404, "Not Found");
      return { body: serializeIssue(ctx.state.urls, found.repo, found.issue) };
    },
  },

  // Issue events: who labeled, closed, reopened, milestoned or renamed, oldest first.
  // The ETag and If-None-Match → 304 come from the server, as for every GET.
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/events`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const number = intParam(ctx, "issue_number");
      const events = ctx.state
        .issueEvents(repo, number)
        .map((e) => serializeIssueEvent(ctx.state.urls, repo, ctx.state.app, e));
      return paged(ctx, events, repoPath(repo, `/issues/${number}/events`));
    },
  },
];

function subIssueId(body: Record<string, unknown>): number {
  const id = body.sub_issue_id;
  if (typeof id !== "number" || !Number.isInteger(id))
    throw new ApiError(422, 'Invalid request.\n\n"sub_issue_id" wasn\'t supplied.');
  return id;
}
