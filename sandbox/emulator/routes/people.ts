import { serializeUser } from "../serialize.js";
import { ApiError } from "../state/index.js";
import { param, R, type Route, repoOf } from "./helpers.js";

/** Legacy permission scale of the permission endpoint: maintain shows as write, triage as read. */
function legacyPermission(role: string): string {
  switch (role) {
    case "admin":
      return "admin";
    case "maintain":
    case "write":
      return "write";
    case "triage":
    case "read":
      return "read";
    default:
      return "none";
  }
}

export function permissionFlags(role: string): {
  admin: boolean;
  maintain: boolean;
  push: boolean;
  triage: boolean;
  pull: boolean;
} {
  const rank = ["none", "read", "triage", "write", "maintain", "admin"].indexOf(role);
  return {
    admin: rank >= 5,
    maintain: rank >= 4,
    push: rank >= 3,
    triage: rank >= 2,
    pull: rank >= 1,
  };
}

export const peopleRoutes: Route[] = [
  // People
  {
    method: "GET",
    template: `${R}/collaborators/{username}/permission`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const login = param(ctx, "username");
      const known = ctx.state.users.get(login.toLowerCase());
      if (!known) throw new ApiError(404, "Not Found");
      // Anyone can read a public repository; a private one gives outsiders nothing.
      const role = ctx.state.roleOf(repo, login) ?? (repo.private ? "none" : "read");
      return {
        body: {
          permission: legacyPermission(role),
          role_name: role,
          user: {
            ...serializeUser(ctx.state.urls, known),
            permissions: permissionFlags(role),
            role_name: role,
          },
        },
      };
    },
  },
  {
    method: "GET",
    template: "/orgs/{org}/teams/{team_slug}/memberships/{username}",
    handler: (ctx) => {
      const key = `${param(ctx, "org")}/${param(ctx, "team_slug")}`.toLowerCase();
      const team = ctx.state.teams.get(key);
      const login = param(ctx, "username");
      if (!team?.members.has(login.toLowerCase())) throw new ApiError(404, "Not Found");
      return {
        body: {
          url: `${ctx.state.urls.api}/organizations/${team.id}/team/${team.id}/memberships/${login}`,
          role: "member",
          state: "active",
        },
      };
    },
  },
];
