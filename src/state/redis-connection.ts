import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";

/**
 * Where the app's Redis is: one server (`REDIS_URL`), or a Redis Cluster
 * reached through any of its nodes (`REDIS_URL` at a node of a cluster, or
 * `REDIS_CLUSTER_NODES=host:port,…`). Every Redis-backed part of the app
 * (queue, store, budget, deployments, `/readyz`) opens its clients from one
 * target through `redisClient`, so they all speak to the same topology.
 */
export type RedisTarget =
  | { readonly kind: "server"; readonly url: string }
  | {
      readonly kind: "cluster";
      readonly nodes: readonly { host: string; port: number }[];
      /** What every node connection needs: credentials and TLS from the URL. */
      readonly node: RedisOptions;
    };

/** A client of either topology: both run the same commands and Lua scripts. */
export type RedisClient = Redis | Cluster;

/** A URL is one server; a target says which topology. */
export type RedisConnection = string | RedisTarget;

const DEFAULT_PORT = 6379;

/** Credentials and TLS of a `redis://` or `rediss://` URL, for every node of a cluster. */
function nodeOptions(url: string | undefined): RedisOptions {
  if (!url) return {};
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** `REDIS_CLUSTER_NODES`: `host:port` pairs, comma separated (a `redis://` prefix is allowed). */
export function parseClusterNodes(list: string): { host: string; port: number }[] {
  const nodes = list
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
    .map((entry) => {
      const url = new URL(entry.includes("://") ? entry : `redis://${entry}`);
      const port = url.port ? Number(url.port) : DEFAULT_PORT;
      if (!url.hostname || !Number.isInteger(port)) {
        throw new Error(`REDIS_CLUSTER_NODES: "${entry}" is not host:port`);
      }
      return { host: url.hostname, port };
    });
  if (nodes.length === 0) throw new Error("REDIS_CLUSTER_NODES is set but names no node");
  return nodes;
}

/** A cluster reached through the node a URL names. */
export function clusterAt(url: string): RedisTarget {
  const parsed = new URL(url);
  return {
    kind: "cluster",
    nodes: [{ host: parsed.hostname, port: parsed.port ? Number(parsed.port) : DEFAULT_PORT }],
    node: nodeOptions(url),
  };
}

/**
 * Asks the server at `url` whether it runs in cluster mode (`INFO cluster`).
 * A server that does not answer within `timeoutMs` is taken for one server:
 * set `REDIS_CLUSTER_NODES` where that guess must never be made.
 */
export async function isClusterNode(url: string, timeoutMs = 5000): Promise<boolean> {
  const probe = new Redis(url, {
    connectionName: "phase-gates-topology",
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    return /^cluster_enabled:1\b/m.test(await probe.info("cluster"));
  } finally {
    probe.disconnect();
  }
}

export type TopologyAnswer =
  | { kind: "none" }
  | { kind: "found"; target: RedisTarget }
  | { kind: "guessed"; target: RedisTarget; reason: string };

/**
 * The app's Redis from its environment: none, `REDIS_CLUSTER_NODES` (a
 * cluster, said outright), or `REDIS_URL` — a cluster when the node says it
 * is one, else one server. A node that cannot be asked is guessed to be one
 * server and the answer says why, for the log.
 */
export async function redisTargetFromEnv(
  env: Record<string, string | undefined> = process.env,
): Promise<TopologyAnswer> {
  const nodes = env.REDIS_CLUSTER_NODES?.trim();
  if (nodes) {
    return {
      kind: "found",
      target: {
        kind: "cluster",
        nodes: parseClusterNodes(nodes),
        node: nodeOptions(env.REDIS_URL),
      },
    };
  }
  const url = env.REDIS_URL?.trim();
  if (!url) return { kind: "none" };
  try {
    return {
      kind: "found",
      target: (await isClusterNode(url)) ? clusterAt(url) : { kind: "server", url },
    };
  } catch (error) {
    return {
      kind: "guessed",
      target: { kind: "server", url },
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Options that apply to the whole client, whichever the topology. */
export interface ClientOptions extends RedisOptions {
  /** Cluster only: options of the cluster client itself (slot refresh, redirections). */
  cluster?: Omit<ClusterOptions, "redisOptions">;
}

/**
 * A client of the target. Per-connection options (`connectionName`,
 * `maxRetriesPerRequest`, …) go to every node of a cluster; the ones that
 * describe the client as a whole (`lazyConnect`, `enableOfflineQueue`,
 * `retryStrategy` → `clusterRetryStrategy`) go to the cluster client.
 */
export function redisClient(connection: RedisConnection, options: ClientOptions = {}): RedisClient {
  const { cluster, ...perNode } = options;
  if (typeof connection === "string") return new Redis(connection, perNode);
  if (connection.kind === "server") return new Redis(connection.url, perNode);
  const { lazyConnect, enableOfflineQueue, retryStrategy, ...rest } = perNode;
  return new Cluster([...connection.nodes], {
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(retryStrategy ? { clusterRetryStrategy: retryStrategy } : {}),
    ...cluster,
    redisOptions: { ...connection.node, ...rest },
  });
}

/** A label for logs: which topology, never credentials. */
export function describeTarget(connection: RedisConnection): string {
  if (typeof connection === "string" || connection.kind === "server") return "one Redis server";
  return `a Redis Cluster (seed ${connection.nodes.map((n) => `${n.host}:${n.port}`).join(",")})`;
}
