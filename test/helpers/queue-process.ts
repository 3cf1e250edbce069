/**
 * A second app process for the Redis queue tests: it takes jobs from the
 * queue at REDIS_URL/QUEUE_PREFIX, prints `started <delivery id>` for each
 * and never finishes one, so the test can SIGKILL it mid-job.
 * Run: node --import tsx test/helpers/queue-process.ts
 */
import pino from "pino";
import type { Logger } from "probot";
import { RedisJobQueue } from "../../src/app/jobs/redis-queue.js";
import { redisTargetFromEnv } from "../../src/state/redis-connection.js";

const prefix = process.env.QUEUE_PREFIX;
// REDIS_URL at one server or at a node of a cluster: found out as the app does.
const topology = await redisTargetFromEnv();
if (topology.kind !== "found" || !prefix) {
  throw new Error("a reachable REDIS_URL and QUEUE_PREFIX are required");
}

const queue = new RedisJobQueue({
  connection: topology.target,
  prefix,
  lockMs: Number(process.env.QUEUE_LOCK_MS ?? 1000),
  log: pino({ level: "silent" }) as unknown as Logger,
  merge: (_older, newer) => newer,
});
queue.start(async (job) => {
  process.stdout.write(`started ${job.deliveryId}\n`);
  await new Promise(() => {});
});
process.stdout.write("ready\n");
