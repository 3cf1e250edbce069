import { CONFIG_PATH } from "../src/config/schema.js";
import { DASHBOARD_LABEL } from "../src/core/dashboard.js";
import { CHECK_NAME } from "../src/core/render-check.js";
import type {
  CheckRunRecord,
  CommentRecord,
  DeploymentRequestRecord,
  Emulator,
  IssueEventRecord,
  IssueRecord,
  RepoRecord,
  UserRecord,
} from "./emulator/index.js";

export { CHECK_NAME, CONFIG_PATH };

export interface By {
  /** Login of the person acting. */
  by: string;
}

/** An issue of the actors' repository, or of another one of the emulator. */
export type IssueAt = number | { repo: string; number: number };

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said in the timeout error, e.g. "the Run PR's check to turn green". */
  what?: string;
}

/**
 * Bounded poll: resolves with the first truthy value of `predicate`, or
 * rejects after `timeoutMs`. Never a bare sleep: the app works from a queue,
 * so the only honest wait is for the state we expect.
 */
export async function waitFor<T>(
  predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
      lastError = null;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.what ?? "a condition"}${reason}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * People acting on one repository of the emulator: each action mutates
 * GitHub's state as that person and then awaits the delivery of the webhook
 * GitHub sends for it (built from the real example payloads).
 */
