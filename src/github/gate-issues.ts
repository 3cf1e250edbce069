import type { Logger } from "probot";
import type { GateConfig } from "../config/schema.js";
import { checklistProgress } from "../core/checklist.js";
import {
  type ApprovalTally,
  type CommandComment,
  parseCommand,
  tallyCommands,
} from "../core/commands.js";
import type { GateIssueFacts } from "../core/types.js";
import type { ApproverDirectory } from "./authorize.js";
import type { GitHub, RepoRef } from "./octokit.js";

interface UserLike {
  login: string;
  type?: string;
}

/** The fields of a REST issue this app reads. */
export interface IssueData {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  closed_at: string | null;
  closed_by?: UserLike | null;
  comments: number;
  labels: (string | { name?: string })[];
  pull_request?: unknown;
}

export function labelNames(labels: IssueData["labels"]): string[] {
  return labels.flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : []));
}

export const isBot = (user: UserLike | null | undefined) =>
  user?.type === "Bot" || /\[bot\]$/.test(user?.login ?? "");

/** The gate issue: the newest issue (open or closed) carrying the gate's label. PRs are not gate issues. */
export async function findGateIssue(
  octokit: GitHub,
  repo: RepoRef,
  gateLabel: string,
): Promise<IssueData | null> {
  const { data } = await octokit.rest.issues.listForRepo({
    ...repo,
    labels: gateLabel,
    state: "all",
    sort: "created",
    direction: "desc",
    per_page: 10,
  });
  const issue = (data as IssueData[]).find((i) => !i.pull_request);
  return issue ?? null;
}

export interface IssueComment {
  id: number;
  body: string;
  author: string;
  authorIsBot: boolean;
  createdAt: string;
  url: string;
}

export async function listComments(
  octokit: GitHub,
  repo: RepoRef,
  issueNumber: number,
): Promise<IssueComment[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  return comments.map((c) => ({
    id: c.id,
    body: c.body ?? "",
    author: c.user?.login ?? "ghost",
    authorIsBot: isBot(c.user),
    createdAt: c.created_at,
    url: c.html_url,
  }));
}

export function commandComments(comments: readonly IssueComment[]): CommandComment[] {
  return comments.flatMap((c) => {
    const command = parseCommand(c.body);
    return command
      ? [
          {
            id: c.id,
            author: c.author,
            authorIsBot: c.authorIsBot,
            createdAt: c.createdAt,
            url: c.url,
            command,
          },
        ]
      : [];
  });
}

export interface GateRecord {
  issue: IssueData | null;
  facts: GateIssueFacts | null;
  tally: ApprovalTally;
  commands: CommandComment[];
  /** Every comment of the gate issue (the app's own included: it finds its records by marker). */
  comments: IssueComment[];
}

/**
 * Everything that decides a gate's state, read from GitHub as it is now:
 * the issue, who closed it, the commands in its comments, its checklist.
 */
export async function readGate(
  octokit: GitHub,
  repo: RepoRef,
  gate: GateConfig,
  directory: ApproverDirectory,
  log: Logger,
  known?: IssueData,
): Promise<GateRecord> {
  const empty: ApprovalTally = { approvals: [], stop: null };
  let issue = known ?? (await findGateIssue(octokit, repo, gate.label));
  if (!issue) return { issue: null, facts: null, tally: empty, commands: [], comments: [] };

  // The list endpoint omits `closed_by`; only the single-issue endpoint has it.
  if (issue.state === "closed" && issue.closed_by === undefined) {
    issue = (await octokit.rest.issues.get({ ...repo, issue_number: issue.number }))
      .data as IssueData;
  }

  const comments = issue.comments > 0 ? await listComments(octokit, repo, issue.number) : [];
  const commands = commandComments(comments);
  const authors = [
    ...new Set(commands.filter((c) => !c.authorIsBot).map((c) => c.author.toLowerCase())),
  ];
  const authorized = new Set<string>();
  for (const login of authors) {
    if ((await directory.authorize(gate, login)).authorized) authorized.add(login);
  }
  const tally = tallyCommands(commands, (login) => authorized.has(login.toLowerCase()));

  let closedBy: string | null = null;
  let closerAuthorized = false;
  if (issue.state === "closed") {
    const closer = issue.closed_by ?? null;
    if (closer && isBot(closer)) {
      // A bot (this app, acting on a command) closed it: the decision belongs to
      // the approver whose command it carried out, if there is one.
      const decider = decidingCommand(commands, issue, authorized, tally);
      closedBy = decider ?? closer.login;
      closerAuthorized = decider !== null;
    } else if (closer) {
      closedBy = closer.login;
      const auth = await directory.authorize(gate, closer.login);
      closerAuthorized = auth.authorized;
      if (!auth.authorized)
        log.info(
          { closer: closer.login, why: auth.why },
          "gate closed by someone who is not an approver",
        );
    }
  }

  const facts: GateIssueFacts = {
    number: issue.number,
    url: issue.html_url,
    title: issue.title,
    state: issue.state === "closed" ? "closed" : "open",
    stateReason: normaliseReason(issue.state_reason),
    closedAt: issue.closed_at,
    closedBy,
    closerAuthorized,
    approvals: tally.approvals.map((a) => a.login),
    stop: tally.stop ? { by: tally.stop.by, reason: tally.stop.reason } : null,
    checklist: checklistProgress(issue.body),
  };
  return { issue, facts, tally, commands, comments };
}

function normaliseReason(reason: string | null | undefined): GateIssueFacts["stateReason"] {
  return reason === "completed" ||
    reason === "not_planned" ||
    reason === "reopened" ||
    reason === "duplicate"
    ? reason
    : null;
}

/**
 * The approver whose command the app carried out when it closed the issue: the
 * latest authorized matching command before the close, whose approval still
 * stands (a `/revoke` or a deleted `/approve` takes the decision back).
 */
function decidingCommand(
  commands: readonly CommandComment[],
  issue: IssueData,
  authorized: ReadonlySet<string>,
  tally: ApprovalTally,
): string | null {
  const kind = issue.state_reason === "not_planned" ? "stop" : "approve";
  const closedAt = issue.closed_at ?? "9999";
  const standing = new Set(tally.approvals.map((a) => a.login.toLowerCase()));
  const matching = commands.filter(
    (c) =>
      c.command.kind === kind &&
      !c.authorIsBot &&
      authorized.has(c.author.toLowerCase()) &&
      c.createdAt <= closedAt,
  );
  // The command the app carried out is the latest one; if it was taken back,
  // nobody else decided in its place.
  const decider = matching[matching.length - 1]?.author ?? null;
  if (decider === null || (kind === "approve" && !standing.has(decider.toLowerCase()))) return null;
  return decider;
}
