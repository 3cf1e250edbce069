import type { Logger } from "probot";
import type { GateConfig } from "../config/schema.js";
import { type ApprovalTally, type CommandComment, parseCommand } from "../core/commands.js";
import {
  actorsToAuthorize,
  type GateIdentity,
  gateIdentity,
  readGateTimeline,
  type TimelineEvent,
} from "../core/gate-timeline.js";
import type { GateIssueFacts } from "../core/types.js";
import type { StateStore } from "../state/store.js";
import type { ApproverDirectory } from "./authorize.js";
import { listIssueEvents, listRecentRepoIssueEvents } from "./issue-events.js";
import { type GitHub, isBot, type RepoRef } from "./octokit.js";

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
  node_id?: string;
}

export function labelNames(labels: IssueData["labels"]): string[] {
  return labels.flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : []));
}

/** Issues carrying the gate's label, newest first. PRs are not gate issues. */
export async function listGateLabelled(
  octokit: GitHub,
  repo: RepoRef,
  gateLabel: string,
): Promise<IssueData[]> {
  const { data } = await octokit.rest.issues.listForRepo({
    ...repo,
    labels: gateLabel,
    state: "all",
    sort: "created",
    direction: "desc",
    per_page: 10,
  });
  return (data as IssueData[]).filter((i) => !i.pull_request);
}

export interface IssueComment {
  id: number;
  body: string;
  author: string;
  authorIsBot: boolean;
  createdAt: string;
  updatedAt: string;
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
    updatedAt: c.updated_at,
    url: c.html_url,
  }));
}

export interface GateRecord {
  issue: IssueData | null;
  facts: GateIssueFacts | null;
  tally: ApprovalTally;
  /** Commands that count: this round's, in comments never edited. */
  commands: CommandComment[];
  /** Commands in edited comments: ignored, and answered with "post a new comment". */
  editedCommands: CommandComment[];
  /** Every comment of the gate issue (the app's own included: it finds its records by marker). */
  comments: IssueComment[];
  /** Issues with the gate label that are not gate issues: someone who may not applied it. */
  impostors: Impostor[];
}

/** An issue with the gate label that is not the gate issue: someone below approver applied it. */
export interface Impostor {
  number: number;
  labelledBy: string | null;
}

export interface GateReader {
  octokit: GitHub;
  repo: RepoRef;
  directory: ApproverDirectory;
  log: Logger;
  /** This app's bot login (`<slug>[bot]`): the only bot whose writes count. */
  appLogin: string;
  /** Where issue-event records are kept between jobs, with their ETags. */
  store: StateStore;
}

/** Lower-cased logins among `logins` who may decide `gate`. Bots are never looked up. */
async function approversAmong(
  reader: GateReader,
  gate: GateConfig,
  logins: Iterable<string>,
): Promise<Set<string>> {
  const approvers = new Set<string>();
  for (const login of new Set([...logins].map((l) => l.toLowerCase()))) {
    const auth = await reader.directory.authorize(gate, login);
    if (auth.authorized) approvers.add(login);
  }
  return approvers;
}

export interface IssueIdentity {
  identity: GateIdentity;
  events: TimelineEvent[];
  approvers: Set<string>;
}

/** Whether `issue` is the gate's issue, from GitHub's record of who applied the label. */
export async function identifyGateIssue(
  reader: GateReader,
  gate: GateConfig,
  issueNumber: number,
): Promise<IssueIdentity> {
  const events = await listIssueEvents(reader.octokit, reader.repo, issueNumber, reader.store);
  const approvers = await approversAmong(reader, gate, actorsToAuthorize(events, gate.label));
  const identity = gateIdentity(events, gate.label, { appLogin: reader.appLogin, approvers });
  return { identity, events, approvers };
}

const EMPTY_TALLY: ApprovalTally = { approvals: [], stop: null };

/**
 * Everything that decides a gate's state, read from GitHub as it is now
 * (SPEC §3): the gate issue is the newest issue whose gate label was applied
 * by this app or an approver; its decision comes from its record of events
 * and from the never-edited commands of the current round.
 */
