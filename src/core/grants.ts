/**
 * What an installation's owner accepted against what the app asks for
 * (`app.yml`). An app's permissions can grow after an owner installed it; the
 * owner must accept the update, and until then the installation keeps the old
 * set: an owner who never accepted `merge_queues` gets no merge groups.
 */
export interface Grants {
  /** Permission → level (`read`, `write`, `admin`). */
  permissions: Record<string, string>;
  events: string[];
}

export interface MissingGrant {
  kind: "permission" | "event";
  name: string;
  /** The level asked for (permissions only). */
  asked?: string;
  /** The level accepted, or null when none (permissions only). */
  accepted?: string | null;
  /** What the app cannot do without it. */
  consequence: string;
}

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

/** Why each permission and event matters, in words for the person who accepts them. */
const CONSEQUENCE: Record<string, string> = {
  checks: "the Phase gate check cannot be written",
  issues: "gate issues, labels and the dashboard cannot be kept",
  pull_requests: "pull requests cannot be read",
  contents: "the config cannot be read",
  metadata: "the repository cannot be read",
  members: "approvers listed as teams cannot be looked up",
  merge_queues:
    "GitHub sends no merge_group events: a merge queue waits forever for a Phase gate check",
  deployments: "deployments to gated environments cannot be answered and wait 30 days",
  actions: "deployments to gated environments cannot be answered and wait 30 days",
  organization_projects: "the Projects table cannot be kept",
  merge_group: "no merge groups: a merge queue waits forever for a Phase gate check",
  deployment_protection_rule: "deployments to gated environments are never answered",
  pull_request: "pull requests are not checked when they change",
  issues_event: "gate decisions are not seen when they happen",
  push: "config changes are not seen until another event",
  sub_issues: "parent issues' phases are not seen when links change",
};

function consequenceOf(kind: MissingGrant["kind"], name: string): string {
  const key = kind === "event" && name === "issues" ? "issues_event" : name;
  return CONSEQUENCE[key] ?? (kind === "event" ? "its events are not delivered" : "it is missing");
}

/** Every permission accepted at a lower level than asked, and every event asked but not accepted. */
export function missingGrants(asked: Grants, accepted: Grants): MissingGrant[] {
  const missing: MissingGrant[] = [];
  for (const [name, level] of Object.entries(asked.permissions)) {
    const has = accepted.permissions[name] ?? null;
    if ((RANK[has ?? ""] ?? 0) >= (RANK[level] ?? 1)) continue;
    missing.push({
      kind: "permission",
      name,
      asked: level,
      accepted: has,
      consequence: consequenceOf("permission", name),
    });
  }
  const events = new Set(accepted.events);
  for (const name of asked.events) {
    if (!events.has(name))
      missing.push({ kind: "event", name, consequence: consequenceOf("event", name) });
  }
  return missing;
}

/** One missing grant in a line: `merge_queues: read (accepted: none): …`. */
export function describeMissingGrant(m: MissingGrant): string {
  if (m.kind === "event") return `event ${m.name} not subscribed: ${m.consequence}`;
  return `${m.name}: ${m.asked} asked, ${m.accepted ?? "none"} accepted: ${m.consequence}`;
}
