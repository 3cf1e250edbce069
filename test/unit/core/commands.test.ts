import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CommandComment,
  type GateCommand,
  MAX_COMMAND_TEXT,
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

describe("parseCommand: only the exact ASCII command counts", () => {
  it.each<[string, string, GateCommand]>([
    ["three leading spaces (rendered as plain text)", "   /approve", { kind: "approve", note: "" }],
    ["a tab before the note", "/approve\tlgtm", { kind: "approve", note: "lgtm" }],
    [
      "a lone \\r ends the first line",
      "/approve lgtm\r/stop no",
      { kind: "approve", note: "lgtm" },
    ],
    [
      "a note in any script",
      "/approve Привет, 好的 ／ok",
      { kind: "approve", note: "Привет, 好的 ／ok" },
    ],
    [
      "a note with an emoji joined by U+200D",
      "/approve ship it 👩‍💻",
      { kind: "approve", note: "ship it 👩‍💻" },
    ],
    [
      "control characters are dropped from the note",
      "/approve ok\u0007\u001b[31m red\u0000",
      { kind: "approve", note: "ok[31m red" },
    ],
    [
      "a reason of control characters only is no reason",
      "/stop \u0007\u0000",
      { kind: "stop-without-reason" },
    ],
    [
      "a tab inside the reason becomes a space",
      "/stop cost\ttime",
      { kind: "stop", reason: "cost time" },
    ],
  ])("%s", (_name, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  it.each([
    ["a longer word", "/approve-all"],
    ["a colon after the word", "/stop: budget"],
    ["a bare colon", "/stop:"],
    ["punctuation after the word", "/revoke!"],
    ["a word before", "x /approve"],
    ["a code span", "`/approve`"],
    ["a fence", "```\n/approve\n```"],
    ["a quote", ">/approve"],
    ["four leading spaces (an indented code block)", "    /approve"],
    ["a leading tab (an indented code block)", "\t/approve"],
    ["a fullwidth solidus", "／approve"],
    ["a division slash", "\u2215approve"],
    ["fullwidth letters", "/ａｐｐｒｏｖｅ"],
    ["a Cyrillic а", "/\u0430pprove"],
    ["a Cyrillic ѕ", "/\u0455top"],
    ["a long s (folds to s with /iu)", "/\u017Ftop"],
    ["a Kelvin sign (folds to k with /iu)", "/revo\u212Ae"],
    ["a mathematical bold a", "/\u{1D41A}pprove"],
    ["a small roman numeral ⅼ for l", "/revoke\u217C"],
    ["a combining accent on the word", "/approve\u0301"],
    ["a no-break space before the note", "/approve\u00A0lgtm"],
    ["an ideographic space before the note", "/approve\u3000lgtm"],
    ["a zero-width space before the slash", "\u200B/approve"],
    ["a zero-width space inside the word", "/appr\u200Bove"],
    ["a zero-width space after the word", "/approve\u200B"],
    ["a zero-width space in the note", "/approve \u200Blgtm"],
    ["a zero-width joiner outside an emoji", "/approve a\u200Db"],
    ["a byte order mark", "\uFEFF/approve"],
    ["a soft hyphen", "/appro\u00ADve"],
    ["a word joiner", "/approve lgtm\u2060"],
    ["a left-to-right mark", "/stop \u200Ebudget"],
    ["a right-to-left override (Trojan Source)", "/stop \u202Eevorppa/"],
    ["a right-to-left isolate", "/approve \u2067x\u2069"],
    ["an Arabic letter mark", "/approve \u061C"],
    ["a line separator", "/approve a\u2028b"],
    ["a tag character (format)", "/approve \u{E0041}"],
  ])("%s is not a command", (_name, body) => {
    expect(parseCommand(body)).toBeNull();
  });

  it.each<[string, number, number]>([
    ["a note at the limit is kept whole", MAX_COMMAND_TEXT, MAX_COMMAND_TEXT],
    ["a longer note is cut, ending in …", MAX_COMMAND_TEXT + 1, MAX_COMMAND_TEXT],
    ["a very long note is cut", 100_000, MAX_COMMAND_TEXT],
  ])("%s", (_name, length, expected) => {
    const command = parseCommand(`/approve ${"n".repeat(length)}`);
    const note = command?.kind === "approve" ? command.note : "";
    expect(note).toHaveLength(expected);
    expect(note.endsWith("…")).toBe(length > MAX_COMMAND_TEXT);
  });

  it("cuts a long reason without splitting an emoji", () => {
    const command = parseCommand(`/stop x${"😀".repeat(400)}`);
    const reason = command?.kind === "stop" ? command.reason : "";
    expect(reason.length).toBeLessThanOrEqual(MAX_COMMAND_TEXT);
    expect(reason).toMatch(/^x(😀)+…$/u);
  });
});

describe("parseCommand properties", () => {
  /** Exactly what the brief allows, written without the parser's code. */
  const ACCEPTABLE = /^ *\/(?:approve|stop|revoke)(?:[\t\n\v\f\r ]|$)/i;
  const firstLine = (s: string) => s.split(/\r\n|\r|\n/, 1)[0] ?? "";

  const piece = (...options: string[]) => fc.constantFrom(...options);
  const commandLike = fc
    .tuple(
      piece("", " ", "   ", "    ", "\t", "\u200B", "\uFEFF", "> ", "`", "x "),
      piece("/", "／", "\u2215", "//"),
      piece(
        "approve",
        "APPROVE",
        "Stop",
        "revoke",
        "approved",
        "\u0455top",
        "\u017Ftop",
        "revo\u212Ae",
      ),
      piece("", " ", "\t", "\u00A0", "\u200B", ":", "-", "\u3000", "\n", "\r"),
      fc.string({ unit: "binary", maxLength: 40 }),
    )
    .map((parts) => parts.join(""));

  it("never throws, and a command's first line starts with the exact ASCII command", () => {
    fc.assert(
      fc.property(fc.oneof(commandLike, fc.string({ unit: "binary" })), (body) => {
        const command = parseCommand(body);
        if (command === null) return;
        const line = firstLine(body);
        expect(line).toMatch(ACCEPTABLE);
        expect(line.trimStart().slice(1).toLowerCase()).toMatch(
          command.kind === "stop-without-reason" ? /^stop/ : new RegExp(`^${command.kind}`),
        );
        const text =
          command.kind === "approve" ? command.note : command.kind === "stop" ? command.reason : "";
        expect(text.length).toBeLessThanOrEqual(MAX_COMMAND_TEXT);
        expect(text).not.toMatch(/\p{Cc}/u);
      }),
      { numRuns: 2000 },
    );
  });

  it("a clean first line with the exact command is always a command", () => {
    const clean = fc
      .string({ unit: "grapheme", maxLength: 40 })
      .filter((s) => !/[\p{Cf}\p{Cc}\u2028\u2029]/u.test(s));
    fc.assert(
      fc.property(
        piece("", " ", "   "),
        piece("approve", "Approve", "stop", "STOP", "revoke"),
        piece(" ", "\t"),
        clean,
        (indent, word, space, note) => {
          const command = parseCommand(`${indent}/${word}${space}${note}\nmore`);
          expect(command?.kind.startsWith(word.toLowerCase())).toBe(true);
        },
      ),
    );
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
