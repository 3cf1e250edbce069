import { z } from "zod";
import { MAX_PATH_PATTERN_LENGTH, MAX_PATH_PATTERNS, pathPatternProblem } from "./path-patterns.js";

/**
 * The single source of truth for `.github/phase-gates.yml` (SPEC §1).
 * Types come from `z.output`, defaults live here, and `npm run schema`
 * turns this into `phase-gates.schema.json` for editors.
 */

export const CONFIG_PATH = ".github/phase-gates.yml";
export const CONFIG_FILE_NAME = "phase-gates.yml";

/** GitHub refuses a label name longer than this ("name is too long (maximum is 50 characters)"). */
export const MAX_LABEL_LENGTH = 50;
/** GitHub refuses an issue title longer than this. */
export const MAX_ISSUE_TITLE_LENGTH = 256;
/** GitHub logins (users and organisations) are at most this long. */
export const MAX_LOGIN_LENGTH = 39;

/**
 * Characters as GitHub counts them (code points), not UTF-16 units as
 * `string.length` and zod's `.max()` do: "🚀" is one character to GitHub.
 */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    count++;
  }
  return count;
}

/** Non-empty text that GitHub accepts for `what`: at most `max` characters. */
function githubText(max: number, what: string) {
  return (
    z
      .string()
      .min(1)
      .refine((text) => characterCount(text) <= max, {
        error: (issue) =>
          `expected text of 1 to ${max} characters (GitHub's limit for ${what}), got ${characterCount(String(issue.input))} characters`,
      })
      // The check above is invisible to JSON Schema; its maxLength counts code points too.
      .meta({ maxLength: max })
  );
}

const LOGIN_PATTERN = new RegExp(
  `^@?(?=[A-Za-z0-9-]{1,${MAX_LOGIN_LENGTH}}$)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$`,
);
const TEAM_PATTERN = /^@?[^/\s@]+\/[^/\s]+$/;

/** Why `value` is not a login that may approve a gate; null when it is one. */
function loginProblem(value: string): string | null {
  if (LOGIN_PATTERN.test(value)) return null;
  const login = value.replace(/^@/, "");
  // A bot login ("app[bot]") is refused: gate decisions are a person's, and any
  // workflow a writer starts can act as github-actions[bot] (GITHUB-NOTES).
  if (/\[bot\]$/i.test(login)) {
    return "expected a person's GitHub login, not a bot: a gate decision must be a person's (any writer's workflow can act as github-actions[bot])";
  }
  if (TEAM_PATTERN.test(login)) {
    return 'expected a GitHub login; "org/team-slug" is a team: list it under approvers.teams';
  }
  if (login.length > MAX_LOGIN_LENGTH && /^[A-Za-z0-9-]+$/.test(login)) {
    return `expected a GitHub login of at most ${MAX_LOGIN_LENGTH} characters (this one has ${login.length})`;
  }
  return 'expected a GitHub login: letters, digits and single hyphens, not starting or ending with "-"';
}

/** Strips the `@` people copy from mentions, so every consumer sees the bare name. */
const withoutAt = (value: string) => value.replace(/^@/, "");

const loginSchema = z
  .string()
  .regex(LOGIN_PATTERN, { error: (issue) => loginProblem(String(issue.input)) ?? undefined })
  .overwrite(withoutAt);

const teamSchema = z
  .string()
  .regex(TEAM_PATTERN, 'expected a team written as "org/team-slug"')
  .overwrite(withoutAt);

const permissionSchema = z
  .enum(["admin", "maintain", "write"])
  .describe("Minimum repository permission that makes someone an approver.");

const approversSchema = z
  .strictObject({
    users: z
      .array(loginSchema)
      .default([])
      .describe('GitHub logins who may decide ("octocat" or "@octocat"; bots cannot).'),
    teams: z
      .array(teamSchema)
      .default([])
      .describe('Teams whose members may decide, as "org/team-slug" (a leading "@" is fine).'),
    permission: permissionSchema.default("maintain"),
  })
  .describe("Who may decide the gate: a person matching ANY entry.");

const gateSchema = z
  .strictObject({
    title: githubText(MAX_ISSUE_TITLE_LENGTH, "an issue title")
      .optional()
      .describe("Gate issue title. Default: `Gate: <Name> → <Next>`."),
    label: githubText(MAX_LABEL_LENGTH, "a label")
      .optional()
      .describe("Label marking the gate issue. Default: `gate: <id>`."),
    criteria: z
      .array(z.string().min(1))
      .default(["Feasibility shown with evidence"])
      .describe("Success criteria, rendered as a task list in the gate issue."),
    approvers: approversSchema.prefault({}),
    approvals: z.int().min(1).default(1).describe("Distinct approvers needed (quorum)."),
    requireCriteria: z
      .boolean()
      .default(true)
      .describe("Every task-list item in the gate issue must be checked."),
  })
  .describe("The gate that ENDS this phase (omit on the last phase).");

const phaseSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'expected an id of lowercase letters, digits and dashes (like "crawl")')
    .describe("Stable id, [a-z0-9-]+."),
  name: z.string().min(1).optional().describe("Display name. Default: the id, capitalised."),
  label: githubText(MAX_LABEL_LENGTH, "a label")
    .optional()
    .describe("Label that puts an issue/PR in this phase. Default: `phase: <id>`."),
  milestone: z.string().min(1).optional().describe("Milestone title that maps to this phase."),
  gate: gateSchema.optional(),
  paths: z
    .array(
      z
        .string()
        .max(MAX_PATH_PATTERN_LENGTH, {
          error: (issue) =>
            `expected a pattern of at most ${MAX_PATH_PATTERN_LENGTH} characters, got ${String(issue.input).length}`,
        })
        .superRefine((pattern, ctx) => {
          if (pattern.length > MAX_PATH_PATTERN_LENGTH) return;
          const problem = pathPatternProblem(pattern);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }),
    )
    .max(MAX_PATH_PATTERNS, {
      error: (issue) =>
        `expected at most ${MAX_PATH_PATTERNS} patterns in one phase, got ${Array.isArray(issue.input) ? issue.input.length : "more"}`,
    })
    .default([])
    .describe(
      "gitignore-style patterns: a PR that adds, changes, deletes or renames a matching file is at least in this phase (the latest matching phase wins; in a list, the last matching pattern decides, so `!` takes files back out).",
    ),
});

const DEFAULT_PHASES = [
  {
    id: "crawl",
    name: "Crawl",
    label: "phase: crawl",
    milestone: "Crawl",
    gate: { title: "Gate: Crawl → Walk", label: "gate: crawl" },
  },
  {
    id: "walk",
    name: "Walk",
    label: "phase: walk",
    milestone: "Walk",
    gate: { title: "Gate: Walk → Run", label: "gate: walk" },
  },
  { id: "run", name: "Run", label: "phase: run", milestone: "Run" },
];

const syncSchema = z.strictObject({
  labels: z.boolean().default(true).describe("Create/repair the phase and gate labels."),
  milestones: z
    .boolean()
    .default(true)
    .describe("Create missing milestones; milestone → phase label."),
  gateIssues: z.boolean().default(true).describe("Create a missing gate issue for every gate."),
});

