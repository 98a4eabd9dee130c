/** Starts every process the bench measures and seeds the gateway: shared by run.ts and profile.ts. */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { generateDevKeyMaterial } from "@mcp-gateway/core";
import {
  authHeaders,
  mem0,
  resolveContext,
  splitArguments,
  toolset,
  upstreamUrl,
} from "@mcp-gateway/integrations";
import { freePort, spawnRedisServer } from "@mcp-gateway/store";
import { Redis } from "ioredis";
import type { Bench } from "../phases/types.js";
import { type BenchChild, startChild } from "./child.js";
import { settings } from "./settings.js";
import { admin, MCP_HEADERS, modernRequest, post, probe, rpc } from "./setup.js";

export const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));

/** The search every tools/call comparison makes: same arguments, same account, same sandbox data. */
const SEARCH_ARGS = {
  query: "which seat does the traveller prefer",
  filters: { user_id: "bench-user" },
  top_k: 5,
};

const SEED_MEMORIES = [
  "I prefer window seats on long flights.",
  "I am vegetarian and avoid dairy.",
  "My home airport is Lisbon.",
  "I like to travel with carry-on luggage only.",
  "I usually book hotels close to the old town.",
  "I prefer aisle seats on short flights.",
  "I collect postcards from every city I visit.",
  "My preferred airline alliance is Star Alliance.",
];

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Starts another gateway beside the one under test: the same keys, Redis and PUBLIC_URL, so the seeded URL
 * works on both, with `env` on top (e.g. a setting turned off). `file` is the child to run, relative to
 * bench/ (another checkout's, for bench/compare.ts). The caller stops it.
 */
export async function startSideGateway(
  bench: Pick<Bench, "smallEnv">,
  name: string,
  env: Record<string, string>,
  file = "servers/gateway.ts",
): Promise<BenchChild> {
  return startChild(name, file, { ...bench.smallEnv, PORT: String(await freePort()), ...env });
}

/**
 * Starts two throwaway redis-servers, the sandbox, two gateways, the naive server, the trivial route and
 * the load worker, and seeds a tenant, account and server. Each stop function is pushed on `stack`.
 */
export async function start(stack: (() => Promise<void>)[]): Promise<Bench> {
  const redisSmall = await spawnRedisServer();
  stack.push(() => redisSmall.dispose());
  const redisLarge = await spawnRedisServer();
  stack.push(() => redisLarge.dispose());
  const sandboxKey = `m0-bench-${randomBytes(12).toString("hex")}`;
  const startAndTrack = async (
    name: string,
    file: string,
    env: Record<string, string>,
    execArgv: string[] = [],
  ): Promise<BenchChild> => {
    const child = await startChild(name, file, env, execArgv);
    stack.push(() => child.stop());
    return child;
  };
  const sandbox = await startAndTrack("sandbox", "servers/sandbox.ts", { BENCH_SANDBOX_API_KEY: sandboxKey });

  const keys = generateDevKeyMaterial();
  const adminToken = `mcpg_admin_${randomBytes(32).toString("base64url")}`;
  const gatewayEnv = (redisUrl: string, port: number): Record<string, string> => ({
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    REDIS_URL: redisUrl,
    GATEWAY_ADMIN_TOKEN: adminToken,
    MEM0_BASE_URL: sandbox.url,
    LOG_LEVEL: settings.gatewayLogLevel,
    ...keys,
  });
  const smallEnv = gatewayEnv(redisSmall.url, await freePort());
  const gateway = await startAndTrack("gateway", "servers/gateway.ts", smallEnv);
  const largeEnv = gatewayEnv(redisLarge.url, await freePort());
  const gatewayLarge = await startAndTrack("gateway-large", "servers/gateway.ts", largeEnv);
  const naive = await startAndTrack("naive", "servers/naive.ts", {
    BENCH_SANDBOX_URL: sandbox.url,
    BENCH_SANDBOX_API_KEY: sandboxKey,
  });
  const trivial = await startAndTrack("trivial", "servers/trivial.ts", {
    BENCH_FLOOR_REDIS_URL: redisSmall.url,
    MCP_TOKEN_KEYS: keys.MCP_TOKEN_KEYS,
    BENCH_TOKEN_ISSUER: smallEnv.PUBLIC_URL ?? "",
    BENCH_TOKEN_AUDIENCE: `${smallEnv.PUBLIC_URL}/mcp`,
  });
  const load = await startAndTrack("load", "load/worker.ts", {});

  const rawSmall = new Redis(redisSmall.url, { lazyConnect: true });
  const rawLarge = new Redis(redisLarge.url, { lazyConnect: true });
  await Promise.all([rawSmall.connect(), rawLarge.connect()]);
  stack.push(async () => {
    rawSmall.disconnect();
    rawLarge.disconnect();
  });
  return {
    gateway,
    gatewayLarge,
    sandbox,
    naive,
    trivial,
    load,
    redisSmall: rawSmall,
    redisLarge: rawLarge,
    smallEnv,
    largeEnv,
    adminToken,
    sandboxKey,
    seeded: await seed(gateway.url, adminToken, sandbox.url, sandboxKey),
    log,
  };
}

async function seed(
  gatewayUrl: string,
  adminToken: string,
  sandboxUrl: string,
  sandboxKey: string,
): Promise<Bench["seeded"]> {
  for (const content of SEED_MEMORIES) {
    const added = await probe(
      `${sandboxUrl}/v3/memories/add/`,
      JSON.stringify({ messages: [{ role: "user", content }], user_id: "bench-user", infer: false }),
      { authorization: `Token ${sandboxKey}`, "content-type": "application/json" },
    );
    if (added.status >= 300) throw new Error(`seeding the sandbox failed: ${added.status} ${added.text}`);
  }
  const tenant = await admin(gatewayUrl, "POST", "/tenants", adminToken, { name: "Bench tenant" });
  const apiToken: string = tenant.api_token.token;
  const account = await admin(gatewayUrl, "POST", "/integrated-account", apiToken, {
    integration: "mem0",
    name: "Mem0 sandbox",
    credentials: { api_key: sandboxKey },
  });
  // The demo's server: every tool of the account, as an operator would mint for Claude.
  const server = await admin(gatewayUrl, "POST", `/integrated-account/${account.id}/mcp`, apiToken, {
    name: "Bench: all tools",
    config: {
      methods: ["read", "write", "custom"],
      tags: ["memories", "events", "exports", "projects", "search"],
    },
    expires_at: null,
  });
  if (!(server.tools as string[]).includes("mem_0_memories_search")) {
    throw new Error(`the seeded server lacks mem_0_memories_search: ${JSON.stringify(server.tools)}`);
  }

  // The direct call is the very request the gateway's executor makes upstream for this tool call.
  const tool = toolset(mem0).find((t) => t.name === "mem_0_memories_search");
  if (tool === undefined) throw new Error("the Mem0 catalogue has no mem_0_memories_search");
  const context = await resolveContext(mem0, { api_key: sandboxKey }, { baseUrl: sandboxUrl });
  if (!context.ok) throw new Error(`sandbox ping failed: ${JSON.stringify(context)}`);
  const parts = splitArguments(tool.http, SEARCH_ARGS, context.context);
  const url = upstreamUrl(sandboxUrl, parts.path, parts.query);
  const directHeaders = {
    accept: "application/json",
    ...authHeaders(tool.upstream.auth, { api_key: sandboxKey }),
    "content-type": "application/json",
  };
  return {
    tenantId: tenant.id as string,
    apiToken,
    accountId: account.id as string,
    token: server.token as string,
    toolCount: (server.tools as string[]).length,
    callBody: rpc("tools/call", { name: "mem_0_memories_search", arguments: SEARCH_ARGS }),
    listBody: rpc("tools/list"),
    initializeBody: rpc("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "mcp-gateway-bench", version: "1.0.0" },
    }),
    modern: {
      call: modernRequest("tools/call", { name: "mem_0_memories_search", arguments: SEARCH_ARGS }),
      list: modernRequest("tools/list"),
      discover: modernRequest("server/discover"),
    },
    direct: post(`${url.pathname}${url.search}`, JSON.stringify(parts.body), directHeaders),
    mcpHeaders: MCP_HEADERS,
  };
}
