import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderDashboard } from "../../../src/core/dashboard.js";
import { renderProgressSection } from "../../../src/core/progress-section.js";
import { midWalk } from "./dashboard-facts.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** Table rows with their cells trimmed: the README's formatter pads columns to line up. */
function unpadded(markdown: string): string {
  return markdown
    .split("\n")
    .map((line) =>
      line.startsWith("|")
        ? line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim().replace(/^-{3,}$/, "---"))
            .join(" | ")
            .trim()
        : line,
    )
    .join("\n");
}

// The README shows the dashboard people will see: the code's output, not a drawing of it.
describe("README's Reporting section", () => {
  it("shows the dashboard exactly as the app renders it", () => {
    const m =
      /<!-- readme:dashboard-example:start -->\n([\s\S]*?)\n<!-- readme:dashboard-example:end -->/.exec(
        readme,
      );
    expect(unpadded(m?.[1] ?? "")).toBe(unpadded(renderDashboard(midWalk())));
  });

  it("shows the gate's progress section exactly as the app renders it", () => {
    const facts = midWalk();
    const [, walk, run] = facts.phases;
    if (!walk?.gate || !run) throw new Error("mid-Walk facts have three phases");
    const section = renderProgressSection({
      status: walk.gate,
      waiting: run.pulls,
      timebox: walk.timebox,
      today: facts.today,
    });
    expect(readme).toContain(`\`\`\`markdown\n${section}\n\`\`\``);
  });
});
