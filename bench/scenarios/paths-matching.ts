import { type Config, configSchema } from "../../src/config/schema.js";
import { pathsPhase } from "../../src/core/changed-paths.js";
import type { ChangedFiles } from "../../src/core/types.js";
import type { Figure } from "../harness/report.js";

/** GitHub's most files listed for a PR, and the most path patterns a config may hold. */
const FILES = 3_000;
const PATTERNS = 1_000;

function configWith(patterns: string[]): Config {
  return configSchema.parse({
    phases: [
      { id: "crawl", gate: {} },
      { id: "walk", gate: {} },
      { id: "run", paths: patterns },
    ],
  });
}

/**
 * A large monorepo's list: folders per team, file kinds anywhere, exclusions;
 * the PR's files, one in ten of them in the paths.
 */
function typical(): { config: Config; files: ChangedFiles } {
  const kinds = (i: number) =>
    [
      `/team${i}/service/**`,
      `infra/env${i}/`,
      `*.tf${i}`,
      `!team${i}/service/docs/`,
      `Dockerfile.${i}`,
    ][i % 5] ?? "";
  const patterns = Array.from({ length: PATTERNS }, (_, i) => kinds(i));
  const files = Array.from({ length: FILES }, (_, i) => ({
    filename:
      i % 10 === 0
        ? `team${(i % 200) * 5}/service/pkg/file${i}.go`
        : `src/module${i % 50}/component${i % 13}/file${i}.ts`,
  }));
  return { config: configWith(patterns), files: { files, changedFiles: FILES } };
}

/**
 * The slow case a PR author could aim at: every file matches an early
 * pattern, under hundreds of later patterns that share its text, so each
 * file is tried against most of the list.
 */
function adversarial(): { config: Config; files: ChangedFiles } {
  const patterns = Array.from({ length: PATTERNS }, (_, i) =>
    i % 3 === 0 ? `services/s${i}/**` : i % 3 === 1 ? `*.gen${i}` : `!services/s${i - 2}/docs/`,
  );
  const files = Array.from({ length: FILES }, (_, i) => ({
    filename: `services/s${(i % 40) * 3}/pkg${i % 7}/sub/file${i}.ts`,
  }));
  return { config: configWith(patterns), files: { files, changedFiles: FILES } };
}

/** The slowest of `runs` matchings, in ms (compiling the patterns included: it happens per evaluation). */
function slowestMs(input: { config: Config; files: ChangedFiles }, runs: number): number {
  pathsPhase(input.config, input.files); // warm-up: JIT
  let slowest = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    pathsPhase(input.config, input.files);
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

/** Matching 3,000 changed files against 1,000 patterns (SPEC §2 "Phase by paths"). */
export function pathsMatchingFigures(quick: boolean): Figure[] {
  const runs = quick ? 3 : 10;
  const cases = [
    ["typical monorepo list", typical()],
    ["adversarial list", adversarial()],
  ] as const;
  return cases.map(([what, input]) => {
    const ms = slowestMs(input, runs);
    return {
      name: `phase by paths: ${FILES.toLocaleString("en-US")} files × ${PATTERNS.toLocaleString("en-US")} patterns (${what}, slowest of ${runs})`,
      value: Math.round(ms),
      unit: "ms",
      target: "< 1000",
      met: ms < 1000,
    };
  });
}
