/**
 * Test harness for the MCP endpoint: the real gateway app (buildApp) with the MCP plugin registered, a real
 * Mem0 sandbox upstream, and a small resolver made of real parts (the real toolset filtered by a config,
 * the sandbox key as the account's credentials, the context from the sandbox's ping). Fixed token strings
 * stand in for minted ones; swap `testResolver` for the minting flow once it exists.
 */
import "./mcp-node-conditions.js";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { type ExecutionAccount, mem0, resolveContext, toolset } from "@mcp-gateway/integrations";
import { type Sandbox, type SandboxOptions, startSandbox } from "@mcp-gateway/mem0-sandbox";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { capturingLogger, testConfig } from "../../../test/support/gateway.js";
import { buildApp } from "../src/app.js";
import { type McpAccess, type McpSession, mcpRoutes } from "../src/mcp/mcp.routes.js";

/** Token strings shaped like real ones (long, URL-safe): longer than fastify's 100-character parameter cap. */
function fakeToken(label: string): string {
  return `mcpg_${label}.${randomBytes(180).toString("base64url")}`;
}

/** The fixed tokens the test resolver knows. Anything else resolves to not_found. */
export interface TestTokens {
  /** Every Mem0 tool. */
  all: string;
  /** methods: ["read"]: list and get tools only. */
  readOnly: string;
  /** Every tool, behind tool_exposure: "discovery". */
  discovery: string;
  /** Every tool, with require_api_token_auth: needs `Authorization: Bearer ${apiToken}`. */
  protected: string;
  /** Storage is down for this one: the resolver answers unavailable. */
  unavailable: string;
  /** A token that was minted and then revoked (not_found, like any unknown token). */
  revoked: string;
  /** The tenant API token the protected server requires. */
  apiToken: string;
}

/** A resolver over fixed tokens, built from the real catalogue and the sandbox account. */
export function testResolver(
  tokens: TestTokens,
  account: ExecutionAccount,
): (token: string, authorization: string | undefined) => Promise<McpAccess> {
  const base = { tenantId: "ten_test", accountId: "acc_test", integration: "mem0", account } as const;
  const sessions = new Map<string, McpSession>([
    [
      tokens.all,
      { ...base, serverId: "srv_all", serverName: "All Mem0", tools: toolset(mem0), exposure: "all" },
    ],
    [
      tokens.readOnly,
      {
        ...base,
        serverId: "srv_read",
        serverName: "Read only",
        tools: toolset(mem0, { methods: ["read"] }),
        exposure: "all",
      },
    ],
    [
      tokens.discovery,
      { ...base, serverId: "srv_disc", serverName: "Discovery", tools: toolset(mem0), exposure: "discovery" },
    ],
    [
      tokens.protected,
      { ...base, serverId: "srv_prot", serverName: "Protected", tools: toolset(mem0), exposure: "all" },
    ],
  ]);
  return async (token, authorization) => {
    if (token === tokens.unavailable) return { ok: false, reason: "unavailable" };
    const session = sessions.get(token);
    if (session === undefined) return { ok: false, reason: "not_found" };
    if (token === tokens.protected && authorization !== `Bearer ${tokens.apiToken}`) {
      return { ok: false, reason: "unauthorized" };
    }
    return { ok: true, session };
  };
}

/** The origin the test gateway allows in an Origin header. */
export const ALLOWED_ORIGIN = "https://claude.ai";

export interface McpTestGateway {
  readonly baseUrl: string;
  readonly tokens: TestTokens;
  readonly sandbox: Sandbox;
  readonly app: FastifyInstance;
  readonly logs: ReturnType<typeof capturingLogger>;
  /** How many times the endpoint has asked the resolver so far. */
  resolverCalls(): number;
  /** The MCP URL for a token. */
  mcpUrl(token: string): string;
  close(): Promise<void>;
}

