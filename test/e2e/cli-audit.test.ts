import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActors } from "../../sandbox/actors.js";
import { type AuditStory, buildAuditStory } from "../../sandbox/audit-story.js";
import { createEmulator, type Emulator } from "../../sandbox/emulator/index.js";
import { runCli } from "../helpers/cli.js";

// The built binary against the sandbox, after a scripted history (sandbox/audit-story.ts).

interface Line {
  record: string;
  [key: string]: unknown;
}
const lines = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Line);

describe("phase-gates audit against the sandbox", { timeout: 60_000 }, () => {
  let emu: Emulator;
  let story: AuditStory;
  let dir: string;
  const lead = { GH_TOKEN: "user:lead" };
  const api = () => ["--api-url", emu.apiUrl];
  const window = ["--since", "1d", "--until", "2099-12-31"];

  beforeAll(async () => {
    emu = await createEmulator();
    story = await buildAuditStory(emu, "acme/rocket");
    dir = await mkdtemp(join(tmpdir(), "phase-gates-audit-"));
  });
  afterAll(async () => {
    await emu?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(["graphql", "rest"])(
    "--api %s: every gate round with who decided, approvals and the exceptions; every merged PR with its run; exit 20",
    async (which) => {
      const before = emu.requestLog.writes().length;
      const r = await runCli(["audit", "acme/rocket", ...window, "--api", which, ...api()], {
        env: lead,
      });
      expect(r.code).toBe(20);
      expect(emu.requestLog.writes().length).toBe(before);
      const all = lines(r.stdout);
      const rounds = all.filter((l) => l.record === "gate-round");
      expect(
        rounds.map((l) => [l.round, l.outcome, (l.decision as { by: string } | null)?.by]),
      ).toEqual([
        [1, "reopened", "lead"],
        [2, "reopened", "lead"],
        [3, "approved", "lead"],
      ]);
      const kinds = (l: Line) => (l.exceptions as { kind: string }[]).map((e) => e.kind);
      expect(kinds(rounds[0] as Line)).toEqual(["close-not-counted"]);
      expect(
        (rounds[0] as unknown as { exceptions: { detail: string; by: string }[] }).exceptions[0],
      ).toMatchObject({
        by: "contrib",
        detail: expect.stringContaining("reopened by phase-gates"),
      });
      expect(rounds[1]).toMatchObject({
        decision: { state: "stopped", stopReason: "the numbers do not add up" },
      });
      expect(kinds(rounds[2] as Line)).toEqual(["edited-command-ignored"]);
      expect(rounds[2]).toMatchObject({
        approvals: [{ login: "lead", url: expect.stringContaining("#issuecomment-") }],
        quorum: 1,
        criteria: { checked: 1, total: 1 },
      });
      expect(all.filter((l) => l.record === "exception")).toEqual([
        expect.objectContaining({
          kind: "impostor-label",
          by: "contrib",
          detail: expect.stringContaining("removed by @phase-gates[bot]"),
        }),
      ]);
      const pulls = all.filter((l) => l.record === "pull-request");
      expect(pulls.map((p) => [p.number, p.mergedBy, p.phase, kinds(p)])).toEqual([
        [story.pulls.green, "lead", "run", []],
        [story.pulls.blockedByAdmin, "boss", "run", ["merged-while-failing"]],
        [story.pulls.noRun, "boss", "run", ["merged-without-run"]],
        [story.pulls.forged, "lead", "run", ["foreign-phase-gate"]],
      ]);
      const summary = all.at(-1) as Line;
      expect(summary).toMatchObject({
        record: "summary",
        counts: { gateRounds: 3, approved: 1, reopened: 2, mergedPullRequests: 4 },
        exceptions: {
          "close-not-counted": 1,
          "impostor-label": 1,
          "edited-command-ignored": 1,
          "merged-while-failing": 1,
          "merged-without-run": 1,
          "foreign-phase-gate": 1,
          total: 6,
        },
        complete: true,
      });
      const records = `${r.stdout.trim().split("\n").slice(0, -1).join("\n")}\n`;
      expect(summary.sha256).toBe(createHash("sha256").update(records).digest("hex"));
      expect(r.stderr).toContain("6 exceptions");
    },
  );

  it("gives the same bytes for the same window, in every format, and the same digest whichever format", async () => {
    const until = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const run = (format: string) =>
      runCli(
        [
          "audit",
          "acme/rocket",
          "--since",
          "2020-01-01",
          "--until",
          until,
          "--format",
          format,
          ...api(),
        ],
        {
          env: lead,
        },
      );
    const [a, b] = [await run("md"), await run("md")];
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain("## acme/rocket");
    expect(a.stdout).toContain("| Gate | Issue | Round |");
    const csv = await run("csv");
    expect(csv.stdout.split("\r\n")[0]).toMatch(
      /^record,repo,number,title,phase,round,outcome,by,at/,
    );
    const digest = (text: string) => /[0-9a-f]{64}/.exec(text.split("SHA-256").at(-1) ?? text)?.[0];
    const jsonl = await run("jsonl");
    expect(digest(a.stdout)).toBe((lines(jsonl.stdout).at(-1) as Line).sha256);
    expect(csv.stdout).toContain(`sha256:${(lines(jsonl.stdout).at(-1) as Line).sha256}`);
  });

  it("--out writes the file; a window with nothing in it is a valid empty report, exit 0", async () => {
    const out = join(dir, "empty.jsonl");
    const r = await runCli(
      [
        "audit",
        "acme/rocket",
        "--since",
        "2001-01-01",
        "--until",
        "2001-12-31",
        "--out",
        out,
        ...api(),
      ],
      { env: lead },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const written = lines(await readFile(out, "utf8"));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      record: "summary",
      counts: { gateRounds: 0, mergedPullRequests: 0 },
      exceptions: { total: 0 },
      sha256: createHash("sha256").update("").digest("hex"),
    });
  });

  it("--org audits every repository of the organisation that has a config", async () => {
    const other = createActors(emu, { repo: "acme/unconfigured" });
    other.repo();
    const r = await runCli(["audit", "--org", "acme", ...window, ...api()], { env: lead });
    expect(r.code).toBe(20);
    expect((lines(r.stdout).at(-1) as Line).repos).toEqual(["acme/rocket"]);
  });

  it.each([
    ["no token", ["acme/rocket"], {}, 3, /no token/],
    ["a repository the token cannot see", ["acme/nowhere"], lead, 4, /acme\/nowhere not found/],
    ["a repository without config", ["acme/unconfigured"], lead, 6, /not configured/],
    ["an organisation that does not exist", ["--org", "nobody"], lead, 4, /nobody not found/],
    [
      "an organisation with no configured repository",
      ["--org", "emptyco"],
      lead,
      6,
      /emptyco has no repository with a valid/,
    ],
    [
      "--since after --until",
      ["acme/rocket", "--since", "2026-02-01", "--until", "2026-01-01"],
      lead,
      2,
      /is after --until/,
    ],
    ["an unknown format", ["acme/rocket", "--format", "xml"], lead, 2, /unknown --format "xml"/],
    [
      "a bad date",
      ["acme/rocket", "--since", "yesterday"],
      lead,
      2,
      /--since "yesterday" is not a date/,
    ],
  ] as const)(
    "%s: one line on stderr, the documented exit code, no stack trace",
    async (_what, args, env, code, message) => {
      createActors(emu, { repo: "acme/unconfigured" }).repo();
      createActors(emu, { repo: "emptyco/thing" }).repo();
      const r = await runCli(["audit", ...args, ...api()], { env: { ...env } });
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );
});
