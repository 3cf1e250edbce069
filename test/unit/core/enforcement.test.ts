import { describe, expect, it } from "vitest";
import { renderDashboard } from "../../../src/core/dashboard.js";
import {
  decideEnforcement,
  type EnforcementFacts,
  type EnforcementState,
  type RequiredCheck,
  type RuleSource,
  renderEnforcementBlock,
} from "../../../src/core/enforcement.js";
import { midWalk } from "./dashboard-facts.js";

const APP = 4242;
const OTHER = 15368;
const REPO_URL = "https://github.com/acme/rocket";

const ruleset = (appId: number | null, context = "Phase gate"): RequiredCheck => ({
  context,
  appId,
  by: { kind: "ruleset", id: 7, level: "Repository", source: "acme/rocket" },
});
const protection = (appId: number | null, context = "Phase gate"): RequiredCheck => ({
  context,
  appId,
  by: { kind: "protection" },
});

type Kind = "none" | "other-check" | "any-source" | "pinned-us" | "pinned-other" | "unseen";
const KINDS: Kind[] = ["none", "other-check", "any-source", "pinned-us", "pinned-other", "unseen"];

function source(
  kind: Kind,
  make: (appId: number | null, context?: string) => RequiredCheck,
): RuleSource {
  switch (kind) {
    case "none":
      return { kind: "read", checks: [] };
    case "other-check":
      return { kind: "read", checks: [make(APP, "ci/build")] };
    case "any-source":
      return { kind: "read", checks: [make(null)] };
    case "pinned-us":
      return { kind: "read", checks: [make(APP)] };
    case "pinned-other":
      return { kind: "read", checks: [make(OTHER)] };
    case "unseen":
      return { kind: "unseen", why: "GitHub answered 403" };
  }
}

function facts(rulesets: Kind, prot: Kind, appId: number | null = APP): EnforcementFacts {
  return {
    branch: "main",
    repoUrl: REPO_URL,
    appId,
    rulesets: source(rulesets, ruleset),
    protection: source(prot, protection),
  };
}

/**
 * The rule, written out: enforced when a readable place pins `Phase gate` to
 * this app; else unknown when a place could not be read, or a pin to an app
 * whose identity cannot be told; else not pinned when anything requires it;
 * else not required.
 */
function expected(r: Kind, p: Kind, appKnown: boolean): EnforcementState {
  const kinds = [r, p];
  if (appKnown && kinds.includes("pinned-us")) return "enforced";
  if (kinds.includes("unseen")) return "unknown";
  const pinnedSomewhere = kinds.includes("pinned-us") || kinds.includes("pinned-other");
  if (!appKnown && pinnedSomewhere) return "unknown";
  if (pinnedSomewhere || kinds.includes("any-source")) return "not-pinned";
  return "not-required";
}

describe("decideEnforcement: every combination of ruleset, branch protection, integration id and 403", () => {
  const rows = KINDS.flatMap((r) =>
    KINDS.flatMap((p) => [true, false].map((known) => [r, p, known] as const)),
  );
  it.each(rows)("rulesets %s, protection %s, app id known %s", (r, p, known) => {
    const e = decideEnforcement(facts(r, p, known ? APP : null));
    expect(e.state).toBe(expected(r, p, known));
    expect(e.fix === null).toBe(e.state === "enforced");
  });
});

