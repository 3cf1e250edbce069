import { serializeComment } from "../serialize.js";
import {
  actor,
  bodyObject,
  intParam,
  paged,
  R,
  type Route,
  repoOf,
  repoPath,
  str,
} from "./helpers.js";

export const commentRoutes: Route[] = [
  // Comments
  {
    method: "GET",
    template: `${R}/issues/{issue_number}/comments`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "issue_number"));
      const since = ctx.query.get("since");
      const comments = repo.comments
        .filter((c) => c.issueNumber === issue.number && (!since || c.updated_at >= since))
        .map((c) => serializeComment(ctx.state.urls, repo, c));
      return paged(ctx, comments, repoPath(repo, `/issues/${issue.number}/comments`));
    },
  },
  {
    method: "POST",
    template: `${R}/issues/{issue_number}/comments`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const comment = ctx.state.createComment(
        repo,
        intParam(ctx, "issue_number"),
        str(bodyObject(ctx).body) ?? "",
        actor(ctx),
      );
      return { status: 201, body: serializeComment(ctx.state.urls, repo, comment) };
    },
  },
  {
    method: "GET",
    template: `${R}/issues/comments/{comment_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return {
        body: serializeComment(
          ctx.state.urls,
          repo,
          ctx.state.comment(repo, intParam(ctx, "comment_id")),
        ),
      };
    },
  },
  {
    method: "PATCH",
    template: `${R}/issues/comments/{comment_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const comment = ctx.state.updateComment(
        repo,
        intParam(ctx, "comment_id"),
        str(bodyObject(ctx).body) ?? "",
        actor(ctx),
      );
      return { body: serializeComment(ctx.state.urls, repo, comment) };
    },
  },
  {
    method: "DELETE",
    template: `${R}/issues/comments/{comment_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.deleteComment(repo, intParam(ctx, "comment_id"), actor(ctx));
      return { status: 204 };
    },
  },
];