export async function readGate(reader: GateReader, gate: GateConfig): Promise<GateRecord> {
  const { octokit, repo } = reader;
  const impostors: GateRecord["impostors"] = [];
  let found: { issue: IssueData; who: IssueIdentity } | null = null;
  for (const issue of await listGateLabelled(octokit, repo, gate.label)) {
    const who = await identifyGateIssue(reader, gate, issue.number);
    if (who.identity.isGate) {
      found = { issue, who };
      break;
    }
    impostors.push({ number: issue.number, labelledBy: who.identity.labelledBy });
  }
  if (!found?.who.identity.isGate) {
    return {
      issue: null,
      facts: null,
      tally: EMPTY_TALLY,
      commands: [],
      editedCommands: [],
      comments: [],
      impostors,
    };
  }
  // A decided gate issue stands only if no newer gate issue just lost its label
  // to someone below approver (the app is about to put it back): the search by
  // label cannot see that one, and an older approval must not stand in for it.
  if (found.issue.state === "closed") {
    const displaced = await displacedGateIssue(reader, gate, found.issue.number);
    if (displaced) found = displaced;
  }
  const { issue, who } = found;
  const identity = who.identity;
  if (!identity.isGate) throw new Error("unreachable: a gate issue without a gate identity");

  const comments = issue.comments > 0 ? await listComments(octokit, repo, issue.number) : [];
  const commandAuthors = comments
    .filter((c) => !c.authorIsBot && parseCommand(c.body))
    .map((c) => c.author);
  const approvers = new Set([
    ...who.approvers,
    ...(await approversAmong(reader, gate, commandAuthors)),
  ]);
  const reading = readGateTimeline({
    issue: {
      number: issue.number,
      url: issue.html_url,
      title: issue.title,
      state: issue.state === "closed" ? "closed" : "open",
      stateReason: normaliseReason(issue.state_reason),
      closedAt: issue.closed_at,
      body: issue.body ?? null,
    },
    identity,
    events: who.events,
    comments,
    criteria: gate.criteria,
    deciders: { appLogin: reader.appLogin, approvers },
  });
  if (reading.facts.closeRejected || (issue.state === "closed" && !reading.facts.closerAuthorized))
    reader.log.info(
      { gate: issue.number, closer: reading.facts.closedBy, why: reading.facts.closeRejected },
      "gate closed in a way that does not count",
    );
  return {
    issue,
    facts: reading.facts,
    tally: reading.tally,
    commands: reading.commands,
    editedCommands: reading.editedCommands,
    comments,
    impostors,
  };
}

/**
 * The newest issue, newer than `newerThan`, whose gate label was just removed
 * by someone who may not remove it — still the gate issue — with its record.
 */
async function displacedGateIssue(
  reader: GateReader,
  gate: GateConfig,
  newerThan: number,
): Promise<{ issue: IssueData; who: IssueIdentity } | null> {
  const { octokit, repo } = reader;
  const recent = await listRecentRepoIssueEvents(octokit, repo, reader.store);
  const numbers = [
    ...new Set(
      recent
        .filter(
          (e) =>
            e.event === "unlabeled" &&
            !e.onPullRequest &&
            e.issueNumber > newerThan &&
            e.label !== null &&
            e.label.toLowerCase() === gate.label.toLowerCase() &&
            e.actor?.toLowerCase() !== reader.appLogin.toLowerCase(),
        )
        .map((e) => e.issueNumber),
    ),
  ].sort((a, b) => b - a);
  for (const number of numbers) {
    const who = await identifyGateIssue(reader, gate, number);
    if (!who.identity.isGate) continue;
    const { data } = await octokit.rest.issues.get({ ...repo, issue_number: number });
    reader.log.warn(
      { gate: number, standIn: newerThan, gateLabel: gate.label },
      "the gate issue's label was removed by someone who may not: it is still the gate issue",
    );
    return { issue: data as IssueData, who };
  }
  return null;
}

function normaliseReason(reason: string | null | undefined): GateIssueFacts["stateReason"] {
  return reason === "completed" ||
    reason === "not_planned" ||
    reason === "reopened" ||
    reason === "duplicate"
    ? reason
    : null;
}
