import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { sign } from "../../sandbox/emulator/index.js";
import { STORY_CONFIG, useSandbox } from "./sandbox.js";

// "info": the work queue says when it drops a delivery it has already run.
const sandbox = useSandbox({ logLevel: "info" });

/** The app acts on an accepted delivery within ~100 ms here; nothing within this long means nothing. */
const QUIET_MS = 1500;

/**
 * POSTs a webhook to the real app server as GitHub would, with the headers
 * given; resolves with the status once no API request has reached the
 * emulator for QUIET_MS after the answer (the emulator's own `settle` does not
 * see deliveries posted from here).
 */
async function post(gh: Actors, body: string, headers: Record<string, string>): Promise<number> {
  const { app, emu } = sandbox.get();
  const res = await fetch(app.webhookUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "pull_request",
      "x-github-delivery": randomUUID(),
      ...headers,
    },
    body,
  });
  await res.arrayBuffer();
  const answeredAt = Date.now();
  await gh.waitFor(() => Date.now() - Math.max(answeredAt, emu.requestLog.lastAt()) >= QUIET_MS, {
    what: `${QUIET_MS} ms without API requests`,
  });
  return res.status;
}

// A forged webhook could approve a gate or turn a check green: the app must
// act only on deliveries signed with its secret over the exact body received.
describe("webhook signatures on the real server", { timeout: 120_000 }, () => {
  let gh: Actors;
  /** The `pull_request.opened` GitHub sent for a Run PR, byte for byte. */
  let body: string;
  let tampered: string;

  beforeAll(async () => {
    gh = await sandbox.get().repo("forge/rocket", STORY_CONFIG);
    const pr = await gh.openPullRequest({ title: "Launch", labels: ["phase: run"], by: "contrib" });
    await gh.waitForCheck(pr.number, { conclusion: "failure" });
    await gh.settle({ quietMs: 1000 });
    const opened = sandbox
      .get()
      .emu.webhooks.deliveries.find((d) => d.event === "pull_request" && d.action === "opened");
    if (!opened) throw new Error("no pull_request.opened delivery to replay");
    body = JSON.stringify(opened.payload);
    // The same event made to look like a Crawl PR (never blocked): what a forger would want.
    tampered = body.replaceAll('"phase: run"', '"phase: crawl"');
    expect(tampered).not.toBe(body);
  }, 90_000);

  it.each([
    ["no signature", () => ({ body, headers: {} })],
    ["a malformed signature", () => ({ body, headers: { "x-hub-signature-256": "sha256=0000" } })],
    [
      "a wrong signature of the right length",
      () => ({ body, headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` } }),
    ],
    [
      "a signature made with another secret",
      () => ({ body, headers: { "x-hub-signature-256": sign("not-the-app-secret", body) } }),
    ],
    [
      "a valid signature over a different body",
      () => ({
        body: tampered,
        headers: { "x-hub-signature-256": sign(sandbox.get().app.secret, body) },
      }),
    ],
  ])("refuses a delivery with %s, and calls GitHub not once", async (_what, request) => {
    const { emu } = sandbox.get();
    const requestsBefore = emu.requestLog.entries.length;
    const { body: sent, headers } = request();

    const status = await post(gh, sent, headers);

    expect([400, 401]).toContain(status);
    expect(emu.requestLog.entries.slice(requestsBefore)).toEqual([]);
  });

  it("accepts a valid delivery once; its identical replay reaches GitHub not once", async () => {
    const { emu, app } = sandbox.get();
    const delivery = randomUUID();
    const headers = {
      "x-hub-signature-256": sign(app.secret, body),
      "x-github-delivery": delivery,
    };

    // The control: the same body, signed right, does make the app read GitHub.
    const requestsBefore = emu.requestLog.entries.length;
    expect([200, 202]).toContain(await post(gh, body, headers));
    expect(emu.requestLog.entries.length).toBeGreaterThan(requestsBefore);

    // Same body, same signature, same X-GitHub-Delivery: the signature is valid,
    // so the server accepts it, and the work queue drops the delivery id it has run.
    const afterFirst = emu.requestLog.entries.length;
    expect([200, 202]).toContain(await post(gh, body, headers));
    const skipped = app
      .output()
      .split("\n")
      .filter((line) => line.includes("skip: duplicate delivery") && line.includes(delivery));
    expect(skipped).toHaveLength(1);
    expect(emu.requestLog.entries.slice(afterFirst)).toEqual([]);
  });
});
