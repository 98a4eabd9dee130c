/**
 * Where one MCP request's time goes, in-process and sequential (so wall time ≈ CPU time):
 * `npx tsx bench/breakdown.ts [iterations]` after `npm run build`. Times the gateway's steps one by one
 * (token verification, the Redis read, the whole access check) and whole requests through fastify's
 * inject (no sockets): a trivial route, a forged token, tools/list on a 1-tool and an all-tools server,
 * and tools/call. Differences between those rows attribute the cost of each layer. Then the two protocol
 * eras pair by pair (tools/list, tools/call, initialize against server/discover), interleaved request by
 * request so that whatever else the machine does falls on both alike. Not part of the bench.
 */
import { createHmac, generateKeyPairSync, randomBytes, sign, timingSafeEqual, verify } from "node:crypto";
import { performance } from "node:perf_hooks";
import { generateDevKeyMaterial, systemClock, verifyMcpToken } from "@mcp-gateway/core";
import { startSandbox } from "@mcp-gateway/mem0-sandbox";
import { findMcpServerWithAccount, spawnRedisServer } from "@mcp-gateway/store";
import Fastify from "fastify";
import pino from "pino";
import { createLogger } from "../apps/gateway/dist/logger.js";
import { configFromEnv, startGateway } from "../apps/gateway/dist/runtime.js";
import { checkMcpUrlToken, resolveMcpAccess } from "../apps/gateway/dist/services/mcp-access.service.js";
import { createServiceContext } from "../apps/gateway/dist/services/service-context.js";
import { admin, MCP_HEADERS, type McpRequestShape, modernRequest, rpc } from "./lib/setup.js";
import { fmt, summarize } from "./lib/stats.js";

const iterations = Number(process.argv[2] ?? 2000);

async function time(label: string, op: () => Promise<unknown> | unknown): Promise<[string, number, number]> {
  for (let i = 0; i < Math.min(500, iterations); i++) await op();
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await op();
    samples.push((performance.now() - t) * 1000);
  }
  const cpu = process.cpuUsage(cpu0);
  return [label, summarize(samples).p50, (cpu.user + cpu.system) / iterations];
}

/**
 * Two operations interleaved (A B, B A, A B, ...), each timed on its own: CPU µs per operation of each and
 * their ratio, so a busy machine's noise falls on both sides alike.
 */
