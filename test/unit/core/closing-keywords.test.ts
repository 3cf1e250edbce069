import { describe, expect, it } from "vitest";
import { formatIssueRef, parseClosingReferences } from "../../../src/core/closing-keywords.js";
import type { IssueRef } from "../../../src/core/types.js";
import { REPO } from "./helpers.js";

const here = (number: number): IssueRef => ({ owner: REPO.owner, repo: REPO.repo, number });

const KEYWORDS = [
  "close",
  "closes",
  "closed",
  "fix",
  "fixes",
  "fixed",
  "resolve",
  "resolves",
  "resolved",
] as const;

const CASINGS = [
  (k: string) => k,
  (k: string) => k.toUpperCase(),
  (k: string) => k.charAt(0).toUpperCase() + k.slice(1),
] as const;

describe("parseClosingReferences: keywords", () => {
  it.each(KEYWORDS.flatMap((k) => CASINGS.map((casing) => casing(k))))(
    "%s #12 closes #12 of this repository",
    (keyword) => {
      expect(parseClosingReferences(`${keyword} #12`, REPO)).toEqual([here(12)]);
    },
  );

  it.each([
    "clos #12",
    "closing #12",
    "fixing #12",
    "resolving #12",
    "refs #12",
    "see #12",
    "#12",
    "xcloses #12",
    "pre-closes #12",
    "a/closes #12",
  ])("%j is not a closing reference", (body) => {
    expect(parseClosingReferences(body, REPO)).toEqual([]);
  });
});

describe("parseClosingReferences: reference forms", () => {
  it.each<[string, string, IssueRef[]]>([
    ["a colon after the keyword", "Closes: #12", [here(12)]],
    ["two spaces after the keyword", "Fixes  #5", [here(5)]],
    ["in parentheses", "(closes #12)", [here(12)]],
    ["at the end of a sentence", "This closes #12.", [here(12)]],
    ["followed by a comma", "Fixes #12, thanks", [here(12)]],
    ["on a later line", "Summary.\n\nResolves #8\n", [here(8)]],
    ["in a task-list item", "- [x] closes #5", [here(5)]],
    ["leading zeros", "Closes #007", [here(7)]],
    [
      "owner/repo#n",
      "fixes octo-org/hello.world#3",
      [{ owner: "octo-org", repo: "hello.world", number: 3 }],
    ],
    [
      "full URL",
      "Resolved https://github.com/o/r/issues/4",
      [{ owner: "o", repo: "r", number: 4 }],
    ],
    ["http URL", "closes http://github.com/o/r/issues/4", [{ owner: "o", repo: "r", number: 4 }]],
    [
      "URL ending a sentence",
      "Closes https://github.com/o/r/issues/4.",
      [{ owner: "o", repo: "r", number: 4 }],
    ],
    [
      "several references in one body, in order",
      "Fixes #3, closes other/lib#9 and resolves https://github.com/o/r/issues/4\nfix #1",
      [
        here(3),
        { owner: "other", repo: "lib", number: 9 },
        { owner: "o", repo: "r", number: 4 },
        here(1),
      ],
    ],
  ])("%s: %j", (_name, body, expected) => {
    expect(parseClosingReferences(body, REPO)).toEqual(expected);
  });

  it.each<[string, string]>([
    ["#0", "Closes #0"],
    ["owner/repo#0", "Closes o/r#0"],
    ["prefix#12", "Closes prefix#12"],
    ["#12abc", "Closes #12abc"],
    ["#12/ (a path)", "Closes #12/files"],
    ["GH-12", "closes GH-12"],
    ["a pull request URL", "Closes https://github.com/o/r/pull/4"],
    ["a URL of another host", "Closes https://gitlab.com/o/r/issues/4"],
    ["a look-alike host", "Closes https://github.com.evil.example/o/r/issues/4"],
    ["a sub-host", "Closes https://www.github.com/o/r/issues/4"],
    ["a URL with more path", "fixes https://github.com/o/r/issues/4/"],
    ["the keyword alone", "Closes"],
    ["a keyword and a non-reference", "Closes the gap"],
  ])("ignores %s", (_name, body) => {
    expect(parseClosingReferences(body, REPO)).toEqual([]);
  });

  it("only the reference right after the keyword counts (as on GitHub)", () => {
    expect(parseClosingReferences("Fixes #12 and #13", REPO)).toEqual([here(12)]);
  });

  it.each([null, undefined, ""])("%j body → no references", (body) => {
    expect(parseClosingReferences(body, REPO)).toEqual([]);
  });
});