describe("decideEnforcement: the words", () => {
  it.each([
    [
      "a repository ruleset pinned to the app",
      facts("pinned-us", "none"),
      "enforced",
      "`Phase gate` is required on `main` from phase-gates (ruleset #7): a blocked pull request cannot merge.",
      null,
    ],
    [
      "classic protection pinned to the app",
      facts("none", "pinned-us"),
      "enforced",
      "`Phase gate` is required on `main` from phase-gates (branch protection rule): a blocked pull request cannot merge.",
      null,
    ],
    [
      "nothing",
      facts("none", "none"),
      "not-required",
      "Nothing requires `Phase gate` on `main`: a pull request the gate blocks can still be merged.",
      /^Settings → Rules → Rulesets → New ruleset → New branch ruleset: .*"Phase gate" and pick the phase-gates app as its source \(https:\/\/github\.com\/acme\/rocket\/settings\/rules\/new\?target=branch\)\.$/,
    ],
    [
      "a ruleset requiring it from any source",
      facts("any-source", "none"),
      "not-pinned",
      "`main` requires `Phase gate` from any source: any app or workflow could post a green `Phase gate`.",
      /^Settings → Rules → Rulesets → ruleset #7 → "Require status checks to pass" → Phase gate: choose the phase-gates app as its source \(https:\/\/github\.com\/acme\/rocket\/settings\/rules\/7\)\.$/,
    ],
    [
      "classic protection requiring it from any source",
      facts("none", "any-source"),
      "not-pinned",
      "`main` requires `Phase gate` from any source: any app or workflow could post a green `Phase gate`.",
      /^Settings → Branches → the rule for the default branch .*\(https:\/\/github\.com\/acme\/rocket\/settings\/branches\)\.$/,
    ],
    [
      "a ruleset pinned to another app",
      facts("pinned-other", "none"),
      "not-pinned",
      "`main` requires `Phase gate` from another app (id 15368), not phase-gates (id 4242): that app's run decides, not the gate.",
      /choose the phase-gates app as its source/,
    ],
    [
      "a pinned ruleset when the app's own id is unknown",
      facts("pinned-us", "none", null),
      "unknown",
      "`main` requires `Phase gate` from app 4242, but this app's id is unknown, so whether that is phase-gates cannot be told.",
      /--app-id/,
    ],
    [
      "classic protection the reader may not see",
      facts("none", "unseen"),
      "unknown",
      "Whether `main` requires `Phase gate` from phase-gates is unknown: GitHub answered 403.",
      /settings\/rules and .*settings\/branches/,
    ],
  ] as const)("%s", (_what, f, state, summary, fix) => {
    const e = decideEnforcement(f);
    expect(e.state).toBe(state);
    expect(e.summary).toBe(summary);
    if (fix === null) expect(e.fix).toBeNull();
    else expect(e.fix).toMatch(fix);
  });

  it("links an organization ruleset to the organization's settings", () => {
    const e = decideEnforcement({
      ...facts("none", "none"),
      rulesets: {
        kind: "read",
        checks: [
          {
            context: "Phase gate",
            appId: null,
            by: { kind: "ruleset", id: 9, level: "Organization", source: "acme" },
          },
        ],
      },
    });
    expect(e.requiredBy).toEqual([
      {
        appId: null,
        where: "organization ruleset #9 of acme",
        url: "https://github.com/organizations/acme/settings/rules/9",
      },
    ]);
  });

  it("matches the check by its exact name: another check, or another case, requires nothing", () => {
    const e = decideEnforcement({
      ...facts("none", "none"),
      rulesets: { kind: "read", checks: [ruleset(APP, "phase gate"), ruleset(APP, "ci")] },
    });
    expect(e.state).toBe("not-required");
  });
});

describe("renderEnforcementBlock", () => {
  it("is one line when the gate bites, and a warning with the fix when it does not", () => {
    expect(renderEnforcementBlock(decideEnforcement(facts("pinned-us", "none")))).toBe(
      "🔒 **Enforced:** `Phase gate` is required on `main` from phase-gates (ruleset #7): a blocked pull request cannot merge.",
    );
    const warning = renderEnforcementBlock(decideEnforcement(facts("none", "none"))).split("\n");
    expect(warning[0]).toBe("> [!WARNING]");
    expect(warning[1]).toMatch(/^> \*\*The gate does not bite:\*\* Nothing requires `Phase gate`/);
    expect(warning[3]).toMatch(/^> \*\*Fix:\*\* Settings → Rules → Rulesets → New ruleset/);
    expect(renderEnforcementBlock(decideEnforcement(facts("any-source", "none")))).toContain(
      "**The gate can be bypassed:**",
    );
    expect(renderEnforcementBlock(decideEnforcement(facts("unseen", "none")))).toMatch(
      /^> \[!NOTE\]\n> \*\*Enforcement unknown:\*\*/,
    );
  });
});

describe("the dashboard's enforcement block", () => {
  it.each([
    ["enforced", facts("pinned-us", "none"), /^🔒 \*\*Enforced:\*\*/],
    ["not required", facts("none", "none"), /^> \[!WARNING\]\n> \*\*The gate does not bite:\*\*/],
    [
      "not pinned",
      facts("none", "any-source"),
      /^> \[!WARNING\]\n> \*\*The gate can be bypassed:\*\*/,
    ],
  ] as const)("sits at the top, right under the title, when %s", (_what, f, block) => {
    const body = renderDashboard({ ...midWalk(), enforcement: decideEnforcement(f) });
    const afterTitle = body.split("## Phase gates status\n\n")[1] ?? "";
    expect(afterTitle).toMatch(block);
    expect(afterTitle.indexOf("**Now in Walk**")).toBeGreaterThan(0);
  });

  it("is absent when the facts carry no enforcement", () => {
    expect(renderDashboard(midWalk())).not.toMatch(/Enforced|does not bite|bypassed/);
  });
});
