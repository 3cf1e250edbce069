import type { ApplicationFunction } from "probot";
import { createPhaseGatesApp } from "./app/register-handlers.js";

const { app: phaseGates } = createPhaseGatesApp();

/**
 * Probot entry (`probot run ./lib/index.js`). In production an unsigned
 * webhook endpoint would let anyone forge gate approvals, so the app refuses
 * to start without `WEBHOOK_SECRET` (Probot would silently use "development").
 */
const app: ApplicationFunction = (probot, options) => {
  if (process.env.NODE_ENV === "production" && !process.env.WEBHOOK_SECRET) {
    throw new Error(
      "WEBHOOK_SECRET is required when NODE_ENV=production: set it to the webhook secret of your GitHub App.",
    );
  }
  return phaseGates(probot, options);
};

export default app;
