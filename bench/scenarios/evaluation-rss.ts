/** Child of scenario 6: prints the RSS of this process before and after caching N PRs' state. */
import { cachePrs } from "./evaluation.js";

const count = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const baselineMb = process.memoryUsage().rss / 2 ** 20;
const cache = cachePrs(count);
gc?.();
const rssMb = process.memoryUsage().rss / 2 ** 20;
if (cache.size !== count) throw new Error("cache incomplete");
process.stdout.write(`${JSON.stringify({ rssMb, baselineMb })}\n`);
