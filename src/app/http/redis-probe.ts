import type { Logger } from "probot";
import { type RedisConnection, redisClient } from "../../state/redis-connection.js";

export interface RedisProbe {
  /** True when Redis answers a PING within `timeoutMs`. */
  reachable: () => Promise<boolean>;
  close: () => Promise<void>;
}

/**
 * A connection of its own for `/readyz`: Probot keeps its Redis client (the
 * clustered throttle) to itself. Commands fail at once while disconnected
 * (no offline queue) so a probe never hangs on a dead Redis.
 */
export function createRedisProbe(
  connection: RedisConnection,
  log: Logger,
  timeoutMs = 1000,
): RedisProbe {
  const client = redisClient(connection, {
    connectionName: "phase-gates-readyz",
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  client.on("error", (error: Error) => {
    // One line per outage, not one per reconnect attempt.
    if (!down) log.warn({ err: { message: error.message } }, "redis unreachable");
    down = true;
  });
  client.on("ready", () => {
    if (down) log.info("redis reachable again");
    down = false;
  });
  return {
    reachable: async () => {
      if (client.status !== "ready") return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          client.ping(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error("PING timed out")), timeoutMs);
          }),
        ]);
        return answer === "PONG";
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      client.disconnect();
    },
  };
}
