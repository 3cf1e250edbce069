import { beforeAll, describe, expect, it } from "vitest";
import type { Actors } from "../../sandbox/actors.js";
import { gateIssue, STORY_CONFIG, useSandbox } from "./sandbox.js";

// A command on a gate that is already decided (closed) changes nothing; the
// person who typed it gets one short answer saying so and how to reopen,
// never silence, and the app never answers its own answer.
const sandbox = useSandbox();

describe("commands on a decided gate", { timeout: 180_000 }, () => {
  let gh: Actors;
  let crawlGate: number;
  let walkGate: number;

  beforeAll(async () => {
    gh = await sandbox.get().repo("decided/rocket", STORY_CONFIG, {
      lead: "maintain",
      ops: "maintain",
    });
    crawlGate = await gateIssue(gh, "gate: crawl");
    walkGate = await gateIssue(gh, "gate: walk");
    await gh.tickCriteria(crawlGate, { by: "lead" });
    await gh.closeIssue(crawlGate, { by: "lead", reason: "completed" });
    await gh.comment(walkGate, "/stop no demand in the pilot", { by: "lead" });
    await gh.waitFor(() => gh.issue(walkGate).state === "closed", {
      what: "the Walk gate stopped",
    });
    await gh.settle({ quietMs: 500 });
  }, 120_000);

  const botComments = (issue: number) =>
    gh.commentsOn(issue).filter((c) => c.user.login === "phase-gates[bot]");

  it.each([
    ["/approve on an approved gate", "crawl", "/approve once more", "approved"],
    ["/stop on an approved gate", "crawl", "/stop we changed our minds", "approved"],
    ["/revoke of no approval on an approved gate", "crawl", "/revoke", "approved"],
    ["/approve on a stopped gate", "walk", "/approve the pilot was fine", "stopped"],
  ])(
    "%s: one reply saying it is decided and how to reopen",
    async (_name, which, command, state) => {
      const issue = which === "crawl" ? crawlGate : walkGate;
      const before = botComments(issue).length;
      await gh.comment(issue, command, { by: "ops" });
      const reply = await gh.waitFor(() => botComments(issue)[before], {
        what: `the app's answer to ${command}`,
      });
      const word = command.split(" ")[0];
      expect(reply.body).toContain(`@ops, this gate is already decided: **${state}** by @lead.`);
      expect(reply.body).toContain(`\`${word}\` changes nothing on a decided gate`);
      expect(reply.body).toContain("reopen this issue");
      await gh.settle({ quietMs: 800 });
      expect(botComments(issue)).toHaveLength(before + 1);
      expect(gh.issue(issue).state).toBe("closed");
    },
  );
});
