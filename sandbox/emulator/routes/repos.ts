import { serializeContentFile, serializeRepo } from "../serialize.js";
import { ApiError } from "../state/index.js";
import { paged, param, R, type Route, repoOf } from "./helpers.js";
import { permissionFlags } from "./people.js";

export const repoRoutes: Route[] = [
  // An organisation's repositories, by name (what `status --org` and `audit --org` list; private ones only with a token)
  {
    method: "GET",
    template: "/orgs/{org}/repos",
    handler: (ctx) => {
      const org = param(ctx, "org").toLowerCase();
      const owner =
        ctx.state.users.get(org) ??
        [...ctx.state.users.values()].find((u) => u.login.toLowerCase() === org);
      if (owner?.type !== "Organization") throw new ApiError(404, "Not Found");
      const repos = [...ctx.state.repos.values()]
        .filter(
          (r) => r.owner.login.toLowerCase() === org && (!r.private || ctx.auth.kind !== "none"),
        )
        .sort((a, b) => a.full_name.localeCompare(b.full_name))
        .map((r) => ({
          ...serializeRepo(ctx.state.urls, r),
          permissions: permissionFlags("write"),
        }));
      return paged(ctx, repos, `/orgs/${param(ctx, "org")}/repos`);
    },
  },
  // Repository
  {
    method: "GET",
    template: R,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return {
        // A single repository is GitHub's "full-repository": the list shape plus its counts.
        body: {
          ...serializeRepo(ctx.state.urls, repo),
          permissions: permissionFlags("write"),
          network_count: 0,
          subscribers_count: 0,
        },
      };
    },
  },
  {
    method: "GET",
    template: `${R}/contents/{path}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const path = param(ctx, "path").replace(/^\/+/, "");
      const ref = ctx.query.get("ref") ?? repo.default_branch;
      const file = ctx.state.filesAt(repo, ref)?.get(path);
      if (!file) throw new ApiError(404, "Not Found");
      const accept = String(ctx.headers.accept ?? "");
      if (/\.raw\b/.test(accept) || accept.includes("vnd.github.raw")) {
        return {
          text: file.content,
          headers: { "content-type": "text/plain; charset=utf-8", etag: `"${file.sha}"` },
        };
      }
      return {
        body: serializeContentFile(ctx.state.urls, repo, path, ref, file),
        headers: { etag: `W/"${file.sha}-json"` },
      };
    },
  },
];
