import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpStatus } from "../../../test/support/failover-stream.js";
import {
  printStorageTroubleAfterEach,
  ROOMY_WRITE_ACKS,
  startTestStack,
  type TestStack,
} from "../../../test/support/gateway.js";
import { makeTlsMaterial, RedisProcesses, startCluster } from "../../../test/support/redis-topologies.js";

// A Redis Cluster (3 masters, 3 replicas) that speaks only mutual TLS, bus and replication included.
const processes = new RedisProcesses();
let stack: TestStack;

beforeAll(async () => {
  const tls = makeTlsMaterial(processes.tempDir());
  const cluster = await startCluster(processes, 3, tls);
  stack = await startTestStack(
    { url: "", keyPrefix: "mcpg-cluster-tls:" },
    {
      env: {
        REDIS_URL: "",
        REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(","),
        REDIS_TLS_CA_FILE: tls.caFile,
        REDIS_TLS_CERT_FILE: tls.clientCert,
        REDIS_TLS_KEY_FILE: tls.clientKey,
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

describe("a Redis Cluster over mutual TLS", () => {
  it("serves the admin and MCP flow", async () => {
    expect((await stack.call("GET", "/readyz")).status).toBe(200);
    const { tenantId, apiToken } = await stack.createTenant("Cluster TLS Co");
    const accountId = await stack.connectMem0(apiToken);
    const minted = await stack.mint(apiToken, accountId, { name: "s", config: { methods: ["read"] } });
    expect(await mcpStatus(minted.url)).toBe(200);
    const path = `/integrated-account/${accountId}/mcp/${minted.id}`;
    expect((await stack.call("DELETE", path, { token: apiToken })).status).toBe(200);
    expect(await mcpStatus(minted.url)).toBe(404);
    const deleted = await stack.call("DELETE", `/tenants/${tenantId}`, { token: stack.config.adminToken });
    expect(deleted.status).toBe(200);
  });
});
