import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpStatus } from "../../../test/support/failover-stream.js";
import {
  printStorageTroubleAfterEach,
  ROOMY_WRITE_ACKS,
  startTestStack,
  type TestStack,
} from "../../../test/support/gateway.js";
import {
  makeTlsMaterial,
  RedisProcesses,
  startSentinelTopology,
} from "../../../test/support/redis-topologies.js";

// A master, a replica and three sentinels that speak only mutual TLS (replication and monitoring included).
const processes = new RedisProcesses();
let stack: TestStack;

beforeAll(async () => {
  const tls = makeTlsMaterial(processes.tempDir());
  const topology = await startSentinelTopology(processes, undefined, tls);
  stack = await startTestStack(
    { url: "", keyPrefix: "mcpg-sentinel-tls:" },
    {
      env: {
        REDIS_URL: "",
        REDIS_SENTINELS: topology.sentinels.map((s) => `${s.host}:${s.port}`).join(","),
        REDIS_SENTINEL_MASTER: topology.masterName,
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

describe("Redis behind Sentinel over mutual TLS", () => {
  it("serves the admin and MCP flow", async () => {
    expect((await stack.call("GET", "/readyz")).status).toBe(200);
    const { apiToken } = await stack.createTenant("Sentinel TLS Co");
    const accountId = await stack.connectMem0(apiToken);
    const minted = await stack.mint(apiToken, accountId, { name: "s", config: { methods: ["read"] } });
    expect(await mcpStatus(minted.url)).toBe(200);
    const path = `/integrated-account/${accountId}/mcp/${minted.id}`;
    expect((await stack.call("DELETE", path, { token: apiToken })).status).toBe(200);
    expect(await mcpStatus(minted.url)).toBe(404);
  });
});
