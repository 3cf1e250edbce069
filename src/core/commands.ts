import { hasInvisible, plainLine, truncate } from "./render-check.js";

/** A command in a gate-issue comment (SPEC §3). Only the first line counts. */
export type GateCommand =
  | { kind: "approve"; note: string }
  | { kind: "stop"; reason: string }
  | { kind: "stop-without-reason" }
  | { kind: "revoke" };

/** Longest note or stop reason kept: it is echoed in decision records and check summaries. */
export const MAX_COMMAND_TEXT = 500;

/**
 * `/word` at the start of the line, then the end of the line or ASCII
 * whitespace and the argument. ASCII only, on purpose: with the `u` flag, `i`
 * would fold `ſ` (U+017F) to `s` and `K` (U+212A) to `k`, and `\s` matches
 * no-break and other Unicode spaces; look-alikes must not pass for a command.
 *
 * Up to three leading spaces are allowed: GitHub renders `   /approve` as the
 * text "/approve", so that is what the approver and every reader saw. Four
 * spaces or a tab make an indented code block, shown as code: a command quoted,
 * not said, like one in a fence, a code span or a `>` quote (none start with `/`).
 */
const COMMAND = /^ {0,3}\/([A-Za-z]+)(?:[ \t]+([\s\S]*))?$/;

const NAMES = new Set(["approve", "stop", "revoke"]);

/**
 * The command a comment gives, or null. A command is only as trustworthy as
 * its text: a first line holding an invisible or reordering character (zero
 * width, bidi control, soft hyphen…: see `hasInvisible`) is no command,
 * whatever it looks like. Nothing is normalised (no NFKC): `／approve` or a
 * Cyrillic `а` is not `/approve`. The note or reason keeps any script but loses
 * control characters, and is cut at `MAX_COMMAND_TEXT` characters.
 */
export function parseCommand(body: string | null | undefined): GateCommand | null {
  if (!body) return null;
  // GitHub stores what the browser sent (\r\n); CommonMark also ends a line at a lone \r.
  const firstLine = body.split(/\r\n|\r|\n/, 1)[0] ?? "";
  // U+2028/U+2029 too: a line or paragraph separator GitHub does not render as one.
  if (hasInvisible(firstLine) || /[\u2028\u2029]/.test(firstLine)) return null;
  const m = COMMAND.exec(firstLine);
  const name = m?.[1]?.toLowerCase();
  if (!name || !NAMES.has(name)) return null;
  const arg = truncate(plainLine(m?.[2] ?? "").trim(), MAX_COMMAND_TEXT);
  switch (name) {
    case "approve":
      return { kind: "approve", note: arg };
    case "stop":
      return arg ? { kind: "stop", reason: arg } : { kind: "stop-without-reason" };
    default:
      return { kind: "revoke" };
  }
}

export interface CommandComment {
  id: number;
  author: string;
  authorIsBot: boolean;
  createdAt: string;
  url: string;
  command: GateCommand;
}

export interface ApprovalTally {
  /** Distinct approvers whose latest approve/revoke is an approve, in order of approval. */
  approvals: { login: string; at: string; url: string; note: string }[];
  /** The latest `/stop <reason>` by an authorized approver. */
  stop: { by: string; reason: string; at: string; url: string } | null;
}

/**
 * Tallies commands from authorized approvers, oldest first. The same person
 * approving twice counts once; `/revoke` withdraws that person's approval.
 */
export function tallyCommands(
  comments: readonly CommandComment[],
  isAuthorized: (login: string) => boolean,
): ApprovalTally {
  const approvals = new Map<string, ApprovalTally["approvals"][number]>();
  let stop: ApprovalTally["stop"] = null;
  const ordered = [...comments].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id,
  );
  for (const c of ordered) {
    if (c.authorIsBot || !isAuthorized(c.author)) continue;
    const key = c.author.toLowerCase();
    switch (c.command.kind) {
      case "approve":
        if (!approvals.has(key))
          approvals.set(key, {
            login: c.author,
            at: c.createdAt,
            url: c.url,
            note: c.command.note,
          });
        break;
      case "revoke":
        approvals.delete(key);
        break;
      case "stop":
        stop = { by: c.author, reason: c.command.reason, at: c.createdAt, url: c.url };
        break;
      case "stop-without-reason":
        break;
    }
  }
  return { approvals: [...approvals.values()], stop };
}
