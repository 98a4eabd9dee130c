import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { secretsEqual } from "@mcp-gateway/core";
import type { FastifyInstance } from "fastify";
import { bearerToken } from "../services/auth.service.js";
import type { GatewayMetrics } from "./gateway-metrics.js";

/**
 * A second, metrics-only listen address (METRICS_HOST:METRICS_PORT), for scrapers on a private network:
 * `GET /metrics` there needs no token unless METRICS_TOKEN is set; everything else is 404. It opens when
 * the app listens and closes with it.
 */
export function serveMetricsSeparately(
  app: FastifyInstance,
  metrics: GatewayMetrics,
  options: { host: string; port: number; token: string | undefined },
): void {
  let server: Server | undefined;
  app.addHook("onListen", async () => {
    server = createServer((req, res) => {
      const allowed =
        options.token === undefined ||
        (() => {
          const token = bearerToken(req.headers.authorization);
          return token !== undefined && secretsEqual(token, options.token);
        })();
      if (req.method !== "GET" || req.url !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
        return;
      }
      if (!allowed) {
        res.writeHead(401, { "www-authenticate": 'Bearer realm="metrics"' }).end();
        return;
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(options.port, options.host, () => resolve());
    });
    const address = listening.address() as AddressInfo;
    app.log.info({ metrics: `http://${options.host}:${address.port}/metrics` }, "metrics listening");
  });
  app.addHook("onClose", async () => {
    const open = server;
    if (open === undefined) return;
    const closed = new Promise<void>((resolve) => open.close(() => resolve()));
    // A scraper's keep-alive connection must not hold the shutdown.
    open.closeAllConnections();
    await closed;
  });
}
