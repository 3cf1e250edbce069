// @vitest-environment happy-dom
// Mermaid's own parser, the one GitHub renders with: it needs a DOM (DOMPurify), so happy-dom provides one.
import fc from "fast-check";
import mermaid from "mermaid";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { type PhaseReport, renderDashboard, renderMermaid } from "../../../src/core/dashboard.js";
import type { GateStateName } from "../../../src/core/types.js";
import { gate, midWalk, overdueWalk, stoppedCrawl } from "./dashboard-facts.js";
import { defaultConfig, fourPhaseConfig } from "./helpers.js";

/** The diagram inside a dashboard body: the text of its mermaid code block. */
function diagramOf(body: string): string {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(body);
  if (!m?.[1]) throw new Error("no mermaid block");
  return m[1];
}

async function parses(diagram: string): Promise<string> {
  const result = await mermaid.parse(diagram);
  return result ? result.diagramType : "invalid";
}

const emptyPhase = (state: GateStateName | null, config = defaultConfig, i = 0): PhaseReport => ({
  gate: state === null ? null : { ...gate(config, i, null), state },
  issues: { open: 0, closed: 0 },
  pulls: [],
  timebox: null,
});

describe("every generated Mermaid diagram parses", () => {
  it("rejects a broken diagram (the parser is real)", async () => {
    await expect(mermaid.parse('flowchart LR\n  a["x"y"] -->')).rejects.toThrow(/Parse error/);
  });

  it.each([
    ["mid-Walk", midWalk()],
    ["Walk overdue", overdueWalk()],
    ["Crawl stopped", stoppedCrawl()],
  ])("%s", async (_name, facts) => {
    expect(await parses(diagramOf(renderDashboard(facts)))).toBe("flowchart-v2");
  });

  it.each(
    (["pending", "approved", "stopped"] as const).flatMap((a) =>
      (["pending", "approved", "stopped"] as const).map((b) => [a, b] as const),
    ),
  )("default phases with gates %s, %s", async (a, b) => {
    const phases = [emptyPhase(a), emptyPhase(b, defaultConfig, 1), emptyPhase(null)];
    expect(await parses(renderMermaid(defaultConfig, phases))).toBe("flowchart-v2");
  });

  it("four phases, one without a gate in the middle", async () => {
    const phases = fourPhaseConfig.phases.map((p, i) =>
      emptyPhase(p.gate ? "pending" : null, fourPhaseConfig, i),
    );
    expect(await parses(renderMermaid(fourPhaseConfig, phases))).toBe("flowchart-v2");
  });

  it("any phase names people can configure", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }), {
          minLength: 2,
          maxLength: 4,
        }),
        async (names) => {
          const config = configSchema.parse({
            phases: names.map((name, i) => ({ id: `p${i}`, name, label: `phase ${i}` })),
          });
          const phases = config.phases.map((p, i) =>
            emptyPhase(p.gate ? "pending" : null, config, i),
          );
          expect(await parses(renderMermaid(config, phases))).toBe("flowchart-v2");
        },
      ),
      { numRuns: 150 },
    );
  });
});
