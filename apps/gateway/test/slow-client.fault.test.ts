import { LIMITS } from "@mcp-gateway/core";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturingLogger, testConfig } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { buildApp } from "../src/app.js";
import { exchange } from "./raw-http.js";

// The gateway keeps Node's headers timeout (60 s, checked every 30 s), far too long to wait for here. The
// test shortens both on the real app's server before it listens, so what is under test is what the gateway
// answers when Node cuts a slow client, not the length of Node's default.
const HEADERS_TIMEOUT_MS = 500;
const CHECK_INTERVAL_MS = 100;

describe("a client that stalls halfway through its headers", () => {
  const ctx = useTestRedis();
  let app: FastifyInstance;
  let redis: Redis;

  beforeEach(async () => {
    redis = new Redis(ctx.url, { keyPrefix: ctx.keyPrefix, lazyConnect: true });
    await redis.connect();
    app = await buildApp({ config: testConfig(), redis, logger: capturingLogger("debug").logger });
  });
  afterEach(async () => {
    await app.close();
    redis.disconnect();
  });

  it("keeps Node's headers timeout on, within the request timeout, in the gateway as built", () => {
    expect(app.server.headersTimeout).toBeGreaterThan(0);
    expect(app.server.headersTimeout).toBeLessThanOrEqual(Math.min(60_000, LIMITS.requestTimeoutMs));
  });

  it("gets 408 with Connection: close, and the socket closed, once the headers timeout passes", async () => {
    app.server.headersTimeout = HEADERS_TIMEOUT_MS;
    // Not in @types/node as a property, but what Node's server reads when it starts listening (the
    // `connectionsCheckingInterval` option of http.createServer lands there).
    (app.server as typeof app.server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
      CHECK_INTERVAL_MS;
    const url = await app.listen({ host: "127.0.0.1", port: 0 });

    const res = await exchange(url, "GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Half: ", {
      withinMs: HEADERS_TIMEOUT_MS + 10 * CHECK_INTERVAL_MS,
    });
    expect(res.serverClosed).toBe(true);
    expect(res.statusCode).toBe(408);
    expect(res.headers.connection).toBe("close");
    expect(res.headers["content-length"]).toBe(String(Buffer.byteLength(res.body)));
    expect(res.elapsedMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - CHECK_INTERVAL_MS);
  });
});
