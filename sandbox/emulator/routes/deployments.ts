import { actor, bodyObject, intParam, R, type Route, repoOf } from "./helpers.js";

export const deploymentRoutes: Route[] = [
  // Custom deployment protection rules: the app's answer to a waiting deployment
  {
    method: "POST",
    template: `${R}/actions/runs/{run_id}/deployment_protection_rule`,
    handler: (ctx) => {
      const repo = repoOf(ctx);
      ctx.state.answerDeployment(repo, intParam(ctx, "run_id"), bodyObject(ctx), actor(ctx));
      return { status: 204 };
    },
  },
];
