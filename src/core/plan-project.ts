/**
 * The organisation's work by phase in a GitHub Projects (v2) table (SPEC §5
 * "Projects"): which fields the project needs, and what to write on one item.
 * Pure: `github/projects.ts` reads the project and applies these plans, and an
 * empty plan makes no request.
 */
import { plan } from "./reconcile.js";
import type { Config, GateStateName } from "./types.js";

/** The single-select field that shows a gate issue's state. */
export const GATE_FIELD = "Gate";

/** The `Gate` field's options, in order, with the gate state each stands for. */
export const GATE_OPTIONS: readonly { name: string; state: GateStateName; color: OptionColor }[] = [
  { name: "Pending", state: "pending", color: "YELLOW" },
  { name: "Approved", state: "approved", color: "GREEN" },
  { name: "Stopped", state: "stopped", color: "RED" },
];

/** GitHub's `ProjectV2SingleSelectFieldOptionColor`. */
export type OptionColor =
  | "GRAY"
  | "BLUE"
  | "GREEN"
  | "YELLOW"
  | "ORANGE"
  | "RED"
  | "PINK"
  | "PURPLE";

/** Phase colours by phase order, so every project the app creates reads the same way. */
const PHASE_COLORS: readonly OptionColor[] = [
  "BLUE",
  "GREEN",
  "PURPLE",
  "ORANGE",
  "PINK",
  "YELLOW",
  "RED",
  "GRAY",
];

export function gateOptionName(state: GateStateName): string {
  return GATE_OPTIONS.find((o) => o.state === state)?.name ?? "Pending";
}

/** A project field as GitHub lists it; `options` only on single-select fields. */
export interface ProjectFieldFacts {
  id: string;
  name: string;
  dataType: string;
  options: { id: string; name: string }[] | null;
}

export interface ProjectFacts {
  id: string;
  title: string;
  fields: ProjectFieldFacts[];
}

/** A field the app creates: single select, one option per value, each with a description. */
export interface FieldToCreate {
  role: "phase" | "gate";
  name: string;
  options: { name: string; color: OptionColor; description: string }[];
}

/** A usable field: its id and the option ids by option name. */
export interface ResolvedField {
  id: string;
  name: string;
  optionIds: Record<string, string>;
}

/** Why the project cannot be kept (or only partly): shown on the dashboard and by `doctor`. */
export type ProjectProblem =
  | { kind: "not-found"; message: string }
  | { kind: "forbidden"; message: string }
  | { kind: "wrong-type"; field: string; message: string }
  | { kind: "missing-options"; field: string; options: string[]; message: string }
  | { kind: "error"; message: string };

export interface FieldsPlan {
  create: FieldToCreate[];
  phase: ResolvedField | null;
  gate: ResolvedField | null;
  problems: ProjectProblem[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function wanted(config: Config, fieldName: string): FieldToCreate[] {
  const phaseOptions = config.phases.map((phase, i) => ({
    name: phase.name,
    color: PHASE_COLORS[i % PHASE_COLORS.length] ?? "GRAY",
    description: `Kept by phase-gates: the ${phase.name} phase (label "${phase.label}").`,
  }));
  return [
    { role: "phase", name: fieldName, options: phaseOptions },
    {
      role: "gate",
      name: GATE_FIELD,
      options: GATE_OPTIONS.map((o) => ({
        name: o.name,
        color: o.color,
        description: `Kept by phase-gates: the gate issue is ${o.state}.`,
      })),
    },
  ];
}

/**
 * Which fields to create, and which existing ones are usable. An existing
 * field is never rewritten: GitHub's field update replaces every option and
 * clears the values people set, so a missing option is a problem to report.
 */
export function planProjectFields(
  config: Config,
  fieldName: string,
  project: ProjectFacts,
): FieldsPlan {
  const result: FieldsPlan = { create: [], phase: null, gate: null, problems: [] };
  const compared = plan(wanted(config, fieldName), project.fields, {
    desiredKey: (d) => d.name.toLowerCase(),
    actualKey: (a) => a.name.toLowerCase(),
  });
  result.create = compared.create;
  for (const { desired, actual } of compared.unchanged) {
    if (actual.dataType !== "SINGLE_SELECT" || !actual.options) {
      result.problems.push({
        kind: "wrong-type",
        field: actual.name,
        message: `the project's field "${actual.name}" is a ${actual.dataType.toLowerCase().replace(/_/g, " ")} field; phase-gates needs a single select field: rename it, or set project.field to another name`,
      });
      continue;
    }
    const optionIds: Record<string, string> = {};
    const missing: string[] = [];
    for (const option of desired.options) {
      const found = actual.options.find((o) => same(o.name, option.name));
      if (found) optionIds[option.name] = found.id;
      else missing.push(option.name);
    }
    if (missing.length > 0) {
      result.problems.push({
        kind: "missing-options",
        field: actual.name,
        options: missing,
        message: `the project's field "${actual.name}" has no option ${missing.map((m) => `"${m}"`).join(", ")}: add ${missing.length === 1 ? "it" : "them"} in the project's field settings (phase-gates never rewrites a field people use)`,
      });
    }
    result[desired.role] = { id: actual.id, name: actual.name, optionIds };
  }
  return result;
}

/** What the app wants an item to show; null: no value (the phase is cleared). */
export interface DesiredItem {
  phase: string | null;
  /** Gate issues only. */
  gate?: string | null;
}

/** What the app last wrote on an item (kept in the store, so a steady state reads nothing). */
export interface KnownItem {
  itemId: string;
  phase: string | null;
  gate?: string | null;
}

export type ItemWrite =
  | { kind: "add" }
  | { kind: "set"; role: "phase" | "gate"; value: string }
  | { kind: "clear"; role: "phase" | "gate" };

interface FieldValue {
  role: "phase" | "gate";
  value: string;
}

function values(item: DesiredItem | KnownItem | undefined): FieldValue[] {
  if (!item) return [];
  const list: FieldValue[] = [];
  if (item.phase) list.push({ role: "phase", value: item.phase });
  if (item.gate) list.push({ role: "gate", value: item.gate });
  return list;
}

/**
 * The writes that bring one item to `desired`, given what the app last wrote.
 * An item with no phase is not added (the project shows phased work); an item
 * that loses its phase has the field cleared, never removed.
 */
export function planProjectItem(desired: DesiredItem, known: KnownItem | undefined): ItemWrite[] {
  const want = values(desired);
  if (!known && want.length === 0) return [];
  const compared = plan(want, values(known), {
    desiredKey: (d) => d.role,
    actualKey: (a) => a.role,
    same: (d, a) => d.value === a.value,
    removable: () => true,
  });
  return [
    ...(known ? [] : [{ kind: "add" } as const]),
    ...[...compared.create, ...compared.update.map((m) => m.desired)].map(
      (d): ItemWrite => ({ kind: "set", role: d.role, value: d.value }),
    ),
    ...compared.remove.map((a): ItemWrite => ({ kind: "clear", role: a.role })),
  ];
}

/** The words the dashboard and `doctor` show for a project that is not kept. */
export function describeProjectProblems(
  where: string,
  problems: readonly ProjectProblem[],
): string[] {
  return problems.map((p) => `Project ${where}: ${p.message}`);
}
