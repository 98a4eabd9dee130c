import { freePort } from "@mcp-gateway/store";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFailoverStream } from "../../../test/support/failover-stream.js";
import {
  capturingLogger,
  printStorageTroubleAfterEach,
  ROOMY_WRITE_ACKS,
  startTestStack,
  type TestStack,
  testConfig,
} from "../../../test/support/gateway.js";
import {
  type RedisClusterTopology,
  RedisProcesses,
  roleOf,
  startCluster,
  waitFor,
  waitForClusterSettled,
} from "../../../test/support/redis-topologies.js";
import { startGateway } from "../src/runtime.js";

// The whole admin and MCP flow against a real Redis Cluster: 3 masters with a replica each, on loopback.
const processes = new RedisProcesses();
let cluster: RedisClusterTopology;
let stack: TestStack;

beforeAll(async () => {
  cluster = await startCluster(processes);
  stack = await startTestStack(
    { url: "", keyPrefix: "mcpg-cluster:" },
    {
      env: {
        REDIS_URL: "",
        REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(","),
        // These tests are about what is acknowledged and lost, not about how long acknowledging may take.
        ...ROOMY_WRITE_ACKS,
      },
    },
  );
}, 60_000);
printStorageTroubleAfterEach(() => [stack]);
afterAll(async () => {
  await stack?.close();
  await processes.stopAll();
});

async function mcp(url: string, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, ...body }),
  });
  return { status: response.status, body: await response.json() };
}

