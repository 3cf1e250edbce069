import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Config, configSchema } from "../../../src/config/schema.js";
import { checklistProgress } from "../../../src/core/checklist.js";
import { parseClosingReferences } from "../../../src/core/closing-keywords.js";
import {
  type CommandComment,
  type GateCommand,
  tallyCommands,
} from "../../../src/core/commands.js";
import { evaluatePullRequest, gatesBefore } from "../../../src/core/evaluate.js";
import { gateStatus } from "../../../src/core/gate-state.js";
import { effectivePhase } from "../../../src/core/phases.js";
import { renderVerdict } from "../../../src/core/render-check.js";
import type {
  GateIssueFacts,
  LinkedIssueFacts,
  PullRequestPhaseFacts,
} from "../../../src/core/types.js";
import { REPO } from "./helpers.js";

const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------- arbitraries

const idArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/);

const gateInputArb = fc.record({
  approvals: fc.integer({ min: 1, max: 3 }),
  requireCriteria: fc.boolean(),
});

/** Valid configs of 2..6 phases, built the way a user would write them. */
const configArb: fc.Arbitrary<Config> = fc
  .uniqueArray(idArb, { minLength: 2, maxLength: 6 })
  .chain((ids) =>
    fc.record({
      ids: fc.constant(ids),
      milestones: fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }),
      gates: fc.array(fc.option(gateInputArb, { nil: undefined }), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
      unphased: fc.constantFrom("allow", "block"),
      linkedIssues: fc.boolean(),
    }),
  )
  .map(({ ids, milestones, gates, unphased, linkedIssues }) =>
    configSchema.parse({
      unphased,
      linkedIssues,
      phases: ids.map((id, i) => {
        const gate = i < ids.length - 1 ? gates[i] : undefined;
        return {
          id,
          ...(milestones[i] ? { milestone: `M ${id}` } : {}),
          ...(gate ? { gate } : {}),
        };
      }),
    }),
  );

const randomCase = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((ups) => [...s].map((ch, i) => (ups[i] ? ch.toUpperCase() : ch)).join(""));

/** Labels of an item: some phase labels (any case) and some noise. */
function labelsArb(config: Config, phases: readonly number[]): fc.Arbitrary<string[]> {
  const phaseLabels = phases.flatMap((i) => {
    const label = config.phases[i]?.label;
    return label ? [randomCase(label)] : [];
  });
  return fc
    .tuple(
      phaseLabels.length > 0
        ? fc.subarray(phaseLabels).chain((a) => fc.tuple(...a))
        : fc.constant([]),
      fc.subarray(["bug", "gate: approved", "phase: nowhere", "enhancement"]),
    )
    .map(([p, noise]) => [...p, ...noise]);
}

function milestoneArb(config: Config, phases: readonly number[]): fc.Arbitrary<string | null> {
  const titles = phases.flatMap((i) => {
    const m = config.phases[i]?.milestone;
    return m ? [m] : [];
  });
  return fc.constantFrom<string | null>(null, "Backlog", ...titles);
}

function linkedIssueArb(config: Config, phases: readonly number[]): fc.Arbitrary<LinkedIssueFacts> {
  return fc.oneof(
    fc
      .record({
        number: fc.integer({ min: 1, max: 500 }),
        labels: labelsArb(config, phases),
        milestone: milestoneArb(config, phases),
      })
      .map(({ number, labels, milestone }) => ({
        ref: { owner: REPO.owner, repo: REPO.repo, number },
        readable: true as const,
        url: `https://github.com/${REPO.owner}/${REPO.repo}/issues/${number}`,
        labels,
        milestone,
      })),
    fc.integer({ min: 1, max: 500 }).map((number) => ({
      ref: { owner: "other", repo: "secret", number },
      readable: false as const,
      reason: "not installed",
    })),
  );
}

const allPhases = (config: Config) => config.phases.map((_, i) => i);

function prFactsArb(
  config: Config,
  phases: readonly number[] = allPhases(config),
): fc.Arbitrary<PullRequestPhaseFacts> {
  return fc.record({
    labels: labelsArb(config, phases),
    milestone: milestoneArb(config, phases),
    linkedIssues: fc.array(linkedIssueArb(config, phases), { maxLength: 3 }),
  });
}

const loginArb = fc.constantFrom("ana", "bo", "cy", "Ana", "mallory");

const gateIssueArb: fc.Arbitrary<GateIssueFacts> = fc
  .record({
    number: fc.integer({ min: 1, max: 999 }),
    state: fc.constantFrom("open" as const, "closed" as const),
    stateReason: fc.constantFrom(
      "completed" as const,
      "not_planned" as const,
      "reopened" as const,
      "duplicate" as const,
      null,
    ),
    closedBy: fc.option(loginArb, { nil: null }),
    closerAuthorized: fc.boolean(),
    approvals: fc.subarray(["ana", "bo", "cy", "Ana"]),
    stop: fc.option(
      fc.record({ by: loginArb, reason: fc.string({ minLength: 1, maxLength: 20 }) }),
      {
        nil: null,
      },
    ),
    checked: fc.nat({ max: 4 }),
    unchecked: fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 3 }),
    title: fc.string({ maxLength: 40 }),
  })
  .map(({ number, checked, unchecked, ...rest }) => ({
    ...rest,
    number,
    url: `https://github.com/${REPO.owner}/${REPO.repo}/issues/${number}`,
    closedAt: rest.state === "closed" ? "2024-05-01T10:00:00Z" : null,
    checklist: { total: checked + unchecked.length, checked, unchecked },
  }));

