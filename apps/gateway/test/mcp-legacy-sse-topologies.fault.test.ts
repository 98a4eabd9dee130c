import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  printStorageTroubleAfterEach,
  ROOMY_WRITE_ACKS,
  startTestStack,
  type TestStack,
} from "../../../test/support/gateway.js";
import {
  RedisProcesses,
  startCluster,
  startSentinelTopology,
} from "../../../test/support/redis-topologies.js";
import { type Balancer, connectSseClient, startBalancer } from "./legacy-sse-support.js";

// The legacy HTTP+SSE relay on the production Redis topologies: two gateways on a Redis Cluster (3 masters,
// a replica each) and on a Sentinel-managed master, the stream held by one and every message POSTed to the
// other. On a Cluster the connection's keys share its tenant's slot, and the holder's sharded channel lives on
// the node owning its slot, where SPUBLISH counts its subscriber.

const processes = new RedisProcesses();
const stacks: TestStack[] = [];
const balancers: Balancer[] = [];

// Why an instance answered 503 or 500 (a CI run once had the first tenant refused with 503), printed after each test.
printStorageTroubleAfterEach(() => stacks);
afterAll(async () => {
  for (const stack of stacks) await stack.close();
  for (const balancer of balancers) await balancer.close();
  await processes.stopAll();
});

const key = (): string => randomBytes(32).toString("base64url");

/** Two gateways on one Redis topology behind a balancer that sends GETs to the first and POSTs to the second. */
async function twoInstances(
  redisEnv: Record<string, string>,
  keyPrefix: string,
): Promise<{ url: string; apiToken: string }> {
  const balancer = await startBalancer();
  balancers.push(balancer);
  const env = {
    REDIS_URL: "",
    ...redisEnv,
    PUBLIC_URL: balancer.url,
    // This test is about the relay, not about how long acknowledging an access change may take.
    ...ROOMY_WRITE_ACKS,
    MCP_TOKEN_KEYS: `k1:${key()}`,
    CREDENTIAL_KEYS: `c1:${key()}`,
    SECRET_HASH_KEY: key(),
  };
  const first = await startTestStack({ url: "", keyPrefix }, { env });
  stacks.push(first);
  // One upstream for both, as in production: the account's Mem0 key is the first sandbox's.
  const second = await startTestStack(
    { url: "", keyPrefix },
    { env: { ...env, MEM0_BASE_URL: first.sandbox.url } },
  );
  stacks.push(second);
  balancer.upstreams = [first.gatewayUrl, second.gatewayUrl];
  balancer.route = (request) => (request.method === "GET" ? 0 : 1);
  const { apiToken } = await first.createTenant("Topology");
  const accountId = await first.connectMem0(apiToken);
  const server = await first.mint(apiToken, accountId, { name: "SSE", config: {} });
  return { url: server.url, apiToken };
}

async function listAndCall(url: string): Promise<void> {
  const client = await connectSseClient(url);
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toContain("list_all_mem_0_projects");
  const result = await client.callTool({ name: "list_all_mem_0_projects", arguments: {} });
  expect(result.isError ?? false).toBe(false);
  await client.close();
}

describe("legacy HTTP+SSE on the production Redis topologies", () => {
  it("relays messages from one instance to the stream's holder on a Redis Cluster", async () => {
    const cluster = await startCluster(processes);
    const nodes = cluster.nodes.map((n) => `${n.host}:${n.port}`).join(",");
    const { url } = await twoInstances({ REDIS_CLUSTER_NODES: nodes }, "mcpg-sse-cluster:");
    await listAndCall(url);
  });

  it("relays messages from one instance to the stream's holder behind Sentinel", async () => {
    const topology = await startSentinelTopology(processes);
    const { url } = await twoInstances(
      {
        REDIS_SENTINELS: topology.sentinels.map((s) => `${s.host}:${s.port}`).join(","),
        REDIS_SENTINEL_MASTER: topology.masterName,
      },
      "mcpg-sse-sentinel:",
    );
    await listAndCall(url);
  });
});
