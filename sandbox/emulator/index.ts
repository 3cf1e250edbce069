export type {
  Admission,
  LimitedRequest,
  LimitReason,
  LimitSettings,
  LimitStats,
  RequestCost,
  Ticket,
  Usage,
} from "./limits.js";
export {
  GITHUB_SECONDARY_LIMITS,
  pacingFloorSeconds,
  requestCost,
  SecondaryLimits,
} from "./limits.js";
export type { RequestLogEntry } from "./request-log.js";
export { RequestLog } from "./request-log.js";
export type { Emulator, EmulatorOptions } from "./server.js";
export { createEmulator } from "./server.js";
export type { CheckRunInput, FailRule, IssuePatch } from "./state/index.js";
export { ApiError, blobSha, EmulatorState, randomSha } from "./state/index.js";
export type * from "./types.js";
export type { Delivery, WebhookTarget } from "./webhooks.js";
export { buildPayload, sign, WebhookDeliverer } from "./webhooks.js";
