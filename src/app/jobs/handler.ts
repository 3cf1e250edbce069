import type { Context, Probot } from "probot";
import type { RepoRef } from "../../github/octokit.js";
import type { JobKind, JobSpec } from "./job.js";
import type { RepoJob } from "./repo-job.js";

/** A webhook event name as Probot subscribes it (`pull_request.labeled`). */
export type WebhookName = Extract<Parameters<Probot["on"]>[0], string>;

/** What a per-process index must forget because of an event (the cross-repository link index). */
export type Forget =
  | { links: "repository"; repo: RepoRef }
  | { links: "installation"; installationId: number };

/** What one delivery asks for, decided from its payload alone: no I/O, nothing awaited. */
export interface Receipt {
  jobs: JobSpec[];
  /** Issue or PR activity by `sender`: it may refresh the reports (app/jobs/report-pacer.ts). */
  activity?: { sender: string | undefined };
  forget?: Forget[];
}

/** The events a handler module takes, and how a payload becomes jobs. */
export interface EventRoute {
  events: readonly WebhookName[];
  receive(context: Context): Receipt;
}

/** Keeps the payload typed per event inside `receive`. */
export function route<E extends WebhookName>(
  events: readonly E[],
  receive: (context: Context<E>) => Receipt,
): EventRoute {
  return { events, receive: receive as unknown as EventRoute["receive"] };
}

/** How one kind of job runs, given the job's repository context and its input. */
export type JobRunner<Input> = (job: RepoJob, input: Input) => Promise<void>;

/** A job runner and its kind, so the kind → runner table is built from the handler modules. */
export interface JobHandler<Input = unknown> {
  kind: JobKind;
  run: JobRunner<Input>;
}

export function handler<Input>(kind: JobKind, run: JobRunner<Input>): JobHandler {
  return { kind, run: run as JobRunner<unknown> };
}
