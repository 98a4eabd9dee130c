/**
 * The HTTP server around fastify: the MCP endpoint's edge (forged URLs refused before fastify sees them),
 * listening on every address of HOST=localhost, and shutdown with sockets that never sent a request.
 */
import dns from "node:dns";
import { connect, type Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturingLogger, testConfig } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { buildApp } from "../src/app.js";

const FORGED = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.${"A".repeat(43)}`;

describe("the gateway's HTTP server", () => {
  const ctx = useTestRedis();
  let app: FastifyInstance | undefined;
  let redis: Redis;
  let logs: ReturnType<typeof capturingLogger>;

  beforeEach(async () => {
    redis = new Redis(ctx.url, { keyPrefix: ctx.keyPrefix, lazyConnect: true });
    await redis.connect();
    logs = capturingLogger("info");
    app = await buildApp({ config: testConfig(), redis, logger: logs.logger });
  });
  afterEach(async () => {
    await app?.close();
    redis.disconnect();
  });

  it("refuses a forged MCP URL in front of fastify, logging one line without the token", async () => {
    const base = await app!.listen({ host: "127.0.0.1", port: 0 });
    const refused = await fetch(`${base}/mcp/${FORGED}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(refused.status).toBe(404);
    const requestId = refused.headers.get("x-request-id");
    // A request fastify does handle (health checks are not logged), for contrast.
    const unknown = await fetch(`${base}/no-such-route`);
    expect(unknown.status).toBe(404);

    const lines = logs.lines().map((line) => JSON.parse(line) as Record<string, any>);
    const edge = lines.filter((line) => line.msg === "MCP URL refused");
    expect(edge).toHaveLength(1);
    expect(edge[0]).toMatchObject({ reqId: requestId, req: { url: "/mcp/[token]", ip: "127.0.0.1" } });
    // fastify saw only the unknown route: the forged request never became a fastify request.
    expect(lines.filter((line) => line.msg === "incoming request").map((line) => line.req.url)).toEqual([
      "/no-such-route",
    ]);
    expect(logs.lines().join("\n")).not.toContain(FORGED.slice(0, 20));
  });

  it("listens on every address HOST=localhost resolves to", async () => {
    const lookup = dns.lookup;
    // A host where localhost is both 127.0.0.1 and ::1, as on many machines.
    const both = (
      hostname: string,
      options: dns.LookupAllOptions,
      callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
    ): void => {
      if (hostname === "localhost" && options?.all) {
        callback(null, [
          { address: "127.0.0.1", family: 4 },
          { address: "::1", family: 6 },
        ]);
        return;
      }
      (lookup as unknown as typeof both)(hostname, options, callback);
    };
    dns.lookup = both as unknown as typeof dns.lookup;
    try {
      await app!.listen({ host: "localhost", port: 0 });
    } finally {
      dns.lookup = lookup;
    }
    const port = (app!.server.address() as { port: number }).port;
    for (const host of ["127.0.0.1", "[::1]"]) {
      expect((await fetch(`http://${host}:${port}/healthz`)).status, host).toBe(200);
      const forged = await fetch(`http://${host}:${port}/mcp/${FORGED}`, { method: "POST", body: "{}" });
      expect(forged.status, host).toBe(404);
    }
  });

  it("closes at once with a socket that never sent a byte and one idle after a request", async () => {
    const base = new URL(await app!.listen({ host: "127.0.0.1", port: 0 }));
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(base.port), base.hostname, () => resolve(socket));
        socket.on("error", reject);
      });
    const silent = await open();
    const used = await open();
    const answered = new Promise<string>((resolve) => used.once("data", (chunk) => resolve(String(chunk))));
    used.write("GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n");
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);

    const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const bothClosed = Promise.all([closed(silent), closed(used)]);
    // Without the shutdown bookkeeping the silent socket would hold close() until the headers timeout
    // (a minute), far past this test's time limit.
    await app!.close();
    await bothClosed;
    app = undefined;
  });
});
