import { serializeCheckRun } from "../serialize.js";
import type { CheckRunInput } from "../state/index.js";
import {
  actor,
  bodyObject,
  intParam,
  paginate,
  param,
  R,
  type Route,
  repoOf,
  repoPath,
} from "./helpers.js";

export const checkRunRoutes: Route[] = [
  // Check runs
  {
    method: "POST",
    template: `${R}/check-runs`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = ctx.state.createCheckRun(repo, bodyObject(ctx) as CheckRunInput, actor(ctx));
      return { status: 201, body: serializeCheckRun(ctx.state.urls, repo, ctx.state.app, run) };
    },
  },
  {
    method: "GET",
    template: `${R}/check-runs/{check_run_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = ctx.state.checkRun(repo, intParam(ctx, "check_run_id"));
      return { body: serializeCheckRun(ctx.state.urls, repo, ctx.state.app, run) };
    },
  },
  {
    method: "PATCH",
    template: `${R}/check-runs/{check_run_id}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const run = ctx.state.updateCheckRun(
        repo,
        intParam(ctx, "check_run_id"),
        bodyObject(ctx) as CheckRunInput,
        actor(ctx),
      );
      return { body: serializeCheckRun(ctx.state.urls, repo, ctx.state.app, run) };
    },
  },
  {
    method: "GET",
    template: `${R}/commits/{ref}/check-runs`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const ref = param(ctx, "ref").replace(/^refs\/heads\//, "");
      const sha = repo.branches.get(ref) ?? ref;
      const name = ctx.query.get("check_name");
      const status = ctx.query.get("status");
      const appId = ctx.query.get("app_id");
      const filter = ctx.query.get("filter") ?? "latest";
      let runs = repo.checkRuns
        .filter((r) => r.head_sha === sha)
        .filter((r) => !name || r.name === name)
        .filter((r) => !status || r.status === status)
        .filter((r) => !appId || String(r.app_id) === appId)
        .sort((a, b) => b.id - a.id);
      if (filter === "latest") {
        const seen = new Set<string>();
        runs = runs.filter((r) => {
          const key = `${r.app_id}:${r.name}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      }
      const all = runs.map((r) => serializeCheckRun(ctx.state.urls, repo, ctx.state.app, r));
      const { page, headers } = paginate(
        ctx,
        all,
        repoPath(repo, `/commits/${param(ctx, "ref")}/check-runs`),
      );
      return { body: { total_count: all.length, check_runs: page }, headers };
    },
  },
];
