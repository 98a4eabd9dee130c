import { randomBytes } from "node:crypto";
import { createServer, get, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpTokenClaims } from "@mcp-gateway/core";
import { createRedis, openLegacySseConnection } from "@mcp-gateway/store";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { capturingLogger } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { LegacySseHub, type LegacySseLimits, type StreamEnd } from "../src/mcp/legacy-sse/legacy-sse-hub.js";
import type { McpAccess } from "../src/mcp/mcp-session.js";
import { refusal } from "../src/mcp/refusals.js";
import { openRawStream } from "./legacy-sse-support.js";

// The per-instance half of the legacy transport on a real Redis and real HTTP streams, with its limits
// shrunk so they act in milliseconds. The access check is the one thing handed in: its answers are set
// here (the gateway's own check is exercised end to end in mcp-legacy-sse.int.test.ts).

const redisNamespace = useTestRedis();

const claims: McpTokenClaims = {
  issuer: "https://gateway.test",
  audience: "https://gateway.test/mcp",
  tenantId: "ten_hub",
  serverId: "mcp_hub",
  accountId: "acc_hub",
  requireApiTokenAuth: false,
  toolExposure: "all",
  expiresAt: null,
  tokenId: "jti_hub",
  issuedAtSeconds: 0,
};

const granted = { ok: true, session: {} } as unknown as McpAccess;
let access: McpAccess = granted;
const opened: Redis[] = [];
const hubs: LegacySseHub[] = [];
const servers: Server[] = [];

beforeEach(() => {
  access = granted;
});
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const redis of opened.splice(0)) redis.disconnect();
});

/** A hub on the test's Redis namespace, serving streams on its own HTTP server; `ends` collects why they ended. */
async function startHub(limits: Partial<LegacySseLimits>): Promise<{
  hub: LegacySseHub;
  url: string;
  ends: StreamEnd[];
  refusals: string[];
}> {
  const redis = createRedis(redisNamespace.url, { keyPrefix: redisNamespace.keyPrefix });
  await redis.connect();
  opened.push(redis);
  const hub = new LegacySseHub({
    redis,
    log: capturingLogger().logger,
    resolveAccess: async () => access,
    limits,
  });
  await hub.start();
  hubs.push(hub);
  const ends: StreamEnd[] = [];
  const refusals: string[] = [];
  const server = createServer((request, response) => {
    const connectionId = new URL(request.url ?? "/", "http://x").searchParams.get("id") ?? "";
    void hub
      .open({ connectionId, claims, authorization: undefined, response, onEnd: (end) => ends.push(end) })
      .then((result) => {
        if (!result.ok) {
          refusals.push(result.reason);
          response.writeHead(503).end(result.reason);
          return;
        }
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`event: endpoint\ndata: ${connectionId}\n\n`);
      });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { hub, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ends, refusals };
}

const newId = (): string => randomBytes(32).toString("base64url");

describe("the legacy SSE hub", () => {
  it("refuses a stream past its instance's limit, and counts a URL's streams across instances", async () => {
    const a = await startHub({ streamsPerInstance: 2, streamsPerUrl: 3 });
    const b = await startHub({ streamsPerInstance: 2, streamsPerUrl: 3 });
    const onA = [
      await openRawStream(`${a.url}/?id=${newId()}`),
      await openRawStream(`${a.url}/?id=${newId()}`),
    ];
    expect(onA.map((s) => s.status)).toEqual([200, 200]);
    expect((await openRawStream(`${a.url}/?id=${newId()}`)).status).toBe(503);
    expect(a.refusals).toEqual(["instance_full"]);
    // What the MCP endpoint answers for it: 503 with Retry-After, so a balancer's retry lands elsewhere.
    expect(refusal("instance_full")).toMatchObject({ status: 503, headers: { "retry-after": "5" } });
    const onB = await openRawStream(`${b.url}/?id=${newId()}`);
    expect(onB.status).toBe(200);
    expect((await openRawStream(`${b.url}/?id=${newId()}`)).status).toBe(503);
    expect(b.refusals).toEqual(["too_many_streams"]);
    for (const stream of [...onA, onB]) stream.close();
  });

  it("stops counting a dead instance's streams once their lease ends", async () => {
    const instance = await startHub({ streamsPerUrl: 1, leaseMs: 300 });
    // An instance that registered a stream and then died: it never renews, and never removes it.
    const redis = createRedis(redisNamespace.url, { keyPrefix: redisNamespace.keyPrefix });
    await redis.connect();
    opened.push(redis);
    const dead = { ...claims, connectionId: newId(), instanceId: "dead-instance" };
    expect(await openLegacySseConnection(redis, dead, 300, 1)).toBe(true);
    expect((await openRawStream(`${instance.url}/?id=${newId()}`)).status).toBe(503);
    expect(instance.refusals).toEqual(["too_many_streams"]);
    await expect
      .poll(async () => {
        const stream = await openRawStream(`${instance.url}/?id=${newId()}`);
        stream.close();
        return stream.status;
      })
      .toBe(200);
  });

  it("keeps an open stream's lease while its access holds, and ends it at the first re-check that refuses", async () => {
    const instance = await startHub({ recheckMs: 100, leaseMs: 300 });
    const id = newId();
    const stream = await openRawStream(`${instance.url}/?id=${id}`);
    const key = `${redisNamespace.keyPrefix}t:{${claims.tenantId}}:sse:${id}`;
    // Several leases long: renewed by every re-check.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(await redisNamespace.client.exists(key)).toBe(1);
    access = { ok: false, reason: "not_found", detail: "revoked" };
    await stream.ended;
    expect(instance.ends).toEqual([{ refused: access }]);
    expect(await redisNamespace.client.exists(key)).toBe(0);
  });

  it("sends keep-alive comments, and closes a stream without messages past its idle limit", async () => {
    const instance = await startHub({ keepAliveMs: 50, idleMs: 600, recheckMs: 100 });
    const stream = await openRawStream(`${instance.url}/?id=${newId()}`);
    await stream.ended;
    expect(stream.comments()).toBeGreaterThanOrEqual(3);
    expect(instance.ends).toEqual(["idle"]);
  });

  it("closes a stream whose client does not read once the answers waiting for it pass the backlog limit", async () => {
    const instance = await startHub({ backlogBytes: 64 * 1024 });
    const id = newId();
    // A client that opens the stream and then never reads from it.
    const response = await new Promise<IncomingMessage>((resolve) =>
      get(`${instance.url}/?id=${id}`, resolve),
    );
    response.pause();
    const answer = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { text: "x".repeat(512 * 1024) } });
    const connection = { tenantId: claims.tenantId, serverId: claims.serverId, connectionId: id };
    for (let i = 0; i < 20 && instance.ends.length === 0; i++) {
      expect(await instance.hub.relay(instance.hub.instanceId, connection, answer)).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await expect.poll(() => instance.ends).toEqual(["backlog"]);
    response.destroy();
  });
});
