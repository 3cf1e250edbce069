import nock from "nock";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { type AppSettings, RepoJob } from "../../src/app/jobs/repo-job.js";
import { PROJECT_STATUS, syncProjectItems } from "../../src/app/recipes/project-sync.js";
import { LinkIndex } from "../../src/app/shared/link-index.js";
import { parseConfigText } from "../../src/config/parse-config.js";
import type { Config } from "../../src/config/schema.js";
import type { GitHub } from "../../src/github/octokit.js";
import { MemoryStateStore } from "../../src/state/memory-store.js";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  replyConfig,
  replyFiles,
} from "../helpers/app.js";
import { type CheckBody, expectCreate, replyGate, replyNoCheckYet } from "../helpers/replies.js";
import {
  API,
  issueEvent,
  issueObject,
  OWNER,
  pullRequestEvent,
  REPO,
} from "../helpers/webhooks.js";

// SPEC §5 "Projects" against GitHub's GraphQL as nock plays it: every
// operation the app sends, the errors GitHub answers, and a steady state that
// asks nothing.

const CONFIG = "project:\n  number: 7\n";
const RUN_PR = { number: 10, labels: ["phase: run"], headSha: "run-sha" };
const GATE = (n: number, label: string) => ({
  number: n,
  title: label,
  labels: [label],
  body: "- [x] Feasibility shown with evidence",
});

type GraphqlBody = { query: string; variables: Record<string, unknown> };
const asks = (text: string) => (b: GraphqlBody) => b.query.includes(text);

const single = (id: string, name: string, options: string[]) => ({
  id,
  name,
  dataType: "SINGLE_SELECT",
  options: options.map((o, i) => ({ id: `${id}-${i}`, name: o })),
});

/** `organization.projectV2`: the project and its fields. */
function replyProject(scope: nock.Scope, fields: unknown[]) {
  return scope
    .post("/graphql", (b: GraphqlBody) => asks("projectV2(")(b) && b.variables.number === 7)
    .reply(200, {
      data: {
        organization: { projectV2: { id: "PVT_1", title: "Launch", fields: { nodes: fields } } },
      },
    });
}

/** `addProjectV2ItemById` for `contentId`, then `updateProjectV2ItemFieldValue` on field F1 with `optionId`. */
function replyAddAndSet(scope: nock.Scope, contentId: string, itemId: string, optionId: string) {
  scope
    .post(
      "/graphql",
      (b: GraphqlBody) => asks("addProjectV2ItemById")(b) && b.variables.contentId === contentId,
    )
    .reply(200, { data: { addProjectV2ItemById: { item: { id: itemId } } } });
  scope
    .post(
      "/graphql",
      (b: GraphqlBody) =>
        asks("updateProjectV2ItemFieldValue")(b) &&
        b.variables.itemId === itemId &&
        b.variables.fieldId === "F1" &&
        b.variables.optionId === optionId,
    )
    .reply(200, { data: { updateProjectV2ItemFieldValue: { projectV2Item: { id: itemId } } } });
}

afterEach(() => assertAllCalled());

/** The check of RUN_PR opened (both gates pending), and the project read with no field of the app's yet. */
function replyRunPrCheckedInBareProject(scope: nock.Scope, created: CheckBody[]): void {
  replyConfig(scope, CONFIG);
  replyNoCheckYet(scope, "run-sha");
  replyGate(scope, "gate: crawl", GATE(1, "gate: crawl"));
  replyGate(scope, "gate: walk", GATE(2, "gate: walk"));
  replyFiles(scope, 10);
  expectCreate(scope, "run-sha", created);
  replyProject(scope, [{ id: "F0", name: "Title", dataType: "TITLE" }]);
}

