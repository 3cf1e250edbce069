import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActors } from "../../../sandbox/actors.js";
import { createEmulator, type Emulator } from "../../../sandbox/emulator/index.js";

// What `phase-gates audit` reads from the sandbox, shaped as GitHub answers it:
// a merge (PUT …/merge), the merged PR, its `merged` event, an organisation's repositories.

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator();
});
afterAll(async () => {
  await emu?.close();
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.apiUrl}${path}`, {
    method,
    headers: { authorization: "token user:lead", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
};

describe("merging a pull request, as GitHub records it", () => {
  it("PUT …/merge merges once (405 after), the PR shows who and when, and the issue events say merged then closed", async () => {
    const gh = createActors(emu, { repo: "acme/merge" });
    gh.repo();
    gh.addCollaborator("lead", "admin");
    const pr = await gh.openPullRequest({ title: "Ship", by: "lead" });
    const merged = await call("PUT", `/repos/acme/merge/pulls/${pr.number}/merge`, {});
    expect(merged).toMatchObject({
      status: 200,
      body: { merged: true, sha: expect.stringMatching(/^[0-9a-f]{40}$/) },
    });
    expect((await call("PUT", `/repos/acme/merge/pulls/${pr.number}/merge`, {})).status).toBe(405);

    const got = await call("GET", `/repos/acme/merge/pulls/${pr.number}`);
    expect(got.body).toMatchObject({
      state: "closed",
      merged: true,
      merged_by: { login: "lead" },
      merge_commit_sha: merged.body.sha,
      merged_at: expect.stringMatching(/Z$/),
    });
    expect(got.body.merged_at).toBe(got.body.closed_at);
    const events = (await call("GET", "/repos/acme/merge/issues/events")).body as unknown as {
      event: string;
      actor: { login: string };
      commit_id: string | null;
    }[];
    expect(events.slice(0, 2).map((e) => [e.event, e.actor.login, e.commit_id])).toEqual([
      ["closed", "lead", null],
      ["merged", "lead", merged.body.sha],
    ]);
  });

  it("GET /orgs/{org}/repos lists the organisation's repositories; an unknown one is 404", async () => {
    createActors(emu, { repo: "orgy/b" }).repo();
    createActors(emu, { repo: "orgy/a" }).repo();
    const listed = await call("GET", "/orgs/orgy/repos?per_page=100");
    expect((listed.body as unknown as { full_name: string }[]).map((r) => r.full_name)).toEqual([
      "orgy/a",
      "orgy/b",
    ]);
    expect((await call("GET", "/orgs/nobody-here/repos")).status).toBe(404);
  });
});
