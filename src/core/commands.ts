/** A command in a gate-issue comment (SPEC §3). Only the first line counts. */
export type GateCommand =
  | { kind: "approve"; note: string }
  | { kind: "stop"; reason: string }
  | { kind: "stop-without-reason" }
  | { kind: "revoke" };

const COMMAND = /^\s*\/(approve|stop|revoke)(?:\s+(.*?))?\s*$/i;

export function parseCommand(body: string | null | undefined): GateCommand | null {
  if (!body) return null;
  const firstLine = body.split(/\r?\n/, 1)[0] ?? "";
  const m = COMMAND.exec(firstLine);
  if (!m?.[1]) return null;
  const arg = (m[2] ?? "").trim();
  switch (m[1].toLowerCase()) {
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
