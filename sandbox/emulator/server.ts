import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ghesOperations, templateShape } from "./descriptions.js";
import {
  graphqlQueryOf,
  type LimitSettings,
  limitSubject,
  SecondaryLimits,
  secondaryLimitBody,
  type Ticket,
} from "./limits.js";
import { RequestLog } from "./request-log.js";
import { matchRoute, type RouteContext, type RouteResult } from "./routes/index.js";
import { ApiError, EmulatorState } from "./state/index.js";
import { WebhookDeliverer, type WebhookTarget } from "./webhooks.js";

export interface Emulator {
  /** Web root, e.g. http://127.0.0.1:PORT (html_url values start here). */
  url: string;
  /** REST root for Octokit's baseUrl: http://127.0.0.1:PORT/api/v3. */
  apiUrl: string;
  port: number;
  /** `GHE_HOST` value for the app: 127.0.0.1:PORT. */
  host: string;
  state: EmulatorState;
  requestLog: RequestLog;
  webhooks: WebhookDeliverer;
  /** GitHub's secondary rate limits per actor (off unless enabled; see limits.ts). */
  limits: SecondaryLimits;
  /** Where GitHub sends the app's webhooks. */
  connectApp(target: WebhookTarget): void;
  close(): Promise<void>;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  appId?: number;
  /** Print each request to stderr (for debugging). */
  verbose?: boolean;
  /** Turn on GitHub's secondary rate limits ({} = the documented values). */
  limits?: Partial<LimitSettings>;
  /**
   * Answer as GitHub Enterprise Server of this version (e.g. "3.17"): a REST
   * route its published description lacks answers 404, as that GHES would.
   */
  ghesVersion?: string;
  /**
   * GraphQL fields this GitHub lacks ("Type.field"), as an older GHES's schema
   * does: GitHub's schema without them judges every document.
   */
  graphqlLacks?: string[];
}

const API_PREFIX = "/api/v3";
const GRAPHQL_PATH = "/api/graphql";

