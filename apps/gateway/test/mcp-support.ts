/**
 * Test harness for the MCP endpoint: the real gateway (startGateway: buildApp with the MCP route and the real
 * resolver) on the test file's own Redis namespace, a real Mem0 sandbox upstream, and URLs minted through the
 * real admin API for each configuration the tests need.
 */
import type { Sandbox, SandboxOptions } from "@mcp-gateway/mem0-sandbox";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type capturingLogger, startTestStack } from "../../../test/support/gateway.js";
import { openTestNamespace } from "../../../test/support/redis.js";

export { jsonRpcFrom } from "../../../test/support/json-rpc.js";

/** The tokens of the servers the harness mints (each the path segment of a real URL). */
export interface TestTokens {
  /** Every Mem0 tool. */
  all: string;
  /** methods: ["read"]: list and get tools only. */
  readOnly: string;
  /** Every tool, behind tool_exposure: "discovery". */
  discovery: string;
  /** Every tool, with require_api_token_auth: needs `Authorization: Bearer ${apiToken}`. */
  protected: string;
  /** A server that was minted and then deleted (revoked). */
  revoked: string;
  /** The tenant API token the protected server requires. */
  apiToken: string;
}

/** The origin the test gateway allows in an Origin header. */
export const ALLOWED_ORIGIN = "https://claude.ai";

export interface McpTestGateway {
  readonly baseUrl: string;
  readonly tokens: TestTokens;
  /** Ids of the tenant, the account and the server behind each token. */
  readonly ids: {
    tenantId: string;
    accountId: string;
    servers: Record<Exclude<keyof TestTokens, "apiToken">, string>;
  };
  readonly sandbox: Sandbox;
  readonly logs: ReturnType<typeof capturingLogger>;
  /** The Redis the gateway uses, and the key prefix of its namespace there. */
  readonly redisUrl: string;
  readonly keyPrefix: string;
  /** The MCP URL for a token. */
  mcpUrl(token: string): string;
  close(): Promise<void>;
}

function tokenOf(url: string): string {
  return url.slice(url.indexOf("/mcp/") + "/mcp/".length);
}

/** Starts a sandbox and the real gateway, then mints the servers of TestTokens through the admin API. */
export async function startMcpTestGateway(
  sandboxOptions: SandboxOptions = {},
  listen: { port?: number; allowedOrigins?: string[] } = {},
  storage?: { url: string; keyPrefix: string },
): Promise<McpTestGateway> {
  // Inside vitest: a namespace on the worker's Redis. Outside (scripts): the Redis the caller passes.
  const redis = storage ? { ...storage, dispose: async () => {} } : await openTestNamespace();
  const origins = listen.allowedOrigins ?? [ALLOWED_ORIGIN];
  const stack = await startTestStack(redis, {
    sandbox: sandboxOptions,
    // An empty list leaves MCP_ALLOWED_ORIGINS unset: the gateway's default.
    env: origins.length === 0 ? {} : { MCP_ALLOWED_ORIGINS: origins.join(",") },
    ...(listen.port === undefined ? {} : { port: listen.port }),
  });
  const { apiToken, tenantId } = await stack.createTenant("MCP tests");
  const accountId = await stack.connectMem0(apiToken);
  const mint = async (
    name: string,
    config: Record<string, unknown> = {},
  ): Promise<{ id: string; url: string }> => stack.mint(apiToken, accountId, { name, config });
  const revoked = await mint("Revoked");
  const deleted = await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${revoked.id}`, {
    token: apiToken,
  });
  if (deleted.status !== 200) throw new Error(`revoking the test server failed: ${deleted.status}`);
  const all = await mint("All Mem0");
  const readOnly = await mint("Read only", { methods: ["read"] });
  const discovery = await mint("Discovery", { tool_exposure: "discovery" });
  const protectedServer = await mint("Protected", { require_api_token_auth: true });
  const tokens: TestTokens = {
    all: tokenOf(all.url),
    readOnly: tokenOf(readOnly.url),
    discovery: tokenOf(discovery.url),
    protected: tokenOf(protectedServer.url),
    revoked: tokenOf(revoked.url),
    apiToken,
  };
  const servers = {
    all: all.id,
    readOnly: readOnly.id,
    discovery: discovery.id,
    protected: protectedServer.id,
    revoked: revoked.id,
  };
  return {
    baseUrl: stack.gatewayUrl,
    tokens,
    ids: { tenantId, accountId, servers },
    sandbox: stack.sandbox,
    logs: stack.logs,
    redisUrl: redis.url,
    keyPrefix: redis.keyPrefix,
    mcpUrl: (token) => `${stack.gatewayUrl}/mcp/${token}`,
    async close() {
      await stack.close();
      await redis.dispose();
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

/** A 2025-era initialize request body. */
export function initializeBody(id = 1): Record<string, unknown> {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
}
