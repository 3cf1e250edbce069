/**
 * Which GitHub works: for each REST operation the shipped code calls (read
 * from src/), the descriptions GitHub publishes that have it (api.github.com,
 * GHEC, each supported GHES in @octokit/openapi), and the same for the
 * webhook events the app subscribes to (@octokit/openapi-webhooks). The README's "Supported
 * GitHub versions" table must say the same; and the app, run against the
 * sandbox as each GHES (routes its description lacks answer 404, as there),
 * must carry on without what that GHES lacks.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ghesOperations, templateShape } from "../../sandbox/emulator/descriptions.js";
import { createEmulator } from "../../sandbox/emulator/index.js";
import { type Route, routes } from "../../sandbox/emulator/routes/index.js";
import { REPO_ROOT } from "../../sandbox/run-app.js";
import { type CodeOperation, restOperationsOfCode } from "../helpers/code-operations.js";
import {
  findRestOperation,
  ghesVersions,
  type RestDescription,
  restDescription,
  webhookEvents,
} from "../helpers/openapi.js";
import { beforeInstall, CONTRACT_CONFIG, runCli, runStory } from "./story.js";
import { createWorld, type World } from "./world.js";

const operations = restOperationsOfCode().filter((op) => op.path !== "/graphql");
const versions = ghesVersions();
const name = (op: CodeOperation): string => `\`${op.method} ${op.path}\``;
const missingIn = (description: RestDescription): CodeOperation[] =>
  operations.filter((op) => !findRestOperation(op.method, op.path, description));

/** The events the app subscribes to (app.yml `default_events`). */
const subscribed = (
  parse(readFileSync(join(REPO_ROOT, "app.yml"), "utf8")) as { default_events: string[] }
).default_events;
const eventsMissingIn = (description: RestDescription): string[] => {
  const events = webhookEvents(description);
  return subscribed.filter((e) => !events.has(e));
};

/**
 * The README's rows: each GitHub, the REST calls and the subscribed webhook
 * events its descriptions lack (GHES versions that lack the same are one row).
 */
function expectedRows(): string[] {
  const rest = (missing: CodeOperation[]): string =>
    missing.length === 0
      ? "every REST call the app and the CLI make"
      : `all but ${missing.map(name).join(", ")}`;
  const hooks = (missing: string[]): string =>
    missing.length === 0
      ? "every event the app subscribes to"
      : `all but ${missing.map((e) => `\`${e}\``).join(", ")}`;
  const row = (label: string, d: RestDescription): { label: string; text: string } => ({
    label,
    text: `${rest(missingIn(d))} | ${hooks(eventsMissingIn(d))} |`,
  });
  const rows = [row("GitHub.com", "api.github.com"), row("GitHub Enterprise Cloud", "ghec")];
  const ghes = versions.map((v) => ({ v, ...row("", `ghes-${v}`) }));
  for (let i = 0; i < ghes.length; ) {
    let j = i;
    while (j + 1 < ghes.length && ghes[j + 1]?.text === ghes[i]?.text) j++;
    const from = ghes[i]?.v ?? "";
    const to = ghes[j]?.v ?? "";
    rows.push({
      label: `GitHub Enterprise Server ${from === to ? from : `${from}–${to}`}`,
      text: ghes[i]?.text ?? "",
    });
    i = j + 1;
  }
  return rows.map((r) => `| ${r.label} | ${r.text}`);
}

function readmeSection(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("### Supported GitHub versions");
  if (start < 0) return "";
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe("which GitHub the app works with", () => {
  it("reads the REST operations it checks from the code", () => {
    expect(operations.length).toBeGreaterThan(20);
    process.stdout.write(
      `[contract] GHES: ${operations.length} REST operations; by description:\n${operations
        .map(
          (op) =>
            `  ${op.method} ${op.path}: ${[
              "api.github.com",
              "ghec",
              ...versions.map((v) => `ghes-${v}`),
            ]
              .filter((d) => findRestOperation(op.method, op.path, d as RestDescription))
              .join(", ")}`,
        )
        .join("\n")}\n`,
    );
  });

  it("the README's table says, for each GitHub, which of them it has", () => {
    const section = readmeSection();
    expect(section, "README.md needs a '### Supported GitHub versions' section").not.toBe("");
    // Cells compared trimmed: the formatter pads Markdown tables.
    const cells = (line: string): string =>
      line
        .split("|")
        .map((c) => c.trim())
        .join("|");
    const rows = new Set(section.split("\n").map(cells));
    const absent = expectedRows().filter((row) => !rows.has(cells(row)));
    expect(absent, "rows README's 'Supported GitHub versions' table must have").toEqual([]);
    expect(section).toContain(`GHES ≥ ${versions[0]}`);
  });
});

describe("the sandbox as GitHub Enterprise Server", () => {
  // An operation GitHub.com has and the oldest GHES lacks, from the descriptions.
  const oldest = versions[0] ?? "";
  const lacking = (() => {
    const ghes = ghesOperations(oldest);
    const paths = restDescription().paths as Record<string, Record<string, unknown>>;
    for (const [path, item] of Object.entries(paths)) {
      if (
        path.startsWith("/repos/{owner}/{repo}/") &&
        item.get &&
        !ghes.has(`GET ${templateShape(path)}`)
      )
        return path;
    }
    throw new Error(`every GET of api.github.com is in GHES ${oldest}`);
  })();
  const probe: Route = { method: "GET", template: lacking, handler: () => ({ body: {} }) };

  beforeAll(() => {
    routes.unshift(probe);
  });
  afterAll(() => {
    routes.splice(routes.indexOf(probe), 1);
  });

  it.each([
    ["GitHub.com", undefined, 200],
    [`GHES ${oldest}`, oldest, 404],
  ])(`answers an operation GHES ${oldest} lacks, as %s`, async (_as, ghesVersion, status) => {
    const emu = await createEmulator(ghesVersion ? { ghesVersion } : {});
    try {
      emu.state.createRepo("acme/rocket");
      const path = lacking
        .replace(/\{owner\}/, "acme")
        .replace(/\{repo\}/, "rocket")
        .replace(/\{[^}]+\}/g, "1");
      const res = await fetch(`${emu.apiUrl}${path}`);
      expect(res.status).toBe(status);
      const repo = await fetch(`${emu.apiUrl}/repos/acme/rocket`);
      expect(repo.status).toBe(200);
    } finally {
      await emu.close();
    }
  });

  it("refuses a GHES version GitHub publishes no description of", async () => {
    await expect(createEmulator({ ghesVersion: "2.22" })).rejects.toThrow(
      /no description of GHES 2\.22/,
    );
  });
});

/**
 * GHES versions that lack some of the code's operations, one per distinct
 * set (the oldest first): the story runs on each. A version that lacks none
 * answers the story as GitHub.com does, which sandbox.test.ts runs.
 */
function versionsLackingSome(): string[] {
  const seen = new Set<string>();
  return versions.filter((v) => {
    const key = missingIn(`ghes-${v}`).map(name).join();
    if (key === "" || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

it("runs the story on every GHES that lacks one of the app's calls", () => {
  const lacking = versionsLackingSome();
  process.stdout.write(
    `[contract] GHES versions the story runs on (each lacks a REST call of the app): ${lacking.join(", ") || "none"}\n`,
  );
  // Every other version lacks nothing, or exactly what a version the story runs on lacks.
  const key = (v: string): string => missingIn(`ghes-${v}`).map(name).join();
  const uncovered = versions.filter(
    (v) => key(v) !== "" && !lacking.some((run) => key(run) === key(v)),
  );
  expect(uncovered).toEqual([]);
});

describe.each(versionsLackingSome())(
  "the app on GHES %s (the sandbox answering as it)",
  { timeout: 180_000 },
  (version) => {
    let world: World;
    const lacks = missingIn(`ghes-${version}`);

    beforeAll(async () => {
      world = await createWorld({ config: CONTRACT_CONFIG, ghesVersion: version, beforeInstall });
      await runStory(world);
      await runCli(world);
    }, 180_000);
    afterAll(async () => {
      await world?.close();
    });

    it("runs the whole story, and status and explain, without a job error", () => {
      expect(world.errors).toEqual([]);
      expect(world.emu.requestLog.unhandled).toEqual([]);
    });

    it("reports the Phase gate check on every open pull request", () => {
      const open = [...world.gh.repo().issues.values()].filter((i) => i.pull && i.state === "open");
      const unchecked = open.filter((pr) => !world.gh.latestCheck(pr.number)?.conclusion);
      expect(unchecked.map((pr) => `#${pr.number} ${pr.title}`)).toEqual([]);
    });

    it(`carries on where GHES ${version} lacks an operation (each answered 404)`, () => {
      const tried = world.emu.requestLog.entries.filter((e) =>
        lacks.some(
          (op) =>
            e.route === `${op.method} ${templateShape(op.path)}` ||
            templateShape(e.route) === templateShape(`${op.method} ${op.path}`),
        ),
      );
      expect(tried.every((e) => e.status === 404)).toBe(true);
      process.stdout.write(
        `[contract] GHES ${version}: lacks ${lacks.length ? lacks.map(name).join(", ") : "none of the app's REST calls"}; tried ${tried.length} time(s), each 404\n`,
      );
    });
  },
);

