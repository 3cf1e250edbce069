import { CHECK_NAME } from "../../sandbox/actors.js";
import type {
  CheckRunInput,
  CheckRunRecord,
  EmulatorState,
  IssuePatch,
  IssueRecord,
  RepoRecord,
  UserRecord,
} from "../../sandbox/emulator/index.js";

/** What the app's writes did to the emulator's state. */
export interface WriteCounts {
  /** POST or PATCH of a Phase gate check run. */
  checkWrites: number;
  /** Check writes that changed nothing a reader sees: same status, conclusion, title, summary and text as the run already there. */
  noOpCheckWrites: number;
  /** Issue and PR writes by the app (labels, milestone, state, title, body). */
  issueWrites: number;
  /** Issue writes that left labels, milestone, state, title and body as they were. */
  noOpIssueWrites: number;
  /** Check writes per head SHA, to find PRs written more than once. */
  checkWritesBySha: Map<string, number>;
}

type CheckFace = Pick<CheckRunRecord, "status" | "conclusion"> & {
  output: Pick<CheckRunRecord["output"], "title" | "summary" | "text">;
};

function checkFace(run: CheckRunRecord): string {
  const face: CheckFace = {
    status: run.status,
    conclusion: run.conclusion,
    output: { title: run.output.title, summary: run.output.summary, text: run.output.text },
  };
  return JSON.stringify(face);
}

function issueFace(issue: IssueRecord): string {
  return JSON.stringify([
    [...issue.labelIds].sort(),
    issue.milestoneId,
    issue.state,
    issue.title,
    issue.body,
  ]);
}

/**
 * Counts the app's writes and the no-op ones among them by wrapping the
 * emulator state's mutators (only calls whose sender is the app's bot, so
 * people's actions in a scenario are not counted). A no-op write is one the
 * app could have skipped: the state a reader sees is the same after it.
 */
export class WriteAudit {
  counts: WriteCounts = WriteAudit.zero();
  /** performance.now() of the app's last check write. */
  lastCheckWriteAt: number | null = null;

  constructor(state: EmulatorState) {
    const bot = (sender: UserRecord): boolean => sender.login === state.bot.login;
    const createCheckRun = state.createCheckRun.bind(state);
    state.createCheckRun = (repo: RepoRecord, input: CheckRunInput, sender: UserRecord) => {
      const previous =
        input.name === CHECK_NAME
          ? repo.checkRuns
              .filter((r) => r.head_sha === input.head_sha && r.name === input.name)
              .sort((a, b) => b.id - a.id)[0]
          : undefined;
      const before = previous ? checkFace(previous) : null;
      const run = createCheckRun(repo, input, sender);
      if (bot(sender) && run.name === CHECK_NAME) this.checkWrite(run, before);
      return run;
    };
    const updateCheckRun = state.updateCheckRun.bind(state);
    state.updateCheckRun = (
      repo: RepoRecord,
      id: number,
      input: CheckRunInput,
      sender: UserRecord,
    ) => {
      const before = checkFace(state.checkRun(repo, id));
      const run = updateCheckRun(repo, id, input, sender);
      if (bot(sender) && run.name === CHECK_NAME) this.checkWrite(run, before);
      return run;
    };
    const wrapIssueWrite = <A extends unknown[]>(
      write: (repo: RepoRecord, number: number, ...rest: [...A, UserRecord]) => IssueRecord,
    ) => {
      return (repo: RepoRecord, number: number, ...rest: [...A, UserRecord]): IssueRecord => {
        const sender = rest[rest.length - 1] as UserRecord;
        const before = issueFace(state.issue(repo, number));
        const issue = write(repo, number, ...rest);
        if (bot(sender)) {
          this.counts.issueWrites += 1;
          if (issueFace(issue) === before) this.counts.noOpIssueWrites += 1;
        }
        return issue;
      };
    };
    state.updateIssue = wrapIssueWrite<[IssuePatch]>(state.updateIssue.bind(state));
    state.addLabels = wrapIssueWrite<[string[]]>(state.addLabels.bind(state));
    state.setLabels = wrapIssueWrite<[string[]]>(state.setLabels.bind(state));
    state.removeLabel = wrapIssueWrite<[string]>(state.removeLabel.bind(state));
  }

  static zero(): WriteCounts {
    return {
      checkWrites: 0,
      noOpCheckWrites: 0,
      issueWrites: 0,
      noOpIssueWrites: 0,
      checkWritesBySha: new Map(),
    };
  }

  reset(): void {
    this.counts = WriteAudit.zero();
  }

  /** Head SHAs among `shas` written more than once since the last reset. */
  writtenTwice(shas: readonly string[]): number {
    return shas.filter((sha) => (this.counts.checkWritesBySha.get(sha) ?? 0) > 1).length;
  }

  private checkWrite(run: CheckRunRecord, before: string | null): void {
    this.counts.checkWrites += 1;
    if (before !== null && checkFace(run) === before) this.counts.noOpCheckWrites += 1;
    this.counts.checkWritesBySha.set(
      run.head_sha,
      (this.counts.checkWritesBySha.get(run.head_sha) ?? 0) + 1,
    );
    this.lastCheckWriteAt = performance.now();
  }
}
