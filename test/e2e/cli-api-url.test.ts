import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { buildCliStory, runCli } from "../helpers/cli.js";

// `--api-url https://ghe.example.com`, the address people copy from their
// browser: GitHub Enterprise Server's API is under /api/v3 of it. The CLI
// tries that path when the root answers 404, and says which URL to pass.

describe("--api-url given as a host's root", { timeout: 60_000 }, () => {
  let emu: Emulator;
  const lead = { GH_TOKEN: "user:lead" };

  beforeAll(async () => {
    emu = await createEmulator();
    await buildCliStory(emu, "acme/rocket");
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("is tried as GitHub Enterprise Server's /api/v3, which answers: the report, and the URL to pass", async () => {
    const r = await runCli(["status", "acme/rocket", "--json", "--api-url", emu.url], {
      env: lead,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).repo).toBe("acme/rocket");
    expect(r.stderr).toContain(
      `${emu.url} answered 404, ${emu.apiUrl} (GitHub Enterprise Server's API path) answered: pass --api-url ${emu.apiUrl}`,
    );
  });

  it.each([
    [
      "the root",
      () => emu.url,
      () =>
        `phase-gates: repository acme/nope not found at ${emu.url} nor at ${emu.apiUrl} (GitHub Enterprise Server's API is at https://HOST/api/v3), or the token cannot see it (404)`,
    ],
    [
      "the API path itself",
      () => emu.apiUrl,
      () =>
        `phase-gates: repository acme/nope not found at ${emu.apiUrl}, or the token cannot see it (404)`,
    ],
  ])(
    "a repository that is not there, with %s: exit 4 and where it was looked for",
    async (_name, url, line) => {
      const r = await runCli(["status", "acme/nope", "--api-url", url()], { env: lead });
      expect(r.code).toBe(4);
      expect(r.stderr.trim()).toBe(line());
    },
  );
});
