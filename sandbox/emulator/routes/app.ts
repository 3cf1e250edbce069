import { serializeApp, serializeInstallation, serializeRepo } from "../serialize.js";
import { ApiError } from "../state/index.js";
import { intParam, paged, paginate, param, R, type Route, requireApp } from "./helpers.js";

export const appRoutes: Route[] = [
  // App and installations (JWT)
  {
    method: "GET",
    template: "/app",
    handler: (ctx) => {
      requireApp(ctx);
      return { body: serializeApp(ctx.state.urls, ctx.state.app) };
    },
  },
  {
    method: "GET",
    template: "/apps/{app_slug}",
    handler: (ctx) => {
      // Public on GitHub: any caller may look an app up by its slug.
      if (param(ctx, "app_slug").toLowerCase() !== ctx.state.app.slug.toLowerCase()) {
        throw new ApiError(404, "Not Found");
      }
      return { body: serializeApp(ctx.state.urls, ctx.state.app) };
    },
  },
  {
    method: "GET",
    template: "/app/installations",
    handler: (ctx) => {
      requireApp(ctx);
      const all = [...ctx.state.installations.values()].map((i) =>
        serializeInstallation(ctx.state.urls, ctx.state.app, i),
      );
      return paged(ctx, all, "/app/installations");
    },
  },
  {
    method: "GET",
    template: "/app/installations/{installation_id}",
    handler: (ctx) => {
      requireApp(ctx);
      const installation = ctx.state.installations.get(intParam(ctx, "installation_id"));
      if (!installation) throw new ApiError(404, "Not Found");
      return { body: serializeInstallation(ctx.state.urls, ctx.state.app, installation) };
    },
  },
  {
    method: "POST",
    template: "/app/installations/{installation_id}/access_tokens",
    handler: (ctx) => {
      requireApp(ctx);
      const id = intParam(ctx, "installation_id");
      const token = ctx.state.issueTokenFor(id);
      const installation = ctx.state.installations.get(id);
      const repositories = (installation?.repos ?? []).map((name) =>
        serializeRepo(ctx.state.urls, ctx.state.repo(name)),
      );
      return {
        status: 201,
        body: {
          ...token,
          permissions: serializeInstallation(ctx.state.urls, ctx.state.app, installation ?? never())
            .permissions,
          repository_selection: "selected",
          repositories,
        },
      };
    },
  },
  {
    method: "GET",
    template: `${R}/installation`,
    handler: (ctx) => {
      // As on GitHub: only the app itself (its JWT) may ask.
      requireApp(ctx);
      const repo = ctx.state.findRepo(param(ctx, "owner"), param(ctx, "repo"));
      const installation = repo ? ctx.state.installationFor(repo) : undefined;
      if (!installation) throw new ApiError(404, "Not Found");
      return { body: serializeInstallation(ctx.state.urls, ctx.state.app, installation) };
    },
  },
  {
    method: "GET",
    template: "/installation/repositories",
    handler: (ctx) => {
      if (ctx.auth.kind !== "installation") throw new ApiError(401, "Requires authentication");
      const installation = ctx.state.installations.get(ctx.auth.installationId);
      const repos = (installation?.repos ?? []).map((name) =>
        serializeRepo(ctx.state.urls, ctx.state.repo(name)),
      );
      const { page, headers } = paginate(ctx, repos, "/installation/repositories");
      return {
        body: { total_count: repos.length, repository_selection: "selected", repositories: page },
        headers,
      };
    },
  },
];

function never(): never {
  throw new ApiError(404, "Not Found");
}
