import { appRoutes } from "./app.js";
import { checkRunRoutes } from "./checks.js";
import { commentRoutes } from "./comments.js";
import { deploymentRoutes } from "./deployments.js";
import { graphqlRoutes } from "./graphql.js";
import type { Route } from "./helpers.js";
import { issueRoutes } from "./issues.js";
import { labelMilestoneRoutes } from "./labels-milestones.js";
import { peopleRoutes } from "./people.js";
import { pullRoutes } from "./pulls.js";
import { repoRoutes } from "./repos.js";
import { ruleRoutes } from "./rules.js";

export type { Route, RouteContext, RouteResult } from "./helpers.js";
export { paginate } from "./helpers.js";

/**
 * Every route the emulator answers. The first match wins, so the order
 * matters where templates overlap: `/issues/events` (in issueRoutes) comes
 * before `/issues/{issue_number}`.
 */
export const routes: Route[] = [
  ...graphqlRoutes,
  ...appRoutes,
  ...repoRoutes,
  ...issueRoutes,
  ...commentRoutes,
  ...labelMilestoneRoutes,
  ...pullRoutes,
  ...deploymentRoutes,
  ...checkRunRoutes,
  ...peopleRoutes,
  ...ruleRoutes,
];

/** Finds the route for a request path (below /api/v3); `{path}` takes the rest of the URL. */
export function matchRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | null {
  const segments = pathname.split("/").filter((s, i) => i > 0 || s !== "");
  for (const route of routes) {
    if (route.method !== method) continue;
    const parts = route.template.split("/").filter((s, i) => i > 0 || s !== "");
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? "";
      const segment = segments[i];
      if (segment === undefined) {
        ok = false;
        break;
      }
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (name === "path" && i === parts.length - 1) {
        params[name] = segments.slice(i).map(safeDecode).join("/");
        i = segments.length;
        break;
      }
      if (name) params[name] = safeDecode(segment);
      else if (part !== segment) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (!route.template.endsWith("{path}") && parts.length !== segments.length) continue;
    return { route, params };
  }
  return null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
