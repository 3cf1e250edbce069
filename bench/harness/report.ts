import { execSync } from "node:child_process";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";

/** One measured figure, printed beside its target and the floor measured in the same run. */
export interface Figure {
  name: string;
  value: number | string;
  unit?: string;
  /** What the issue asks for, e.g. "≤ 0.25". */
  target?: string;
  /** The best this machine can do, measured in the same run (bare Probot, the pacing floor…). */
  floor?: number | string;
  /** Whether the target is met; undefined when there is none. */
  met?: boolean;
}

/** A count whose target is none at all (lost jobs, 403s, …). */
export function zeroFigure(name: string, value: number): Figure {
  return { name, value, target: "0", met: value === 0 };
}

export interface ScenarioResult {
  id: number;
  title: string;
  /** Why it did not run; figures are then empty. */
  skipped?: string;
  /** What the scenario was run with (counts, rates, durations). */
  setup: Record<string, number | string | boolean>;
  figures: Figure[];
  seconds: number;
  notes?: string[];
}

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  freeRamGb: number;
  node: string;
  os: string;
  loadAverage: number[];
  date: string;
  commit: string;
}

export function machine(): Machine {
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    // not a git checkout: the commit stays "unknown" in the record
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeRamGb: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${process.arch}`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    date: new Date().toISOString(),
    commit,
  };
}

function show(value: number | string | undefined, unit = ""): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  const text = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
  return unit ? `${text} ${unit}` : text;
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? "" : met ? "met" : "NOT met";
}

/** The results as a Markdown table, columns aligned (as Biome formats Markdown; readable in a terminal). */
export function table(results: readonly ScenarioResult[]): string {
  const header = ["#", "figure", "measured", "target", "floor (same run)", ""];
  const body: string[][] = [];
  for (const r of results) {
    if (r.skipped) {
      body.push([String(r.id), r.title, `skipped: ${r.skipped}`, "", "", ""]);
      continue;
    }
    for (const f of r.figures) {
      body.push([
        String(r.id),
        f.name,
        show(f.value, f.unit),
        f.target ?? "",
        show(f.floor, f.unit),
        verdict(f.met),
      ]);
    }
  }
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...body.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function writeResults(
  path: string,
  run: { machine: Machine; mode: string; results: ScenarioResult[]; seconds: number },
): void {
  writeFileSync(path, `${JSON.stringify(run, null, 2)}\n`);
}

const BENCHMARKS_HEADER = `# Benchmarks

\`npm run bench\` builds the app and runs it (\`probot run ./lib/index.js\`, as
\`npm start\` does) against the sandbox emulator with GitHub's secondary rate
limits on (900 REST points/min per installation, writes 5 points, 80
content-creating requests/min, 100 concurrent: \`sandbox/emulator/limits.ts\`).
Each figure is printed beside its target (issue #12) and the floor measured
in the same run. \`BENCH_QUICK=1 npm run bench\` is a scaled-down run of a
few minutes; see \`bench/run.ts\` for every knob. Runs are appended below,
newest last; the machine is shared, so compare figures within one run.
`;

export function recordRun(
  path: string,
  run: { machine: Machine; mode: string; results: ScenarioResult[]; seconds: number },
  label: string,
): void {
  if (!existsSync(path)) writeFileSync(path, BENCHMARKS_HEADER);
  const m = run.machine;
  const setups = run.results
    .filter((r) => !r.skipped)
    .map(
      (r) =>
        `- ${r.id}. ${r.title}: ${Object.entries(r.setup)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
    );
  const notes = run.results.flatMap((r) => (r.notes ?? []).map((n) => `- ${r.id}. ${n}`));
  appendFileSync(
    path,
    [
      "",
      `## ${m.date.slice(0, 16).replace("T", " ")} UTC — ${label} (${run.mode}, commit ${m.commit})`,
      "",
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM (${m.freeRamGb} GB free), Node ${m.node}, ${m.os}; load average at start ${m.loadAverage.join(" / ")}. Whole run ${Math.round(run.seconds)} s.`,
      "",
      table(run.results),
      "",
      "Set-up:",
      "",
      ...setups,
      ...(notes.length > 0 ? ["", "Notes:", "", ...notes] : []),
      "",
    ].join("\n"),
  );
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}
