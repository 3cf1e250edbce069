import type {
  CheckConclusion,
  CheckRunOutput,
  CheckRunRecord,
  CheckStatus,
  RepoRecord,
  UserRecord,
} from "../types.js";
import { ApiError, nowIso, type StateCore } from "./core.js";
import { emitCheckRun } from "./events.js";

export interface CheckRunInput {
  name?: string;
  head_sha?: string;
  status?: CheckStatus;
  conclusion?: CheckConclusion | null;
  started_at?: string;
  completed_at?: string;
  details_url?: string;
  external_id?: string;
  output?: Partial<CheckRunOutput> & { annotations?: unknown[] };
  actions?: unknown[];
}

export function checkRun(repo: RepoRecord, id: number): CheckRunRecord {
  const run = repo.checkRuns.find((r) => r.id === id);
  if (!run) throw new ApiError(404, "Not Found");
  return run;
}

export function createCheckRun(
  s: StateCore,
  repo: RepoRecord,
  input: CheckRunInput,
  sender: UserRecord,
): CheckRunRecord {
  if (!input.name || !input.head_sha) {
    throw new ApiError(422, 'Invalid request.\n\n"name" and "head_sha" are required.');
  }
  const now = nowIso();
  const existingSuite = repo.checkRuns.find(
    (r) => r.head_sha === input.head_sha && r.app_id === s.app.id,
  );
  const run: CheckRunRecord = {
    id: s.nextId(),
    name: input.name,
    head_sha: input.head_sha,
    status: "queued",
    conclusion: null,
    started_at: input.started_at ?? now,
    completed_at: null,
    details_url: input.details_url ?? null,
    external_id: input.external_id ?? null,
    output: { title: null, summary: null, text: null, annotations: [] },
    actions: [],
    app_id: s.app.id,
    check_suite_id: existingSuite?.check_suite_id ?? s.nextId(),
    created_at: now,
  };
  applyCheckRun(run, input);
  repo.checkRuns.push(run);
  emitCheckRun(s, repo, run, "created", sender);
  if (run.status === "completed") emitCheckRun(s, repo, run, "completed", sender);
  return run;
}

export function updateCheckRun(
  s: StateCore,
  repo: RepoRecord,
  id: number,
  input: CheckRunInput,
  sender: UserRecord,
): CheckRunRecord {
  const run = checkRun(repo, id);
  const wasCompleted = run.status === "completed";
  applyCheckRun(run, input);
  // GitHub sends `completed` again when a completed run gets a new conclusion or output.
  const completes =
    input.conclusion != null ||
    input.output !== undefined ||
    (input.status === "completed" && !wasCompleted);
  if (run.status === "completed" && completes) emitCheckRun(s, repo, run, "completed", sender);
  return run;
}

function applyCheckRun(run: CheckRunRecord, input: CheckRunInput): void {
  if (input.name !== undefined) run.name = input.name;
  if (input.details_url !== undefined) run.details_url = input.details_url;
  if (input.external_id !== undefined) run.external_id = input.external_id;
  if (input.started_at !== undefined) run.started_at = input.started_at;
  if (input.status !== undefined) run.status = input.status;
  if (input.conclusion !== undefined && input.conclusion !== null) {
    run.conclusion = input.conclusion;
    run.status = "completed";
  }
  if (run.status === "completed") {
    run.completed_at = input.completed_at ?? run.completed_at ?? nowIso();
  }
  if (input.output) {
    if (input.output.title !== undefined) run.output.title = input.output.title;
    if (input.output.summary !== undefined) run.output.summary = input.output.summary;
    if (input.output.text !== undefined) run.output.text = input.output.text;
    // GitHub appends annotations across updates.
    if (input.output.annotations) run.output.annotations.push(...input.output.annotations);
  }
  if (input.actions !== undefined) run.actions = input.actions;
}

/** A person clicks "Re-run" on a check: `check_run.rerequested` goes to the app that owns it. */
export function rerequestCheckRun(
  s: StateCore,
  repo: RepoRecord,
  id: number,
  sender: UserRecord,
): CheckRunRecord {
  const run = checkRun(repo, id);
  emitCheckRun(s, repo, run, "rerequested", sender);
  return run;
}
