import { readFile } from "node:fs/promises";
import { type ConfigError, parseConfigText } from "../config/parse-config.js";
import { CONFIG_PATH, type Config } from "../config/schema.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { paint, type Term } from "./term.js";

export const STDIN_NAME = "<stdin>";

/** `file:line:col  key.path  message`, the key left out for an error about the whole file. */
export function formatErrorLine(error: ConfigError, color: boolean): string {
  const where = paint(color, "bold", `${error.file}:${error.line}:${error.column}`);
  const key = error.keyPath === "" ? "" : `  ${paint(color, "cyan", error.keyPath)}`;
  return `${where}${key}  ${paint(color, "red", error.message)}`;
}

/** One line: the phases in order, and what each gate needs. */
export function describeConfig(config: Config): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const gates = config.phases.flatMap((p, i) => {
    if (!p.gate) return [];
    const who = [
      ...p.gate.approvers.users.map((u) => `@${u}`),
      ...p.gate.approvers.teams.map((t) => `@${t}`),
      `${p.gate.approvers.permission} or higher`,
    ].join(", ");
    const next = config.phases[i + 1]?.name ?? "?";
    return [
      `${p.name} → ${next} (${count(p.gate.approvals, "approval")} from ${who}; ${count(p.gate.criteria.length, "criterion", "criteria")})`,
    ];
  });
  return `${count(config.phases.length, "phase")} ${config.phases.map((p) => p.name).join(" → ")}; ${count(gates.length, "gate")}: ${gates.join(", ")}`;
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

async function readSource(file: string): Promise<{ path: string; text: string }> {
  if (file === "-") return { path: STDIN_NAME, text: await readStdin() };
  try {
    return { path: file, text: await readFile(file, "utf8") };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") {
      const hint = file === CONFIG_PATH ? " (run `phase-gates init` to create one)" : "";
      throw new CliError(`${file}: no such file${hint}`, EXIT.notFound);
    }
    if (code === "EISDIR") throw new CliError(`${file} is a directory, not a file`, EXIT.usage);
    throw new CliError(
      `${file}: cannot read it (${error instanceof Error ? error.message : String(error)})`,
      EXIT.failed,
    );
  }
}

/**
 * `phase-gates validate [file|-]`: the app's own parser, offline. An
 * `_extends` is not followed (that needs GitHub): the file is checked alone,
 * and a note on stderr says so.
 */
export async function validate(
  term: Term,
  file: string,
  options: { json?: boolean },
): Promise<ExitCode> {
  const source = await readSource(file);
  const result = parseConfigText(source);
  const extendsLine = /^_extends:\s*(\S.*)$/m.exec(source.text);
  if (extendsLine && !options.json) {
    term.err(
      `note: _extends: ${extendsLine[1]} is not followed offline; this file is checked on its own (\`phase-gates status\` reads the whole chain from GitHub)`,
    );
  }
  if (options.json) {
    term.out(
      JSON.stringify(
        result.ok
          ? { file: source.path, valid: true, errors: [], config: result.config }
          : { file: source.path, valid: false, errors: result.errors },
        null,
        2,
      ),
    );
    return result.ok ? EXIT.ok : EXIT.invalidConfig;
  }
  if (result.ok) {
    term.out(
      `${paint(term.color, "green", "✓")} ${source.path} is valid: ${describeConfig(result.config)}`,
    );
    return EXIT.ok;
  }
  for (const error of result.errors) term.out(formatErrorLine(error, term.color));
  const n = result.errors.length;
  term.err(`${source.path}: ${n} ${n === 1 ? "error" : "errors"}`);
  return EXIT.invalidConfig;
}
