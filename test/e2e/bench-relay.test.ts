import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookRelay } from "../../bench/harness/relay.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { type RunningApp, startApp } from "../../sandbox/run-app.js";

/** The bench's floor app (bench/bare-app.js) started through startApp({ appPath }), fed by the relay. */
describe("the bench's bare Probot app and webhook relay", { timeout: 60_000 }, () => {
  let emu: Emulator;
  let bare: RunningApp;
  let relay: WebhookRelay;

  beforeAll(async () => {
    emu = await createEmulator();
    bare = await startApp({ emulator: emu, appPath: "./bench/bare-app.js", connect: false });
    relay = new WebhookRelay(emu);
  }, 60_000);

  afterAll(async () => {
    relay.close();
    await bare.stop();
    await emu.close();
  });

  it("sends nothing while it has no target (PRs opened quietly)", async () => {
    emu.state.install(["acme/quiet"], emu.state.user("lead"));
    await relay.idle();
    expect(relay.deliveries).toEqual([]);
  });

  it("delivers every event without waiting for earlier answers, and the bare app acknowledges each", async () => {
    relay.targets = [{ url: bare.webhookUrl, secret: bare.secret }];
    const repo = emu.state.repo("acme/quiet");
    const dev = emu.state.user("dev");
    for (let i = 0; i < 5; i++) emu.state.createIssue(repo, { title: `Issue ${i}` }, dev);
    await relay.idle();
    expect(relay.deliveries.map((d) => [d.event, d.action, d.status])).toEqual(
      Array.from({ length: 5 }, () => ["issues", "opened", 200]),
    );
    expect(bare.output()).not.toMatch(/error/i);
  });

  it("sends one delivery id to every target with relayToAll", async () => {
    const before = relay.deliveries.length;
    const repo = emu.state.repo("acme/quiet");
    let event: Parameters<WebhookRelay["relayToAll"]>[0] | null = null;
    emu.state.onEvent((e) => {
      event = e;
    });
    relay.targets = [];
    emu.state.createIssue(repo, { title: "Once" }, emu.state.user("dev"));
    relay.targets = [
      { url: bare.webhookUrl, secret: bare.secret },
      { url: bare.webhookUrl, secret: bare.secret },
    ];
    if (!event) throw new Error("no event emitted");
    await relay.relayToAll(event);
    const sent = relay.deliveries.slice(before);
    expect(sent.map((d) => [d.target, d.status])).toEqual([
      [0, 200],
      [1, 200],
    ]);
    expect(new Set(sent.map((d) => d.id)).size).toBe(1);
  });
});