describe("GitHub's linked-issue list where GraphQL lacks closingIssuesReferences (an older GHES)", {
  timeout: 120_000,
}, () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld({
      // No project: the only GraphQL the app sends here is the linked-issue read.
      config: CONTRACT_CONFIG.replace("project:\n  number: 1\n", ""),
      ghesVersion: versions[0] ?? "",
      graphqlLacks: ["PullRequest.closingIssuesReferences"],
      keepResponses: true,
    });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  });

  it("falls back to the body's closing keywords, and stops asking", async () => {
    const { gh, settle } = world;
    const walk = await gh.openIssue({ title: "Walk work", milestone: "Walk", by: "lead" });
    const run = await gh.openIssue({ title: "Run work", milestone: "Run", by: "lead" });
    const byKeyword = await gh.openPullRequest({
      title: "By keyword",
      body: `Closes #${walk.number}`,
      by: "contrib",
    });
    const bySidebar = await gh.openPullRequest({ title: "By sidebar", by: "contrib" });
    gh.linkIssue(bySidebar.number, `#${run.number}`);
    await gh.editIssueBody(bySidebar.number, "linked in the sidebar", { by: "contrib" });
    await settle();

    expect(world.errors).toEqual([]);
    // The keyword still counts: a Walk PR waits for the Crawl gate.
    expect(gh.latestCheck(byKeyword.number)?.output.title).toBe("Blocked: Crawl gate pending");
    // The sidebar link is what this GitHub cannot tell: the PR stays in the first phase.
    expect(gh.latestCheck(bySidebar.number)?.conclusion).toBe("success");
    const asked = world.emu.requestLog.entries.filter((e) => e.route.endsWith(" /graphql"));
    expect(asked).toHaveLength(1);
    expect(asked[0]?.status).toBe(200);
    expect(asked[0]?.response?.body).toEqual({
      errors: [
        expect.objectContaining({
          message: "Field 'closingIssuesReferences' doesn't exist on type 'PullRequest'",
          extensions: { code: "undefinedField" },
        }),
      ],
    });
  });
});
