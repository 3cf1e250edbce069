import {
  ancestryStillAnswers,
  issueKey,
  MAX_PARENT_DEPTH,
  nextAncestryStep,
  ownPhaseIndex,
} from "../core/ancestry.js";
import { itemPhaseClaims } from "../core/phases.js";
import type {
  AncestorFacts,
  Ancestry,
  AncestryEnd,
  Config,
  IssueRef,
  LinkedIssueFacts,
} from "../core/types.js";
import { type StateStore, space } from "../state/store.js";
import { labelNames } from "./gate-issues.js";
import { type GitHub, httpStatus } from "./octokit.js";
import { type LinkedIssueReader, linkedIssueFacts, parentOfIssue } from "./pull-requests.js";

type Readable = Extract<LinkedIssueFacts, { readable: true }>;

/**
 * An issue's ancestors up to the nearest one with a phase, as a job walked
 * them. Kept briefly: a `sub_issues` event on any issue of the chain, or a
 * label or milestone change on an ancestor, drops it at once (both walk down
 * to the descendants); the TTL bounds what a missed event can leave.
 */
export const ANCESTRY = space<Ancestry>("ancestry", { limit: 20_000, ttlMs: 10 * 60_000 });

/** How many issues below one the app looks at when a link or an ancestor's phase changes. */
export const MAX_DESCENDANTS = 500;

/** The issue `GET …/issues/{n}` or `…/parent` answered, with its repository from its API `url`. */
interface IssueReply {
  url: string;
  html_url: string;
  number: number;
  state?: string;
  labels: Parameters<typeof linkedIssueFacts>[1]["labels"];
  milestone?: { title: string } | null;
  parent_issue_url?: string | null;
  sub_issues_summary?: { total: number };
  node_id?: string;
}

/** `…/repos/{o}/{r}/issues/{n}` → the issue's ref. */
function refOfReply(reply: { url: string; number: number }): IssueRef | null {
  return parentOfIssue({ parent_issue_url: reply.url }) ?? null;
}

/**
 * An issue's parent through GitHub's sub-issues (`GET …/issues/{n}/parent`,
 * 404 when it has none), with the parent's own facts.
 */
export async function readParent(octokit: GitHub, ref: IssueRef): Promise<Readable | null> {
  try {
    const { data } = await octokit.rest.issues.getParent({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.number,
    });
    const parentRef = refOfReply(data as IssueReply);
    if (!parentRef) return null;
    return linkedIssueFacts(parentRef, data as IssueReply) as Readable;
  } catch (error) {
    if (httpStatus(error) === 404) return null;
    throw error;
  }
}

const asAncestor = (facts: Readable): AncestorFacts => ({
  ref: facts.ref,
  url: facts.url,
  labels: facts.labels,
  milestone: facts.milestone,
  ...(facts.parent !== undefined ? { parent: facts.parent } : {}),
});

/**
 * Walks up issues' sub-issue parents (SPEC §2 "Parent issues"): once per job
 * per issue, from the store when a recent job walked it. Each ancestor is
 * read like a linked issue (its `parent_issue_url` names the next); only an
 * issue that leaves the field out costs a `GET …/parent`.
 */
export class AncestryReader {
  readonly #walks = new Map<string, Promise<Ancestry>>();

  constructor(
    private readonly octokit: GitHub,
    private readonly linked: LinkedIssueReader,
    private readonly store: StateStore,
  ) {}

  /** Each readable issue with no phase of its own, with its ancestry (with `parentIssues`). */
  async attach(config: Config, issues: readonly LinkedIssueFacts[]): Promise<LinkedIssueFacts[]> {
    if (!config.parentIssues) return [...issues];
    return Promise.all(
      issues.map(async (issue) =>
        issue.readable && itemPhaseClaims(config, issue).length === 0
          ? { ...issue, ancestry: await this.of(config, issue) }
          : issue,
      ),
    );
  }

  of(config: Config, issue: Readable): Promise<Ancestry> {
    const key = issueKey(issue.ref);
    let walk = this.#walks.get(key);
    if (!walk) {
      walk = (async () => {
        const known = await this.store.get(ANCESTRY, key);
        if (known && ancestryStillAnswers(config, known)) return known;
        const fresh = await this.#walk(config, issue);
        await this.store.set(ANCESTRY, key, fresh);
        return fresh;
      })();
      this.#walks.set(key, walk);
    }
    return walk;
  }

  /** Its parent, asked only when the read did not say; the parent's facts serve the next step. */
  async #parentOf(facts: { ref: IssueRef; parent?: IssueRef | null }): Promise<IssueRef | null> {
    if (facts.parent !== undefined) return facts.parent;
    const parent = await readParent(this.octokit, facts.ref);
    if (!parent) return null;
    this.linked.remember(parent);
    return parent.ref;
  }

  async #walk(config: Config, issue: Readable): Promise<Ancestry> {
    const start = { ref: issue.ref, parent: await this.#parentOf(issue) };
    const ancestors: AncestorFacts[] = [];
    for (;;) {
      const step = nextAncestryStep(config, start, ancestors);
      if (step.kind === "done") return { ancestors, end: step.end };
      const read = await this.linked.read(step.ref);
      if (!read.readable) {
        const end: AncestryEnd = { kind: "unreadable", at: step.ref, reason: read.reason };
        return { ancestors, end };
      }
      const ancestor = asAncestor(read);
      // The next step needs its parent only when it has no phase of its own.
      if (itemPhaseClaims(config, ancestor).length === 0)
        ancestor.parent = await this.#parentOf(ancestor);
      ancestors.push(ancestor);
    }
  }
}

