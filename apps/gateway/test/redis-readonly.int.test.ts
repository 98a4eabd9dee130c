import { freePort } from "@mcp-gateway/store";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { RedisProcesses, waitFor } from "../../../test/support/redis-topologies.js";

// A gateway whose Redis is demoted to a replica under it (what a failover does to the old master while
// a client still points at it): writes answer 503 with Retry-After, never 500, and /readyz says why.
const processes = new RedisProcesses();
let stack: TestStack;
let gatewayPort: number;
let otherPort: number;

beforeAll(async () => {
  gatewayPort = await freePort();
  await processes.start(gatewayPort, ["--port", String(gatewayPort), "--bind", "127.0.0.1", "--save", ""]);
  otherPort = await freePort();
  await processes.start(otherPort, ["--port", String(otherPort), "--bind", "127.0.0.1", "--save", ""]);
  stack = await startTestStack({ url: `redis://127.0.0.1:${gatewayPort}`, keyPrefix: "mcpg-readonly:" });
});
afterAll(async () => {
  await stack?.close();
  await processes.stopAll();
});

async function replicaof(...target: string[]): Promise<void> {
  const client = new Redis({ port: gatewayPort, host: "127.0.0.1" });
  await client.call("REPLICAOF", ...target);
  client.disconnect();
}

describe("a Redis that cannot take writes", () => {
  it("answers 503 with Retry-After on writes and not ready, then recovers when it is a master again", async () => {
    const { apiToken } = await stack.createTenant("Before");
    await replicaof("127.0.0.1", String(otherPort));
    // (Redis drops its clients when it changes role; once the gateway is back, ROLE says "slave".)
    await waitFor(async () => {
      const ready = await stack.call("GET", "/readyz");
      return ready.status === 503 && /not a master: it cannot take writes/.test(ready.body.message);
    }, 5_000);

    const created = await stack.call("POST", "/tenants", {
      token: stack.config.adminToken,
      body: { name: "x" },
    });
    expect(created.status).toBe(503);
    expect(created.headers.get("retry-after")).toBe("5");
    expect(created.body.code).toBe("service_unavailable");
    const token = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: "x" } });
    expect([401, 503]).toContain(token.status);

    await replicaof("NO", "ONE");
    await waitFor(async () => (await stack.call("GET", "/readyz")).status === 200, 10_000);
    await waitFor(async () => {
      const again = await stack.call("POST", "/tenants", {
        token: stack.config.adminToken,
        body: { name: "y" },
      });
      return again.status === 201;
    }, 10_000);
  });

  it("still starts and reads as ready for a Redis user whose ACL forbids ROLE and INFO", async () => {
    const admin = new Redis({ port: otherPort, host: "127.0.0.1" });
    await admin.call("ACL", "SETUSER", "gateway", "on", ">gateway-password", "~*", "+@all", "-role", "-info");
    admin.disconnect();
    const restricted = await startTestStack({
      url: `redis://gateway:gateway-password@127.0.0.1:${otherPort}`,
      keyPrefix: "mcpg-acl:",
    });
    try {
      expect((await restricted.call("GET", "/readyz")).status).toBe(200);
      const { apiToken } = await restricted.createTenant("ACL Co");
      expect((await restricted.call("GET", "/api-tokens", { token: apiToken })).status).toBe(200);
    } finally {
      await restricted.close();
    }
  });
});
