/**
 * Where the command line writes: results on stdout (plain unless it is a
 * terminal, so pipes and files get no escape codes), progress and warnings
 * on stderr, progress only on a terminal so scripts' logs stay clean.
 */
export interface Term {
  out(text: string): void;
  err(text: string): void;
  /** Colour on stdout: a terminal, no `NO_COLOR`, no `--no-color`. */
  color: boolean;
  /** A progress line on stderr for long listings; silent off a terminal. */
  progress(label: string, total: number): Progress;
}

export interface Progress {
  tick(): void;
  done(): void;
}

const NO_PROGRESS: Progress = { tick() {}, done() {} };

export function createTerm(options: { color?: boolean } = {}): Term {
  const env = process.env;
  const color =
    options.color !== false &&
    process.stdout.isTTY === true &&
    (env.NO_COLOR === undefined || env.NO_COLOR === "") &&
    env.TERM !== "dumb";
  const stderrTty = process.stderr.isTTY === true;
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    color,
    progress(label, total) {
      if (!stderrTty || total === 0) return NO_PROGRESS;
      let n = 0;
      const draw = () => process.stderr.write(`\r\x1b[K${label} ${n}/${total}`);
      draw();
      return {
        tick() {
          n++;
          draw();
        },
        done() {
          process.stderr.write("\r\x1b[K");
        },
      };
    },
  };
}

const ANSI = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
} as const;

export type Style = keyof typeof ANSI;

/** `text` in `style` when colour is on, else as it is. */
export function paint(on: boolean, style: Style, text: string): string {
  if (!on || text === "") return text;
  const [open, close] = ANSI[style];
  return `\x1b[${open}m${text}\x1b[${close}m`;
}

const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g");

/** The text without colour codes, as wide as it shows. */
export function stripStyles(text: string): string {
  return text.replace(ESCAPE, "");
}

/** Columns padded to their widest cell; `width` ignores escape codes. */
export function table(rows: readonly (readonly string[])[], gap = "  "): string[] {
  const width = (s: string) => [...stripStyles(s)].length;
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, width(cell));
    });
  return rows.map((row) =>
    row
      .map((cell, i) =>
        i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell)),
      )
      .join(gap)
      .trimEnd(),
  );
}
