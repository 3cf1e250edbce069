import nock from "nock";
import { pino } from "pino";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RepoJob } from "../../src/app/jobs/repo-job.js";
import { syncLabelsAndMilestones } from "../../src/app/recipes/phase-labels.js";
import { desiredLabels } from "../../src/core/plan-labels.js";
import { ensureLabels } from "../../src/github/labels.js";
import { ensureMilestones } from "../../src/github/milestones.js";
import { REPO_PATH, replyConfig } from "../helpers/app.js";
import { API, APP_ID, milestone, OWNER, REPO } from "../helpers/webhooks.js";
import { defaultConfig } from "../unit/core/helpers.js";

const repo = { owner: OWNER, repo: REPO };
const LABELS_QUERY = { per_page: "100" };
const MILESTONES_QUERY = { state: "all", per_page: "100" };

function octokit() {
  return new ProbotOctokit({
    auth: { token: "t" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

interface LabelJson {
  name: string;
  color: string;
  description: string | null;
}

const labelJson = (l: LabelJson, i: number) => ({
  id: 100 + i,
  node_id: `LA_${i}`,
  url: `${API}${REPO_PATH}/labels/${encodeURIComponent(l.name)}`,
  default: false,
  ...l,
});

/** The repository's labels exactly as a finished sync leaves them (as GitHub lists them). */
const SYNCED_LABELS = desiredLabels(defaultConfig).map(labelJson);

/** Every write this file's scopes saw, so a test can say "nothing was written". */
let writes: string[] = [];
beforeEach(() => {
  writes = [];
  nock.emitter.on("no match", (req: { method?: string; path?: string }) => {
    writes.push(`${req.method} ${req.path}`);
  });
});
afterEach(() => {
  nock.emitter.removeAllListeners("no match");
  const pending = nock.pendingMocks();
  nock.cleanAll(); // so one failure does not spill into the next test
  expect(pending).toEqual([]);
});

describe("ensureLabels", () => {
  it("creates every label on a fresh repository, reading the label list once across pages", async () => {
    const created: LabelJson[] = [];
    const bug = { name: "bug", color: "d73a4a", description: "Something isn't working" };
    nock(API)
      // GET labels, page 1 of 2 (GitHub's default labels)
      .get(`${REPO_PATH}/labels`)
      .query(LABELS_QUERY)
      .reply(200, [labelJson(bug, 0)], {
        link: `<${API}${REPO_PATH}/labels?per_page=100&page=2>; rel="next"`,
      })
      // GET labels, page 2 of 2
      .get(`${REPO_PATH}/labels`)
      .query({ ...LABELS_QUERY, page: "2" })
      .reply(200, [labelJson({ name: "enhancement", color: "a2eeef", description: null }, 1)])
      // POST a label, once per missing label
      .post(`${REPO_PATH}/labels`, (body: LabelJson) => {
        created.push(body);
        return true;
      })
      .times(7)
      .reply(201, (_uri, body) => labelJson(body as LabelJson, 9));

    const result = await ensureLabels(octokit(), repo, defaultConfig);

    expect(result.updated).toEqual([]);
    expect(result.created).toEqual([
      "phase: crawl",
      "phase: walk",
      "phase: run",
      "gate: crawl",
      "gate: walk",
      "gate: approved",
      "gate: stopped",
    ]);
    expect(created).toContainEqual({
      name: "phase: walk",
      color: "1d76db",
      description: "Phase: Walk — proves value",
    });
    expect(created).toContainEqual({
      name: "gate: approved",
      color: "0e8a16",
      description: "Gate decision: approved (display only; state comes from the issue)",
    });
    expect(created.map((c) => c.name)).toEqual(result.created);
  });

  it("writes nothing on a second run over the synced state (no POST, no PATCH)", async () => {
    nock(API)
      // GET labels: everything already as configured, one in the person's casing
      .get(`${REPO_PATH}/labels`)
      .query(LABELS_QUERY)
      .reply(200, [
        ...SYNCED_LABELS.map((l) => (l.name === "phase: run" ? { ...l, name: "Phase: Run" } : l)),
        labelJson({ name: "phase: someday", color: "ffffff", description: "a person's label" }, 50),
      ]);

    const result = await ensureLabels(octokit(), repo, defaultConfig);

    expect(result).toEqual({ created: [], updated: [] });
    expect(writes).toEqual([]);
  });

  it("repairs colour and description drift with one PATCH each, keeping the person's spelling", async () => {
    const drifted = SYNCED_LABELS.map((l) =>
      l.name === "phase: walk"
        ? { ...l, name: "Phase: Walk", color: "ff0000" }
        : l.name === "gate: stopped"
          ? { ...l, description: "no" }
          : l,
    );
    nock(API)
      // GET labels: two drifted, one of them spelled by a person
      .get(`${REPO_PATH}/labels`)
      .query(LABELS_QUERY)
      .reply(200, drifted)
      // PATCH "Phase: Walk" by its current name, colour repaired, no new_name
      .patch(`${REPO_PATH}/labels/Phase%3A%20Walk`, {
        color: "1d76db",
        description: "Phase: Walk — proves value",
      })
      .reply(200, {})
      // PATCH "gate: stopped": description repaired
      .patch(`${REPO_PATH}/labels/gate%3A%20stopped`, {
        color: "b60205",
        description: "Gate decision: stopped (display only; state comes from the issue)",
      })
      .reply(200, {});

    const result = await ensureLabels(octokit(), repo, defaultConfig);

    expect(result).toEqual({ created: [], updated: ["Phase: Walk", "gate: stopped"] });
  });

  it("takes a label created by someone else since the read (422 already_exists) as done", async () => {
    nock(API)
      .get(`${REPO_PATH}/labels`)
      .query(LABELS_QUERY)
      .reply(
        200,
        SYNCED_LABELS.filter((l) => l.name !== "phase: run"),
      )
      // POST phase: run → it exists by now
      .post(`${REPO_PATH}/labels`, {
        name: "phase: run",
        color: "5319e7",
        description: "Phase: Run — scales what was proven",
      })
      .reply(422, {
        message: "Validation Failed",
        errors: [{ resource: "Label", code: "already_exists", field: "name" }],
      });

    expect(await ensureLabels(octokit(), repo, defaultConfig)).toEqual({
      created: [],
      updated: [],
    });
  });
});

describe("ensureMilestones", () => {
  it("creates the missing phase milestones, open, described; reads open and closed once", async () => {
    const created: unknown[] = [];
    nock(API)
      // GET milestones, open and closed: Crawl exists (closed), Walk and Run are missing
      .get(`${REPO_PATH}/milestones`)
      .query(MILESTONES_QUERY)
      .reply(200, [{ ...milestone("Crawl", 1), state: "closed" }, milestone("v1.0", 2)])
      // POST a milestone, for Walk and for Run
      .post(`${REPO_PATH}/milestones`, (body) => {
        created.push(body);
        return true;
      })
      .times(2)
      .reply(201, (_uri, body) => ({ ...milestone((body as { title: string }).title, 9) }));

    const result = await ensureMilestones(octokit(), repo, defaultConfig);

    expect(result).toEqual({ created: ["Walk", "Run"] });
    expect(created).toEqual([
      {
        title: "Walk",
        state: "open",
        description:
          "Phase: Walk — proves value. Issues and PRs in this milestone get the `phase: walk` label.",
      },
      {
        title: "Run",
        state: "open",
        description:
          "Phase: Run — scales what was proven. Issues and PRs in this milestone get the `phase: run` label.",
      },
    ]);
  });

  it("writes nothing on a second run (a differently cased, closed or due-dated milestone counts)", async () => {
    nock(API)
      .get(`${REPO_PATH}/milestones`)
      .query(MILESTONES_QUERY)
      .reply(200, [
        { ...milestone("crawl", 1), state: "closed" },
        { ...milestone("Walk", 2), due_on: "2026-12-01T08:00:00Z", description: "our own words" },
        milestone("Run", 3),
      ]);

    expect(await ensureMilestones(octokit(), repo, defaultConfig)).toEqual({ created: [] });
    expect(writes).toEqual([]);
  });
});

describe("syncLabelsAndMilestones (installation, config push)", () => {
  const job = () =>
    new RepoJob(
      octokit(),
      repo,
      pino({ level: "silent" }),
      { appId: APP_ID, appLogin: "phase-gates[bot]" },
      "delivery-1",
    );

  it("a second full sync on a synced repository reads config, labels and milestones and writes nothing", async () => {
    const scope = nock(API);
    replyConfig(scope, "# defaults\n");
    scope
      .get(`${REPO_PATH}/labels`)
      .query(LABELS_QUERY)
      .reply(200, SYNCED_LABELS)
      .get(`${REPO_PATH}/milestones`)
      .query(MILESTONES_QUERY)
      .reply(200, [milestone("Crawl", 1), milestone("Walk", 2), milestone("Run", 3)]);

    const result = await syncLabelsAndMilestones(job());

    expect(result).toEqual({
      labels: { created: [], updated: [] },
      milestones: { created: [] },
    });
    expect(writes).toEqual([]);
  });

  it("skips each part its sync flag turns off", async () => {
    const scope = nock(API);
    replyConfig(scope, "sync:\n  labels: false\n  milestones: false\n");

    expect(await syncLabelsAndMilestones(job())).toEqual({ labels: null, milestones: null });
  });

  it.each([
    ["no config", null],
    ["an invalid config", "phases: 3\n"],
  ])("does nothing with %s", async (_name, text) => {
    replyConfig(nock(API), text);

    expect(await syncLabelsAndMilestones(job())).toEqual({ labels: null, milestones: null });
    expect(writes).toEqual([]);
  });
});
