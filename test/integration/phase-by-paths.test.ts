import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import {
  assertAllCalled,
  createTestApp,
  githubScope,
  REPO_PATH,
  replyConfig,
} from "../helpers/app.js";
import {
  type CheckBody,
  expectCreate,
  OPEN_GATES,
  replyCommits,
  replyGate,
  replyNoCheckYet,
} from "../helpers/replies.js";
import { API, mergeGroupEvent, pullObject, pullRequestEvent } from "../helpers/webhooks.js";

const PATHS_CONFIG = [
  "phases:",
  "  - { id: crawl, gate: {} }",
  "  - { id: walk, gate: {} }",
  "  - id: run",
  '    paths: ["infra/prod/**", "!infra/prod/docs/**"]',
  "",
].join("\n");
const { crawl: CRAWL_GATE, walk: WALK_GATE } = OPEN_GATES;
const PR = { number: 10, headSha: "paths-sha" };

interface FileSpec {
  filename: string;
  previous_filename?: string;
}

/**
 * `GET /pulls/10/files`, every page of 100 as GitHub serves them (each with
 * its Link header to the next), in GitHub's diff-entry shape.
 */
function replyFilePages(scope: nock.Scope, files: (string | FileSpec)[]): void {
  const entries = files.map((f, i) => {
    const spec = typeof f === "string" ? { filename: f } : f;
    return {
      sha: `f${i}`,
      status: spec.previous_filename ? "renamed" : "modified",
      additions: 1,
      deletions: 0,
      changes: 1,
      blob_url: `https://github.com/acme/rocket/blob/paths-sha/${spec.filename}`,
      raw_url: `https://github.com/acme/rocket/raw/paths-sha/${spec.filename}`,
      contents_url: `${API}${REPO_PATH}/contents/${spec.filename}?ref=paths-sha`,
      ...spec,
    };
  });
  const pages = Math.max(1, Math.ceil(entries.length / 100));
  for (let page = 1; page <= pages; page++) {
    const next =
      page < pages
        ? {
            link: `<${API}${REPO_PATH}/pulls/10/files?per_page=100&page=${page + 1}>; rel="next", <${API}${REPO_PATH}/pulls/10/files?per_page=100&page=${pages}>; rel="last"`,
          }
        : {};
    scope
      .get(`${REPO_PATH}/pulls/10/files`)
      .query(page === 1 ? { per_page: "100" } : { per_page: "100", page: String(page) })
      .reply(200, entries.slice((page - 1) * 100, page * 100), next);
  }
}

const filler = (n: number) => Array.from({ length: n }, (_, i) => `src/module/file${i}.ts`);

afterEach(() => assertAllCalled());

/** A new PR's first check: config, files, its run, the gates before its phase. */
async function openedCheck(
  files: (string | FileSpec)[],
  options: { gates: boolean; more?: (scope: nock.Scope) => void },
) {
  const app = await createTestApp();
  const created: CheckBody[] = [];
  const scope = githubScope();
  replyConfig(scope, PATHS_CONFIG);
  replyNoCheckYet(scope, PR.headSha);
  replyFilePages(scope, files);
  options.more?.(scope);
  if (options.gates) {
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
  }
  expectCreate(scope, PR.headSha, created);
  const calls: string[] = [];
  scope.on("request", (req: { method: string; path: string }) =>
    calls.push(`${req.method} ${req.path}`),
  );
  await app.receive("pull_request", pullRequestEvent("opened", PR));
  expect(app.errors).toEqual([]);
  return { app, check: created[0], calls };
}

