import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Config, configSchema } from "../../src/config/schema.js";
import { evaluatePullRequest } from "../../src/core/evaluate.js";
import { type CheckOutput, renderVerdict } from "../../src/core/render-check.js";
import type { GateIssueFacts, PullRequestPhaseFacts, Verdict } from "../../src/core/types.js";
import type { ScenarioResult } from "../harness/report.js";
import type { BenchSettings } from "../harness/settings.js";
import { pathsMatchingFigures } from "./paths-matching.js";

const config: Config = configSchema.parse({});
const REPO = { owner: "acme", repo: "bench" };

function gate(number: number, approved: boolean): GateIssueFacts {
  return {
    number,
    url: `https://github.com/acme/bench/issues/${number}`,
    title: number === 1 ? "Gate: Crawl → Walk" : "Gate: Walk → Run",
    state: approved ? "closed" : "open",
    stateReason: approved ? "completed" : null,
    closedAt: approved ? "2026-01-01T00:00:00Z" : null,
    closedBy: approved ? "lead" : null,
    closerAuthorized: approved,
    approvals: [],
    stop: null,
    checklist: { total: 1, checked: 1, unchecked: [] },
  };
}

/** Gate states as a repository goes through them: pending, Crawl approved, both approved. */
const GATE_SETS: ReadonlyMap<number, GateIssueFacts | null>[] = [
  new Map([
    [0, gate(1, false)],
    [1, gate(2, false)],
  ]),
  new Map([
    [0, gate(1, true)],
    [1, gate(2, false)],
  ]),
  new Map([
    [0, gate(1, true)],
    [1, gate(2, true)],
  ]),
];

const LABELS = [["phase: crawl"], ["phase: walk"], ["phase: run"], [], ["phase: run", "bug"]];

/** A synthetic PR: phase labels in every combination, sometimes a milestone. */
export function syntheticPr(i: number): PullRequestPhaseFacts {
  return {
    labels: LABELS[i % LABELS.length] ?? [],
    milestone: i % 7 === 0 ? "Walk" : null,
    linkedIssues: [],
  };
}

export interface CachedPr {
  number: number;
  headSha: string;
  facts: PullRequestPhaseFacts;
  verdict: Verdict;
  output: CheckOutput;
}

/** What the app would keep per PR to skip unchanged writes: its facts, verdict and rendered check. */
export function cachePrs(count: number): Map<number, CachedPr> {
  const cache = new Map<number, CachedPr>();
  for (let i = 0; i < count; i++) {
    const facts = syntheticPr(i);
    const verdict = evaluatePullRequest(
      config,
      facts,
      GATE_SETS[i % GATE_SETS.length] ?? new Map(),
    );
    cache.set(i + 1, {
      number: i + 1,
      headSha: i.toString(16).padStart(40, "0"),
      facts,
      verdict,
      output: renderVerdict(config, verdict, REPO),
    });
  }
  return cache;
}

/** Verdicts per second over at least `minMs`, with the check output rendered or without. */
function verdictsPerSecond(
  minMs: number,
  render: boolean,
): { perSecond: number; verdicts: number } {
  let verdicts = 0;
  let sink = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    for (let j = 0; j < 1000; j++, verdicts++) {
      const verdict = evaluatePullRequest(
        config,
        syntheticPr(verdicts),
        GATE_SETS[verdicts % GATE_SETS.length] ?? new Map(),
      );
      sink += render ? renderVerdict(config, verdict, REPO).summary.length : verdict.title.length;
    }
  }
  const ms = performance.now() - start;
  if (sink === 0) throw new Error("nothing rendered");
  return { perSecond: (verdicts / ms) * 1000, verdicts };
}

/** Resident memory of a fresh Node process holding `count` PRs' cached state (child: no bench heap in it). */
function rssWithCache(count: number): { rssMb: number; baselineMb: number } {
  const child = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--expose-gc",
      fileURLToPath(new URL("./evaluation-rss.ts", import.meta.url)),
      String(count),
    ],
    { encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(`evaluation-rss failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as {
    rssMb: number;
    baselineMb: number;
  };
}

export async function evaluation(
  settings: BenchSettings,
  appRssMb: { prs: number; mb: number } | null,
): Promise<ScenarioResult> {
  const started = performance.now();
  verdictsPerSecond(300, true); // warm-up: JIT
  const measureMs = settings.quick ? 1000 : 3000;
  const decided = verdictsPerSecond(measureMs, false);
  const { perSecond, verdicts } = verdictsPerSecond(measureMs, true);
  const rss = rssWithCache(settings.evalPrs);
  const figures: ScenarioResult["figures"] = [
    {
      name: "evaluatePullRequest (decide) alone",
      value: Math.round(decided.perSecond),
      unit: "verdicts/s",
      target: "≥ 100000",
      met: decided.perSecond >= 100_000,
    },
    {
      name: "decide + renderVerdict",
      value: Math.round(perSecond),
      unit: "verdicts/s",
      target: "≥ 100000",
      met: perSecond >= 100_000,
    },
    {
      name: `RSS, ${settings.evalPrs} PRs' facts+verdict+check cached (fresh process)`,
      value: Math.round(rss.rssMb),
      unit: "MB",
      target: "< 200",
      floor: Math.round(rss.baselineMb),
      met: rss.rssMb < 200,
    },
  ];
  figures.push(...pathsMatchingFigures(settings.quick));
  if (appRssMb) {
    figures.push({
      name: `app process RSS after the ${appRssMb.prs}-PR flip (scenario 3)`,
      value: Math.round(appRssMb.mb),
      unit: "MB",
    });
  }
  return {
    id: 6,
    title: "pure evaluation",
    setup: { verdicts, cachedPrs: settings.evalPrs },
    figures,
    seconds: (performance.now() - started) / 1000,
    notes: [
      "RSS is measured in a fresh Node process that holds, per PR, what a cache would: its phase facts, verdict and rendered check output; the floor is the same process before building the cache.",
    ],
  };
}