describe("a Redis Cluster of 3 masters with replicas", () => {
  it("refuses to start with REDIS_URL at one of its nodes, naming REDIS_CLUSTER_NODES", async () => {
    const node = cluster.nodes[0];
    const config = testConfig({
      PORT: String(await freePort()),
      REDIS_URL: `redis://127.0.0.1:${node?.port}`,
    });
    const failure = await startGateway(config, capturingLogger().logger).then(
      async (gateway) => {
        await gateway.close();
        return "started";
      },
      (error: Error) => error.message,
    );
    expect(failure).toMatch(
      /REDIS_URL points at redis:\/\/127\.0\.0\.1:\d+, a node of a Redis Cluster: set REDIS_CLUSTER_NODES/,
    );
  });

  it("serves the whole admin and MCP flow, and deletes a tenant with its tokens", async () => {
    expect((await stack.call("GET", "/readyz")).status).toBe(200);
    const { tenantId, apiToken } = await stack.createTenant("Cluster Co");
    const second = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: "second" } });
    expect(second.status).toBe(201);
    const accountId = await stack.connectMem0(apiToken);
    const readOnly = await stack.mint(apiToken, accountId, {
      name: "Read",
      config: { methods: ["read", "custom"] },
    });
    const other = await stack.mint(apiToken, accountId, { name: "Other", config: { methods: ["read"] } });

    const listed = await mcp(readOnly.url, { method: "tools/list" });
    expect(listed.status).toBe(200);
    expect(listed.body.result.tools.map((t: { name: string }) => t.name)).toContain("mem_0_memories_search");
    const called = await mcp(readOnly.url, {
      method: "tools/call",
      params: { name: "mem_0_memories_search", arguments: { query: "x", filters: { user_id: "u1" } } },
    });
    expect(called.status).toBe(200);
    expect(called.body.result).toBeDefined();

    const narrowed = await stack.call("PATCH", `/integrated-account/${accountId}/mcp/${readOnly.id}`, {
      token: apiToken,
      body: { config: { methods: ["read"] } },
    });
    expect(narrowed.status).toBe(200);
    const afterNarrow = await mcp(readOnly.url, { method: "tools/list" });
    expect(afterNarrow.body.result.tools.map((t: { name: string }) => t.name)).not.toContain(
      "mem_0_memories_search",
    );

    expect(
      (await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${readOnly.id}`, { token: apiToken }))
        .status,
    ).toBe(200);
    expect((await mcp(readOnly.url, { method: "tools/list" })).status).toBe(404);
    expect((await stack.call("DELETE", `/integrated-account/${accountId}`, { token: apiToken })).status).toBe(
      200,
    );
    expect((await mcp(other.url, { method: "tools/list" })).status).toBe(404);

    // A second account with a server, so the tenant deletion has keys of every kind to remove.
    const account2 = await stack.connectMem0(apiToken, "Second");
    const third = await stack.mint(apiToken, account2, { name: "Third", config: { methods: ["read"] } });
    const logs = await stack.call("GET", "/log?log_type=admin", { token: apiToken });
    expect(logs.status).toBe(200);

    const deleted = await stack.call("DELETE", `/tenants/${tenantId}`, { token: stack.config.adminToken });
    expect(deleted.status).toBe(200);
    expect((await stack.call("GET", `/tenants/${tenantId}`, { token: stack.config.adminToken })).status).toBe(
      404,
    );
    expect((await mcp(third.url, { method: "tools/list" })).status).toBe(404);
    expect((await stack.call("GET", "/api-tokens", { token: apiToken })).status).toBe(401);
    expect((await stack.call("GET", "/api-tokens", { token: second.body.token })).status).toBe(401);

    // Nothing of the tenant is left on any master.
    for (const master of cluster.masters) {
      const client = new Redis({ port: master.port, host: "127.0.0.1" });
      const left = await client.keys(`mcpg-cluster:*${tenantId}*`);
      client.disconnect();
      expect(left).toEqual([]);
    }
  });

  it("loses no acknowledged access change while every master fails over (CLUSTER FAILOVER), answering 503 rather than 500", async () => {
    const figures = await runFailoverStream(stack, {
      servers: 60,
      leadMs: 1_000,
      settleMs: 1_500,
      failover: async () => {
        // Each replica in turn takes over its master's slots.
        for (const replica of cluster.replicas) {
          const client = new Redis({ port: replica.port, host: "127.0.0.1" });
          await client.call("CLUSTER", "FAILOVER");
          client.disconnect();
          await waitFor(async () => (await roleOf(replica.port)) === "master", 15_000);
        }
      },
    });
    console.log(`cluster failover: ${JSON.stringify(figures)}`);
    expect(figures.tenantsAcknowledged).toBeGreaterThan(10);
    expect(figures.revocationsAcknowledged).toBeGreaterThan(10);
    expect(figures.tenantsLost).toBe(0);
    expect(figures.mintsLost).toBe(0);
    expect(figures.revokedServedAgain).toBe(0);
    expect(Object.keys(figures.statuses).filter((s) => !["200", "201", "503"].includes(s))).toEqual([]);
  }, 90_000);

  it("loses no acknowledged access change when a master is killed and its replica takes over", async () => {
    await waitForClusterSettled(cluster.nodes.map((n) => n.port));
    // Roles moved in the test above: find a current master and its replica.
    const all = [...cluster.masters, ...cluster.replicas];
    let victim: (typeof all)[number] | undefined;
    let heir: number | undefined;
    for (const node of all) {
      const client = new Redis({ port: node.port, host: "127.0.0.1" });
      const role = (await client.call("ROLE")) as [string, number, [string, string, string][]];
      client.disconnect();
      if (role[0] === "master" && role[2].length > 0) {
        victim = node;
        heir = Number(role[2][0]?.[1]);
        break;
      }
    }
    expect(victim).toBeDefined();
    const figures = await runFailoverStream(stack, {
      servers: 60,
      leadMs: 1_000,
      settleMs: 1_500,
      failover: async () => {
        await victim?.kill();
        await waitFor(async () => (await roleOf(heir ?? 0)) === "master", 20_000);
      },
    });
    console.log(`cluster master killed: ${JSON.stringify(figures)}`);
    expect(figures.tenantsLost).toBe(0);
    expect(figures.mintsLost).toBe(0);
    expect(figures.revokedServedAgain).toBe(0);
    expect(Object.keys(figures.statuses).filter((s) => !["200", "201", "503"].includes(s))).toEqual([]);
  }, 90_000);
});