describe("a PR's item in the organisation's project", () => {
  it("uses the fields another repository's job created meanwhile (GitHub: name already taken)", async () => {
    const app = await createTestApp({ revalidateMs: 60_000 });
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyRunPrCheckedInBareProject(scope, created);
    const both = [
      single("F1", "Phase", ["Crawl", "Walk", "Run"]),
      single("F2", "Gate", ["Pending", "Approved", "Stopped"]),
    ];
    // Each create is refused (the other job was first); the project read again has the field.
    for (let i = 0; i < 2; i++) {
      scope
        .post("/graphql", asks("createProjectV2Field"))
        .reply(200, { errors: [{ message: "Name has already been taken" }] });
      replyProject(scope, both);
    }
    replyAddAndSet(scope, "PR_10", "PVTI_10", "F1-2");

    const opened = pullRequestEvent("opened", RUN_PR);
    (opened.pull_request as Record<string, unknown>).node_id = "PR_10";
    await app.receive("pull_request", opened);
    expect(created[0]?.output.title).toBe("Blocked: Walk gate pending");
    assertAllCalled();
  });

  it("creates the fields, adds the PR with its phase, and a later event asks nothing of the project", async () => {
    const app = await createTestApp({ revalidateMs: 60_000 });
    const created: CheckBody[] = [];
    const sent: GraphqlBody[] = [];
    const scope = githubScope();
    replyRunPrCheckedInBareProject(scope, created);
    // createProjectV2Field, twice: Phase, then Gate
    scope
      .post("/graphql", (b: GraphqlBody) => asks("createProjectV2Field")(b) && !!sent.push(b))
      .reply(200, {
        data: {
          createProjectV2Field: { projectV2Field: single("F1", "Phase", ["Crawl", "Walk", "Run"]) },
        },
      });
    scope
      .post("/graphql", (b: GraphqlBody) => asks("createProjectV2Field")(b) && !!sent.push(b))
      .reply(200, {
        data: {
          createProjectV2Field: {
            projectV2Field: single("F2", "Gate", ["Pending", "Approved", "Stopped"]),
          },
        },
      });
    // no query for the PR's node id: the payload carries it
    replyAddAndSet(scope, "PR_10", "PVTI_10", "F1-2");

    const opened = pullRequestEvent("opened", RUN_PR);
    (opened.pull_request as Record<string, unknown>).node_id = "PR_10";
    await app.receive("pull_request", opened);
    expect(created[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(sent.map((b) => (b.variables.input as { name: string }).name)).toEqual([
      "Phase",
      "Gate",
    ]);
    const phaseInput = sent[0]?.variables.input as
      | { singleSelectOptions: { name: string; color: string }[] }
      | undefined;
    expect(phaseInput?.singleSelectOptions).toMatchObject([
      { name: "Crawl", color: "BLUE" },
      { name: "Walk", color: "GREEN" },
      { name: "Run", color: "PURPLE" },
    ]);
    assertAllCalled();

    const calls: string[] = [];
    const listen = (req: { method: string; path: string }) =>
      calls.push(`${req.method} ${req.path}`);
    nock.emitter.on("no match", listen);
    try {
      const labeled = pullRequestEvent("labeled", { ...RUN_PR, labels: ["phase: run", "docs"] });
      (labeled.pull_request as Record<string, unknown>).updated_at = "2030-01-01T00:00:00Z";
      await app.receive("pull_request", labeled);
    } finally {
      nock.emitter.off("no match", listen);
    }
    expect(calls.filter((c) => c.includes("/graphql") || c.includes("/issues/5"))).toEqual([]);
  });
});

function jobOn(store: MemoryStateStore): RepoJob {
  const octokit = new ProbotOctokit({
    auth: { token: "ghs_test" },
    baseUrl: API,
    retry: { enabled: false },
    throttle: { enabled: false },
  }) as unknown as GitHub;
  const settings: AppSettings = { appId: 1, appLogin: "phase-gates[bot]" };
  return new RepoJob(
    octokit,
    { owner: OWNER, repo: REPO },
    pino({ level: "silent" }),
    settings,
    "d",
    {
      installationId: 4242,
      receivedAt: Date.now(),
      store,
      links: new LinkIndex(),
      enqueue: () => Promise.resolve(),
    },
  );
}

function configOf(text: string): Config {
  const parsed = parseConfigText({ path: ".github/phase-gates.yml", text });
  if (!parsed.ok) throw new Error("bad config");
  return parsed.config;
}

const ITEM = [{ ref: { owner: OWNER, repo: REPO, number: 10 }, desired: { phase: "Run" } }];

describe("what GitHub refuses, as the dashboard and doctor say it", () => {
  it.each<[string, number, nock.Body, RegExp]>([
    [
      "FORBIDDEN: the installation lacks organization_projects",
      200,
      {
        data: { organization: { projectV2: null } },
        errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }],
      },
      /Projects: read and write/,
    ],
    [
      "INSUFFICIENT_SCOPES",
      200,
      {
        data: null,
        errors: [
          {
            type: "INSUFFICIENT_SCOPES",
            message: "Your token has not been granted the required scopes",
          },
        ],
      },
      /Projects: read and write/,
    ],
    [
      "NOT_FOUND: a user's login, not an organisation",
      200,
      {
        data: { organization: null },
        errors: [
          {
            type: "NOT_FOUND",
            message: "Could not resolve to an Organization with the login of 'acme'.",
          },
        ],
      },
      /only organisation-owned projects/,
    ],
    [
      "NOT_FOUND: no project with that number",
      200,
      {
        data: { organization: { projectV2: null } },
        errors: [
          { type: "NOT_FOUND", message: "Could not resolve to a ProjectV2 with the number 7." },
        ],
      },
      /project 7 does not exist in acme/,
    ],
    ["a 403 without GraphQL errors", 403, { message: "Forbidden" }, /Projects: read and write/],
  ])("%s: reported, nothing written, nothing thrown", async (_, status, body, problem) => {
    const store = new MemoryStateStore();
    nock(API).post("/graphql", asks("projectV2(")).reply(status, body);
    const result = await syncProjectItems(jobOn(store), configOf(CONFIG), ITEM);
    expect(result?.written).toBe(0);
    expect(result?.problems.map((p) => p.message)).toEqual([expect.stringMatching(problem)]);
    expect(
      (await store.get(PROJECT_STATUS, `${OWNER}/${REPO}`.toLowerCase()))?.problems,
    ).toHaveLength(1);
  });

  it("an existing field without a phase's option: the others are still set, the missing one is reported", async () => {
    const store = new MemoryStateStore();
    const scope = nock(API);
    replyProject(scope, [
      single("F1", "Phase", ["Crawl", "Walk"]),
      single("F2", "Gate", ["Pending", "Approved", "Stopped"]),
    ]);
    const walk = [{ ref: { owner: OWNER, repo: REPO, number: 11 }, desired: { phase: "Walk" } }];
    scope
      .post("/graphql", asks("issueOrPullRequest("))
      .twice()
      .reply(200, { data: { repository: { issueOrPullRequest: { id: "I_x" } } } });
    scope
      .post("/graphql", asks("addProjectV2ItemById"))
      .twice()
      .reply(200, { data: { addProjectV2ItemById: { item: { id: "PVTI_x" } } } });
    scope
      .post(
        "/graphql",
        (b: GraphqlBody) =>
          asks("updateProjectV2ItemFieldValue")(b) && b.variables.optionId === "F1-1",
      )
      .reply(200, { data: { updateProjectV2ItemFieldValue: { projectV2Item: { id: "PVTI_x" } } } });
    const result = await syncProjectItems(jobOn(store), configOf(CONFIG), [...ITEM, ...walk]);
    expect(result?.problems.map((p) => p.kind)).toEqual(["missing-options"]);
    expect(result?.problems[0]?.message).toContain('no option "Run"');
  });

  it("a first sync with the node ids known (payloads, REST lists) asks no content query; the next asks nothing", async () => {
    const store = new MemoryStateStore();
    const scope = nock(API);
    const sent: GraphqlBody[] = [];
    replyProject(scope, [
      single("F1", "Phase", ["Crawl", "Walk", "Run"]),
      single("F2", "Gate", ["Pending", "Approved", "Stopped"]),
    ]);
    scope
      .post("/graphql", (b: GraphqlBody) => asks("addProjectV2ItemById")(b) && !!sent.push(b))
      .twice()
      .reply(200, (_uri, body) => ({
        data: {
          addProjectV2ItemById: {
            item: { id: `PVTI_${(body as GraphqlBody).variables.contentId}` },
          },
        },
      }));
    scope
      .post("/graphql", asks("updateProjectV2ItemFieldValue"))
      .twice()
      .reply(200, { data: { updateProjectV2ItemFieldValue: { projectV2Item: { id: "x" } } } });
    const items = [10, 11].map((number) => ({
      ref: { owner: OWNER, repo: REPO, number },
      desired: { phase: "Run" },
      nodeId: `I_${number}`,
    }));
    const result = await syncProjectItems(jobOn(store), configOf(CONFIG), items);
    expect(result?.written).toBe(2);
    expect(sent.map((b) => b.variables.contentId)).toEqual(["I_10", "I_11"]);
    scope.done();
    // Steady state: the store knows the items; nock would refuse any request.
    expect((await syncProjectItems(jobOn(store), configOf(CONFIG), items))?.written).toBe(0);
  });

  it("no project configured: no request", async () => {
    expect(await syncProjectItems(jobOn(new MemoryStateStore()), configOf(""), ITEM)).toBeNull();
  });
});

