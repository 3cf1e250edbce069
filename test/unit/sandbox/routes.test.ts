import { describe, expect, it } from "vitest";
import { matchRoute, routes } from "../../../sandbox/emulator/routes/index.js";

describe("the emulator's route table", () => {
  it("has one route per method and template", () => {
    const keys = routes.map((r) => `${r.method} ${r.template}`);
    expect(keys.length).toBeGreaterThan(40);
    expect(new Set(keys).size).toBe(keys.length);
  });

  // The table is put together from one module per resource; the first match wins.
  it.each([
    ["GET", "/repos/acme/rocket/issues/events", "/repos/{owner}/{repo}/issues/events", {}],
    [
      "GET",
      "/repos/acme/rocket/issues/7",
      "/repos/{owner}/{repo}/issues/{issue_number}",
      {
        issue_number: "7",
      },
    ],
    [
      "PATCH",
      "/repos/acme/rocket/issues/comments/5",
      "/repos/{owner}/{repo}/issues/comments/{comment_id}",
      { comment_id: "5" },
    ],
    [
      "GET",
      "/repos/acme/rocket/contents/.github/phase-gates.yml",
      "/repos/{owner}/{repo}/contents/{path}",
      { path: ".github/phase-gates.yml" },
    ],
    [
      "DELETE",
      "/repos/acme/rocket/issues/3/labels/phase%3A%20run",
      "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
      { issue_number: "3", name: "phase: run" },
    ],
    ["POST", "/graphql", "/graphql", {}],
    [
      "GET",
      "/orgs/acme/teams/leads/memberships/ada",
      "/orgs/{org}/teams/{team_slug}/memberships/{username}",
      {
        username: "ada",
      },
    ],
  ])("%s %s → %s", (method, path, template, params) => {
    const match = matchRoute(method, path);
    expect(match?.route.template).toBe(template);
    expect(match?.params).toMatchObject(params);
  });

  it.each([
    ["GET", "/repos/acme/rocket/nothing-here"],
    ["PUT", "/repos/acme/rocket/issues/7"],
  ])("%s %s matches nothing (answered 404 UNHANDLED)", (method, path) => {
    expect(matchRoute(method, path)).toBeNull();
  });
});
