import type { ApplicationFunction, Context, Logger, Probot } from "probot";
import type { GitHub, RepoRef } from "../github/octokit.js";
import { repoKey } from "../github/octokit.js";
import { readAppSlug } from "../github/repository.js";
import {
  ConcurrencyCap,
  InMemoryRequestBudget,
  type RequestBudget,
} from "../github/request-budget.js";
import { tunedOctokitFrom, unclusteredOctokitFrom } from "../github/tuned-octokit.js";
import { MemoryStateStore } from "../state/memory-store.js";
import type { StateStore } from "../state/store.js";
import { checkRequestedRoute, mergeGroupRoute } from "./handlers/check-events.js";
import { pushRoute } from "./handlers/config-push.js";
import { deploymentRoute } from "./handlers/deployment.js";
import { issueCommentRoute, issueRoute } from "./handlers/gate-issue.js";
import { installationRoute } from "./handlers/installation.js";
import { milestoneRoute } from "./handlers/milestone.js";
import { projectItemRoute } from "./handlers/project-item.js";
import { pullRequestRoute } from "./handlers/pull-request.js";
import { subIssuesRoute } from "./handlers/sub-issues.js";
import type { Metrics } from "./http/metrics.js";
import { validatePayload } from "./http/payloads.js";
import { mergeJobs } from "./jobs/coalesce.js";
import { runJob } from "./jobs/dispatch.js";
import type { EventRoute, Forget } from "./jobs/handler.js";
import type { JobData, JobQueue, JobQueueEvents, JobSpec } from "./jobs/job.js";
import { InMemoryJobQueue } from "./jobs/memory-queue.js";
import { type AppSettings, LINKED_ISSUES_MAX_AGE_MS, RepoJob } from "./jobs/repo-job.js";
import {
  type Clock,
  DEFAULT_REPORT_INTERVAL_MS,
  ReportPacer,
  systemClock,
} from "./jobs/report-pacer.js";
import { reportsJob } from "./recipes/refresh-reports.js";
import { LinkIndex } from "./shared/link-index.js";
import {
  InMemoryPendingDeployments,
  type PendingDeployments,
} from "./shared/pending-deployments.js";

/** Every webhook the app takes, and how each payload becomes jobs. */
const ROUTES: readonly EventRoute[] = [
  pullRequestRoute,
  issueRoute,
  issueCommentRoute,
  checkRequestedRoute,
  mergeGroupRoute,
  deploymentRoute,
  milestoneRoute,
  pushRoute,
  installationRoute,
  projectItemRoute,
  subIssuesRoute,
];

export interface PhaseGatesOptions {
  appId?: number | null;
  /** Called with every job that failed after it was logged (tests assert there are none). */
  onJobError?: (error: unknown) => void;
  /**
   * The client a job uses. Default: the installation's token in an Octokit
   * paced for GitHub's limits (see github/tuned-octokit.ts). Tests pass
   * Probot's own installation client, with pacing off.
   */
  octokitForJob?: (probot: Probot, installationId: number | null, log: Logger) => Promise<GitHub>;
  /**
   * How long a job's reads of the config and gates serve later jobs before
   * they are revalidated (default `REVALIDATE_MS`, one second); the webhooks
   * that change them drop them at once. `false`: every job reads afresh
   * (tests that state each job's reads).
   */
  revalidateMs?: number | false;
  /**
   * GitHub's secondary limits per installation, counted for every request of
   * every job (github/request-budget.ts). Default: this process's own; with
   * `REDIS_URL`, index.ts passes one shared by every process.
   */
  budget?: RequestBudget;
  /** What the app remembers between jobs (default: in this process; with `REDIS_URL`, in Redis). */
  store?: StateStore;
  /** Where jobs wait (default: in this process; with `REDIS_URL`, index.ts passes the Redis queue). */
  queue?: (log: Logger, events: JobQueueEvents & { merge: typeof mergeJobs }) => JobQueue;
  /**
   * The app's slug, when known (tests). Otherwise read once from `GET /app`:
   * the app's bot, `<slug>[bot]`, is the only bot whose writes count as ours.
   */
  appSlug?: string;
  /** Where jobs, GitHub requests and check writes are counted (app/http/metrics.ts). */
  metrics?: Metrics;
  /**
   * The dashboard and gate progress sections (SPEC §5): on by default; the
   * clock and the interval that paces refreshes from issue and PR activity
   * (default `DASHBOARD_INTERVAL_MS`, else one minute). `false`: never written.
   */
  reporting?: { clock?: Clock; intervalMs?: number } | false;
  /**
   * Ask GitHub's GraphQL API which issues a PR closes (default: yes; the app
   * stops asking for good when the API has no GraphQL). Tests turn it off.
   */
  graphql?: boolean;
  /** Where deployments waiting for a gate are kept (default: in memory, see app/shared/pending-deployments.ts). */
  pendingDeployments?: PendingDeployments;
}

