import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../sandbox/run-app.js";
import { clusterAt, type RedisConnection } from "../../src/state/redis-connection.js";

export interface RedisServer {
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** A Redis to run a contract on: one server, or a three-master cluster. */
export interface RedisUnderTest extends RedisServer {
  /** What the app's Redis classes are given (a URL, or the cluster a node belongs to). */
  connection: RedisConnection;
  /** The URLs of every master (one for a single server): where a test looks at every key. */
  nodes: string[];
}

export interface RedisKind {
  /** For describe.each titles. */
  name: string;
  start(): Promise<RedisUnderTest>;
}

/**
 * Why Redis tests cannot run here, or null when they can. Redis is never
 * mocked: the tests need Debian's `redis-server` (.ci/run installs it) and,
 * for the cluster, its `redis-cli`.
 */
export function redisUnavailable(): string | null {
  for (const tool of ["redis-server", "redis-cli"]) {
    const found = spawnSync(tool, ["--version"], { encoding: "utf8" });
    if (found.error) {
      return `${tool} is not installed (apt-get install -y redis-server; .ci/run installs it)`;
    }
  }
  return null;
}

/** Spawns redis-server with `args` and waits until it accepts connections. */
async function spawnRedis(port: number, args: string[], cwd?: string): Promise<RedisServer> {
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...args],
    { stdio: ["ignore", "pipe", "pipe"], ...(cwd ? { cwd } : {}) },
  );
  let output = "";
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${output}`)),
      10_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited:\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (!exited) child.kill("SIGTERM");
      await exit;
    },
  };
}

/** A throwaway redis-server on a free loopback port, without persistence. */
export async function startRedis(): Promise<RedisServer> {
  return spawnRedis(await freePort(), []);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A throwaway Redis Cluster of three masters and no replicas on free loopback
 * ports (each node's bus on a free port of its own): `redis-cli --cluster
 * create`, then wait until every node says `cluster_state:ok`. Its
 * `connection` is what the app finds at REDIS_URL = the first node.
 */
export async function startRedisCluster(masters = 3): Promise<RedisUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), "phase-gates-cluster-"));
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const bus = await freePort();
      ports.push(port);
      servers.push(
        await spawnRedis(
          port,
          [
            "--cluster-enabled",
            "yes",
            "--cluster-port",
            String(bus),
            "--cluster-config-file",
            `nodes-${port}.conf`,
            "--cluster-node-timeout",
            "2000",
          ],
          dir,
        ),
      );
    }
    const created = spawnSync(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    if (created.status !== 0) {
      throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
    }
    await waitForClusterOk(ports);
    const url = `redis://127.0.0.1:${ports[0]}`;
    return {
      url,
      connection: clusterAt(url),
      nodes: ports.map((port) => `redis://127.0.0.1:${port}`),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const states = await Promise.all(
      ports.map(async (port) => {
        const client = new Redis(port, "127.0.0.1", { lazyConnect: true });
        try {
          await client.connect();
          return /cluster_state:ok/.test(String(await client.call("CLUSTER", "INFO")));
        } finally {
          client.disconnect();
        }
      }),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error("the Redis Cluster did not reach cluster_state:ok");
    await sleep(100);
  }
}

/** The two Redis topologies every Redis contract runs on. */
export const REDIS_KINDS: RedisKind[] = [
  {
    name: "one redis-server",
    start: async () => {
      const server = await startRedis();
      return { ...server, connection: server.url, nodes: [server.url] };
    },
  },
  { name: "a three-master Redis Cluster", start: () => startRedisCluster() },
];
