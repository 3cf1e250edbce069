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
      .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'a team is written "org/team-slug"'))
      .default([])
      .describe('Teams whose members may decide, as "org/team-slug".'),
    permission: permissionSchema.default("maintain"),
  })
  .describe("Who may decide the gate: a person matching ANY entry.");

const gateSchema = z
  .strictObject({
    title: z.string().min(1).optional().describe("Gate issue title. Default: `Gate: <Name> → <Next>`."),
    label: z.string().min(1).max(50).optional().describe("Label marking the gate issue. Default: `gate: <id>`."),
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
    .regex(/^[a-z0-9-]+$/, "use lowercase letters, digits and dashes")
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

function duplicates(values: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const value of values) {
    const key = value.toLowerCase();
    if (seen.has(key)) dupes.add(key);
    seen.add(key);
  }
  return dupes;
}

/** Cross-field rules: unique ids and labels, no gate on the last phase. */
export const configSchema = configInputSchema
  .superRefine((config, ctx) => {
    const { phases } = config;
    const ids = duplicates(phases.map((p) => p.id));
    phases.forEach((phase, i) => {
      if (ids.has(phase.id)) {
        ctx.addIssue({ code: "custom", path: ["phases", i, "id"], message: `duplicate phase id "${phase.id}"` });
      }
    });
    // Labels are case-insensitive on GitHub, so "Phase: Run" and "phase: run" collide.
    const labels = phases.flatMap((phase, i) => {
      const out: { label: string; path: (string | number)[] }[] = [
        { label: phase.label ?? `phase: ${phase.id}`, path: ["phases", i, "label"] },
      ];
      if (phase.gate) {
        out.push({ label: phase.gate.label ?? `gate: ${phase.id}`, path: ["phases", i, "gate", "label"] });
      }
      return out;
    });
    const dupLabels = duplicates(labels.map((l) => l.label));
    for (const { label, path } of labels) {
      if (dupLabels.has(label.toLowerCase())) {
        ctx.addIssue({ code: "custom", path, message: `label "${label}" is used more than once` });
      }
    }
    const milestones = phases.flatMap((p, i) => (p.milestone ? [{ m: p.milestone, i }] : []));
    const dupMilestones = duplicates(milestones.map((m) => m.m));
    for (const { m, i } of milestones) {
      if (dupMilestones.has(m.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          path: ["phases", i, "milestone"],
          message: `milestone "${m}" maps to more than one phase`,
        });
      }
    }
    const last = phases.length - 1;
    if (last >= 0 && phases[last]?.gate) {
      ctx.addIssue({
        code: "custom",
        path: ["phases", last, "gate"],
        message: "the last phase cannot have a gate (nothing comes after it)",
      });
    }
  })
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
