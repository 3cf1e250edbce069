import { z } from "zod";

/**
 * The single source of truth for `.github/phase-gates.yml` (SPEC §1).
 * Types come from `z.output`, defaults live here, and `npm run schema`
 * turns this into `phase-gates.schema.json` for editors.
 */

export const CONFIG_PATH = ".github/phase-gates.yml";
export const CONFIG_FILE_NAME = "phase-gates.yml";

const permissionSchema = z
  .enum(["admin", "maintain", "write"])
  .describe("Minimum repository permission that makes someone an approver.");

const approversSchema = z
  .strictObject({
    users: z.array(z.string().min(1)).default([]).describe("GitHub logins who may decide."),
    teams: z
      .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'expected a team written as "org/team-slug"'))
      .default([])
      .describe('Teams whose members may decide, as "org/team-slug".'),
    permission: permissionSchema.default("maintain"),
  })
  .describe("Who may decide the gate: a person matching ANY entry.");

const gateSchema = z
  .strictObject({
    title: z
      .string()
      .min(1)
      .optional()
      .describe("Gate issue title. Default: `Gate: <Name> → <Next>`."),
    label: z
      .string()
      .min(1)
      .max(50)
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
  label: z
    .string()
    .min(1)
    .max(50)
    .optional()
    .describe("Label that puts an issue/PR in this phase. Default: `phase: <id>`."),
  milestone: z.string().min(1).optional().describe("Milestone title that maps to this phase."),
  gate: gateSchema.optional(),
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
  sync: syncSchema.prefault({}),
  dashboard: z.boolean().default(true).describe('Keep a "Phase gates status" issue up to date.'),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function indexGroups<T>(entries: readonly T[], keyOf: (entry: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return groups;
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
    for (const { i } of group) {
      const others = group.filter((o) => o.i !== i).map((o) => `phases[${o.i}]`);
      issues.push({
        path: ["phases", i, "id"],
        message: `duplicate phase id "${id}" (also used by ${others.join(", ")}); ids must be unique`,
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
      const others = group.filter((o) => o !== use).map((o) => showPath(o.path));
      const what =
        use.derivedFrom === null
          ? `label "${use.label}"`
          : `the default label "${use.label}" of this phase`;
      issues.push({
        path: use.path,
        message: `${what} is used more than once (also by ${others.join(", ")}); labels must be unique, ignoring case`,
      });
    }
  }

  const milestones = phases.flatMap(({ phase, i }) =>
    typeof phase.milestone === "string" ? [{ m: phase.milestone, i }] : [],
  );
  for (const group of indexGroups(milestones, (m) => m.m.toLowerCase()).values()) {
    if (group.length < 2) continue;
    for (const { m, i } of group) {
      const others = group.filter((o) => o.i !== i).map((o) => `phases[${o.i}]`);
      issues.push({
        path: ["phases", i, "milestone"],
        message: `milestone "${m}" maps to more than one phase (also ${others.join(", ")})`,
      });
    }
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
