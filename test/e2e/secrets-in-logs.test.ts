import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sign } from "../../sandbox/emulator/index.js";
import { generatePrivateKey } from "../../sandbox/run-app.js";
import { gateIssue, STORY_CONFIG, useSandbox } from "./sandbox.js";

const PRIVATE_KEY = generatePrivateKey();

// The most the app ever logs, with a key we know, so we can look for it.
const sandbox = useSandbox({ logLevel: "trace", env: { PRIVATE_KEY } });

/** Every place a secret shows in `output`, as "what: …context…". */
function secretsIn(output: string, secrets: Record<string, string[]>): string[] {
  const found: string[] = [];
  const at = (what: string, index: number) =>
    found.push(`${what}: …${output.slice(Math.max(0, index - 60), index + 60)}…`);
  for (const [what, values] of Object.entries(secrets)) {
    for (const value of values) {
      const index = output.indexOf(value);
      if (index >= 0) at(what, index);
    }
  }
  // An Authorization header's value, however it is spelled.
  for (const m of output.matchAll(/\b(?:bearer|token)\s+[\w.~+/-]{16,}/gi))
    at("credential", m.index);
  return found;
}

/** The key's base64 body, line by line: logged as JSON its newlines would be `\n`. */
function keyBodyLines(pem: string): string[] {
  return pem.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
}

describe("what the app prints over a whole story at LOG_LEVEL=trace", { timeout: 180_000 }, () => {
  it("never includes a token, the private key or the webhook secret", async () => {
    const { emu, app } = sandbox.get();
    // Installation and config push.
    const gh = await sandbox.get().repo("leak/rocket", STORY_CONFIG);
    const crawlGate = await gateIssue(gh, "gate: crawl");
    // A PR opened behind the Crawl gate.
    const pr = await gh.openPullRequest({
      title: "Walk it",
      labels: ["phase: walk"],
      by: "contrib",
    });
    await gh.waitForCheck(pr.number, { title: "Blocked: Crawl gate pending" });
    // The gate's criteria ticked and approved with a comment, which closes it and re-checks the PR.
    await gh.tickCriteria(crawlGate, { by: "lead" });
    await gh.comment(crawlGate, "/approve feasibility shown", { by: "lead" });
    await gh.waitFor(() => gh.issue(crawlGate).state === "closed", {
      what: "the app to close the Crawl gate on /approve",
    });
    await gh.waitForCheck(pr.number, { conclusion: "success" });
    // A re-run from the UI whose job fails on a GitHub error (logged with the request it made),
    // and the two refusals that log a delivery: a bad signature, a payload missing fields.
    emu.state.failNext("GET /repos/{owner}/{repo}/pulls/{pull_number}", 404, {
      body: { message: "Not Found" },
    });
    await gh.rerequestCheck(pr.number, { by: "contrib" });
    const forged = JSON.stringify({ action: "opened", pull_request: {} });
    for (const signature of [sign("wrong", forged), sign(app.secret, forged)]) {
      const res = await fetch(app.webhookUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "pull_request",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": signature,
        },
        body: forged,
      });
      await res.arrayBuffer();
    }
    await gh.settle({ quietMs: 1000 });

    const output = app.output();
    const tokens = [...emu.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    // The capture is the real thing: debug lines (Probot logs nothing at trace), the token exchange, the refusals.
    expect(output).toMatch(/"level":20\b/);
    expect(output).toContain("/access_tokens");
    expect(output).toContain("job failed");
    expect(output).toContain("signature does not match");
    // Only the forged payload was skipped: every delivery GitHub sent passed validation.
    expect(output.match(/skip: webhook payload lacks fields the app reads/g)).toHaveLength(1);

    const secrets = {
      "installation token": tokens,
      "webhook secret": [app.secret],
      "private key": keyBodyLines(PRIVATE_KEY),
      "token prefix": ["ghs_", "ghp_", "gho_", "ghu_", "github_pat_"],
      "PEM header": ["-----BEGIN"],
    };
    // The scan itself finds what it looks for.
    expect(
      secretsIn(`x Bearer ${tokens[0]} ${keyBodyLines(PRIVATE_KEY)[3]}`, secrets),
    ).toHaveLength(4);
    expect(secretsIn(output, secrets)).toEqual([]);
  });
});
