import type { Logger } from "probot";
import type { GateConfig, Permission } from "../config/schema.js";
import { type StateStore, space } from "../state/store.js";
import { type GitHub, httpStatus, type RepoRef } from "./octokit.js";

/**
 * Standing looked up in the last few seconds, shared by every job: a burst of
 * events needs one permission call per person, not one per event. Short, so
 * a removed approver stops counting within seconds.
 */
export const PEOPLE_TTL_MS = 10_000;
const ROLES = space<{ role: string | null }>("role", { ttlMs: PEOPLE_TTL_MS, limit: 20_000 });
const TEAMS = space<{ member: boolean }>("team-member", { ttlMs: PEOPLE_TTL_MS, limit: 20_000 });

export type Authorization = { authorized: true; via: string } | { authorized: false; why: string };

const RANK: Record<string, number> = { read: 0, triage: 1, write: 2, maintain: 3, admin: 4 };

/**
 * Looks up people's standing once per job: a fan-out over many PRs or many
 * comments asks GitHub about each person at most once.
 */
export class ApproverDirectory {
  readonly #roles = new Map<string, Promise<string | null>>();
  readonly #teams = new Map<string, Promise<boolean>>();

  constructor(
    private readonly octokit: GitHub,
    private readonly repo: RepoRef,
    private readonly log: Logger,
    /** Where recent look-ups are shared across jobs (absent: this job only). */
    private readonly store?: StateStore,
  ) {}

  /**
   * The person's repository role. `role_name` is compared because the legacy
   * `permission` field reports maintain as write and triage as read.
   * A 404 means "not a collaborator"; other failures throw, so callers fail closed.
   */
  roleOf(login: string): Promise<string | null> {
    const key = login.toLowerCase();
    let found = this.#roles.get(key);
    if (!found) {
      const shared = `${this.repo.owner}/${this.repo.repo}:${key}`.toLowerCase();
      found = (async () => {
        const recent = await this.store?.get(ROLES, shared);
        if (recent) return recent.role;
        const role = await this.octokit.rest.repos
          .getCollaboratorPermissionLevel({ ...this.repo, username: login })
          .then((r) => {
            const data = r.data as { role_name?: string; permission?: string };
            return data.role_name && data.role_name in RANK
              ? data.role_name
              : (data.permission ?? null);
          })
          .catch((error: unknown) => {
            if (httpStatus(error) === 404) return null;
            throw error;
          });
        await this.store?.set(ROLES, shared, { role });
        return role;
      })();
      this.#roles.set(key, found);
    }
    return found;
  }

  /** Team membership; 404 = not a member. Needs the `members: read` org permission. */
  isTeamMember(team: string, login: string): Promise<boolean> {
    const key = `${team}:${login}`.toLowerCase();
    let found = this.#teams.get(key);
    if (!found) {
      const [org = "", slug = ""] = team.split("/");
      found = (async () => {
        const recent = await this.store?.get(TEAMS, key);
        if (recent) return recent.member;
        const member = await this.octokit.rest.teams
          .getMembershipForUserInOrg({ org, team_slug: slug, username: login })
          .then((r) => r.data.state === "active")
          .catch((error: unknown) => {
            if (httpStatus(error) === 404) return false;
            throw error;
          });
        await this.store?.set(TEAMS, key, { member });
        return member;
      })();
      this.#teams.set(key, found);
    }
    return found;
  }

  /**
   * Whether `login` may decide `gate`. Any error other than "not found" fails
   * closed: nobody passes a gate because GitHub was unreachable.
   */
  async authorize(gate: Pick<GateConfig, "approvers">, login: string): Promise<Authorization> {
    const { users, teams, permission } = gate.approvers;
    if (users.some((u) => u.toLowerCase() === login.toLowerCase())) {
      return { authorized: true, via: "listed approver" };
    }
    for (const team of teams) {
      try {
        if (await this.isTeamMember(team, login))
          return { authorized: true, via: `member of @${team}` };
      } catch (error) {
        this.log.warn(
          { err: error, team, login },
          "team membership look-up failed; treating as not a member",
        );
      }
    }
    try {
      const role = await this.roleOf(login);
      if (
        role !== null &&
        (RANK[role] ?? -1) >= (RANK[permission as Permission] ?? Number.POSITIVE_INFINITY)
      ) {
        return { authorized: true, via: `${role} permission` };
      }
      return {
        authorized: false,
        why: `@${login} has ${role ?? "no"} permission (needs ${permission} or higher)`,
      };
    } catch (error) {
      this.log.warn({ err: error, login }, "permission look-up failed; treating as not authorized");
      return { authorized: false, why: `the app could not check @${login}'s permission` };
    }
  }
}
