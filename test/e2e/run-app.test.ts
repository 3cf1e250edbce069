import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { type RunningApp, startApp } from "../../sandbox/run-app.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("running the real app server", { timeout: 60_000 }, () => {
  let emu: Emulator;
  let app: RunningApp;

  beforeAll(async () => {
    emu = await createEmulator();
    app = await startApp({ emulator: emu });
  }, 60_000);

  afterAll(async () => {
    await app.stop();
    await emu.close();
  });

  it("listens like `npm start` and answers Probot's ping", async () => {
    const port = new URL(app.webhookUrl).port;
    const res = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(await res.text()).toBe("PONG");
    expect(app.webhookUrl).toMatch(/\/api\/github\/webhooks$/);
  });

  it("rejects a webhook with a bad signature", async () => {
    const res = await fetch(app.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "ping",
        "x-github-delivery": "00000000-0000-0000-0000-000000000000",
        "x-hub-signature-256": "sha256=0000",
      },
      body: JSON.stringify({ zen: "Keep it logically awesome." }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it("stops its child process and leaves nothing behind", async () => {
    const other = await startApp({ emulator: emu, connect: false });
    expect(alive(other.pid)).toBe(true);
    await other.stop();
    expect(other.exited).toBe(true);
    expect(alive(other.pid)).toBe(false);
    await other.stop();
  });
});
