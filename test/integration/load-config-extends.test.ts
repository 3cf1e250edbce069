import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/github/load-config.js";
import { MemoryStateStore } from "../../src/state/memory-store.js";
import { assertAllCalled, REPO_PATH } from "../helpers/app.js";
import { API, OWNER, REPO } from "../helpers/webhooks.js";

// The config decides who may approve a gate, so `_extends` is trusted only
// within the repository's own owner: an attacker's repository cannot widen it.

const octokit = () =>
  new ProbotOctokit({
    auth: { token: "t" },
    retry: { enabled: false },
    throttle: { enabled: false },
  });

const raw = { "content-type": "text/plain; charset=utf-8" };

afterEach(() => assertAllCalled());

describe("_extends", () => {
  it("follows a repository of the same owner", async () => {
    nock(API)
      .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
      .reply(200, "_extends: policies\nunphased: block\n", raw)
      .get(`/repos/${OWNER}/policies/contents/.github%2Fphase-gates.yml`)
      .reply(200, "linkedIssues: false\n", raw);

    const loaded = await loadConfig(
      octokit(),
      { owner: OWNER, repo: REPO },
      new MemoryStateStore(),
    );

    expect(loaded.kind).toBe("ok");
    if (loaded.kind === "ok") {
      expect(loaded.config.unphased).toBe("block");
      expect(loaded.config.linkedIssues).toBe(false);
    }
  });

  it.each([["mallory/gates"], ["mallory/gates:approvers.yml"]])(
    "refuses `_extends: %s` in another account without reading it, naming the line and column",
    async (target) => {
      // only the repository's own file is read; mallory's is never fetched
      nock(API)
        .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
        .reply(200, `# shared gates\n_extends: ${target}\n`, raw);

      const loaded = await loadConfig(
        octokit(),
        { owner: OWNER, repo: REPO },
        new MemoryStateStore(),
      );

      expect(loaded).toMatchObject({
        kind: "invalid",
        errors: [
          {
            file: ".github/phase-gates.yml",
            keyPath: "_extends",
            line: 2,
            column: 11,
            message: expect.stringContaining("another account (mallory)"),
          },
        ],
      });
    },
  );
});