async function interleaved(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<{ a: number; b: number }> {
  for (let i = 0; i < Math.min(500, iterations); i++) {
    await a();
    await b();
  }
  const spent = [0, 0];
  for (let i = 0; i < iterations; i++) {
    for (const side of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const cpu0 = process.cpuUsage();
      await (side === 0 ? a : b)();
      const cpu = process.cpuUsage(cpu0);
      spent[side]! += cpu.user + cpu.system;
    }
  }
  return { a: spent[0]! / iterations, b: spent[1]! / iterations };
}

const redis = await spawnRedisServer();
const apiKey = "m0-breakdown-key";
const sandbox = await startSandbox({ apiKeys: [apiKey], eventDelayMs: 0 });
const loaded = configFromEnv({
  NODE_ENV: "production",
  HOST: "127.0.0.1",
  PORT: "0",
  PUBLIC_URL: "http://127.0.0.1:8080",
  REDIS_URL: redis.url,
  GATEWAY_ADMIN_TOKEN: `mcpg_admin_${"x".repeat(40)}`,
  MEM0_BASE_URL: sandbox.url,
  LOG_LEVEL: "warn",
  ...generateDevKeyMaterial(),
});
if (!loaded.ok) throw new Error(loaded.errors.join("; "));
const config = loaded.config;
const gateway = await startGateway(config, createLogger("error", pino.destination(2)));
try {
  const base = gateway.address;
  await fetch(`${sandbox.url}/v3/memories/add/`, {
    method: "POST",
    headers: { authorization: `Token ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      messages: [{ role: "user", content: "I prefer window seats." }],
      user_id: "u1",
      infer: false,
    }),
  });
  const tenant = await admin(base, "POST", "/tenants", config.adminToken, { name: "t" });
  const apiToken: string = tenant.api_token.token;
  const account = await admin(base, "POST", "/integrated-account", apiToken, {
    integration: "mem0",
    name: "m",
    credentials: { api_key: apiKey },
  });
  const mint = async (cfg: unknown): Promise<string> =>
    (
      await admin(base, "POST", `/integrated-account/${account.id}/mcp`, apiToken, {
        name: "s",
        config: cfg,
        expires_at: null,
      })
    ).token as string;
  const allTools = await mint({ methods: ["read", "write", "custom"] });
  const oneTool = await mint({ tags: ["search"] });
  // A random tag of the real HS256 length, so the forgery is refused by the HMAC comparison, not a length check.
  const forged = `${allTools.slice(0, allTools.lastIndexOf(".") + 1)}${randomBytes(32).toString("base64url")}`;

  const ctx = createServiceContext(gateway.redis, config, systemClock);
  const claims = await verifyMcpToken(ctx.ring, allTools, {
    issuer: ctx.tokenIssuer,
    audience: ctx.tokenAudience,
    clock: systemClock,
  });
  if (!claims.ok) throw new Error(`verify failed: ${claims.reason}`);
  const [header, payload, signature] = allTools.split(".") as [string, string, string];
  const signingInput = Buffer.from(`${header}.${payload}`);
  const signatureBytes = Buffer.from(signature, "base64url");
  const tokenKey = config.keys.mcpTokenKeys[0]!.key;
  // The algorithm MCP URL tokens used before HS256, over the same input, for comparison.
  const ed25519 = generateKeyPairSync("ed25519");
  const ed25519Signature = sign(null, signingInput, ed25519.privateKey);

  const trivial = Fastify({ logger: false });
  trivial.post("/json", async () => ({ jsonrpc: "2.0", id: 1, result: {} }));
  await trivial.ready();
  const inject = (app: typeof gateway.app, url: string, body: string, want: number) => async () => {
    const response = await app.inject({ method: "POST", url, headers: MCP_HEADERS, payload: body });
    if (response.statusCode !== want) throw new Error(`${url.slice(0, 20)} answered ${response.statusCode}`);
  };
  const call = rpc("tools/call", {
    name: "mem_0_memories_search",
    arguments: { query: "seat", filters: { user_id: "u1" }, top_k: 5 },
  });
  const rows = [
    await time("HS256 check alone: HMAC-SHA256 + timingSafeEqual (the floor for any HS256 token)", () =>
      timingSafeEqual(createHmac("sha256", tokenKey).update(signingInput).digest(), signatureBytes),
    ),
    await time("Ed25519 verify over the same input (the previous algorithm, for comparison)", () =>
      verify(null, signingInput, ed25519.publicKey, ed25519Signature),
    ),
    await time("verifyMcpToken (shape checks + HS256 + claim checks)", () =>
      verifyMcpToken(ctx.ring, allTools, {
        issuer: ctx.tokenIssuer,
        audience: ctx.tokenAudience,
        clock: systemClock,
      }),
    ),
    await time("findMcpServerWithAccount (one MGET round trip)", () =>
      findMcpServerWithAccount(
        gateway.redis,
        claims.claims.tenantId,
        claims.claims.serverId,
        claims.claims.accountId,
      ),
    ),
    await time("checkMcpUrlToken + resolveMcpAccess (verify + MGET + open credentials + toolset)", () => {
      const checked = checkMcpUrlToken(ctx, allTools);
      if (checked === undefined) throw new Error("the all-tools token did not verify");
      return resolveMcpAccess(ctx, checked, undefined);
    }),
    await time("inject: trivial fastify route", inject(trivial as never, "/json", rpc("tools/list"), 200)),
    await time("inject: forged token (404)", inject(gateway.app, `/mcp/${forged}`, rpc("tools/list"), 404)),
    await time(
      "inject: tools/list, 1-tool server",
      inject(gateway.app, `/mcp/${oneTool}`, rpc("tools/list"), 200),
    ),
    await time(
      "inject: tools/list, all-tools server",
      inject(gateway.app, `/mcp/${allTools}`, rpc("tools/list"), 200),
    ),
    await time(
      "inject: tools/call mem_0_memories_search (includes the sandbox, in-process)",
      inject(gateway.app, `/mcp/${oneTool}`, call, 200),
    ),
  ];
  process.stdout.write(
    `\n| step (${iterations} sequential iterations) | p50 µs | CPU µs/op |\n| --- | --- | --- |\n`,
  );
  for (const [label, p50, cpu] of rows) process.stdout.write(`| ${label} | ${fmt(p50)} | ${fmt(cpu)} |\n`);

  const shaped = (token: string, shape: McpRequestShape) => async () => {
    const response = await gateway.app.inject({
      method: "POST",
      url: `/mcp/${token}`,
      headers: shape.headers,
      payload: shape.body,
    });
    if (response.statusCode !== 200) throw new Error(`answered ${response.statusCode}: ${response.body}`);
  };
  const legacy = (body: string): McpRequestShape => ({ body, headers: MCP_HEADERS });
  const callParams = {
    name: "mem_0_memories_search",
    arguments: { query: "seat", filters: { user_id: "u1" }, top_k: 5 },
  };
  const initialize = rpc("initialize", {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "breakdown", version: "1" },
  });
  const eras: [string, McpRequestShape, McpRequestShape, string][] = [
    ["tools/list, all tools", legacy(rpc("tools/list")), modernRequest("tools/list"), allTools],
    ["tools/call", legacy(call), modernRequest("tools/call", callParams), oneTool],
    ["initialize / server/discover", legacy(initialize), modernRequest("server/discover"), allTools],
  ];
  process.stdout.write(
    `\n| inject, interleaved (${iterations} each) | 2025-11-25 CPU µs | 2026-07-28 CPU µs | ratio |\n| --- | --- | --- | --- |\n`,
  );
  for (const [label, old, modern, token] of eras) {
    const { a, b } = await interleaved(shaped(token, old), shaped(token, modern));
    process.stdout.write(`| ${label} | ${fmt(a)} | ${fmt(b)} | ${fmt(b / a)}× |\n`);
  }
  await trivial.close();
} finally {
  await gateway.close();
  await sandbox.close();
  await redis.dispose();
}
