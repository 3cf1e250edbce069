import type { ProbotOctokit } from "probot";

/** The installation-authenticated client every GitHub call goes through. */
export type GitHub = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export function repoKey(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`.toLowerCase();
}

/** Octokit's RequestError carries `status`; anything else is not an HTTP answer. */
export function httpStatus(error: unknown): number | null {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : null;
  }
  return null;
}

/**
 * Whether a GitHub user is a bot: GitHub marks them `type: "Bot"`, and their
 * logins end in `[bot]` (the only sign where a payload omits the type).
 */
export function isBot(
  user: { login?: string | null; type?: string | null } | null | undefined,
): boolean {
  return user?.type === "Bot" || /\[bot\]$/i.test(user?.login ?? "");
}
