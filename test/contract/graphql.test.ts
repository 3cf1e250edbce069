/**
 * GraphQL against GitHub's schema (@octokit/graphql-schema), offline:
 * every document src/ sends (read from the code by
 * test/helpers/code-operations.ts) is one GitHub would run, and the sandbox
 * refuses, as GitHub does, a document GitHub would not run.
 * For a new query: `expect(validateGraphQL(QUERY)).toEqual([])` (test/helpers/openapi.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { addProjectItem, issueNodeId } from "../../sandbox/emulator/state/projects.js";
import { graphqlDocumentsOfCode } from "../helpers/code-operations.js";
import { validateGraphQL } from "../helpers/openapi.js";

const documents = graphqlDocumentsOfCode();

describe("the GraphQL documents the app and the CLI send", () => {
  it("are read from the code (closing-issues' two queries at least)", () => {
    expect(documents.map((d) => d.site)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^src\/github\/closing-issues\.ts:/)]),
    );
    expect(documents.length).toBeGreaterThanOrEqual(2);
  });

  it.each(documents.map((d) => [`${d.name} (${d.site})`, d.document]))(
    "%s is valid against GitHub's schema",
    (_name, document) => {
      expect(validateGraphQL(document)).toEqual([]);
    },
  );

  it("the check itself catches what GitHub would refuse", () => {
    expect(validateGraphQL("query { viewer { login nope } }")).toEqual([
      "Field 'nope' doesn't exist on type 'User'",
    ]);
    expect(validateGraphQL("query($n: Int!) { viewer { login } }")).toEqual([
      'Variable "$n" is never used.',
    ]);
    expect(validateGraphQL("query { viewer {")).toHaveLength(1);
  });
});

describe("the sandbox's GraphQL API", () => {
  let emu: Emulator;
  /** The app's installation token: GitHub refuses a mutation without one. */
  let token = "";
  const ask = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${emu.url}/api/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `token ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** A value for each variable a document declares, by name (the Projects ids filled in beforeAll). */
  const values: Record<string, unknown> = {
    owner: "acme",
    repo: "rocket",
    number: 1,
    appId: 1,
    cursor: null,
    after: null,
    since: "2020-01-01T00:00:00Z",
  };
  const variablesOf = (document: string) =>
    Object.fromEntries(
      [...(document.split("{")[0] ?? "").matchAll(/\$(\w+)\s*:/g)].map(([, name = ""]) => [
        name,
        values[name],
      ]),
    );

  beforeAll(async () => {
    emu = await createEmulator();
    const repo = emu.state.createRepo("acme/rocket");
    token = emu.state.issueTokenFor(
      emu.state.install(["acme/rocket"], emu.state.user("acme")).id,
    ).token;
    const pull = emu.state.createPull(
      repo,
      { title: "Work", body: "Closes #2", labels: [], milestone: null, files: {} },
      emu.state.user("dev"),
    );
    emu.state.createIssue(
      repo,
      { title: "Issue", body: null, labels: [], milestone: null },
      emu.state.user("dev"),
    );
    const project = emu.state.createProject("acme");
    const status = project.fields.find((f) => f.name === "Status");
    const contentId = issueNodeId(pull);
    const item = addProjectItem(emu.state, project, contentId, emu.state.user("dev"));
    Object.assign(values, {
      projectId: project.id,
      contentId,
      itemId: item.id,
      fieldId: status?.id,
      optionId: status?.options?.[0]?.id,
      input: {
        projectId: project.id,
        name: "Phase",
        dataType: "SINGLE_SELECT",
        singleSelectOptions: [{ name: "Crawl", color: "GRAY", description: "" }],
      },
    });
  });
  afterAll(async () => {
    await emu.close();
  });

  it.each(documents.map((d) => [`${d.name} (${d.site})`, d.document]))(
    "answers %s with data",
    async (_name, document) => {
      const { status, body } = await ask(document, variablesOf(document));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data).toBeDefined();
    },
  );

  it.each([
    [
      "a field GitHub lacks",
      `query($owner: String!, $repo: String!) { repository(owner: $owner, name: $repo) { closingIssuesReferences { totalCount } } }`,
      { owner: "acme", repo: "rocket" },
      "Field 'closingIssuesReferences' doesn't exist on type 'Repository'",
    ],
    [
      "a required variable left out",
      `query($owner: String!, $repo: String!, $number: Int!) { repository(owner: $owner, name: $repo) { pullRequest(number: $number) { closingIssuesReferences(first: 5) { nodes { number } } } } }`,
      { owner: "acme", repo: "rocket" },
      "Variable $number of type Int! was provided invalid value",
    ],
    ["a syntax error", "query { repository(", {}, "Syntax Error"],
  ])(
    "refuses %s with 200 and errors[], as GitHub does",
    async (_what, query, variables, message) => {
      const { status, body } = await ask(query, variables);
      expect(status).toBe(200);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([
        expect.objectContaining({ message: expect.stringContaining(message) }),
      ]);
    },
  );
});