function capitalise(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/** The Projects (v2) field names GitHub allows: 1..256 characters (SPEC §5 "Projects"). */
const projectFieldName = githubText(256, "a project field name");

const projectSchema = z
  .strictObject({
    owner: loginSchema
      .optional()
      .describe("Organisation that owns the project. Default: the repository's owner."),
    number: z
      .int()
      .min(1)
      .describe("The project's number, as in https://github.com/orgs/<owner>/projects/<number>."),
    field: projectFieldName
      .default("Phase")
      .describe(
        "Single-select field the app keeps set to each item's phase (created when missing).",
      ),
  })
  .describe(
    "A GitHub Projects (v2) table of the organisation's work by phase, kept by the app (SPEC §5).",
  );

/** Input shape, before defaults and derived names: what a user writes. */
export const configInputSchema = z.strictObject({
  phases: z
    .array(phaseSchema)
    .min(2, "define at least 2 phases")
    .max(10, "define at most 10 phases")
    .prefault(DEFAULT_PHASES)
    .describe("Ordered phases, 2..10 entries."),
  unphased: z.enum(["allow", "block"]).default("allow").describe("PRs with no phase at all."),
  linkedIssues: z
    .boolean()
    .default(true)
    .describe("A PR inherits the phase of the issues it closes."),
  parentIssues: z
    .boolean()
    .default(true)
    .describe(
      "An issue with no phase of its own inherits its nearest ancestor's, through GitHub's sub-issues (up to 8 levels).",
    ),
  sync: syncSchema.prefault({}),
  dashboard: z.boolean().default(true).describe('Keep a "Phase gates status" issue up to date.'),
  deployments: z
    .array(
      z.strictObject({
        environment: z
          .string()
          .min(1)
          .describe(
            'Environment name, case-insensitive; "*" matches any run of characters ("prod-*").',
          ),
        phase: z
          .string()
          .min(1)
          .describe("Phase id: a deployment waits for every gate before this phase."),
      }),
    )
    .default([])
    .describe(
      "Environments gated through GitHub's custom deployment protection rule; the first matching entry applies.",
    ),
  project: projectSchema
    .nullable()
    .default(null)
    .describe(
      "Opt-in: keep an organisation's Projects (v2) table in step with phases and gates (needs organization_projects: write).",
    ),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function indexGroups<T>(entries: readonly T[], keyOf: (entry: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  }
  return groups;
}

/** "phases[1], phases[2]" — at most three, then a count, so a message stays one line. */
function listOthers<T>(group: readonly T[], self: T, show: (entry: T) => string): string {
  const shown: string[] = [];
  let others = 0;
  for (const entry of group) {
    if (entry === self) continue;
    others++;
    if (shown.length < 3) shown.push(show(entry));
  }
  return others > shown.length
    ? `${shown.join(", ")} and ${others - shown.length} more`
    : shown.join(", ");
}

/** The name a phase shows when `name` is left out (as the transform below derives it). */
function displayName(phase: Record<string, unknown>): string {
  if (typeof phase.name === "string") return phase.name;
  return typeof phase.id === "string" ? capitalise(phase.id) : "";
}

function showPath(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

type Path = (string | number)[];
type Issue = { path: Path; message: string };

/**
 * Unique ids, labels and milestones; no gate on the last phase. Written against
 * `unknown` because it also runs when other keys are invalid, so that a user
 * sees every problem of the file at once instead of one round-trip per error.
 */
function crossFieldIssues(config: unknown): Issue[] {
  if (!isRecord(config) || !Array.isArray(config.phases)) return [];
  const phases = config.phases.flatMap((phase: unknown, i) =>
    isRecord(phase) ? [{ phase, i }] : [],
  );
  const issues: Issue[] = [];

  const ids = phases.flatMap(({ phase, i }) =>
    typeof phase.id === "string" ? [{ id: phase.id, i }] : [],
  );
  const dupIds = new Set<string>();
  for (const [id, group] of indexGroups(ids, (e) => e.id)) {
    if (group.length < 2) continue;
    dupIds.add(id);
    for (const use of group) {
      const others = listOthers(group, use, (o) => `phases[${o.i}]`);
      issues.push({
        path: ["phases", use.i, "id"],
        message: `duplicate phase id "${id}" (also used by ${others}); ids must be unique`,
      });
    }
  }

  // Labels are case-insensitive on GitHub, so "Phase: Run" and "phase: run" collide.
  type LabelUse = { label: string; path: Path; derivedFrom: string | null };
  const labels: LabelUse[] = [];
  for (const { phase, i } of phases) {
    const id = typeof phase.id === "string" ? phase.id : null;
    if (typeof phase.label === "string") {
      labels.push({ label: phase.label, path: ["phases", i, "label"], derivedFrom: null });
    } else if (phase.label === undefined && id !== null) {
      labels.push({ label: `phase: ${id}`, path: ["phases", i, "label"], derivedFrom: id });
    }
    const gate = phase.gate;
    if (!isRecord(gate)) continue;
    if (typeof gate.label === "string") {
      labels.push({ label: gate.label, path: ["phases", i, "gate", "label"], derivedFrom: null });
    } else if (gate.label === undefined && id !== null) {
      labels.push({ label: `gate: ${id}`, path: ["phases", i, "gate", "label"], derivedFrom: id });
    }
  }
  // A default label or title GitHub would refuse is a config error, not a failed sync later.
  for (const use of labels) {
    if (use.derivedFrom === null) continue;
    const length = characterCount(use.label);
    if (length <= MAX_LABEL_LENGTH) continue;
    const i = use.path[1] as number;
    const key = use.path.length === 3 ? "label" : "gate.label";
    issues.push({
      path: ["phases", i, "id"],
      message: `the default label "${use.label}" would be ${length} characters, over GitHub's limit of ${MAX_LABEL_LENGTH}; shorten the id or set ${key}`,
    });
  }
  for (const { phase, i } of phases) {
    if (!isRecord(phase.gate) || phase.gate.title !== undefined) continue;
    const next: unknown = config.phases[i + 1];
    const title = `Gate: ${displayName(phase)} → ${isRecord(next) ? displayName(next) : ""}`;
    const length = characterCount(title);
    if (length <= MAX_ISSUE_TITLE_LENGTH) continue;
    issues.push({
      path: ["phases", i, "gate"],
      message: `the default gate title would be ${length} characters, over GitHub's limit of ${MAX_ISSUE_TITLE_LENGTH} for an issue title; set gate.title or shorten the phase names`,
    });
  }

  for (const group of indexGroups(labels, (l) => l.label.toLowerCase()).values()) {
    // Default labels of two phases with the same id collide by construction:
    // the duplicate id is the error to fix, so do not report it twice.
    if (
      group.length < 2 ||
      group.every((l) => l.derivedFrom !== null && dupIds.has(l.derivedFrom))
    ) {
      continue;
    }
    for (const use of group) {
      const others = listOthers(group, use, (o) => showPath(o.path));
      const what =
        use.derivedFrom === null
          ? `label "${use.label}"`
          : `the default label "${use.label}" of this phase`;
      issues.push({
        path: use.path,
        message: `${what} is used more than once (also by ${others}); labels must be unique, ignoring case`,
      });
    }
  }

  const milestones = phases.flatMap(({ phase, i }) =>
    typeof phase.milestone === "string" ? [{ m: phase.milestone, i }] : [],
  );
  for (const group of indexGroups(milestones, (m) => m.m.toLowerCase()).values()) {
    if (group.length < 2) continue;
    for (const use of group) {
      const others = listOthers(group, use, (o) => `phases[${o.i}]`);
      issues.push({
        path: ["phases", use.i, "milestone"],
        message: `milestone "${use.m}" maps to more than one phase (also ${others})`,
      });
    }
  }

  // A deployment gated on a phase that does not exist would never be decided as meant.
  if (Array.isArray(config.deployments)) {
    const known = phases.flatMap(({ phase }) => (typeof phase.id === "string" ? [phase.id] : []));
    config.deployments.forEach((entry: unknown, i) => {
      if (!isRecord(entry) || typeof entry.phase !== "string" || entry.phase === "") return;
      if (known.includes(entry.phase)) return;
      issues.push({
        path: ["deployments", i, "phase"],
        message: `unknown phase "${entry.phase}": expected one of the phase ids (${known.map((id) => `"${id}"`).join(", ")})`,
      });
    });
  }

  // Every pattern of every phase is matched against each changed file: the total is bounded too.
  const patternCounts = phases.map(({ phase }) =>
    Array.isArray(phase.paths) ? phase.paths.length : 0,
  );
  const totalPatterns = patternCounts.reduce((a, b) => a + b, 0);
  if (totalPatterns > MAX_PATH_PATTERNS && patternCounts.every((n) => n <= MAX_PATH_PATTERNS)) {
    const at = phases.findLast(({ phase }) => Array.isArray(phase.paths))?.i ?? 0;
    issues.push({
      path: ["phases", at, "paths"],
      message: `the phases have ${totalPatterns.toLocaleString("en-US")} path patterns in all; at most ${MAX_PATH_PATTERNS.toLocaleString("en-US")} are allowed, so that matching a pull request's files stays fast`,
    });
  }

  const last = config.phases.length - 1;
  const lastPhase: unknown = config.phases[last];
  if (last >= 1 && isRecord(lastPhase) && lastPhase.gate !== undefined) {
    issues.push({
      path: ["phases", last, "gate"],
      message:
        "the last phase cannot have a gate (nothing comes after it): remove this gate or add a phase after it",
    });
  }
  return issues;
}

/** Cross-field rules: unique ids and labels, no gate on the last phase. */
export const configSchema = configInputSchema
  .superRefine(
    (config, ctx) => {
      for (const { path, message } of crossFieldIssues(config)) {
        ctx.addIssue({ code: "custom", path, message });
      }
    },
    // Run even when other keys already failed (the default skips refinements
    // then), so one validation reports every error; crossFieldIssues copes.
    { when: () => true },
  )
  .transform((config) => ({
    ...config,
    phases: config.phases.map((phase, i, all) => {
      const name = phase.name ?? capitalise(phase.id);
      const next = all[i + 1];
      const nextName = next ? (next.name ?? capitalise(next.id)) : "";
      const base = {
        id: phase.id,
        name,
        label: phase.label ?? `phase: ${phase.id}`,
        milestone: phase.milestone ?? null,
        paths: phase.paths,
      };
      if (!phase.gate) return { ...base, gate: null };
      return {
        ...base,
        gate: {
          ...phase.gate,
          title: phase.gate.title ?? `Gate: ${name} → ${nextName}`,
          label: phase.gate.label ?? `gate: ${phase.id}`,
        },
      };
    }),
  }));

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configInputSchema>;
export type PhaseConfig = Config["phases"][number];
export type GateConfig = NonNullable<PhaseConfig["gate"]>;
export type Permission = z.output<typeof permissionSchema>;