/** Facts for every gate of the config: a gate issue, or none (null / absent). */
function gateIssuesArb(config: Config): fc.Arbitrary<Map<number, GateIssueFacts | null>> {
  const gated = allPhases(config).filter((i) => config.phases[i]?.gate);
  return fc
    .array(fc.option(gateIssueArb, { nil: null }), {
      minLength: gated.length,
      maxLength: gated.length,
    })
    .map((issues) => new Map(gated.map((i, k) => [i, issues[k] ?? null])));
}

const scenarioArb = configArb.chain((config) =>
  fc.record({
    config: fc.constant(config),
    facts: prFactsArb(config),
    gates: gateIssuesArb(config),
  }),
);

/** Turn a gate's facts into an approval that counts: authorized close as completed, quorum, criteria met. */
function approve(config: Config, index: number, issue: GateIssueFacts | null): GateIssueFacts {
  const quorum = config.phases[index]?.gate?.approvals ?? 1;
  const base: GateIssueFacts = issue ?? {
    number: 900 + index,
    url: `https://github.com/${REPO.owner}/${REPO.repo}/issues/${900 + index}`,
    title: "Gate",
    state: "open",
    stateReason: null,
    closedAt: null,
    closedBy: null,
    closerAuthorized: false,
    approvals: [],
    stop: null,
    checklist: { total: 0, checked: 0, unchecked: [] },
  };
  return {
    ...base,
    state: "closed",
    stateReason: "completed",
    closedAt: "2024-06-01T00:00:00Z",
    closedBy: "approver-0",
    closerAuthorized: true,
    approvals: Array.from({ length: quorum }, (_, k) => `approver-${k + 1}`),
    stop: null,
    checklist: {
      total: base.checklist.total,
      checked: base.checklist.total,
      unchecked: [],
    },
  };
}

// ---------------------------------------------------------------- properties

describe("evaluator properties", () => {
  it("(1) approving a gate never turns a success into a failure", () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), ({ config, facts, gates }, pick) => {
        const before = evaluatePullRequest(config, facts, gates);
        const gated = [...gates.keys()];
        fc.pre(gated.length > 0);
        const index = gated[pick % gated.length] ?? 0;
        const approved = new Map(gates).set(
          index,
          approve(config, index, gates.get(index) ?? null),
        );
        expect(
          gateStatus(index, config.phases[index]?.gate ?? fail(), approved.get(index) ?? null)
            .state,
        ).toBe("approved");
        const after = evaluatePullRequest(config, facts, approved);
        if (before.conclusion === "success") expect(after.conclusion).toBe("success");
      }),
      RUNS,
    );
  });

  it("(2) a PR whose only phase claims are the first phase is never blocked", () => {
    const firstPhaseArb = configArb.chain((config) =>
      fc.record({
        config: fc.constant(config),
        facts: prFactsArb(config, [0]).map((f) => ({
          ...f,
          labels: [...f.labels, config.phases[0]?.label ?? fail()],
        })),
        gates: gateIssuesArb(config),
      }),
    );
    fc.assert(
      fc.property(firstPhaseArb, ({ config, facts, gates }) => {
        const verdict = evaluatePullRequest(config, facts, gates);
        expect(verdict.phase.phaseIndex).toBe(0);
        expect(verdict.conclusion).toBe("success");
        expect(verdict.reason).toBe("first-phase");
        expect(verdict.gates).toEqual([]);
      }),
      RUNS,
    );
  });

  it("(3) adding a phase label never lowers the effective phase", () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), ({ config, facts }, pick) => {
        const label = config.phases[pick % config.phases.length]?.label ?? fail();
        const before = effectivePhase(config, facts).phaseIndex ?? -1;
        const after = effectivePhase(config, { ...facts, labels: [...facts.labels, label] });
        expect(after.phaseIndex ?? -1).toBeGreaterThanOrEqual(before);
        expect(after.phaseIndex ?? -1).toBeGreaterThanOrEqual(pick % config.phases.length);
      }),
      RUNS,
    );
  });

  it("(3b) removing one source never raises the phase, and the phase is the max claim", () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, facts }) => {
        const full = effectivePhase(config, facts);
        const claims = [...full.deciding, ...full.ignored];
        expect(full.phaseIndex).toBe(
          claims.length === 0 ? null : Math.max(...claims.map((c) => c.phaseIndex)),
        );
        const withoutMilestone = effectivePhase(config, { ...facts, milestone: null });
        expect(withoutMilestone.phaseIndex ?? -1).toBeLessThanOrEqual(full.phaseIndex ?? -1);
      }),
      RUNS,
    );
  });

  it("(4) failure iff some earlier gate is not approved, or unphased with unphased: block", () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, facts, gates }) => {
        const verdict = evaluatePullRequest(config, facts, gates);
        const phase = effectivePhase(config, facts).phaseIndex;
        const notApproved = gatesBefore(config, phase).filter((i) => {
          const gate = config.phases[i]?.gate ?? fail();
          return gateStatus(i, gate, gates.get(i) ?? null).state !== "approved";
        });
        const shouldFail = phase === null ? config.unphased === "block" : notApproved.length > 0;
        expect(verdict.conclusion).toBe(shouldFail ? "failure" : "success");
        if (phase !== null && notApproved.length > 0) {
          expect(verdict.blockingGate).not.toBeNull();
          expect(notApproved).toContain(verdict.blockingGate?.phaseIndex);
          expect(verdict.title).toMatch(/^Blocked: .+ gate (pending|stopped)$/);
        } else {
          expect(verdict.blockingGate).toBeNull();
        }
      }),
      RUNS,
    );
  });

  it("(5) renderVerdict never throws and the summary fits GitHub's limit", () => {
    fc.assert(
      fc.property(scenarioArb, ({ config, facts, gates }) => {
        const verdict = evaluatePullRequest(config, facts, gates);
        const out = renderVerdict(config, verdict, REPO);
        expect(out.summary.length).toBeLessThanOrEqual(65_535);
        expect(out.title).toBe(verdict.title);
        expect(out.conclusion).toBe(verdict.conclusion);
        expect(out.summary).toContain("### What happens next");
        for (const g of verdict.gates) {
          if (g.issue) expect(out.summary).toContain(g.issue.url);
          expect(out.summary).toContain(`| ${config.phases[g.phaseIndex]?.name} |`);
        }
      }),
      RUNS,
    );
  });
});

