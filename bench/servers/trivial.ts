/**
 * Benchmark child: the yardstick, a fastify app with one trivial JSON route and fastify's defaults
 * (JSON body parsing, no logging), the cheapest answer a Node HTTP server can give.
 */
import Fastify from "fastify";
import { serveChild } from "../lib/child.js";

await serveChild(async () => {
  const app = Fastify({ logger: false });
  app.post("/json", async (request) => {
    const id = (request.body as { id?: unknown } | undefined)?.id ?? null;
    return { jsonrpc: "2.0", id, result: {} };
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url: `${url}/json`, close: () => app.close() };
});
