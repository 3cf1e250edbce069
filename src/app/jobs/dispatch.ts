import { checkRequestedHandler, mergeGroupHandler } from "../handlers/check-events.js";
import { configPushHandler, orgConfigHandler } from "../handlers/config-push.js";
import { deploymentHandler } from "../handlers/deployment.js";
import { issueCommentHandler, issueHandler } from "../handlers/gate-issue.js";
import { installationHandler } from "../handlers/installation.js";
import { linkedElsewhereHandler } from "../handlers/linked-elsewhere.js";
import { milestoneHandler } from "../handlers/milestone.js";
import { projectItemHandler } from "../handlers/project-item.js";
import { pullRequestHandler } from "../handlers/pull-request.js";
import { subIssuesHandler } from "../handlers/sub-issues.js";
import { reportsHandler } from "../recipes/refresh-reports.js";
import type { JobHandler } from "./handler.js";
import type { JobData, JobKind } from "./job.js";
import type { RepoJob } from "./repo-job.js";

const HANDLERS: readonly JobHandler[] = [
  pullRequestHandler,
  issueHandler,
  issueCommentHandler,
  checkRequestedHandler,
  mergeGroupHandler,
  deploymentHandler,
  milestoneHandler,
  configPushHandler,
  orgConfigHandler,
  installationHandler,
  reportsHandler,
  linkedElsewhereHandler,
  projectItemHandler,
  subIssuesHandler,
];

/** kind → runner, checked complete at start-up (a kind without a runner would drop its jobs). */
export const RUNNERS: ReadonlyMap<JobKind, JobHandler["run"]> = new Map(
  HANDLERS.map((h) => [h.kind, h.run]),
);

export function runJob(job: RepoJob, data: JobData): Promise<void> {
  const run = RUNNERS.get(data.kind);
  if (!run) throw new Error(`no handler for job kind "${data.kind}"`);
  return run(job, data.input);
}
