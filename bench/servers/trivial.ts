/**
 * Benchmark child: the yardstick, a fastify app with fastify's defaults (JSON body parsing, no logging).
 * `/json` is the trivial route, the cheapest answer a Node HTTP server can give. Two floor routes show
 * what any tools/list must cost on this machine, whatever the gateway does: `/bytes/<n>` answers n bytes
 * held in memory, and `/floor/<n>` first reads two keys with one MGET from the bench's Redis (a client
 * configured like the gateway's), as a URL that can be revoked at once must, then answers n bytes.
 * `/verify/<token>` is the floor for refusing a forged token: the gateway's own token check
 * (verifyMcpToken with the same keys) and a 404, nothing else.
 */
import { createKeyRing, parseMcpTokenKeys, systemClock, verifyMcpToken } from "@mcp-gateway/core";
import Fastify from "fastify";
import { Redis } from "ioredis";
import { serveChild } from "../lib/child.js";

await serveChild(async () => {
  const redisUrl = process.env.BENCH_FLOOR_REDIS_URL;
  if (redisUrl === undefined) throw new Error("BENCH_FLOOR_REDIS_URL is not set");
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, lazyConnect: true });
  await redis.connect();
  // Two records about the size of a server record and an account record.
  const keys = ["bench:floor:server", "bench:floor:account"] as const;
  await redis.mset(keys[0], "s".repeat(632), keys[1], "a".repeat(700));
  const answers = new Map<number, Buffer>();
  const bytes = (n: number): Buffer => {
    let answer = answers.get(n);
    if (answer === undefined) {
      answer = Buffer.alloc(n, 0x20);
      answers.set(n, answer);
    }
    return answer;
  };

  const tokenKeys = parseMcpTokenKeys(process.env.MCP_TOKEN_KEYS ?? "");
  if (!tokenKeys.ok) throw new Error("MCP_TOKEN_KEYS is not set to the bench gateway's keys");
  const ring = createKeyRing(tokenKeys.keys);
  const verifyOptions = {
    issuer: process.env.BENCH_TOKEN_ISSUER ?? "",
    audience: process.env.BENCH_TOKEN_AUDIENCE ?? "",
    clock: systemClock,
  };

  const app = Fastify({ logger: false });
  // A wildcard: fastify caps a named parameter at 100 characters.
  app.post<{ Params: { "*": string } }>("/verify/*", async (request, reply) => {
    const verdict = verifyMcpToken(ring, request.params["*"], verifyOptions);
    return reply.code(verdict.ok ? 200 : 404).send({ ok: verdict.ok });
  });
  app.post("/json", async (request) => {
    const id = (request.body as { id?: unknown } | undefined)?.id ?? null;
    return { jsonrpc: "2.0", id, result: {} };
  });
  app.post<{ Params: { n: string } }>("/bytes/:n", async (request, reply) =>
    reply.header("content-type", "application/json").send(bytes(Number(request.params.n))),
  );
  app.post<{ Params: { n: string } }>("/floor/:n", async (request, reply) => {
    await redis.mget(keys[0], keys[1]);
    return reply.header("content-type", "application/json").send(bytes(Number(request.params.n)));
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `${url}/json`,
    close: async () => {
      await app.close();
      redis.disconnect();
    },
  };
});
