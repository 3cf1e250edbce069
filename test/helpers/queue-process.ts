/**
 * A second app process for the Redis queue tests: it takes jobs from the
 * queue at REDIS_URL/QUEUE_PREFIX, prints `started <delivery id>` for each
 * and never finishes one, so the test can SIGKILL it mid-job.
 * Run: node --import tsx test/helpers/queue-process.ts
 */
import pino from "pino";
import type { Logger } from "probot";
import { RedisJobQueue } from "../../src/app/jobs/redis-queue.js";

const url = process.env.REDIS_URL;
const prefix = process.env.QUEUE_PREFIX;
if (!url || !prefix) throw new Error("REDIS_URL and QUEUE_PREFIX are required");

const queue = new RedisJobQueue({
  connection: url,
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
