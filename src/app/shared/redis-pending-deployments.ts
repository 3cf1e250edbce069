import { z } from "zod";
import { type RepoRef, repoKey } from "../../github/octokit.js";
import {
  type RedisClient,
  type RedisConnection,
  redisClient,
} from "../../state/redis-connection.js";
import {
  expired,
  type PendingDeployment,
  type PendingDeployments,
  pendingKey,
} from "./pending-deployments.js";

/** GitHub keeps a deployment waiting 30 days; a day more, then Redis forgets a repository nobody touched. */
const TTL_SECONDS = 31 * 24 * 60 * 60;

const stored = z.object({
  repo: z.object({ owner: z.string().min(1), repo: z.string().min(1) }),
  environment: z.string().min(1),
  callbackUrl: z.string(),
  runId: z.number().int().positive(),
  receivedAt: z.string(),
  answer: z.object({ state: z.enum(["approved", "rejected"]), comment: z.string() }).optional(),
});

/**
 * Waiting deployments in Redis (`REDIS_URL`): one hash per repository,
 * `phase-gates:deployments:<owner/repo>`, a field per run and environment, so
 * requests survive a restart and every replica sees the same ones. Each put
 * renews the hash's TTL and drops the requests GitHub no longer holds (30
 * days), so a repository that deploys every day keeps a month of requests at
 * most, not every one never answered. Each
 * command (and the MULTI of `put`) touches that one key, so on a Redis
 * Cluster repositories spread over every slot.
 */
export class RedisPendingDeployments implements PendingDeployments {
  readonly #client: RedisClient;

  constructor(
    connection: RedisConnection,
    private readonly prefix = "phase-gates:deployments",
    /** The clock that says which requests GitHub no longer holds (tests fix it). */
    private readonly now: () => number = Date.now,
  ) {
    this.#client = redisClient(connection, {
      connectionName: "phase-gates-deployments",
      lazyConnect: true,
    });
  }

  #hash(repo: RepoRef): string {
    return `${this.prefix}:${repoKey(repo)}`;
  }

  async put(pending: PendingDeployment): Promise<void> {
    const hash = this.#hash(pending.repo);
    const gone = (await this.list(pending.repo))
      .filter((entry) => expired(entry, this.now()))
      .map(pendingKey);
    const writes = this.#client.multi();
    if (gone.length > 0) writes.hdel(hash, ...gone);
    await writes
      .hset(hash, pendingKey(pending), JSON.stringify(pending))
      .expire(hash, TTL_SECONDS)
      .exec();
  }

  async list(repo: RepoRef): Promise<PendingDeployment[]> {
    const hash = this.#hash(repo);
    const entries = Object.entries(await this.#client.hgetall(hash));
    const parsed = entries.map(([field, value]) => {
      const result = stored.safeParse(JSON.parse(value));
      // Only this app writes the hash: a field it cannot read is a bug to see, not to skip.
      if (!result.success) throw new Error(`${hash} ${field}: not a pending deployment`);
      const { answer, ...rest } = result.data;
      return answer ? { ...rest, answer } : rest;
    });
    return parsed.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async remove(pending: PendingDeployment): Promise<void> {
    await this.#client.hdel(this.#hash(pending.repo), pendingKey(pending));
  }

  /** At shutdown, after the queue drained: nothing is in flight, so no QUIT round trip is owed. */
  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
