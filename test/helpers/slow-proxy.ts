import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlowProxy {
  /** `GHE_HOST` value that sends the app's API calls through the proxy. */
  host: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` (the emulator), holding back those whose
 * "METHOD /path" matches `slow` for `delayMs` first: GitHub under load,
 * without a fault rule in the emulator.
 */
export async function startSlowProxy(
  target: { port: number },
  slow: RegExp,
  delayMs: number,
): Promise<SlowProxy> {
  const server = createServer((req, res) => {
    const forward = (): void => {
      const upstream = request(
        {
          host: "127.0.0.1",
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: `127.0.0.1:${target.port}` },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", (error) => {
        res.writeHead(502).end(String(error));
      });
      req.pipe(upstream);
    };
    if (slow.test(`${req.method} ${req.url}`)) setTimeout(forward, delayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
