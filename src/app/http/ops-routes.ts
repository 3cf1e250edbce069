import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import type { Metrics } from "./metrics.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface Readiness {
  /** True once SIGTERM/SIGINT arrived: deliveries are refused. */
  draining: () => boolean;
  /** Redis answers a PING; null when REDIS_URL is not set. */
  redis: (() => Promise<boolean>) | null;
}

/** Seconds a refused delivery should wait: long enough for a replacement process to listen. */
export const RETRY_AFTER_SECONDS = 10;

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain"): true {
  res
    .writeHead(status, { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store" })
    .end(body);
  return true;
}

/**
 * `GET /healthz` (the process serves HTTP), `GET /readyz` (it should get
 * deliveries: not draining, Redis reachable when used) and `GET /metrics`
 * (Prometheus). Registered with Probot's `addHandler`, so it runs after the
 * webhook route and `/ping`.
 */
export function opsRoutes(metrics: Metrics, readiness: Readiness): Handler {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    switch (pathOf(req)) {
      case "/healthz":
        return send(res, 200, "ok\n");
      case "/readyz": {
        const draining = readiness.draining();
        const redis = readiness.redis ? ((await readiness.redis()) ? "up" : "down") : "unused";
        const ready = !draining && redis !== "down";
        return send(
          res,
          ready ? 200 : 503,
          JSON.stringify({ ready, draining, redis }),
          "application/json",
        );
      }
      case "/metrics":
        return send(res, 200, await metrics.registry.metrics(), "text/plain; version=0.0.4");
      default:
        return false;
    }
  };
}

/**
 * Wraps Probot's webhook route: counts every delivery by event and answer,
 * and refuses deliveries with 503 + Retry-After while shutting down, so a
 * load balancer or a redelivery sends them to a process that will do the work.
 * Probot gives an app no hook before its webhook route, but it builds that
 * route with `getNodeMiddleware()` only after loading the app (Server.start),
 * so replacing the method here is enough. test/e2e/operate.test.ts fails if
 * a Probot upgrade changes that order.
 */
export function guardWebhooks(
  probot: Probot,
  options: { metrics: Metrics; refusing: () => boolean },
): void {
  const build = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (settings = {}) => {
    const middleware = await build(settings);
    const webhookPath = settings.path ?? probot.webhookPath;
    const guarded = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
      if (pathOf(req).replace(/\/+$/, "") !== webhookPath.replace(/\/+$/, "")) {
        return middleware(req, res);
      }
      const event = req.headers["x-github-event"];
      if (req.method === "POST" && options.refusing()) {
        options.metrics.delivery(event, "refused");
        res.writeHead(503, {
          "content-type": "text/plain; charset=utf-8",
          "retry-after": String(RETRY_AFTER_SECONDS),
        });
        res.end("shutting down: deliver again later\n");
        return true;
      }
      res.once("finish", () => {
        if (req.method !== "POST") return;
        const status = res.statusCode;
        options.metrics.delivery(
          event,
          status < 400 ? "accepted" : status < 500 ? "rejected" : "failed",
        );
      });
      return middleware(req, res);
    };
    return guarded as typeof middleware;
  };
}