/** A stateful GitHub REST API on node:http, enough for the phase-gates app to run against. */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = new EmulatorState(options.appId === undefined ? {} : { appId: options.appId });
  const requestLog = new RequestLog();
  const webhooks = new WebhookDeliverer(state);
  const limits = new SecondaryLimits(options.limits ?? null);
  const ghes = options.ghesVersion ? ghesOperations(options.ghesVersion) : null;
  state.graphqlLacks = options.graphqlLacks ?? [];
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(
        `[sandbox] emulator error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      if (!res.headersSent)
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ message: "Emulator error" }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    const started = Date.now();
    let ticket: Ticket | null = null;
    let limitedBy: string | null = null;
    const send = (
      status: number,
      route: string,
      actorLogin: string | null,
      result: RouteResult,
    ): void => {
      const headers: Record<string, string> = {
        "x-github-request-id": randomUUID(),
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
        "x-ratelimit-resource": "core",
        "x-github-media-type": "github.v3; format=json",
        ...result.headers,
      };
      let payload: string | undefined;
      if (status !== 204 && status !== 304) {
        if (result.text !== undefined) {
          payload = result.text;
        } else {
          payload = JSON.stringify(result.body ?? null);
          headers["content-type"] ??= "application/json; charset=utf-8";
        }
      }
      if (method === "GET" && status === 200 && payload !== undefined) {
        headers.etag ??= `W/"${createHash("sha1").update(payload).digest("hex")}"`;
        // A matching conditional request costs nothing on GitHub and answers an empty 304.
        if (etagMatches(req.headers["if-none-match"], headers.etag)) {
          status = 304;
          payload = undefined;
          delete headers["content-type"];
        }
      }
      res.writeHead(status, headers);
      res.end(payload);
      if (ticket) limits.finish(ticket, status);
      requestLog.record({
        method,
        route,
        path: url.pathname + url.search,
        status,
        actor: actorLogin,
        at: started,
        ...(limitedBy ? { limitedBy } : {}),
        ...(requestLog.keepResponses
          ? {
              response: {
                body:
                  payload !== undefined && result.text === undefined
                    ? JSON.parse(payload)
                    : undefined,
              },
            }
          : {}),
        ...(url.pathname.endsWith("/graphql") ? { graphql: graphqlFieldsOf(raw) } : {}),
      });
      if (options.verbose)
        process.stderr.write(`[sandbox] ${status} ${method} ${url.pathname}${url.search}\n`);
    };

    // GraphQL lives beside REST, as on GitHub Enterprise Server (`/api/graphql`).
    const isGraphql = url.pathname === GRAPHQL_PATH;
    if (!url.pathname.startsWith(API_PREFIX) && !isGraphql) {
      if (method === "GET" && url.pathname === "/") {
        send(200, "GET /", null, {
          body: {
            message: "phase-gates sandbox: a GitHub REST API emulator",
            api: `${emulatorUrl()}${API_PREFIX}`,
          },
        });
        return;
      }
      unhandled(method, url, send);
      return;
    }
    const path = isGraphql ? "/graphql" : url.pathname.slice(API_PREFIX.length) || "/";
    const match = matchRoute(method, path);
    if (!match) {
      unhandled(method, url, send);
      return;
    }
    const routeKey = `${method} ${match.route.template}`;
    if (ghes && !isGraphql && !ghes.has(`${method} ${templateShape(match.route.template)}`)) {
      // This GHES version has no such endpoint: its router answers as for any unknown path.
      send(404, routeKey, null, {
        body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
      });
      return;
    }
    let auth: RouteContext["auth"];
    try {
      auth = authenticate(req.headers.authorization);
    } catch (error) {
      const e = error as ApiError;
      send(e.status, routeKey, null, { body: errorBody(e) });
      return;
    }
    const actorLogin =
      auth.kind === "installation"
        ? state.bot.login
        : auth.kind === "user"
          ? auth.login
          : auth.kind === "app"
            ? "app"
            : null;
    const admission = limits.admit(
      limitSubject(auth),
      { method, path, graphqlQuery: isGraphql ? graphqlQueryOf(raw) : null, endpoint: routeKey },
      started,
    );
    if (!admission.ok) {
      limitedBy = admission.reason;
      send(403, routeKey, actorLogin, {
        body: secondaryLimitBody(),
        headers: { "retry-after": String(admission.retryAfterSeconds) },
      });
      return;
    }
    ticket = admission.ticket;
    const failure = state.takeFailure(routeKey);
    if (failure) {
      send(failure.status, routeKey, actorLogin, { body: failure.body, headers: failure.headers });
      return;
    }
    let body: unknown = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        send(400, routeKey, actorLogin, { body: { message: "Problems parsing JSON" } });
        return;
      }
    }
    try {
      const result = match.route.handler({
        state,
        method,
        params: match.params,
        query: url.searchParams,
        headers: req.headers,
        body,
        auth,
      });
      send(result.status ?? 200, routeKey, actorLogin, result);
    } catch (error) {
      if (error instanceof ApiError) {
        send(error.status, routeKey, actorLogin, { body: errorBody(error) });
        return;
      }
      throw error;
    }
  }

  function unhandled(
    method: string,
    url: URL,
    send: (s: number, r: string, a: string | null, x: RouteResult) => void,
  ): void {
    const line = `${method} ${url.pathname}${url.search}`;
    requestLog.unhandled.push(line);
    process.stderr.write(`[sandbox] UNHANDLED ${line}\n`);
    send(404, `${method} ${url.pathname}`, null, {
      body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
    });
  }

  function authenticate(header: string | undefined): RouteContext["auth"] {
    if (!header) return { kind: "none" };
    const [scheme = "", value = ""] = header.split(/\s+/, 2);
    // A JWT has three dot-separated parts; the emulator accepts any signature.
    if (/^bearer$/i.test(scheme) && value.split(".").length === 3) return { kind: "app" };
    if (value.startsWith("user:")) return { kind: "user", login: value.slice("user:".length) };
    const installationId = state.tokens.get(value);
    if (installationId === undefined) throw new ApiError(401, "Bad credentials");
    return { kind: "installation", installationId };
  }

  function emulatorUrl(): string {
    const address = server.address() as AddressInfo | null;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  state.urls = { web: url, api: `${url}${API_PREFIX}` };

  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    port,
    host: `127.0.0.1:${port}`,
    state,
    requestLog,
    webhooks,
    limits,
    connectApp(target) {
      webhooks.target = target;
    },
    async close() {
      webhooks.target = null;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string): string => t.trim().replace(/^W\//, "");
  const wanted = strip(etag);
  return String(header)
    .split(",")
    .some((t) => strip(t) === wanted || t.trim() === "*");
}

function errorBody(error: ApiError): Record<string, unknown> {
  return {
    message: error.message,
    documentation_url: "https://docs.github.com/rest",
    status: String(error.status),
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The names a GraphQL document calls with arguments, past its operation header (for the request log). */
function graphqlFieldsOf(raw: string): string[] {
  const document = (graphqlQueryOf(raw) ?? "").replace(/#[^\n\r]*/g, "");
  const body = document.slice(Math.max(0, document.indexOf("{")));
  return [...body.matchAll(/(\w+)\s*\(/g)].map((m) => m[1] ?? "");
}
