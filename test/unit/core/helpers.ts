import { type Config, configSchema } from "../../../src/config/schema.js";
import type {
  ChecklistProgress,
  GateConfig,
  GateIssueFacts,
  LinkedIssueFacts,
  PullRequestPhaseFacts,
} from "../../../src/core/types.js";

/** The default Crawl → Walk → Run config (an empty `.github/phase-gates.yml`). */
export const defaultConfig: Config = configSchema.parse({});

/** Four phases; `design` has no gate, so `build` has no gate right before it. */
export const fourPhaseConfig: Config = configSchema.parse({
  phases: [
    {
      id: "explore",
      gate: { approvers: { users: ["alice"], teams: ["acme/leads"], permission: "admin" } },
    },
    { id: "design", milestone: "Design Q3" },
    { id: "build", label: "Stage: Build", gate: { approvals: 2 } },
    { id: "ship", name: "Ship it" },
  ],
});

export const blockUnphasedConfig: Config = configSchema.parse({ unphased: "block" });

export const noLinkedIssuesConfig: Config = configSchema.parse({ linkedIssues: false });

/** Both gates need two distinct approvers and ignore the task list. */
export const quorumTwoConfig: Config = configSchema.parse({
  phases: [
    { id: "crawl", milestone: "Crawl", gate: { approvals: 2, requireCriteria: false } },
    { id: "walk", milestone: "Walk", gate: { approvals: 2, requireCriteria: false } },
    { id: "run", milestone: "Run" },
  ],
});

export const REPO = { owner: "acme", repo: "rocket" } as const;

export function checklist(checked: number, unchecked: string[] = []): ChecklistProgress {
  return { total: checked + unchecked.length, checked, unchecked };
}

const ALL_CHECKED = checklist(1);

/** An open gate issue with its one criterion checked and no approvals yet. */
export function openGate(overrides: Partial<GateIssueFacts> = {}): GateIssueFacts {
  return {
    number: 7,
    url: "https://github.com/acme/rocket/issues/7",
    title: "Gate: Crawl → Walk",
    state: "open",
    stateReason: null,
    closedAt: null,
    closedBy: null,
    closerAuthorized: false,
    approvals: [],
    stop: null,
    checklist: ALL_CHECKED,
    ...overrides,
  };
}

/** A gate issue closed as completed by an authorized approver, criteria met: approved at quorum 1. */
export function approvedGate(overrides: Partial<GateIssueFacts> = {}): GateIssueFacts {
  return openGate({
    state: "closed",
    stateReason: "completed",
    closedAt: "2024-05-01T10:00:00Z",
    closedBy: "maria",
    closerAuthorized: true,
    ...overrides,
  });
}

/** A gate issue closed as not planned by an authorized approver. */
export function stoppedGate(overrides: Partial<GateIssueFacts> = {}): GateIssueFacts {
  return openGate({
    state: "closed",
    stateReason: "not_planned",
    closedAt: "2024-05-01T10:00:00Z",
    closedBy: "maria",
    closerAuthorized: true,
    stop: { by: "maria", reason: "budget cut" },
    ...overrides,
  });
}

export function prFacts(overrides: Partial<PullRequestPhaseFacts> = {}): PullRequestPhaseFacts {
  return { labels: [], milestone: null, linkedIssues: [], ...overrides };
}

export function linkedIssue(
  number: number,
  item: { labels?: string[]; milestone?: string | null; owner?: string; repo?: string } = {},
): LinkedIssueFacts {
  const owner = item.owner ?? REPO.owner;
  const repo = item.repo ?? REPO.repo;
  return {
    ref: { owner, repo, number },
    readable: true,
    url: `https://github.com/${owner}/${repo}/issues/${number}`,
    labels: item.labels ?? [],
    milestone: item.milestone ?? null,
  };
}

export function unreadableIssue(
  number: number,
  owner = "other",
  repo = "secret",
  reason = "not installed on other/secret",
): LinkedIssueFacts {
  return { ref: { owner, repo, number }, readable: false, reason };
}

/** Gate issues keyed by the index of the phase the gate ends. */
export function gateMap(
  entries: Record<number, GateIssueFacts | null> = {},
): Map<number, GateIssueFacts | null> {
  return new Map(Object.entries(entries).map(([k, v]) => [Number(k), v]));
}

/** The gate that ends phase `index`; throws when that phase has none. */
export function gateOf(config: Config, index: number): GateConfig {
  const gate = config.phases[index]?.gate;
  if (!gate) throw new Error(`phase ${index} has no gate`);
  return gate;
}
