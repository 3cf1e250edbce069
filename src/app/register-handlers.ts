import type { ApplicationFunction, Context, Probot } from "probot";
import { DASHBOARD_LABEL } from "../core/dashboard.js";
import { CHECK_NAME } from "../core/render-check.js";
import { callbackRunId } from "../github/deployments.js";
import { type GitHub, type RepoRef, repoKey } from "../github/octokit.js";
import { tunedOctokitFor } from "../github/tuned-octokit.js";
import { onCheckRequested, onMergeGroup } from "./handlers/check-events.js";
import {
  inheritingCandidates,
  onConfigPushed,
  onOrgConfigPushed,
  pushTouchesConfig,
} from "./handlers/config-push.js";
import { onDeploymentRequested } from "./handlers/deployment.js";
import { ISSUE_EVENTS, onIssueChanged } from "./handlers/gate-issue.js";
import { onInstalled } from "./handlers/installation.js";
import {
  LINKED_PHASE_ACTIONS,
  pullsElsewhereClosing,
  recheckPulls,
} from "./handlers/linked-elsewhere.js";
import { MILESTONE_EVENTS, onMilestoneChanged } from "./handlers/milestone.js";
import { onIssuePhaseLabelled, onItemMilestoneChanged } from "./handlers/milestone-sync.js";
import { onPullRequestChanged, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { LinkIndex } from "./link-index.js";
import type { Metrics } from "./metrics.js";
import { validatePayload } from "./payloads.js";
import { InMemoryPendingDeployments, type PendingDeployments } from "./pending-deployments.js";
import { refreshReports } from "./refresh-reports.js";
import { type AppSettings, RepoJob } from "./repo-job.js";
import {
  type Clock,
  DEFAULT_REPORT_INTERVAL_MS,
  ReportPacer,
  systemClock,
} from "./report-pacer.js";
import { type Job, WorkQueue } from "./work-queue.js";

export interface PhaseGatesOptions {
  appId?: number | null;
  /** Called with every job that failed after it was logged (tests assert there are none). */
  onJobError?: (error: unknown) => void;
  /**
   * The client a job uses. Default: the event's installation token in an
   * Octokit paced for GitHub's limits (see github/tuned-octokit.ts). Tests
   * pass the event's own client, with pacing off.
   */
  octokitForJob?: (context: Context) => Promise<GitHub>;
  /**
   * The app's slug, when known (tests). Otherwise read once from `GET /app`:
   * the app's bot, `<slug>[bot]`, is the only bot whose writes count as ours.
   */
  appSlug?: string;
  /** Where jobs, GitHub requests and check writes are counted (app/metrics.ts). */
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
  /** Where deployments waiting for a gate are kept (default: in memory, see app/pending-deployments.ts). */
  pendingDeployments?: PendingDeployments;
}

function envInterval(): number {
  const ms = Number(process.env.DASHBOARD_INTERVAL_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_REPORT_INTERVAL_MS;
}

function defaultOctokitForJob(context: Context, metrics?: Metrics): Promise<GitHub> {
  const installation = (context.payload as { installation?: { id: number } }).installation;
  return Promise.resolve(
    installation ? tunedOctokitFor(context, installation.id, metrics) : context.octokit,
  );
}

/** PR actions after which the issues a repository's PRs close are read again. */
const LINK_CHANGING_PR_ACTIONS = new Set<string>(["opened", "reopened", "edited", "closed"]);

/** PR actions that can lower its phase: a label or milestone taken away, the body (closing references) edited. */
const LOWERING_PR_ACTIONS = new Set<string>(["unlabeled", "milestoned", "demilestoned", "edited"]);

/**
 * `probot.on` for handlers that run only on a payload carrying every field
 * the app reads (app/payloads.ts). A malformed delivery is logged by field
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
  pendingJobs: () => Job[];
  /** Shutting down: reports are no longer refreshed (the next event after a restart does it). */
  beginDrain: () => void;
}

function envAppId(): number | null {
  const id = Number(process.env.APP_ID);
  return Number.isInteger(id) && id > 0 ? id : null;
}

/**
 * Wires webhook events to handlers. Each handler only queues work and
 * returns, so GitHub gets its answer in milliseconds; the work runs in the
 * per-repository queue.
 */
export function createPhaseGatesApp(options: PhaseGatesOptions = {}): PhaseGatesApp {
  let queue: WorkQueue | null = null;
  const appId = options.appId === undefined ? envAppId() : options.appId;
  const { metrics } = options;
  const clock = (options.reporting ? options.reporting.clock : undefined) ?? systemClock;
  let reportsActive = true;
  const reporting =
    options.reporting === false
      ? undefined
      : {
          pacer: new ReportPacer(clock, options.reporting?.intervalMs ?? envInterval()),
          today: () => new Date(clock.now()).toISOString().slice(0, 10),
          active: () => reportsActive,
        };
  const graphql = { available: options.graphql ?? true };
  const deployments = options.pendingDeployments ?? new InMemoryPendingDeployments();

  const app: ApplicationFunction = (probot: Probot) => {
    const links = new LinkIndex();
    let appLogin: Promise<string> | null = options.appSlug
      ? Promise.resolve(`${options.appSlug}[bot]`)
      : null;
    /** Our bot login, read once; a failed read is retried by the next job rather than remembered. */
    function settings(): Promise<AppSettings> {
      appLogin ??= (async () => {
        const octokit = await probot.auth();
        const { data } = await octokit.rest.apps.getAuthenticated();
        if (!data?.slug)
          throw new Error("GET /app returned no slug: cannot tell the app's own writes");
        return `${data.slug}[bot]`;
      })().catch((error: unknown) => {
        appLogin = null;
        throw error;
      });
      return appLogin.then((login) => ({
        appId,
        appLogin: login,
        graphql,
        deployments,
        ...(metrics ? { metrics } : {}),
        ...(reporting ? { reporting } : {}),
      }));
    }

    const work = new WorkQueue(probot.log.child({ name: "queue" }), {
      ...(options.onJobError ? { onError: options.onJobError } : {}),
      ...(metrics
        ? { onDone: (job, outcome, ms) => metrics.jobDone(job.name, outcome, ms / 1000) }
        : {}),
    });
    queue = work;
    const guardedOn = validatedOn(probot);

    function enqueue(
      context: Context,
      repo: RepoRef,
      name: string,
      run: (job: RepoJob) => Promise<void>,
      deliverySuffix = "",
    ): void {
      const log = context.log.child({
        delivery: context.id,
        event: name,
        repo: `${repo.owner}/${repo.repo}`,
      });
      const octokitForJob =
        options.octokitForJob ?? ((c: Context) => defaultOctokitForJob(c, metrics));
      work.push({
        key: repoKey(repo),
        deliveryId: `${context.id}${deliverySuffix}`,
        name,
        run: async () =>
          run(new RepoJob(await octokitForJob(context), repo, log, await settings(), context.id)),
      });
    }

    /**
     * Issue and PR activity regenerates the reports at most once per interval
     * (ReportPacer), counted when the event arrives: a burst is one refresh
     * now and one at the end of the interval, however long its jobs take.
     * The app's own writes coming back do not count as activity.
     */
    async function reportActivity(context: Context, sender: string | undefined): Promise<void> {
      if (!reporting?.active()) return;
      try {
        if (sender?.toLowerCase() === (await settings()).appLogin.toLowerCase()) return;
      } catch (error) {
        // The refresh job reads the login again and fails loudly if it still cannot.
        context.log.warn(
          { err: error },
          "could not tell the app's own writes: counted as activity",
        );
      }
      const repo = context.repo();
      reporting.pacer.activity(repoKey(repo), () =>
        enqueue(
          context,
          repo,
          "reports.refresh",
          async (job) => {
            await refreshReports(job);
          },
          ":reports",
        ),
      );
    }

    guardedOn([...PULL_REQUEST_EVENTS, "pull_request.closed"], async (context) => {
      const { payload } = context;
      const number = payload.pull_request.number;
      // Which issues the repository's PRs close may have changed: read them again when needed.
      if (LINK_CHANGING_PR_ACTIONS.has(payload.action)) links.forgetRepository(context.repo());
      if (payload.action === "closed") {
        await reportActivity(context, payload.sender?.login);
        return;
      }
      enqueue(context, context.repo(), `pull_request.${payload.action}`, async (job) => {
        // The check runs even when the label sync fails; the sync's error still fails the job.
        const labelSync =
          payload.action === "milestoned" || payload.action === "demilestoned"
            ? onItemMilestoneChanged(job, {
                action: payload.action,
                number,
                isPullRequest: true,
                milestone: payload.milestone ?? null,
              }).then(
                () => null,
                (error: unknown) => error,
              )
            : Promise.resolve(null);
        const syncError = await labelSync;
        await onPullRequestChanged(job, number, {
          // Only a change that can lower the PR's phase is credited to its sender (SPEC §2 phase floor).
          lowering: {
            by: LOWERING_PR_ACTIONS.has(payload.action) ? (payload.sender?.login ?? null) : null,
          },
          ...(payload.action === "synchronize" ? { previousSha: payload.before } : {}),
          opened: payload.action === "opened",
        });
        if (syncError) throw syncError;
      });
      await reportActivity(context, payload.sender?.login);
    });

    guardedOn([...ISSUE_EVENTS], async (context) => {
      const { payload } = context;
      const sender = { sender: payload.sender.login, senderIsBot: payload.sender.type === "Bot" };
      const label = "label" in payload ? payload.label : undefined;
      enqueue(context, context.repo(), `issues.${payload.action}`, async (job) => {
        if (payload.action === "milestoned" || payload.action === "demilestoned") {
          const milestone = "milestone" in payload ? (payload.milestone ?? null) : null;
          await onItemMilestoneChanged(job, {
            action: payload.action,
            number: payload.issue.number,
            isPullRequest: false,
            milestone,
          });
        }
        await onIssueChanged(job, {
          issue: payload.issue,
          label,
          trigger: {
            kind: "issue",
            action: payload.action,
            ...sender,
            issueNumber: payload.issue.number,
            ...(label ? { label: label.name } : {}),
          },
        });
        // "Not yet, not no": a person put an issue into a phase whose earlier gate is pending.
        if (payload.action === "labeled" && label && !sender.senderIsBot) {
          await onIssuePhaseLabelled(job, payload.issue.number, label.name);
        }
        // PRs in the installation's other repositories that close this issue, each in its repository's queue.
        const installationId = payload.installation?.id;
        if (
          installationId !== undefined &&
          LINKED_PHASE_ACTIONS.has(payload.action) &&
          !payload.issue.pull_request
        ) {
          const issue = { ...job.repo, number: payload.issue.number };
          const lowering = { by: payload.action === "labeled" ? null : sender.sender };
          for (const { repo, numbers } of await pullsElsewhereClosing(
            job,
            links,
            installationId,
            issue,
          )) {
            enqueue(
              context,
              repo,
              "issues.linked-elsewhere",
              (j) => recheckPulls(j, numbers, lowering),
              `:${repoKey(repo)}`,
            );
          }
        }
      });
      const onDashboard = [...(payload.issue.labels ?? []), ...(label ? [label] : [])].some(
        (l) => l?.name?.toLowerCase() === DASHBOARD_LABEL,
      );
      if (!onDashboard) await reportActivity(context, sender.sender);
    });

    guardedOn(
      ["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"],
      async (context) => {
        const { payload } = context;
        if (payload.issue.pull_request) return;
        const { comment } = payload;
        enqueue(context, context.repo(), `issue_comment.${payload.action}`, (job) =>
          onIssueChanged(job, {
            issue: payload.issue,
            trigger: {
              kind: "comment",
              action: payload.action,
              commentId: comment.id,
              author: comment.user?.login ?? "ghost",
              authorIsBot: comment.user?.type === "Bot",
              body: comment.body ?? "",
            },
          }),
        );
      },
    );

    guardedOn("check_run.rerequested", async (context) => {
      const run = context.payload.check_run;
      if (run.name !== CHECK_NAME) return;
      enqueue(context, context.repo(), context.name, (job) =>
        onCheckRequested(
          job,
          run.head_sha,
          run.pull_requests.map((p) => p.number),
          { rerun: true },
        ),
      );
    });

    guardedOn(["check_suite.requested", "check_suite.rerequested"], async (context) => {
      const suite = context.payload.check_suite;
      enqueue(context, context.repo(), `check_suite.${context.payload.action}`, (job) =>
        onCheckRequested(
          job,
          suite.head_sha,
          suite.pull_requests.map((p) => p.number),
          { rerun: context.payload.action === "rerequested" },
        ),
      );
    });

    guardedOn("merge_group.checks_requested", async (context) => {
      const group = context.payload.merge_group;
      enqueue(context, context.repo(), context.name, (job) =>
        onMergeGroup(job, group.head_sha, group.head_ref),
      );
    });

    guardedOn("deployment_protection_rule.requested", async (context) => {
      const { environment, deployment_callback_url: callbackUrl } = context.payload;
      const runId = callbackUrl ? callbackRunId(callbackUrl) : null;
      // payloads.ts refuses a delivery without these; the check narrows the types.
      if (!environment || !callbackUrl || runId === null) return;
      const receivedAt = new Date().toISOString();
      enqueue(context, context.repo(), context.name, (job) =>
        onDeploymentRequested(job, deployments, { environment, callbackUrl, runId, receivedAt }),
      );
    });

    guardedOn([...MILESTONE_EVENTS], async (context) => {
      enqueue(context, context.repo(), `milestone.${context.payload.action}`, (job) =>
        onMilestoneChanged(job),
      );
    });

    guardedOn("push", async (context) => {
      if (!pushTouchesConfig(context.payload)) return;
      const repo: RepoRef = context.repo();
      enqueue(context, repo, "push", async (job) => {
        await onConfigPushed(job);
        // The owner's `.github` config is inherited: every repository of the
        // installation that reads it is re-synced, each in its own job.
        if (repo.repo.toLowerCase() !== ".github") return;
        for (const other of await inheritingCandidates(job)) {
          enqueue(
            context,
            other,
            "push.org-config",
            (j) => onOrgConfigPushed(j),
            `:${repoKey(other)}`,
          );
        }
      });
    });

    guardedOn(["installation.created", "installation_repositories.added"], async (context) => {
      const { payload } = context;
      links.forgetInstallation(payload.installation.id);
      const repos =
        "repositories_added" in payload ? payload.repositories_added : (payload.repositories ?? []);
      const owner =
        payload.installation.account && "login" in payload.installation.account
          ? payload.installation.account.login
          : "";
      for (const r of repos) {
        const [repoOwner = owner, name = r.name] = r.full_name.split("/");
        const repo = { owner: repoOwner, repo: name };
        enqueue(context, repo, context.name, (job) => onInstalled(job), `:${r.full_name}`);
      }
    });
  };

  return {
    app,
    idle: async () => {
      await queue?.idle();
    },
    pendingJobs: () => queue?.pendingJobs ?? [],
    beginDrain: () => {
      reportsActive = false;
    },
  };
}