describe("parseClosingReferences: GitHub Enterprise Server host", () => {
  const host = "ghe.example.com";

  it.each<[string, IssueRef[]]>([
    ["Closes https://ghe.example.com/o/r/issues/4", [{ owner: "o", repo: "r", number: 4 }]],
    ["Closes https://GHE.example.com/o/r/issues/4", [{ owner: "o", repo: "r", number: 4 }]],
    ["Closes https://github.com/o/r/issues/4", []],
    // A dot in the host is literal, not "any character".
    ["Closes https://ghexexample.com/o/r/issues/4", []],
    ["Closes #2 and fixes o/r#3", [here(2), { owner: "o", repo: "r", number: 3 }]],
  ])("%j", (body, expected) => {
    expect(parseClosingReferences(body, REPO, host)).toEqual(expected);
  });
});

describe("parseClosingReferences: code and comments are not links", () => {
  it.each<[string, string]>([
    ["an inline code span", "Use `closes #12` to link an issue."],
    ["a double-backtick code span", "Use ``closes #12`` to link."],
    ["a fenced code block", "Example:\n\n```\nCloses #12\n```\n"],
    ["a fenced code block with a language", "```md\nFixes #12\n```"],
    ["a tilde fence", "~~~\nResolves #12\n~~~"],
    ["an indented fence", "  ```\nCloses #12\n  ```"],
    ["an HTML comment (PR templates)", "<!-- Closes #12 -->"],
    ["a multi-line HTML comment", "<!--\nWrite: Fixes #12\n-->"],
  ])("ignores a keyword in %s", (_name, body) => {
    expect(parseClosingReferences(body, REPO)).toEqual([]);
  });

  it("keeps references outside code", () => {
    const body = "Fixes #1\n\n```\nfixes #2\n```\n\nand `closes #3` but resolves #4";
    expect(parseClosingReferences(body, REPO)).toEqual([here(1), here(4)]);
  });
});

describe("parseClosingReferences: duplicates", () => {
  it.each<[string, string, IssueRef[]]>([
    ["same ref twice", "Closes #12\nFixes #12", [here(12)]],
    ["#n and this repo's owner/repo#n", "Closes #3 and closes acme/rocket#3", [here(3)]],
    [
      "different case of owner/repo",
      "Closes Acme/Rocket#3 fixes acme/rocket#3",
      [{ owner: "Acme", repo: "Rocket", number: 3 }],
    ],
    [
      "owner/repo#n and its URL",
      "Fixes o/r#4, resolves https://github.com/o/r/issues/4",
      [{ owner: "o", repo: "r", number: 4 }],
    ],
    [
      "same number, other repo: not a duplicate",
      "Closes #3, closes o/r#3",
      [here(3), { owner: "o", repo: "r", number: 3 }],
    ],
  ])("%s", (_name, body, expected) => {
    expect(parseClosingReferences(body, REPO)).toEqual(expected);
  });
});

describe("formatIssueRef", () => {
  it.each<[IssueRef, { owner: string; repo: string } | undefined, string]>([
    [here(12), REPO, "#12"],
    [{ owner: "ACME", repo: "Rocket", number: 12 }, REPO, "#12"],
    [{ owner: "other", repo: "lib", number: 9 }, REPO, "other/lib#9"],
    [{ owner: "acme", repo: "lib", number: 9 }, REPO, "acme/lib#9"],
    [here(12), undefined, "acme/rocket#12"],
  ])("%j from %j → %s", (ref, from, expected) => {
    expect(formatIssueRef(ref, from)).toBe(expected);
  });
});

describe("parseClosingReferences: code spans follow Markdown's block structure", () => {
  // Fixed: stripCode's inline-code regex pairs backticks across paragraphs. In Markdown a
  // code span cannot cross a blank line, so GitHub links (and on merge closes) #12 here,
  // while the app ignores it and the PR does not inherit that issue's phase.
  it("a stray backtick in one paragraph does not hide a keyword in the next", () => {
    const body = "Don't type ` in names.\n\nCloses #12\n\nSee `config`.";
    expect(parseClosingReferences(body, REPO)).toEqual([here(12)]);
  });

  // Fixed (was: errs on the blocking side): an unclosed fence runs to the end of the
  // document in Markdown, so GitHub does not link #12; the app counts it.
  it("an unclosed fence hides keywords up to the end of the body", () => {
    expect(parseClosingReferences("Example:\n\n```\nCloses #12\n", REPO)).toEqual([]);
  });
});