describe("projects_v2_item.edited: a person's change is put back, the app's own is not answered", () => {
  const edited = (sender: { login: string; type: string }, itemId: string) => ({
    action: "edited",
    installation: { id: 4242 },
    organization: { login: OWNER },
    sender,
    projects_v2_item: {
      id: 1,
      node_id: itemId,
      project_node_id: "PVT_1",
      content_node_id: "PR_10",
    },
    changes: { field_value: { field_node_id: "F1", field_type: "single_select" } },
  });

  it.each([
    ["the app's own write", { login: "phase-gates[bot]", type: "Bot" }, "PVTI_10"],
    ["an item the app does not keep", { login: "lead", type: "User" }, "PVTI_unknown"],
  ])("%s: no request", async (_, sender, itemId) => {
    const app = await createTestApp();
    const calls: string[] = [];
    const listen = (req: { method: string; path: string }) =>
      calls.push(`${req.method} ${req.path}`);
    nock.emitter.on("no match", listen);
    try {
      await app.receive("projects_v2_item", edited(sender, itemId));
    } finally {
      nock.emitter.off("no match", listen);
    }
    expect(calls.filter((c) => !c.includes("access_tokens"))).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});

describe("an issue that inherits its parent's phase (parentIssues)", () => {
  it("is in the project at its parent's phase; the next event on it reads nothing", async () => {
    const app = await createTestApp({ revalidateMs: 60_000 });
    const scope = githubScope();
    replyConfig(scope, `${CONFIG}parentIssues: true\n`);
    // the parent the payload names, read once: it is in Run
    scope
      .get(`/repos/${OWNER}/${REPO}/issues/5`)
      .reply(200, { ...issueObject({ number: 5, labels: ["phase: run"] }) });
    replyProject(scope, [
      single("F1", "Phase", ["Crawl", "Walk", "Run"]),
      single("F2", "Gate", ["Pending", "Approved", "Stopped"]),
    ]);
    replyAddAndSet(scope, "I_12", "PVTI_12", "F1-2");
    const task = (action: string) => {
      const event = issueEvent(action, { number: 12, labels: ["docs"] }, { label: "docs" });
      Object.assign(event.issue as Record<string, unknown>, {
        node_id: "I_12",
        parent_issue_url: `${API}/repos/${OWNER}/${REPO}/issues/5`,
      });
      return event;
    };
    await app.receive("issues", task("opened"));
    assertAllCalled();
    // labelled again (not a phase): the ancestry and the item are in the store; no project
    // or parent read (the PRs that close it are looked for as ever: not the project's)
    const calls: string[] = [];
    const listen = (req: { method: string; path: string }) =>
      calls.push(`${req.method} ${req.path}`);
    nock.emitter.on("no match", listen);
    try {
      await app.receive("issues", task("labeled"));
    } finally {
      nock.emitter.off("no match", listen);
    }
    expect(calls.filter((c) => c.includes("/graphql") || c.includes("/issues/5"))).toEqual([]);
  });
});
