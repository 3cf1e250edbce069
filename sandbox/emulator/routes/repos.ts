import { serializeContentFile, serializeRepo } from "../serialize.js";
import { ApiError } from "../state/index.js";
import { param, R, type Route, repoOf } from "./helpers.js";
import { permissionFlags } from "./people.js";

export const repoRoutes: Route[] = [
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