/** Forget the remembered ancestry of these issues: a link above them, or an ancestor's phase, changed. */
export async function forgetAncestry(
  store: StateStore,
  issues: readonly IssueRef[],
): Promise<void> {
  for (const issue of issues) await store.delete(ANCESTRY, issueKey(issue));
}

/** What a walk down does below a sub-issue it met: go on below it, not below it, or stop. */
type Below = "descend" | "skip" | "stop";

/**
 * An issue's direct sub-issues; none on a 404 (the issue is gone, or a GitHub
 * Enterprise Server without the sub-issues API: no GHES up to 3.19 has it).
 */
async function subIssuesOf(octokit: GitHub, ref: IssueRef): Promise<IssueReply[]> {
  try {
    return (await octokit.paginate(octokit.rest.issues.listSubIssues, {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.number,
      per_page: 100,
    })) as IssueReply[];
  } catch (error) {
    if (httpStatus(error) === 404) return [];
    throw error;
  }
}

/**
 * Breadth-first down GitHub's sub-issues from `start` (`GET …/sub_issues`),
 * at most `MAX_PARENT_DEPTH` levels, each issue once (`seen`). An issue whose
 * `sub_issues_summary` says it has none is not asked. Returns false when
 * `visit` stopped it.
 */
async function walkDown(
  octokit: GitHub,
  start: { ref: IssueRef; total: number | undefined },
  seen: Set<string>,
  visit: (child: IssueReply, ref: IssueRef) => Below,
): Promise<boolean> {
  let level = [start];
  for (let depth = 0; depth < MAX_PARENT_DEPTH && level.length > 0; depth++) {
    const next: (typeof start)[] = [];
    for (const { ref, total } of level) {
      if (total === 0) continue;
      const children = await subIssuesOf(octokit, ref);
      for (const child of children) {
        const childRef = refOfReply(child);
        if (!childRef || seen.has(issueKey(childRef))) continue;
        seen.add(issueKey(childRef));
        const below = visit(child, childRef);
        if (below === "stop") return false;
        if (below === "descend")
          next.push({ ref: childRef, total: child.sub_issues_summary?.total });
      }
    }
    level = next;
  }
  return true;
}

/**
 * The issues below `issue` through GitHub's sub-issues, at most
 * `MAX_PARENT_DEPTH` levels and `MAX_DESCENDANTS` issues; `knownTotal` 0
 * (its `sub_issues_summary`) asks nothing.
 */
export async function listDescendants(
  octokit: GitHub,
  issue: IssueRef,
  knownTotal?: number,
): Promise<IssueRef[]> {
  const found: IssueRef[] = [];
  await walkDown(
    octokit,
    { ref: issue, total: knownTotal },
    new Set([issueKey(issue)]),
    (_, ref) => {
      found.push(ref);
      return found.length >= MAX_DESCENDANTS ? "stop" : "descend";
    },
  );
  return found;
}

/** An issue in a phase only through a parent issue (SPEC §2), for the reports' counts. */
export interface InheritingIssue {
  ref: IssueRef;
  state: "open" | "closed";
  phaseIndex: number;
  /** The nearest ancestor with a phase of its own. */
  from: IssueRef;
  /** GitHub's GraphQL node id, as the listing shows it (a project item points at it). */
  nodeId?: string;
}

/** An issue with a phase of its own, from which the issues below it may inherit. */
export interface PhaseRoot {
  ref: IssueRef;
  phaseIndex: number;
  /** `sub_issues_summary.total` from the listing that found it; 0 → not asked. */
  subIssues?: number;
}

/**
 * The issues below `roots` that take their phase from them: down the
 * sub-issues of each, stopping at an issue with a phase of its own (it is a
 * root itself). One `GET …/sub_issues` per issue that has sub-issues, at
 * most `MAX_PARENT_DEPTH` levels and `MAX_DESCENDANTS` issues in all.
 */
export async function listInheritingIssues(
  octokit: GitHub,
  config: Config,
  roots: readonly PhaseRoot[],
): Promise<InheritingIssue[]> {
  const found: InheritingIssue[] = [];
  const seen = new Set(roots.map((r) => issueKey(r.ref)));
  for (const root of roots) {
    const go = await walkDown(
      octokit,
      { ref: root.ref, total: root.subIssues },
      seen,
      (child, ref) => {
        const own = { labels: labelNames(child.labels), milestone: child.milestone?.title ?? null };
        // An issue with a phase of its own passes on its own phase, not this root's.
        if (ownPhaseIndex(config, own) !== null) return "skip";
        const state = child.state === "closed" ? "closed" : "open";
        found.push({
          ref,
          state,
          phaseIndex: root.phaseIndex,
          from: root.ref,
          ...(child.node_id ? { nodeId: child.node_id } : {}),
        });
        return found.length >= MAX_DESCENDANTS ? "stop" : "descend";
      },
    );
    if (!go) break;
  }
  return found;
}