/** Starts a sandbox and the gateway app with the MCP endpoint, listening on a free loopback port. */
export async function startMcpTestGateway(
  sandboxOptions: SandboxOptions = {},
  listen: { port?: number; allowedOrigins?: string[] } = {},
): Promise<McpTestGateway> {
  const apiKey = `m0-${randomBytes(8).toString("hex")}`;
  const sandbox = await startSandbox({ apiKeys: [apiKey], eventDelayMs: 20, ...sandboxOptions });
  const context = await resolveContext(mem0, { api_key: apiKey }, { baseUrl: sandbox.url });
  if (!context.ok) throw new Error(`sandbox ping failed: ${JSON.stringify(context)}`);
  const account: ExecutionAccount = { credentials: { api_key: apiKey }, context: context.context };
  const tokens: TestTokens = {
    all: fakeToken("all"),
    readOnly: fakeToken("read"),
    discovery: fakeToken("disc"),
    protected: fakeToken("prot"),
    unavailable: fakeToken("down"),
    revoked: fakeToken("gone"),
    apiToken: `mcpg_at_${randomBytes(16).toString("hex")}`,
  };
  const logs = capturingLogger("debug");
  // The MCP endpoint never touches Redis itself; the app wants a client for its readiness route.
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const app = await buildApp({
    config: testConfig({ MEM0_BASE_URL: sandbox.url }),
    redis,
    logger: logs.logger,
  });
  const resolve = testResolver(tokens, account);
  let resolverCalls = 0;
  await app.register(mcpRoutes, {
    resolveAccess: (token, authorization) => {
      resolverCalls += 1;
      return resolve(token, authorization);
    },
    upstreamBaseUrl: () => sandbox.url,
    allowedOrigins: listen.allowedOrigins ?? [ALLOWED_ORIGIN],
  });
  await app.listen({ port: listen.port ?? 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    tokens,
    sandbox,
    app,
    logs,
    resolverCalls: () => resolverCalls,
    mcpUrl: (token) => `${baseUrl}/mcp/${token}`,
    async close() {
      await app.close();
      redis.disconnect();
      await sandbox.close();
    },
  };
}

/** The two protocol eras the endpoint serves. */
export type Era = "2025-11-25" | "2026-07-28";
export const ERAS: readonly Era[] = ["2025-11-25", "2026-07-28"];

/** What the client saw on the wire, so tests can check HTTP headers of MCP responses. */
export interface SeenResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly method: string | undefined;
}

/**
 * Connects the real MCP SDK client in one era: 2025-11-25 with the initialize handshake, or 2026-07-28
 * pinned (server/discover, per-request envelope, Mcp-Method/Mcp-Name headers).
 */
export async function connectClient(
  url: string,
  era: Era,
  headers: Record<string, string> = {},
): Promise<{ client: Client; seen: SeenResponse[] }> {
  const seen: SeenResponse[] = [];
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as { method?: string }) : undefined;
    seen.push({ status: response.status, headers: response.headers, method: body?.method });
    return response;
  };
  const client = new Client(
    { name: "gateway-test", version: "1.0.0" },
    { versionNegotiation: { mode: era === "2025-11-25" ? "legacy" : { pin: "2026-07-28" } } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: recordingFetch,
    requestInit: { headers },
  });
  await client.connect(transport);
  return { client, seen };
}

/** Posts one raw JSON-RPC message (2025-era shape unless headers say otherwise) and reads the answer. */
export async function postRaw(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, {
    method,
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    ...(method === "GET" || method === "DELETE"
      ? {}
      : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Reads a JSON-RPC message from a JSON or single-event SSE body. */
export function jsonRpcFrom(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return JSON.parse(trimmed) as Record<string, unknown>;
  const data = trimmed
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trim())
    .join("");
  return JSON.parse(data) as Record<string, unknown>;
}

/** A 2025-era initialize request body. */
export function initializeBody(id = 1): Record<string, unknown> {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
}
