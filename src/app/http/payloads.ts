import { z } from "zod";
import { callbackRunId } from "../../github/deployments.js";

// What the app reads of each webhook it handles, and nothing more: a delivery
// lacking one of these fields (or carrying it with the wrong type) is skipped
// before any job is queued, so a malformed payload cannot crash a handler or
// send a job off with `undefined` in an API path. Objects are loose: GitHub
// adds fields all the time, and extra fields must never reject a delivery.

const positiveInt = z.number().int().positive();
const nonEmpty = z.string().min(1);

/** `context.repo()` reads these; a job without them cannot address the repository. */
const repository = z.looseObject({
  name: nonEmpty,
  owner: z.looseObject({ login: nonEmpty }),
});

/** The job's token is the installation's: without its id the job would call GitHub as the bare app. */
const installation = z.looseObject({ id: positiveInt });

const user = z.looseObject({ login: nonEmpty, type: z.string() });
const label = z.looseObject({ name: z.string() });
const milestone = z.looseObject({ title: z.string() });

/** An issue as the issue and comment handlers read it (a PR's issue carries `pull_request`). */
const issue = z.looseObject({
  number: positiveInt,
  labels: z.array(label).optional(),
  pull_request: z.looseObject({}).nullish(),
});

/** `owner/name`: the installation handler splits it to address each repository. */
const installedRepository = z.looseObject({
  name: nonEmpty,
  full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "expected owner/name"),
});

const files = z.array(z.string()).optional();
const commit = z.looseObject({ added: files, modified: files, removed: files });
const pullRef = z.looseObject({ number: positiveInt });

/** A `sub_issues` payload's issue: its API `url` names its repository (the two may differ). */
const linkedIssue = z.looseObject({
  number: positiveInt,
  url: z
    .string()
    .regex(/\/repos\/[^/]+\/[^/]+\/issues\/\d+\/?$/, "expected …/repos/{o}/{r}/issues/{n}"),
  sub_issues_summary: z.looseObject({ total: z.number().int().nonnegative() }).nullish(),
});

const SCHEMAS = {
  pull_request: z.looseObject({
    action: z.string(),
    repository,
    installation,
    pull_request: z.looseObject({ number: positiveInt }),
    milestone: milestone.nullish(),
  }),
  issues: z.looseObject({
    action: z.string(),
    repository,
    installation,
    issue,
    sender: user,
    label: label.nullish(),
    milestone: milestone.nullish(),
  }),
  issue_comment: z.looseObject({
    action: z.string(),
    repository,
    installation,
    issue,
    comment: z.looseObject({
      id: positiveInt,
      body: z.string(),
      user: user.nullable(),
      created_at: z.string(),
      updated_at: z.string(),
    }),
  }),
  check_run: z.looseObject({
    repository,
    installation,
    check_run: z.looseObject({
      name: z.string(),
      head_sha: nonEmpty,
      pull_requests: z.array(pullRef),
    }),
  }),
  check_suite: z.looseObject({
    action: z.string(),
    repository,
    installation,
    check_suite: z.looseObject({ head_sha: nonEmpty, pull_requests: z.array(pullRef) }),
  }),
  merge_group: z.looseObject({
    repository,
    installation,
    merge_group: z.looseObject({ head_sha: nonEmpty, head_ref: nonEmpty }),
  }),
  push: z.looseObject({
    ref: z.string(),
    repository: repository.extend({ default_branch: nonEmpty }),
    installation,
    commits: z.array(commit),
    head_commit: commit.nullish(),
  }),
  installation: z.looseObject({
    installation: installation.extend({
      account: z.looseObject({ login: z.string().optional() }).nullish(),
    }),
    repositories: z.array(installedRepository).optional(),
  }),
  milestone: z.looseObject({ action: z.string(), repository, installation, milestone }),
  deployment_protection_rule: z.looseObject({
    action: z.string(),
    repository,
    installation,
    environment: nonEmpty,
    // The answer is addressed by this URL's run id: without one it could not be sent.
    deployment_callback_url: z
      .string()
      .refine((url) => URL.canParse(url) && callbackRunId(url) !== null, {
        error: "expected …/actions/runs/{run_id}/deployment_protection_rule",
      }),
  }),
  sub_issues: z.looseObject({
    action: z.string(),
    repository,
    installation,
    sender: user,
    sub_issue_id: positiveInt,
    parent_issue_id: positiveInt,
    sub_issue: linkedIssue,
    parent_issue: linkedIssue,
  }),
  installation_repositories: z.looseObject({
    installation,
    repositories_added: z.array(installedRepository),
  }),
  projects_v2_item: z.looseObject({
    installation,
    organization: z.looseObject({ login: nonEmpty }),
    sender: user,
    projects_v2_item: z.looseObject({ node_id: nonEmpty, project_node_id: nonEmpty }),
    changes: z
      .looseObject({
        field_value: z.looseObject({ field_node_id: z.string().optional() }).optional(),
      })
      .optional(),
  }),
} as const;

export interface PayloadIssue {
  /** Dotted path of the offending field, e.g. `pull_request.number` or `issue.labels.0.name`. */
  path: string;
  /** Zod's issue code, e.g. `invalid_type`: what is wrong, never the value. */
  code: string;
}

export type PayloadCheck =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; issues: PayloadIssue[] };

/**
 * Checks a webhook payload against what the app reads for `eventName` (the
 * `X-GitHub-Event` name, e.g. `issues`). An event with no schema fails: a
 * handler registered without one must not run unchecked.
 */
export function validatePayload(eventName: string, payload: unknown): PayloadCheck {
  const schema = Object.hasOwn(SCHEMAS, eventName)
    ? SCHEMAS[eventName as keyof typeof SCHEMAS]
    : null;
  if (!schema) return { ok: false, issues: [{ path: "", code: "unknown_event" }] };
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, payload: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), code: i.code })),
  };
}
