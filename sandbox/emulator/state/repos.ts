import { randomBytes } from "node:crypto";
import { serializeInstallation, serializeRepo, serializeUser } from "../serialize.js";
import type { FileRecord, InstallationRecord, RepoRecord, UserRecord } from "../types.js";
import { ApiError, blobSha, nowIso, randomSha, type StateCore } from "./core.js";

// ── people ────────────────────────────────────────────────────────────────

export function addCollaborator(
  s: StateCore,
  repoName: string,
  login: string,
  roleName: string,
): void {
  s.user(login);
  s.repo(repoName).collaborators.set(login.toLowerCase(), roleName);
}

export function addTeamMember(s: StateCore, org: string, slug: string, login: string): void {
  s.user(org, "Organization");
  s.user(login);
  const key = `${org}/${slug}`.toLowerCase();
  let team = s.teams.get(key);
  if (!team) {
    team = { org, slug, id: s.nextId(), members: new Set() };
    s.teams.set(key, team);
  }
  team.members.add(login.toLowerCase());
}

/** role_name of a person on a repository; owners of user repos are admins. */
export function roleOf(repo: RepoRecord, login: string): string | null {
  if (repo.owner.type === "User" && repo.owner.login.toLowerCase() === login.toLowerCase())
    return "admin";
  return repo.collaborators.get(login.toLowerCase()) ?? null;
}

// ── repositories and installations ────────────────────────────────────────

export function createRepo(
  s: StateCore,
  fullName: string,
  options: { private?: boolean; ownerType?: UserRecord["type"] } = {},
): RepoRecord {
  const existing = s.repos.get(fullName.toLowerCase());
  if (existing) return existing;
  const [ownerLogin, name] = fullName.split("/");
  if (!ownerLogin || !name) throw new Error(`repository names are "owner/name", got ${fullName}`);
  const owner = s.user(ownerLogin, options.ownerType ?? "Organization");
  const sha = randomSha();
  const files = new Map<string, FileRecord>();
  const readme = `# ${name}\n`;
  files.set("README.md", { content: readme, sha: blobSha(readme) });
  const repo: RepoRecord = {
    id: s.nextId(),
    owner,
    name,
    full_name: `${owner.login}/${name}`,
    private: options.private ?? false,
    default_branch: "main",
    created_at: nowIso(),
    refs: new Map([
      ["main", files],
      [sha, files],
    ]),
    branches: new Map([["main", sha]]),
    issues: new Map(),
    nextNumber: 1,
    labels: [],
    milestones: [],
    comments: [],
    issueEvents: [],
    checkRuns: [],
    deployments: [],
    collaborators: new Map(),
  };
  s.repos.set(repo.full_name.toLowerCase(), repo);
  return repo;
}

/** Installs the app on repositories of one account; sends `installation.created`. */
export function install(s: StateCore, repoNames: string[], sender: UserRecord): InstallationRecord {
  const repos = repoNames.map((n) => createRepo(s, n));
  const account = repos[0]?.owner ?? s.user(sender.login);
  let installation = [...s.installations.values()].find((i) => i.account.id === account.id);
  const created = !installation;
  if (!installation) {
    installation = { id: s.nextId(), account, repos: [], created_at: nowIso() };
    s.installations.set(installation.id, installation);
  }
  for (const repo of repos) {
    if (!installation.repos.includes(repo.full_name)) installation.repos.push(repo.full_name);
  }
  const minimalRepos = repos.map((r) => ({
    id: r.id,
    node_id: serializeRepo(s.urls, r).node_id,
    name: r.name,
    full_name: r.full_name,
    private: r.private,
  }));
  s.emit({
    name: created ? "installation" : "installation_repositories",
    action: created ? "created" : "added",
    repo: null,
    sender,
    installationId: installation.id,
    fields: {
      installation: serializeInstallation(s.urls, s.app, installation),
      sender: serializeUser(s.urls, sender),
      ...(created
        ? { repositories: minimalRepos, requester: null }
        : {
            repositories_added: minimalRepos,
            repositories_removed: [],
            repository_selection: "selected",
            requester: null,
          }),
    },
  });
  return installation;
}

export function issueTokenFor(
  s: StateCore,
  installationId: number,
): { token: string; expires_at: string } {
  if (!s.installations.has(installationId)) throw new ApiError(404, "Not Found");
  const token = `ghs_${randomBytes(18).toString("base64url")}`;
  s.tokens.set(token, installationId);
  return {
    token,
    expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z"),
  };
}
