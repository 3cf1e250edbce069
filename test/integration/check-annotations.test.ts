import { describe, expect, it } from "vitest";
import { githubScope, REPO_PATH, replyConfig, replyFiles, useTestApp } from "../helpers/app.js";
import { replyNoCheckYet } from "../helpers/replies.js";
import { pullRequestEvent } from "../helpers/webhooks.js";

// GitHub takes at most 50 annotations per request; a PR that proposes a config
// with more errors gets every one annotated, in batches on the same run.

const app = useTestApp();

interface Written {
  output: { title: string; annotations?: { start_line: number }[] };
}

describe("annotations on a proposed config", () => {
  it("writes all 120 errors, 50 per request, on one check run (at most 200 in all)", async () => {
    const proposed = Array.from({ length: 120 }, (_, i) => `typo${i}: 1`).join("\n");
    const batches: Written[] = [];
    const scope = githubScope();
    replyConfig(scope, "# defaults\n");
    replyNoCheckYet(scope, "cfg-sha");
    replyFiles(scope, 7, [".github/phase-gates.yml"]);
    scope
      .get(`${REPO_PATH}/contents/.github%2Fphase-gates.yml`)
      .query({ ref: "cfg-sha" })
      .reply(200, proposed, { "content-type": "text/plain" });
    // POST the run with the first 50, then PATCH it twice with the rest
    scope
      .post(`${REPO_PATH}/check-runs`, (b: Written) => batches.push(b) > 0)
      .reply(201, { id: 31 });
    scope
      .patch(`${REPO_PATH}/check-runs/31`, (b: Written) => batches.push(b) > 0)
      .times(2)
      .reply(200, { id: 31 });

    await app().receive(
      "pull_request",
      pullRequestEvent("opened", { number: 7, labels: ["phase: crawl"], headSha: "cfg-sha" }),
    );

    expect(batches.map((b) => b.output.annotations?.length)).toEqual([50, 50, 20]);
    const lines = batches.flatMap((b) => b.output.annotations ?? []).map((a) => a.start_line);
    expect(new Set(lines).size).toBe(120);
    expect(batches.every((b) => b.output.title === "Invalid .github/phase-gates.yml")).toBe(true);
  });
});