describe("parser properties", () => {
  it("every `Closes #n` line is found once, in order, and code hides it", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 99_999 }), { maxLength: 8 }),
        fc.constantFrom("Closes", "fixes", "RESOLVED", "Fix:"),
        (numbers, keyword) => {
          const body = numbers.map((n) => `${keyword} #${n}`).join("\n");
          const expected = [...new Set(numbers)].map((number) => ({ ...REPO, number }));
          expect(parseClosingReferences(body, REPO)).toEqual(expected);
          expect(parseClosingReferences(`\`\`\`\n${body}\n\`\`\``, REPO)).toEqual([]);
        },
      ),
    );
  });

  it("checklistProgress counts generated task lists exactly", () => {
    const item = fc.record({
      done: fc.boolean(),
      bullet: fc.constantFrom("-", "*", "+", "1.", "2)"),
      indent: fc.constantFrom("", "  ", "    "),
      mark: fc.constantFrom("x", "X"),
      text: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ]{0,20}[A-Za-z0-9]$/),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 10 }), (items) => {
        const body = items
          .map((it) => `${it.indent}${it.bullet} [${it.done ? it.mark : " "}] ${it.text}`)
          .join("\n");
        const progress = checklistProgress(body);
        expect(progress.total).toBe(items.length);
        expect(progress.checked).toBe(items.filter((i) => i.done).length);
        expect(progress.unchecked).toEqual(items.filter((i) => !i.done).map((i) => i.text));
      }),
    );
  });

  it("tallyCommands is independent of input order and counts each person once", () => {
    const commandArb = fc.constantFrom<GateCommand>(
      { kind: "approve", note: "" },
      { kind: "revoke" },
      { kind: "stop", reason: "no" },
    );
    const commentsArb = fc
      .array(
        fc.record({
          author: loginArb,
          minute: fc.nat({ max: 59 }),
          command: commandArb,
          bot: fc.boolean(),
        }),
        { maxLength: 12 },
      )
      .map((rows) =>
        rows.map(
          (r, id): CommandComment => ({
            id,
            author: r.author,
            authorIsBot: r.bot,
            createdAt: `2024-05-01T10:${String(r.minute).padStart(2, "0")}:00Z`,
            url: `u${id}`,
            command: r.command,
          }),
        ),
      );
    const isAuthorized = (login: string) => login !== "mallory";
    fc.assert(
      fc.property(
        commentsArb.chain((c) =>
          fc.tuple(fc.constant(c), fc.shuffledSubarray(c, { minLength: c.length })),
        ),
        ([comments, shuffled]) => {
          const tally = tallyCommands(comments, isAuthorized);
          expect(tallyCommands(shuffled, isAuthorized)).toEqual(tally);
          const logins = tally.approvals.map((a) => a.login.toLowerCase());
          expect(new Set(logins).size).toBe(logins.length);
          expect(logins).not.toContain("mallory");
        },
      ),
    );
  });
});

function fail(): never {
  throw new Error("generator invariant broken");
}
