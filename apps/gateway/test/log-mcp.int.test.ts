import { manualClock } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { consoleClient } from "./console-support.js";
import { connectClient, initializeBody, postRaw } from "./mcp-support.js";

// The MCP request log, end to end: a real MCP client talks to a minted URL, and each request is then found
// in GET /log with the fields the request had. Records are written after the answer, so tests poll.

const redis = useTestRedis();
const clock = manualClock(Date.now());
const stack = useTestStack(redis, { clock });

type LogRecord = Record<string, any>;

async function readLog(token: string, query: string): Promise<{ status: number; body: any }> {
  return stack.call("GET", `/log?${query}`, { token });
}

/** Polls GET /log until `count` records match (writes land just after the answers). */
async function waitForRecords(token: string, query: string, count: number): Promise<LogRecord[]> {
  let last: LogRecord[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await readLog(token, `${query}&limit=100`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    last = res.body.result;
    if (last.length >= count) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${count} records for ${query}, found ${last.length}: ${JSON.stringify(last)}`);
}

async function setUp(config: Record<string, unknown> = {}) {
  const { tenantId, apiToken } = await stack.createTenant("Log tests");
  const accountId = await stack.connectMem0(apiToken);
  const server = await stack.mint(apiToken, accountId, { name: "Logged", config });
  return { tenantId, apiToken, accountId, server, url: server.url as string };
}

const SECRET_ARGUMENT = "zebra-marmalade-7731";

describe("MCP request log", () => {
  it("records every request of a real 2025-era client with its method, tool, outcome, client and timings", async () => {
    const { apiToken, accountId, server, url } = await setUp();
    const { client, seen } = await connectClient(url, "2025-11-25");
    await client.listTools();
    const result = await client.callTool({
      name: "mem_0_memories_search",
      arguments: { query: SECRET_ARGUMENT, filters: { user_id: "log-user" } },
    });
    expect(result.isError ?? false).toBe(false);
    await client.close();

    const records = await waitForRecords(apiToken, `log_type=mcp&mcp_server_id=${server.id}`, 4);
    const methods = records.map((r) => r.mcp_method);
    // Newest first; the 2025 era's notification is a request of its own.
    expect(methods).toEqual(["tools/call", "tools/list", "notifications/initialized", "initialize"]);
    const call = records[0] as LogRecord;
    const callRequestId = seen.find((s) => s.method === "tools/call")?.headers.get("x-request-id");
    expect(call).toMatchObject({
      log_type: "mcp",
      mcp_server_id: server.id,
      integrated_account_id: accountId,
      mcp_method: "tools/call",
      tool_name: "mem_0_memories_search",
      outcome: "ok",
      reason: null,
      http_status: 200,
      upstream_status: 200,
      protocol_era: "2025-11-25",
      protocol_version: "2025-11-25",
      credential: "none",
      credential_id: null,
      transport: "streamable_http",
      request_id: callRequestId,
    });
    expect(call.duration_ms).toEqual(expect.any(Number));
    expect(call.upstream_latency_ms).toEqual(expect.any(Number));
    expect(Date.parse(call.created_at)).toBeGreaterThan(0);
    const initialize = records[3] as LogRecord;
    expect(initialize).toMatchObject({ client_name: "gateway-test", client_version: "1.0.0", outcome: "ok" });

    // Filters: by request id, method, tool and outcome.
    const byId = await readLog(apiToken, `log_type=mcp&request_id=${callRequestId}`);
    expect(byId.body.result.map((r: LogRecord) => r.mcp_method)).toEqual(["tools/call"]);
    const byMethod = await readLog(apiToken, "log_type=mcp&mcp_method=tools/list");
    expect(byMethod.body.result).toHaveLength(1);
    const byTool = await readLog(apiToken, "log_type=mcp&tool_name=mem_0_memories_search&outcome=ok");
    expect(byTool.body.result).toHaveLength(1);
    const none = await readLog(apiToken, "log_type=mcp&outcome=refused");
    expect(none.body).toEqual({ result: [], next_cursor: null });
  });

  it("records the 2026-07-28 era with its client info from the request envelope", async () => {
    const { apiToken, server, url } = await setUp();
    const { client } = await connectClient(url, "2026-07-28");
    await client.listTools();
    await client.close();
    const records = await waitForRecords(apiToken, `log_type=mcp&mcp_server_id=${server.id}`, 2);
    expect(records.map((r) => r.mcp_method)).toEqual(["tools/list", "server/discover"]);
    for (const record of records) {
      expect(record).toMatchObject({
        protocol_era: "2026-07-28",
        protocol_version: "2026-07-28",
        client_name: "gateway-test",
        client_version: "1.0.0",
        outcome: "ok",
      });
    }
  });

  it("records refusals of a known server: 401 without its API token, a tool outside its filters, a revoked URL", async () => {
    const { apiToken, accountId, server, url } = await setUp({ require_api_token_auth: true });
    const missing = await postRaw(url, initializeBody());
    expect(missing.status).toBe(401);
    const tokenId = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result[0].id;
    const { client } = await connectClient(url, "2025-11-25", { authorization: `Bearer ${apiToken}` });
    await client.listTools();
    await client.close();

    const readOnly = await stack.mint(apiToken, accountId, {
      name: "Read only",
      config: { methods: ["read"] },
    });
    const filtered = await postRaw(
      readOnly.url,
      {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "create_a_mem_0_memory", arguments: {} },
      },
      { "mcp-protocol-version": "2025-11-25" },
    );
    expect(filtered.text).toContain("Unknown tool");
    await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${readOnly.id}`, { token: apiToken });
    const revoked = await postRaw(readOnly.url, initializeBody());
    expect(revoked.status).toBe(404);

    const refused = await waitForRecords(apiToken, "log_type=mcp&outcome=refused", 3);
    expect(refused.map((r) => [r.mcp_server_id, r.reason, r.http_status])).toEqual([
      [readOnly.id, "revoked", 404],
      [readOnly.id, "unknown_tool", 200],
      [server.id, "api_token_required", 401],
    ]);
    expect(refused[1]).toMatchObject({ tool_name: "create_a_mem_0_memory", mcp_method: "tools/call" });
    const withToken = await waitForRecords(apiToken, `log_type=mcp&mcp_server_id=${server.id}&outcome=ok`, 1);
    for (const record of withToken) {
      expect(record).toMatchObject({ credential: "api_token", credential_id: tokenId });
    }
  });

  it("keeps no argument text, URL token or API token in Redis or in the process log, and no forged-token record", async () => {
    const { apiToken, url } = await setUp();
    const urlToken = url.slice(url.lastIndexOf("/") + 1);
    const { client } = await connectClient(url, "2025-11-25");
    await client.callTool({
      name: "mem_0_memories_search",
      arguments: { query: SECRET_ARGUMENT, filters: { user_id: SECRET_ARGUMENT } },
    });
    await client.close();
    // A forged token: the real header and payload under another signature.
    const forged = `${urlToken.slice(0, urlToken.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    expect((await postRaw(`${stack.gatewayUrl}/mcp/${forged}`, initializeBody())).status).toBe(404);
    const records = await waitForRecords(apiToken, "log_type=mcp", 3);
    // Positive control: the call is there.
    expect(records.some((r) => r.tool_name === "mem_0_memories_search")).toBe(true);

    const stored: string[] = [];
    for (const key of await redis.keys()) {
      const type = await redis.client.type(key);
      if (type === "stream") stored.push(JSON.stringify(await redis.client.xrange(key, "-", "+")));
    }
    const streams = stored.join("\n");
    expect(streams).toContain("tools/call");
    for (const secret of [SECRET_ARGUMENT, urlToken, forged, apiToken]) {
      expect(streams.includes(secret), "a secret in a log stream").toBe(false);
      expect(stack.logs.lines().join("\n").includes(secret), "a secret in the process log").toBe(false);
    }
    // The forged request reached no tenant's log: only the three real requests are there.
    expect(records).toHaveLength(3);
  });

  it("pages newest first across pages with a cursor, without repeats or gaps", async () => {
    const { apiToken, url } = await setUp();
    const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
    for (let i = 0; i < 25; i++) {
      await postRaw(url, list, { "mcp-protocol-version": "2025-11-25" });
      clock.advance(1);
    }
    await waitForRecords(apiToken, "log_type=mcp", 25);
    const seenIds: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `log_type=mcp&limit=10${cursor === null ? "" : `&cursor=${cursor}`}`;
      const page = await readLog(apiToken, query);
      expect(page.status).toBe(200);
      seenIds.push(...page.body.result.map((r: LogRecord) => r.id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seenIds).size).toBe(25);
    const times = seenIds.map((id) => Number(id.split("-")[0]));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const bad = await readLog(apiToken, "log_type=mcp&cursor=not-a-cursor");
    expect(bad.status).toBe(400);
  });

  it("filters by time with from and to", async () => {
    const { apiToken, url } = await setUp();
    const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
    const start = clock.now();
    await postRaw(url, list);
    clock.advance(60_000);
    await postRaw(url, list);
    clock.advance(60_000);
    await postRaw(url, list);
    await waitForRecords(apiToken, "log_type=mcp", 3);
    const middle = new Date(start + 60_000).toISOString();
    const from = await readLog(apiToken, `log_type=mcp&from=${middle}`);
    expect(from.body.result).toHaveLength(2);
    const to = await readLog(apiToken, `log_type=mcp&to=${middle}`);
    expect(to.body.result).toHaveLength(2);
    const both = await readLog(apiToken, `log_type=mcp&from=${middle}&to=${middle}`);
    expect(both.body.result).toHaveLength(1);
  });

  it("forgets records older than LOG_RETENTION_DAYS (default 30) by the gateway's clock", async () => {
    const { tenantId, apiToken, url } = await setUp();
    const list = { jsonrpc: "2.0", id: 1, method: "tools/list" };
    await postRaw(url, list);
    await waitForRecords(apiToken, "log_type=mcp", 1);
    const key = `${redis.keyPrefix}t:{${tenantId}}:log:mcp`;
    const ttl = await redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(29 * 86_400_000);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400_000);

    clock.advance(30 * 86_400_000 + 1_000);
    // The API token would be used past its life otherwise; it never expires, so it still works.
    await postRaw(url, list);
    const records = await waitForRecords(apiToken, "log_type=mcp", 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = await readLog(apiToken, "log_type=mcp");
    expect(after.body.result).toHaveLength(1);
    expect(Date.parse(records[0]?.created_at)).toBeGreaterThanOrEqual(clock.now() - 1_000);
  });

  it("shows a tenant only its own records; the operator reads any tenant's by tenant_id", async () => {
    const a = await setUp();
    await postRaw(a.url, initializeBody());
    await waitForRecords(a.apiToken, "log_type=mcp", 1);
    const b = await stack.createTenant("Tenant B");

    const own = await readLog(b.apiToken, "log_type=mcp");
    expect(own.body).toEqual({ result: [], next_cursor: null });
    const other = await readLog(b.apiToken, `log_type=mcp&tenant_id=${a.tenantId}`);
    expect(other.status).toBe(404);
    const byServer = await readLog(b.apiToken, `log_type=mcp&mcp_server_id=${a.server.id}`);
    expect(byServer.body.result).toEqual([]);

    const admin = stack.config.adminToken;
    const operator = await readLog(admin, `log_type=mcp&tenant_id=${a.tenantId}`);
    expect(operator.status).toBe(200);
    expect(operator.body.result).toHaveLength(1);
    expect(operator.body.result[0]).toMatchObject({ tenant_id: a.tenantId, mcp_server_id: a.server.id });
    const unnamed = await readLog(admin, "log_type=mcp");
    expect(unnamed.status).toBe(400);
    expect((await readLog("mcpg_at_nope", "log_type=mcp")).status).toBe(401);
    expect((await stack.call("GET", "/log?log_type=mcp")).status).toBe(401);
  });
});

describe("the console's server page", () => {
  it("shows a server's recent requests to its tenant, and nothing to another tenant", async () => {
    const { apiToken, accountId, server, url } = await setUp();
    const answer = await postRaw(url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    const requestId = answer.headers.get("x-request-id") ?? "missing";
    await waitForRecords(apiToken, "log_type=mcp", 1);

    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const list = await browser.get(`/console/accounts/${accountId}/servers`);
    expect(list.text).toContain(`/console/accounts/${accountId}/servers/${server.id}/requests`);
    const page = await browser.get(`/console/accounts/${accountId}/servers/${server.id}/requests`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Recent requests to");
    expect(page.text).toContain("tools/list");
    expect(page.text).toContain(requestId);

    const other = await stack.createTenant("Other");
    const intruder = consoleClient(stack);
    await intruder.signIn(other.apiToken);
    const refused = await intruder.get(`/console/accounts/${accountId}/servers/${server.id}/requests`);
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain(requestId);
  });
});
