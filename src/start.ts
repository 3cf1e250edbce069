import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseEnv } from "node:util";
import { run } from "probot";
import { createLog, logFormatFor } from "./start/log.js";
import { checkPrivateKey } from "./start/private-key.js";
import { startWebhookProxy } from "./start/webhook-proxy.js";

/**
 * `npm start` (and the Dockerfile's command): Probot's `probot run` with two
 * things it does not do. The log format follows NODE_ENV (JSON lines in
 * production), and the private key is checked before the server listens: a
 * key that cannot sign makes the process exit 1 with one line saying how to
 * fix it, instead of reporting ready and failing every delivery.
 * An optional argument names another app file (the bench's bare app).
 */

/** Probot reads .env itself, over the environment; read it the same way to check what it will see. */
function readDotEnv(cwd: string): Record<string, string> {
  const path = join(cwd, ".env");
  return existsSync(path) ? (parseEnv(readFileSync(path, "utf8")) as Record<string, string>) : {};
}

const cwd = process.cwd();
const dotEnv = readDotEnv(cwd);
Object.assign(process.env, dotEnv);

const format = logFormatFor(process.env);
if (!format.ok) {
  process.stderr.write(`${format.message}\n`);
  process.exit(1);
}
const log = await createLog(process.env, format.format);

/** One line, then exit 1 once it is written (the log is asynchronous). */
function refuse(message: string): void {
  log.fatal(message);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 200).unref();
}

const key = checkPrivateKey(process.env, { cwd, fromDotEnv: dotEnv.PRIVATE_KEY !== undefined });
if (key.kind === "refused") {
  refuse(key.message);
} else {
  if (key.kind === "valid" && key.fixes.length > 0) {
    process.env.PRIVATE_KEY = key.pem;
    log.warn(
      `PRIVATE_KEY read as a PEM after a fix (${key.fixes.join(", ")}), as \`docker run --env-file\` passes it: write it without quotes, or use PRIVATE_KEY_PATH.`,
    );
  }
  const appFile = process.argv[2] ?? fileURLToPath(new URL("./index.js", import.meta.url));
  // The webhook proxy is started below, not by Probot: `--webhook-proxy=` (empty)
  // wins over WEBHOOK_PROXY_URL, which Probot would read again from .env.
  const proxy = process.env.WEBHOOK_PROXY_URL?.trim();
  run(["--webhook-proxy=", pathToFileURL(resolve(cwd, appFile)).href], { env: process.env, log })
    .then((server) => {
      if (!proxy) return;
      const target = `http://${server.host ?? "localhost"}:${server.port}${process.env.WEBHOOK_PATH || "/api/github/webhooks"}`;
      return startWebhookProxy(proxy, target, log.child({ name: "proxy" }));
    })
    .catch((error: unknown) => {
      refuse(error instanceof Error ? error.message : String(error));
    });
}
