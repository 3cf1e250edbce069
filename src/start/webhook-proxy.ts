import type { Logger } from "pino";

/** How long the proxy channel gets to answer before the app says it cannot be reached. */
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Forwards a smee.io channel (WEBHOOK_PROXY_URL) to the app's webhook route,
 * for development. Probot's own proxy rejects the server's start when the
 * channel cannot be reached (an unhandled ErrorEvent: the process dies, and
 * `node --watch` leaves it dead); here the app keeps serving and the log says
 * once, in one line, what is wrong and what to do.
 */
export async function startWebhookProxy(
  source: string,
  target: string,
  log: Logger,
): Promise<void> {
  let SmeeClient: typeof import("smee-client").SmeeClient;
  try {
    ({ SmeeClient } = await import("smee-client"));
  } catch {
    log.warn(
      `WEBHOOK_PROXY_URL is set but smee-client is not installed (a dev dependency: \`npm ci\`): GitHub's webhooks will not reach this app.`,
    );
    return;
  }
  // smee-client logs each failed attempt; the one line below says it once.
  const quiet = {
    info: (message: string) => {
      if (!/^Connection closed/.test(message)) log.info(message);
    },
    error: () => {},
  };
  let client: InstanceType<typeof SmeeClient>;
  try {
    client = new SmeeClient({
      source,
      target,
      logger: quiet,
      maxConnectionTimeout: CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    log.error(
      `WEBHOOK_PROXY_URL=${source} is not a URL (${reason(error)}): create a channel at https://smee.io/new and set it in .env.`,
    );
    return;
  }
  try {
    await client.start();
  } catch (error) {
    await client.stop().catch(() => {});
    log.error(
      `WEBHOOK_PROXY_URL ${source} cannot be reached (${reason(error)}): GitHub's webhooks will not reach this app until it can; the app keeps running. Check the channel, or create one at https://smee.io/new and set it in .env.`,
    );
  }
}

function reason(error: unknown): string {
  if (error instanceof Error) return error.message;
  const event = error as { message?: unknown; code?: unknown } | null;
  const message = typeof event?.message === "string" && event.message ? event.message : "no answer";
  return typeof event?.code === "number" ? `${message}, HTTP ${event.code}` : message;
}