/** `LINKED_ISSUES_MAX_AGE_MS`: how long a PR's list of closed issues is kept (0: asked on every event). */
function envLinkedIssuesMs(): number {
  const raw = process.env.LINKED_ISSUES_MAX_AGE_MS;
  const ms = Number(raw);
  return raw !== undefined && raw !== "" && Number.isFinite(ms) && ms >= 0
    ? ms
    : LINKED_ISSUES_MAX_AGE_MS;
}

function envInterval(): number {
  const ms = Number(process.env.DASHBOARD_INTERVAL_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_REPORT_INTERVAL_MS;
}

/** The production client of a job: the installation's token, every request paced by the budget. */
async function pacedClient(
  probot: Probot,
  installationId: number | null,
  log: Logger,
  pacing: { budget: RequestBudget; concurrency: ConcurrencyCap; metrics: Metrics | undefined },
): Promise<GitHub> {
  const octokit = (await probot.auth(installationId ?? undefined)) as GitHub;
  if (installationId === null) return unclusteredOctokitFrom(octokit, log);
  return tunedOctokitFrom(octokit, {
    log,
    installationId,
    budget: pacing.budget,
    concurrency: pacing.concurrency,
    observer: pacing.metrics,
  });
}

/**
 * `probot.on` for handlers that run only on a payload carrying every field
 * the app reads (app/http/payloads.ts). A malformed delivery is logged by field
 * path, never with the payload, and skipped: it can neither throw in a
 * handler nor queue a job that would call GitHub with `undefined` in a path.
 */
function validatedOn(probot: Probot): Probot["on"] {
  return (event, handler) => {
    probot.on(event, async (context) => {
      const checked = validatePayload(context.name, context.payload);
      if (!checked.ok) {
        context.log.warn(
          {
            delivery: context.id,
            event: context.name,
            issues: checked.issues.map((i) => `${i.path || "(payload)"}: ${i.code}`),
          },
          "skip: webhook payload lacks fields the app reads",
        );
        return;
      }
      await handler(context);
    });
  };
}

export interface PhaseGatesApp {
  app: ApplicationFunction;
  /** Resolves when all queued work has finished (tests, graceful shutdown). */
  idle: () => Promise<void>;
  /** Jobs queued or running, oldest first. */
  pendingJobs: () => JobData[];
  /** Shutting down: reports are no longer refreshed (the next event after a restart does it). */
  beginDrain: () => void;
  /** Stops taking jobs, lets running ones finish, closes the queue's connections. */
  close: () => Promise<void>;
}

/** Config and gates are revalidated at most about once a second per repository, never per event. */
export const REVALIDATE_MS = 1000;

function envAppId(): number | null {
  const id = Number(process.env.APP_ID);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** The app's bot login, read once from `GET /app`; a failed read is retried by the next job rather than remembered. */
function botLogin(probot: Probot, appSlug: string | undefined): () => Promise<string> {
  let login: Promise<string> | null = appSlug ? Promise.resolve(`${appSlug}[bot]`) : null;
  return () => {
    login ??= (async () => {
      const slug = await readAppSlug(
        unclusteredOctokitFrom((await probot.auth()) as GitHub, probot.log),
      );
      return `${slug}[bot]`;
    })().catch((error: unknown) => {
      login = null;
      throw error;
    });
    return login;
  };
}

/** A job as the queue keeps it: the spec, plus who asked (delivery, installation) and when. */
function jobData(
  spec: JobSpec,
  origin: { deliveryId: string; installationId: number | null; receivedAt: number },
): JobData {
  return {
    kind: spec.kind,
    deliveryId: `${origin.deliveryId}${spec.deliverySuffix ?? ""}`,
    installationId: origin.installationId,
    repo: spec.repo,
    input: spec.input,
    ...(spec.coalesce ? { coalesce: spec.coalesce } : {}),
    receivedAt: origin.receivedAt,
  };
}

/**
 * Wires webhook events to jobs and jobs to handlers:
 * 1. a delivery is validated and turned into jobs by its route (handlers/*), and queued;
 *    GitHub gets its answer in milliseconds;
 * 2. the queue runs each job with a client of the job's installation, through
 *    the kind → handler table (jobs/dispatch.ts).
 */
export function createPhaseGatesApp(options: PhaseGatesOptions = {}): PhaseGatesApp {
  let queue: JobQueue | null = null;
  const appId = options.appId === undefined ? envAppId() : options.appId;
  const { metrics } = options;
  const clock = (options.reporting ? options.reporting.clock : undefined) ?? systemClock;
  let reportsActive = true;
  const reporting =
    options.reporting === false
      ? undefined
      : {
          pacer: new ReportPacer(
            clock,
            options.reporting?.intervalMs ?? envInterval(),
            // With REDIS_URL, shared: N processes refresh a repository at most once per interval.
            options.store ?? new MemoryStateStore(() => clock.now()),
          ),
          today: () => new Date(clock.now()).toISOString().slice(0, 10),
          active: () => reportsActive,
        };
  const graphql = { available: options.graphql ?? true };
  const revalidateMs = options.revalidateMs ?? REVALIDATE_MS;
  const linkedIssuesMs = envLinkedIssuesMs();
  const deployments = options.pendingDeployments ?? new InMemoryPendingDeployments();

  const app: ApplicationFunction = (probot: Probot) => {
    const store = options.store ?? new MemoryStateStore();
    const links = new LinkIndex(store);
    const login = botLogin(probot, options.appSlug);
    const settings = async (): Promise<AppSettings> => ({
      appId,
      appLogin: await login(),
      graphql,
      deployments,
      ...(revalidateMs ? { freshness: { revalidateMs, linkedIssuesMs } } : {}),
      ...(metrics ? { metrics } : {}),
      ...(reporting ? { reporting } : {}),
    });
    const pacing = {
      budget: options.budget ?? new InMemoryRequestBudget(),
      concurrency: new ConcurrencyCap(),
      metrics,
    };
    const clientFor =
      options.octokitForJob ??
      ((p: Probot, id: number | null, log: Logger) => pacedClient(p, id, log, pacing));
    const events: JobQueueEvents & { merge: typeof mergeJobs } = {
      merge: mergeJobs,
      // A held installation's jobs wait beside the queue (a retry-after, its primary limit's reset).
      holds: pacing.budget,
      ...(options.onJobError ? { onError: options.onJobError } : {}),
      ...(metrics
        ? {
            onDone: (job, outcome, ms) =>
              metrics.jobDone(
                job.kind,
                outcome,
                ms / 1000,
                (Date.now() - ms - job.receivedAt) / 1000,
              ),
          }
        : {}),
    };
    const queueLog = probot.log.child({ name: "queue" });
    const work = options.queue?.(queueLog, events) ?? new InMemoryJobQueue(queueLog, events);
    queue = work;

    work.start(async (data) => {
      const log = probot.log.child({
        delivery: data.deliveryId,
        kind: data.kind,
        repo: `${data.repo.owner}/${data.repo.repo}`,
      });
      const job = new RepoJob(
        await clientFor(probot, data.installationId, log),
        data.repo,
        log,
        await settings(),
        data.deliveryId,
        {
          installationId: data.installationId,
          receivedAt: data.receivedAt,
          store,
          links,
          enqueue: async (spec) => {
            await work.push(jobData(spec, data));
          },
        },
      );
      await runJob(job, data);
    });

    async function forget(what: Forget): Promise<void> {
      if (what.links === "repository") await links.forgetRepository(what.repo);
      else await links.forgetInstallation(what.installationId);
    }

    const origin = (context: Context) => ({
      deliveryId: context.id,
      installationId:
        (context.payload as { installation?: { id?: number } }).installation?.id ?? null,
      receivedAt: Date.now(),
    });

    /**
     * Issue and PR activity regenerates the reports at most once per interval
     * (ReportPacer), counted when the event arrives: a burst is one refresh
     * now and one at the end of the interval, however long its jobs take.
     * The app's own writes coming back do not count as activity.
     */
    async function reportActivity(
      context: Context,
      sender: string | undefined,
      from: ReturnType<typeof origin>,
    ): Promise<void> {
      if (!reporting?.active()) return;
      try {
        if (sender?.toLowerCase() === (await login()).toLowerCase()) return;
      } catch (error) {
        // The refresh job reads the login again and fails loudly if it still cannot.
        context.log.warn(
          { err: error },
          "could not tell the app's own writes: counted as activity",
        );
      }
      const repo: RepoRef = context.repo();
      const refresh = () => {
        work
          .push(jobData(reportsJob(repo), from))
          .catch((error: unknown) =>
            context.log.error({ err: error }, "reports refresh not queued"),
          );
      };
      // The jobs are queued: a store that fails here costs a report refresh, not the delivery.
      await reporting.pacer
        .activity(repoKey(repo), refresh)
        .catch((error: unknown) =>
          context.log.error({ err: error }, "reports refresh not paced: none queued"),
        );
    }

    const guardedOn = validatedOn(probot);
    for (const { events: names, receive } of ROUTES) {
      guardedOn([...names], async (context) => {
        const receipt = receive(context as Context);
        for (const what of receipt.forget ?? []) await forget(what);
        const from = origin(context as Context);
        for (const spec of receipt.jobs) await work.push(jobData(spec, from));
        if (receipt.activity)
          await reportActivity(context as Context, receipt.activity.sender, from);
      });
    }
  };

  return {
    app,
    idle: async () => {
      await queue?.idle();
    },
    pendingJobs: () => queue?.pending() ?? [],
    beginDrain: () => {
      reportsActive = false;
    },
    close: async () => {
      await queue?.close();
    },
  };
}
