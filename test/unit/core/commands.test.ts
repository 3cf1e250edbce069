import { describe, expect, it } from "vitest";
import {
  type CommandComment,
  type GateCommand,
  parseCommand,
  tallyCommands,
} from "../../../src/core/commands.js";

describe("parseCommand", () => {
  it.each<[string, GateCommand]>([
    ["/approve", { kind: "approve", note: "" }],
    ["/approve looks good", { kind: "approve", note: "looks good" }],
    ["/APPROVE", { kind: "approve", note: "" }],
    ["/Approve  Ship it  ", { kind: "approve", note: "Ship it" }],
    ["  /approve", { kind: "approve", note: "" }],
    ["/approve\nThe evidence is in the wiki.", { kind: "approve", note: "" }],
    ["/approve lgtm\r\nmore text", { kind: "approve", note: "lgtm" }],
    ["/stop budget cut", { kind: "stop", reason: "budget cut" }],
    ["/STOP Budget cut", { kind: "stop", reason: "Budget cut" }],
    ["/stop", { kind: "stop-without-reason" }],
    ["/stop   ", { kind: "stop-without-reason" }],
    ["/stop\nbudget cut", { kind: "stop-without-reason" }],
    ["/revoke", { kind: "revoke" }],
    ["/Revoke sorry, too early", { kind: "revoke" }],
  ])("%j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it.each([
    ["/approved", "/approved"],
    ["/approves", "/approves"],
    ["/stopped", "/stopped"],
    ["/revoked", "/revoked"],
    ["/approve-now", "/approve-now"],
    ["text before the slash", "I /approve"],
    ["a quote", "> /approve"],
    ["a command on the second line", "Thanks!\n/approve"],
    ["an unknown command", "/merge"],
    ["no slash", "approve"],
    ["an empty body", ""],
    ["null", null],
    ["undefined", undefined],
  ])("%s is not a command", (_name, body) => {
    expect(parseCommand(body)).toBeNull();
  });
});

let nextId = 1;
function comment(
  author: string,
  minute: number,
  command: GateCommand,
  extra: Partial<CommandComment> = {},
): CommandComment {
  const id = nextId++;
  return {
    id,
    author,
    authorIsBot: false,
    createdAt: `2024-05-01T10:${String(minute).padStart(2, "0")}:00Z`,
    url: `https://github.com/acme/rocket/issues/7#issuecomment-${id}`,
    command,
    ...extra,
  };
}

const approve = (note = ""): GateCommand => ({ kind: "approve", note });
const stop = (reason: string): GateCommand => ({ kind: "stop", reason });
const revoke: GateCommand = { kind: "revoke" };
const approvers = new Set(["maria", "li", "sam"]);
const isAuthorized = (login: string) => approvers.has(login.toLowerCase());

describe("tallyCommands", () => {
  it.each<[string, CommandComment[], string[]]>([
    ["no comments", [], []],
    ["one approval", [comment("maria", 1, approve())], ["maria"]],
    [
      "two approvers, in order",
      [comment("li", 1, approve()), comment("maria", 2, approve())],
      ["li", "maria"],
    ],
    [
      "the same approver twice counts once",
      [comment("maria", 1, approve()), comment("maria", 2, approve())],
      ["maria"],
    ],
    [
      "the same approver in another case counts once",
      [comment("maria", 1, approve()), comment("Maria", 2, approve())],
      ["maria"],
    ],
    ["revoke removes", [comment("maria", 1, approve()), comment("maria", 2, revoke)], []],
    [
      "revoke removes only the commenter's approval",
      [comment("maria", 1, approve()), comment("li", 2, approve()), comment("li", 3, revoke)],
      ["maria"],
    ],
    [
      "revoke before approving does nothing",
      [comment("maria", 1, revoke), comment("maria", 2, approve())],
      ["maria"],
    ],
    [
      "re-approve after revoke counts again (moves to the end)",
      [
        comment("maria", 1, approve()),
        comment("li", 2, approve()),
        comment("maria", 3, revoke),
        comment("maria", 4, approve()),
      ],
      ["li", "maria"],
    ],
    ["unauthorized commenters are ignored", [comment("mallory", 1, approve())], []],
    [
      "an unauthorized revoke cannot withdraw someone else's approval",
      [comment("maria", 1, approve()), comment("mallory", 2, revoke)],
      ["maria"],
    ],
    [
      "bots are ignored even when authorized",
      [comment("maria", 1, approve(), { authorIsBot: true })],
      [],
    ],
    [
      "comments are ordered by time, not by input order",
      [comment("maria", 5, revoke), comment("maria", 1, approve())],
      [],
    ],
    [
      "stop-without-reason changes nothing",
      [comment("maria", 1, { kind: "stop-without-reason" })],
      [],
    ],
  ])("%s", (_name, comments, expected) => {
    expect(tallyCommands(comments, isAuthorized).approvals.map((a) => a.login)).toEqual(expected);
  });

  it("keeps the first approval's time, link and note", () => {
    const first = comment("maria", 1, approve("evidence in #3"));
    const tally = tallyCommands([first, comment("maria", 2, approve("again"))], isAuthorized);
    expect(tally.approvals).toEqual([
      { login: "maria", at: first.createdAt, url: first.url, note: "evidence in #3" },
    ]);
  });

  it("breaks time ties by comment id", () => {
    const a = comment("maria", 1, approve());
    const b = comment("maria", 1, revoke);
    expect(tallyCommands([b, a], isAuthorized).approvals).toEqual([]);
  });

  it.each<[string, CommandComment[], { by: string; reason: string } | null]>([
    ["no stop", [comment("maria", 1, approve())], null],
    [
      "an authorized stop",
      [comment("li", 1, stop("budget cut"))],
      { by: "li", reason: "budget cut" },
    ],
    ["an unauthorized stop is ignored", [comment("mallory", 1, stop("nope"))], null],
    ["a bot stop is ignored", [comment("li", 1, stop("nope"), { authorIsBot: true })], null],
    [
      "stop without reason is not a stop",
      [comment("li", 1, { kind: "stop-without-reason" })],
      null,
    ],
    [
      "the latest stop wins",
      [comment("li", 3, stop("later")), comment("maria", 1, stop("earlier"))],
      { by: "li", reason: "later" },
    ],
  ])("stop: %s", (_name, comments, expected) => {
    const tally = tallyCommands(comments, isAuthorized);
    if (expected === null) expect(tally.stop).toBeNull();
    else expect(tally.stop).toMatchObject(expected);
  });

  it("records when and where the stop was said", () => {
    const c = comment("sam", 9, stop("market moved"));
    expect(tallyCommands([c], isAuthorized).stop).toEqual({
      by: "sam",
      reason: "market moved",
      at: c.createdAt,
      url: c.url,
    });
  });
});
