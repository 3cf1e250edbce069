import { GITHUB_FILES_LISTED_MAX } from "../../../src/core/changed-paths.js";
import { serializePull, serializePullCommit } from "../serialize.js";
import { ApiError } from "../state/index.js";
import { actor, intParam, paged, R, type Route, repoOf, repoPath, sortIssues } from "./helpers.js";

export const pullRoutes: Route[] = [
  // Pull requests
  {
    method: "GET",
    template: `${R}/pulls`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const state = ctx.query.get("state") ?? "open";
      const base = ctx.query.get("base");
      const head = ctx.query.get("head");
      const items = [...repo.issues.values()].filter((i) => {
        if (!i.pull) return false;
        if (state !== "all" && i.state !== state) return false;
        if (base && i.pull.baseRef !== base) return false;
        if (head && `${repo.owner.login}:${i.pull.headRef}` !== head) return false;
        return true;
      });
      return paged(
        ctx,
        sortIssues(ctx, items).map((i) => serializePull(ctx.state.urls, repo, i)),
        repoPath(repo, "/pulls"),
      );
    },
  },
  {
    method: "GET",
    template: `${R}/pulls/{pull_number}`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "pull_number"));
      if (!issue.pull) throw new ApiError(404, "Not Found");
      return { body: serializePull(ctx.state.urls, repo, issue) };
    },
  },
  {
    method: "PUT",
    template: `${R}/pulls/{pull_number}/merge`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const merged = ctx.state.mergePull(repo, intParam(ctx, "pull_number"), actor(ctx));
      return {
        body: {
          sha: merged.pull?.mergeCommitSha ?? "",
          merged: true,
          message: "Pull Request successfully merged",
        },
      };
    },
  },
  {
    method: "GET",
    template: `${R}/pulls/{pull_number}/commits`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "pull_number"));
      if (!issue.pull) throw new ApiError(404, "Not Found");
      const commits = issue.pull.commits.map((sha, i, all) =>
        serializePullCommit(ctx.state.urls, repo, issue, sha, all[i - 1] ?? null),
      );
      return paged(ctx, commits, repoPath(repo, `/pulls/${issue.number}/commits`));
    },
  },
  {
    method: "GET",
    template: `${R}/pulls/{pull_number}/files`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const issue = ctx.state.issue(repo, intParam(ctx, "pull_number"));
      if (!issue.pull) throw new ApiError(404, "Not Found");
      const pull = issue.pull;
      const baseFiles = ctx.state.filesAt(repo, pull.baseRef);
      const headSha = pull.headSha;
      const api = ctx.state.urls.api;
      const renamedFrom = new Set(pull.renames?.values() ?? []);
      const entries = [...pull.changes].filter(([filename]) => !renamedFrom.has(filename));
      // GitHub lists at most 3,000 files (the PR's `changed_files` keeps the real count).
      const files = entries.slice(0, GITHUB_FILES_LISTED_MAX).map(([filename, content]) => {
        const lines = content === null ? 0 : content.split("\n").length;
        const previous = pull.renames?.get(filename);
        const before = baseFiles?.get(previous ?? filename);
        const status =
          content === null
            ? "removed"
            : previous !== undefined
              ? "renamed"
              : before
                ? "modified"
                : "added";
        return {
          sha:
            content === null
              ? null
              : (ctx.state.filesAt(repo, headSha)?.get(filename)?.sha ?? null),
          filename,
          status,
          additions: lines,
          deletions: content === null ? (before?.content.split("\n").length ?? 0) : 0,
          changes: lines,
          blob_url: `${ctx.state.urls.web}/${repo.full_name}/blob/${headSha}/${filename}`,
          raw_url: `${ctx.state.urls.web}/${repo.full_name}/raw/${headSha}/${filename}`,
          contents_url: `${api}/repos/${repo.full_name}/contents/${encodeURIComponent(filename)}?ref=${headSha}`,
          patch:
            content === null
              ? ""
              : `@@ -0,0 +1,${lines} @@\n${content
                  .split("\n")
                  .map((l) => `+${l}`)
                  .join("\n")}`,
          ...(previous !== undefined ? { previous_filename: previous } : {}),
        };
      });
      return paged(ctx, files, repoPath(repo, `/pulls/${issue.number}/files`));
    },
  },
];