export function createActors(
  emulator: Emulator,
  options: { repo?: string; waitTimeoutMs?: number } = {},
) {
  const fullName = options.repo ?? "acme/rocket";
  const defaultTimeoutMs = options.waitTimeoutMs ?? 20_000;
  /** waitFor with this repository's default timeout. */
  const waitHere = <T>(
    predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    wait: WaitOptions = {},
  ): Promise<T> => waitFor(predicate, { timeoutMs: defaultTimeoutMs, ...wait });
  const { state } = emulator;

  const repo = (): RepoRecord => state.createRepo(fullName);
  const person = (login: string): UserRecord => state.user(login);
  const delivered = async (): Promise<void> => {
    await emulator.webhooks.idle();
  };

  function milestoneNumber(title: string): number {
    const milestone = repo().milestones.find((m) => m.title.toLowerCase() === title.toLowerCase());
    if (!milestone) throw new Error(`no milestone "${title}" in ${fullName}`);
    return milestone.number;
  }

  function issue(number: number): IssueRecord {
    return state.issue(repo(), number);
  }

  /** An issue of this repository (a number) or of another one (`{ repo, number }`). */
  function located(at: IssueAt): { repo: RepoRecord; issue: IssueRecord } {
    const r = typeof at === "number" ? repo() : state.repo(at.repo);
    return { repo: r, issue: state.issue(r, typeof at === "number" ? at : at.number) };
  }

  function labelsOf(number: number): string[] {
    const r = repo();
    return issue(number).labelIds.flatMap((id) => r.labels.find((l) => l.id === id)?.name ?? []);
  }

  /** The newest issue carrying a label (how the app finds a gate issue). */
  function issueWithLabel(label: string): IssueRecord | undefined {
    const r = repo();
    const found = r.labels.find((l) => l.name.toLowerCase() === label.toLowerCase());
    if (!found) return undefined;
    return [...r.issues.values()]
      .filter((i) => !i.pull && i.labelIds.includes(found.id))
      .sort((a, b) => b.number - a.number)[0];
  }

  /** The issue's (or PR's) events record, oldest first, as `GET …/issues/{n}/events` serves it. */
  function eventsOf(number: number): IssueEventRecord[] {
    return state.issueEvents(repo(), number);
  }

  /** The app's dashboard issue ("Phase gates status"): labelled by it and opened by its bot. */
  function dashboard(): IssueRecord | undefined {
    const r = repo();
    const found = r.labels.find((l) => l.name.toLowerCase() === DASHBOARD_LABEL);
    if (!found) return undefined;
    return [...r.issues.values()]
      .filter((i) => !i.pull && i.labelIds.includes(found.id) && i.user.login.endsWith("[bot]"))
      .sort((a, b) => a.number - b.number)[0];
  }

  function commentsOn(number: number): CommentRecord[] {
    return repo().comments.filter((c) => c.issueNumber === number);
  }

  function checkRunsFor(sha: string, name = CHECK_NAME): CheckRunRecord[] {
    return repo()
      .checkRuns.filter((r) => r.head_sha === sha && r.name === name)
      .sort((a, b) => b.id - a.id);
  }

  /** The newest `Phase gate` run on a PR's current head sha, as GitHub shows it. */
  function latestCheck(prNumber: number, name = CHECK_NAME): CheckRunRecord | undefined {
    const pull = issue(prNumber).pull;
    if (!pull) throw new Error(`#${prNumber} is not a pull request`);
    return checkRunsFor(pull.headSha, name)[0];
  }

  /** Waits for the PR's latest check to be completed with a conclusion (and a title, if given). */
  function waitForCheck(
    prNumber: number,
    expected: { conclusion?: string; title?: string | RegExp } = {},
    wait: WaitOptions = {},
  ): Promise<CheckRunRecord> {
    return waitHere(
      () => {
        const run = latestCheck(prNumber);
        if (run?.status !== "completed") return undefined;
        if (expected.conclusion && run.conclusion !== expected.conclusion) return undefined;
        if (expected.title !== undefined) {
          const title = run.output.title ?? "";
          const ok =
            typeof expected.title === "string"
              ? title === expected.title
              : expected.title.test(title);
          if (!ok) return undefined;
        }
        return run;
      },
      {
        what: `#${prNumber}'s ${CHECK_NAME} check${expected.conclusion ? ` to be ${expected.conclusion}` : ""}${
          expected.title ? ` titled ${String(expected.title)}` : ""
        }`,
        ...wait,
      },
    );
  }

  /**
   * Waits until nothing has happened for `quietMs`: no webhook in flight and
   * no API request. Use it before asserting that the app did NOT write.
   */
  async function settle(wait: { quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
    const quietMs = wait.quietMs ?? 1500;
    await waitFor(
      () =>
        !emulator.webhooks.busy &&
        Date.now() - Math.max(emulator.requestLog.lastAt(), lastDeliveryAt()) >= quietMs,
      {
        timeoutMs: wait.timeoutMs ?? Math.max(defaultTimeoutMs, 30_000),
        intervalMs: 50,
        what: `${quietMs} ms of quiet`,
      },
    );
  }

  function lastDeliveryAt(): number {
    const last = emulator.webhooks.deliveries.at(-1);
    return last ? Date.parse(last.at) + last.durationMs : 0;
  }

  return {
    repoName: fullName,
    repo,
    issue,
    labelsOf,
    issueWithLabel,
    dashboard,
    commentsOn,
    eventsOf,
    checkRunsFor,
    latestCheck,
    waitForCheck,
    settle,
    waitFor: waitHere,

    addCollaborator(login: string, roleName: string): void {
      repo();
      state.addCollaborator(fullName, login, roleName);
    },

    addTeamMember(org: string, slug: string, login: string): void {
      state.addTeamMember(org, slug, login);
    },

    /** Installs the app on repositories (`installation.created`). */
    async installApp(
      repos: string[] = [fullName],
      who: By = { by: fullName.split("/")[0] ?? "owner" },
    ) {
      const installation = state.install(repos, person(who.by));
      await delivered();
      return installation;
    },

    /** Commits `.github/phase-gates.yml` on the default branch (`push`); null deletes it. */
    async pushConfig(yamlText: string | null, who: By): Promise<string> {
      const r = repo();
      const sha = state.commitFiles(
        r,
        r.default_branch,
        { [CONFIG_PATH]: yamlText },
        person(who.by),
        yamlText === null ? "Remove phase gates" : "Configure phase gates",
      );
      await delivered();
      return sha;
    },

    async openIssue(
      input: { title: string; body?: string; labels?: string[]; milestone?: string } & By,
    ) {
      const created = state.createIssue(
        repo(),
        {
          title: input.title,
          body: input.body ?? null,
          labels: input.labels ?? [],
          milestone: input.milestone ? milestoneNumber(input.milestone) : null,
        },
        person(input.by),
      );
      await delivered();
      return created;
    },

    /** Opens a PR from a new branch (`pull_request.opened`); `files` are the changes it makes. */
    async openPullRequest(
      input: {
        title: string;
        body?: string;
        labels?: string[];
        milestone?: string;
        headSha?: string;
        head?: string;
        draft?: boolean;
        files?: Record<string, string | null>;
        /** New path → old path: files the PR renames (GitHub lists each once, with `previous_filename`). */
        renames?: Record<string, string>;
      } & By,
    ) {
      const created = state.createPull(
        repo(),
        {
          title: input.title,
          body: input.body ?? null,
          labels: input.labels ?? [],
          milestone: input.milestone ? milestoneNumber(input.milestone) : null,
          ...(input.headSha ? { headSha: input.headSha } : {}),
          ...(input.head ? { head: input.head } : {}),
          ...(input.draft ? { draft: true } : {}),
          ...(input.renames ? { renames: input.renames } : {}),
          files:
            input.files ??
            (input.renames
              ? {}
              : { [`src/${input.title.toLowerCase().replace(/\W+/g, "-")}.ts`]: "export {};\n" }),
        },
        person(input.by),
      );
      await delivered();
      return created;
    },

    /** A new commit on the PR's branch (`pull_request.synchronize`). Returns the new head sha. */
    async pushCommit(
      prNumber: number,
      who: By & {
        files?: Record<string, string | null>;
        renames?: Record<string, string>;
        /** Paths whose change the commit undoes: they leave the PR's files. */
        revert?: string[];
      },
    ): Promise<string> {
      const updated = state.pushToPull(repo(), prNumber, person(who.by), {
        ...(who.files ? { files: who.files } : {}),
        ...(who.renames ? { renames: who.renames } : {}),
        ...(who.revert ? { revert: who.revert } : {}),
      });
      await delivered();
      return updated.pull?.headSha ?? "";
    },

    async addLabel(number: number, name: string, who: By): Promise<void> {
      state.addLabels(repo(), number, [name], person(who.by));
      await delivered();
    },

    /** Adds labels to an issue or PR, one `labeled` webhook and event per label it did not have. */
    async addLabels(number: number, names: string[], who: By): Promise<void> {
      state.addLabels(repo(), number, names, person(who.by));
      await delivered();
    },

    /**
     * Makes issue `child` a sub-issue of issue `parent` (`POST …/sub_issues`),
     * as a person: GitHub sends two `sub_issues` webhooks. Either may be in
     * another repository of the owner (`{ repo, number }`).
     */
    async addSubIssue(parent: IssueAt, child: IssueAt, who: By): Promise<void> {
      const p = located(parent);
      state.addSubIssue(p.repo, p.issue.number, located(child).issue.id, person(who.by));
      await delivered();
    },

    /** Detaches sub-issue `child` from `parent` (`DELETE …/sub_issue`): two `sub_issues` webhooks. */
    async removeSubIssue(parent: IssueAt, child: IssueAt, who: By): Promise<void> {
      const p = located(parent);
      state.removeSubIssue(p.repo, p.issue.number, located(child).issue.id, person(who.by));
      await delivered();
    },

    /** TEST-ONLY: a parent link GitHub would refuse (a loop, more than 8 levels); no webhook. */
    forceParent(child: IssueAt, parent: IssueAt): void {
      state.forceParent(located(child), located(parent));
    },

    async removeLabel(number: number, name: string, who: By): Promise<void> {
      state.removeLabel(repo(), number, name, person(who.by));
      await delivered();
    },

    /** Replaces an issue's or PR's labels (`PUT …/labels`): unlabeled for each removed, labeled for each added. */
    async setLabels(number: number, names: string[], who: By): Promise<void> {
      state.setLabels(repo(), number, names, person(who.by));
      await delivered();
    },

    /** Deletes a label from the repository (`label.deleted`); it leaves every issue that had it. */
    async deleteLabel(name: string, who: By): Promise<void> {
      state.deleteLabel(repo(), name, person(who.by));
      await delivered();
    },

    /** Merges the PR (`PUT …/pulls/{n}/merge`): no ruleset in the emulator refuses it, as for an admin's bypass. */
    async mergePullRequest(number: number, who: By): Promise<void> {
      state.mergePull(repo(), number, person(who.by));
      await delivered();
    },

    /** Sets (`milestoned`) or clears (`demilestoned`, with null) an issue's or PR's milestone. */
    async setMilestone(number: number, title: string | null, who: By): Promise<void> {
      state.updateIssue(
        repo(),
        number,
        { milestone: title === null ? null : milestoneNumber(title) },
        person(who.by),
      );
      await delivered();
    },

    /** Sets or clears a milestone's due date (`milestone.edited`): a phase's timebox. */
    async setMilestoneDue(title: string, dueOn: string | null, who: By): Promise<void> {
      state.updateMilestone(repo(), milestoneNumber(title), { due_on: dueOn }, person(who.by));
      await delivered();
    },

    /**
     * Closes an issue or PR (`issues.closed` / `pull_request.closed`, with state_reason
     * and sender). `by` may be a bot such as `github-actions[bot]`.
     */
    async closeIssue(
      number: number,
      who: By & { reason?: "completed" | "not_planned" | "duplicate" },
    ): Promise<void> {
      state.updateIssue(
        repo(),
        number,
        { state: "closed", state_reason: who.reason ?? "completed" },
        person(who.by),
      );
      await delivered();
    },

    /** Reopens an issue or PR; `by` may be a bot. */
    async reopenIssue(number: number, who: By): Promise<void> {
      state.updateIssue(repo(), number, { state: "open" }, person(who.by));
      await delivered();
    },

    async comment(number: number, body: string, who: By): Promise<CommentRecord> {
      const created = state.createComment(repo(), number, body, person(who.by));
      await delivered();
      return created;
    },

    /** Edits a comment, anyone's: the author stays, the webhook's sender is the editor. */
    async editComment(id: number, body: string, who: By): Promise<void> {
      state.updateComment(repo(), id, body, person(who.by));
      await delivered();
    },

    async deleteComment(id: number, who: By): Promise<void> {
      state.deleteComment(repo(), id, person(who.by));
      await delivered();
    },

    /** Edits an issue's or PR's body (`issues.edited` / `pull_request.edited` with `changes.body.from`). */
    async editIssueBody(number: number, body: string, who: By): Promise<void> {
      state.updateIssue(repo(), number, { body }, person(who.by));
      await delivered();
    },

    /**
     * Links an issue in the PR's "Development" sidebar ("owner/repo#n" or "#n"):
     * GitHub lists it in `closingIssuesReferences`, and sends no webhook for it.
     */
    linkIssue(prNumber: number, reference: string): void {
      const pull = issue(prNumber).pull;
      if (!pull) throw new Error(`#${prNumber} is not a pull request`);
      const m = /^(?:([\w.-]+)\/([\w.-]+))?#(\d+)$/.exec(reference);
      if (!m) throw new Error(`not an issue reference: ${reference}`);
      const [owner, name] = m[1] && m[2] ? [m[1], m[2]] : fullName.split("/");
      pull.linkedIssues = [
        ...(pull.linkedIssues ?? []),
        { owner: owner ?? "", repo: name ?? "", number: Number(m[3]) },
      ];
    },

    /** Changes an issue's or PR's title (`edited` with `changes.title.from`, and a `renamed` event). */
    async renameIssue(number: number, title: string, who: By): Promise<void> {
      state.updateIssue(repo(), number, { title }, person(who.by));
      await delivered();
    },

    /** Ticks every task-list item of an issue's body, as a person clicking the checkboxes. */
    async tickCriteria(number: number, who: By): Promise<void> {
      const body = issue(number).body ?? "";
      const ticked = body.replace(/^(\s*[-*+]\s+)\[ \]/gm, "$1[x]");
      if (ticked !== body) {
        state.updateIssue(repo(), number, { body: ticked }, person(who.by));
        await delivered();
      }
    },

    /** Adds the PR to the merge queue (`merge_group.checks_requested`); returns the group's head sha. */
    async enqueueInMergeQueue(prNumber: number, who: By): Promise<string> {
      const sha = state.enqueueMergeGroup(repo(), prNumber, person(who.by));
      await delivered();
      return sha;
    },

    /**
     * A workflow run deploys to `environment` (which has the app's custom
     * protection rule): `deployment_protection_rule.requested`. Returns the run id.
     */
    async requestDeployment(environment: string, who: By): Promise<number> {
      const runId = state.requestDeployment(repo(), environment, person(who.by));
      await delivered();
      return runId;
    },

    /** The app's answers to run `runId`'s deployment, as GitHub recorded them (none while it waits). */
    deploymentAnswers(runId: number): DeploymentRequestRecord["answers"] {
      const request = repo().deployments.find((d) => d.runId === runId);
      if (!request) throw new Error(`no deployment requested by run ${runId} in ${fullName}`);
      return request.answers;
    },

    /** "Re-run" on the PR's latest Phase gate check (`check_run.rerequested`). */
    async rerequestCheck(prNumber: number, who: By): Promise<void> {
      const run = latestCheck(prNumber);
      if (!run) throw new Error(`#${prNumber} has no ${CHECK_NAME} check to re-run`);
      state.rerequestCheckRun(repo(), run.id, person(who.by));
      await delivered();
    },
  };
}

export type Actors = ReturnType<typeof createActors>;
