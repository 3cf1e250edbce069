import { serializeLabel, serializeMilestone } from "../serialize.js";
import { ApiError } from "../state/index.js";
import {
  actor,
  bodyObject,
  intParam,
  openClosed,
  paged,
  param,
  R,
  type Route,
  repoOf,
  repoPath,
  str,
  withDefined,
} from "./helpers.js";

export const labelMilestoneRoutes: Route[] = [
  // Repository labels
  {
    method: "GET",
    template: `${R}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return paged(
        ctx,
        repo.labels.map((l) => serializeLabel(ctx.state.urls, repo, l)),
        repoPath(repo, "/labels"),
      );
    },
  },
  {
    method: "POST",
    template: `${R}/labels`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const label = ctx.state.createLabel(
        repo,
        withDefined({
          name: str(b.name) ?? "",
          color: str(b.color),
          description: str(b.description),
        }),
        actor(ctx),
      );
      return { status: 201, body: serializeLabel(ctx.state.urls, repo, label) };
    },
  },
  {
    method: "GET",
    template: `${R}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const label = ctx.state.findLabel(repo, param(ctx, "name"));
      if (!label) throw new ApiError(404, "Not Found");
      return { body: serializeLabel(ctx.state.urls, repo, label) };
    },
  },
  {
    method: "PATCH",
    template: `${R}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const label = ctx.state.updateLabel(
        repo,
        param(ctx, "name"),
        withDefined({
          new_name: str(b.new_name),
          color: str(b.color),
          description: b.description === null ? null : str(b.description),
        }),
        actor(ctx),
      );
      return { body: serializeLabel(ctx.state.urls, repo, label) };
    },
  },
  {
    method: "DELETE",
    template: `${R}/labels/{name}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.deleteLabel(repo, param(ctx, "name"), actor(ctx));
      return { status: 204 };
    },
  },

  // Milestones
  {
    method: "GET",
    template: `${R}/milestones`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const direction = ctx.query.get("direction") ?? "asc";
      const items = repo.milestones
        .filter((m) => state === "all" || m.state === state)
        .sort((a, b) => (direction === "asc" ? a.number - b.number : b.number - a.number))
        .map((m) => serializeMilestone(ctx.state.urls, repo, m));
      return paged(ctx, items, repoPath(repo, "/milestones"));
    },
  },
  {
    method: "POST",
    template: `${R}/milestones`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const stateValue = str(b.state);
      const milestone = ctx.state.createMilestone(
        repo,
        withDefined({
          title: str(b.title) ?? "",
          description: str(b.description),
          state: openClosed(stateValue),
          due_on: str(b.due_on),
        }),
        actor(ctx),
      );
      return { status: 201, body: serializeMilestone(ctx.state.urls, repo, milestone) };
    },
  },
  {
    method: "GET",
    template: `${R}/milestones/{milestone_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const milestone = repo.milestones.find((m) => m.number === intParam(ctx, "milestone_number"));
      if (!milestone) throw new ApiError(404, "Not Found");
      return { body: serializeMilestone(ctx.state.urls, repo, milestone) };
    },
  },
  {
    method: "PATCH",
    template: `${R}/milestones/{milestone_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const b = bodyObject(ctx);
      const stateValue = str(b.state);
      const milestone = ctx.state.updateMilestone(
        repo,
        intParam(ctx, "milestone_number"),
        withDefined({
          title: str(b.title),
          description: b.description === null ? null : str(b.description),
          state: openClosed(stateValue),
          due_on: b.due_on === null ? null : str(b.due_on),
        }),
        actor(ctx),
      );
      return { body: serializeMilestone(ctx.state.urls, repo, milestone) };
    },
  },
];