describe("phase by paths: the PR's files, read once per head", () => {
  it("reads every page once, for the phase and the config check alike, and blocks a Run PR", async () => {
    const { check, calls } = await openedCheck([...filler(230), "infra/prod/db.tf"], {
      gates: true,
    });
    expect(calls.filter((c) => c.includes("/files"))).toEqual([
      "GET /repos/acme/rocket/pulls/10/files?per_page=100",
      "GET /repos/acme/rocket/pulls/10/files?per_page=100&page=2",
      "GET /repos/acme/rocket/pulls/10/files?per_page=100&page=3",
    ]);
    expect(check?.conclusion).toBe("failure");
    expect(check?.output.title).toBe("Blocked: Walk gate pending");
    expect(check?.output.summary).toContain("- `infra/prod/db.tf` (pattern `infra/prod/**`)");
    // The floor remembers claims only: files are read again for every head.
    expect(check?.external_id).toBe("phase-gates:floor=");
  });

  it("asks nothing more on the next event of the same head: the files are in the store", async () => {
    const { app } = await openedCheck(["infra/prod/db.tf"], { gates: true });
    assertAllCalled();
    const unmatched: string[] = [];
    const listen = (req: { method: string; path: string }) =>
      unmatched.push(`${req.method} ${req.path}`);
    nock.emitter.on("no match", listen);
    // Each job reads the config and the gates afresh here (no revalidation window in this app).
    const scope = nock(API);
    replyConfig(scope, PATHS_CONFIG);
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    try {
      const labeled = pullRequestEvent("labeled", { ...PR, labels: ["documentation"] });
      (labeled.pull_request as Record<string, unknown>).updated_at = "2030-01-01T00:00:00Z";
      await app.receive("pull_request", labeled);
    } finally {
      nock.emitter.off("no match", listen);
    }
    expect(unmatched).toEqual([]);
    expect(app.errors).toEqual([]);
  });

  it("a rename away from infra/prod counts by its old name", async () => {
    const { check } = await openedCheck(
      [{ filename: "docs/db.tf", previous_filename: "infra/prod/db.tf" }],
      { gates: true },
    );
    expect(check?.output.title).toBe("Blocked: Walk gate pending");
    expect(check?.output.summary).toContain("`infra/prod/db.tf` (pattern `infra/prod/**`)");
  });

  it("files outside the paths leave the PR unphased (no gate read)", async () => {
    const { check } = await openedCheck(["infra/prod/docs/runbook.md", "README.md"], {
      gates: false,
    });
    expect(check?.conclusion).toBe("success");
    expect(check?.output.title).toBe("No phase");
  });

  it("3,000 files listed of 3,412 changed: held in Run, and the check says why", async () => {
    const { check, calls } = await openedCheck(filler(3000), {
      gates: true,
      more: (scope) =>
        // the list stopped at GitHub's cap: the PR's own count says whether it is all
        scope.get(`${REPO_PATH}/pulls/10`).reply(200, { ...pullObject(PR), changed_files: 3412 }),
    });
    expect(calls.filter((c) => c.includes("/files"))).toHaveLength(30);
    expect(check?.conclusion).toBe("failure");
    expect(check?.output.summary).toContain(
      "GitHub lists at most 3,000 changed files; this pull request changes 3,412",
    );
  });

  it("the merge queue sees the phase the files give", async () => {
    const app = await createTestApp();
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, PATHS_CONFIG);
    scope.get(`${REPO_PATH}/pulls/10`).reply(200, pullObject(PR));
    replyNoCheckYet(scope, PR.headSha); // the queued PR's own run: its phase floor
    replyCommits(scope, 10, [PR.headSha]); // no earlier commit to inherit it from
    replyFilePages(scope, ["infra/prod/db.tf"]); // the queued PR's files: its phase by paths
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    replyNoCheckYet(scope, "group-sha");
    expectCreate(scope, "group-sha", created);
    await app.receive("merge_group", mergeGroupEvent(10, "group-sha"));
    expect(app.errors).toEqual([]);
    expect(created[0]?.output.title).toBe("Blocked: Walk gate pending");
  });
});

describe("phase by paths: a file list GitHub will not give", () => {
  it("fails closed: held in the latest phase with paths, and asked again next time", async () => {
    const app = await createTestApp();
    const created: CheckBody[] = [];
    const scope = githubScope();
    replyConfig(scope, PATHS_CONFIG);
    replyNoCheckYet(scope, PR.headSha);
    // the files of the head, refused: nothing is kept, so the config check asks once more
    scope
      .get(`${REPO_PATH}/pulls/10/files`)
      .query({ per_page: "100" })
      .reply(403, { message: "Resource not accessible by integration" });
    scope
      .get(`${REPO_PATH}/pulls/10/files`)
      .query({ per_page: "100" })
      .reply(403, { message: "Resource not accessible by integration" });
    replyGate(scope, "gate: crawl", CRAWL_GATE);
    replyGate(scope, "gate: walk", WALK_GATE);
    expectCreate(scope, PR.headSha, created);
    await app.receive("pull_request", pullRequestEvent("opened", PR));
    expect(app.errors).toEqual([]);
    expect(created[0]?.output.title).toBe("Blocked: Walk gate pending");
    expect(created[0]?.output.summary).toContain(
      "GitHub did not list this pull request's changed files",
    );
  });
});
