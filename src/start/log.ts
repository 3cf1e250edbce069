import { Transform } from "node:stream";
import { getTransformStream } from "@probot/pino";
import { type Logger, pino } from "pino";

export type LogFormat = "json" | "pretty";

/**
 * JSON lines in production or with LOG_FORMAT=json, pretty otherwise, as the
 * README and .env.example promise. (`probot run` alone defaults to pretty
 * whatever NODE_ENV says: its CLI option wins over the environment.)
 */
export function logFormatFor(
  env: Record<string, string | undefined>,
): { ok: true; format: LogFormat } | { ok: false; message: string } {
  const value = env.LOG_FORMAT?.trim() ?? "";
  if (value === "json" || value === "pretty") return { ok: true, format: value };
  if (value === "") return { ok: true, format: env.NODE_ENV === "production" ? "json" : "pretty" };
  return { ok: false, message: `LOG_FORMAT=${value} is not a log format: use json or pretty.` };
}

/**
 * pino writes a child's bindings after its parent's, so a child named "ops"
 * under Probot's "probot" prints `"name"` twice; log collectors then keep one
 * of the two at random. Re-serialising keeps one key: the innermost name.
 */
function oneKeyPerName(): Transform {
  return new Transform({
    objectMode: true,
    transform(chunk: Buffer | string, _encoding, done) {
      const line = chunk.toString().trim();
      try {
        done(null, `${JSON.stringify(JSON.parse(line))}\n`);
      } catch {
        done(null, `${line}\n`);
      }
    },
  });
}

/** The logger `npm start` gives Probot: Probot's own pino setup (Sentry included), with the format above. */
export async function createLog(
  env: Record<string, string | undefined>,
  format: LogFormat,
): Promise<Logger> {
  const probotStream = await getTransformStream({
    logFormat: format,
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN || undefined,
  });
  // SonicBoom is a writable stream in all but its typings.
  probotStream.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  const head = format === "json" ? oneKeyPerName() : probotStream;
  if (head !== probotStream) head.pipe(probotStream);
  return pino(
    { level: env.LOG_LEVEL || "info", name: "probot", messageKey: env.LOG_MESSAGE_KEY || "msg" },
    head,
  );
}
