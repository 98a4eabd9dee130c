import { LIMITS, manualClock } from "@mcp-gateway/core";
import { freePort } from "@mcp-gateway/store";
import { describe, expect, it } from "vitest";
import { startTestStack, useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import {
  connectSseClient,
  endpointUrl,
  openRawStream,
  postMessage,
  type RawStream,
} from "./legacy-sse-support.js";
import { connectClient, initializeBody } from "./mcp-support.js";

// The legacy HTTP+SSE transport (MCP 2024-11-05) on the same minted URLs as Streamable HTTP, with the MCP
// SDK's own SSE client and with raw HTTP, on one gateway and a real Redis.

const redis = useTestRedis();
const clock = manualClock(Date.now());
const stack = useTestStack(redis, { clock });

type LogRecord = Record<string, any>;

async function setUp(config: Record<string, unknown> = {}, expiresAt?: string) {
  const { tenantId, apiToken } = await stack.createTenant("SSE tests");
  const accountId = await stack.connectMem0(apiToken);
  const server = await stack.mint(apiToken, accountId, {
    name: "Legacy",
    config,
    ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
  });
  return { tenantId, apiToken, accountId, server, url: server.url as string };
}

/** Opens a raw stream and returns it with its message endpoint. */
async function openSession(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ stream: RawStream; endpoint: string }> {
  const stream = await openRawStream(url, headers);
  expect(stream.status, stream.text).toBe(200);
  return { stream, endpoint: endpointUrl(url, await stream.next()) };
}

async function waitForRecords(apiToken: string, query: string, count: number): Promise<LogRecord[]> {
  let last: LogRecord[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await stack.call("GET", `/log?log_type=mcp&limit=100&${query}`, { token: apiToken });
    last = res.body.result;
    if (last.length >= count) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${count} records, found ${JSON.stringify(last)}`);
}

const listTools = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/list", params: {} });

describe("legacy HTTP+SSE on a minted URL", () => {
  it("serves the MCP SDK's SSE client transport: it lists tools and calls one, and the log names the transport", async () => {
    const { apiToken, server, url } = await setUp();
    const client = await connectSseClient(url);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("mem_0_memories_search");
    const result = await client.callTool({
      name: "mem_0_memories_search",
      arguments: { query: "what food", filters: { user_id: "sse-user" } },
    });
    expect(result.isError ?? false).toBe(false);
    await client.close();

    // Four messages, then the stream itself once it ended.
    const records = await waitForRecords(apiToken, `mcp_server_id=${server.id}`, 5);
    expect(records.every((record) => record.transport === "sse")).toBe(true);
    const methods = records.map((record) => record.mcp_method);
    expect(methods).toEqual(
      expect.arrayContaining(["initialize", "notifications/initialized", "tools/list", "tools/call", null]),
    );
    const call = records.find((record) => record.mcp_method === "tools/call");
    expect(call).toMatchObject({ tool_name: "mem_0_memories_search", outcome: "ok", http_status: 202 });
    expect(call?.upstream_status).toBe(200);
    const stream = records.find((record) => record.mcp_method === null);
    expect(stream).toMatchObject({ outcome: "ok", http_status: 200 });
  });

  it("opens a private, unbuffered stream whose first event names this connection's endpoint; answers come on it", async () => {
    const { url } = await setUp();
    const stream = await openRawStream(url);
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect(stream.headers.get("cache-control")).toBe("no-store");
    expect(stream.headers.get("x-accel-buffering")).toBe("no");
    const first = await stream.next();
    const path = new URL(url).pathname;
    expect(first.event).toBe("endpoint");
    expect(first.data).toMatch(new RegExp(`^${path}/messages\\?session_id=[A-Za-z0-9_-]{43}$`));

    const endpoint = endpointUrl(url, first);
    const posted = await postMessage(endpoint, initializeBody(7));
    expect(posted.status).toBe(202);
    const answer = await stream.next();
    expect(answer.event).toBe("message");
    expect(JSON.parse(answer.data)).toMatchObject({ id: 7, result: { serverInfo: { name: "mcp-gateway" } } });
    // A notification is accepted and needs no answer; the next request's answer is the next event.
    expect(
      (await postMessage(endpoint, { jsonrpc: "2.0", method: "notifications/initialized" })).status,
    ).toBe(202);
    expect((await postMessage(endpoint, listTools(8))).status).toBe(202);
    expect(JSON.parse((await stream.next()).data)).toMatchObject({
      id: 8,
      result: { tools: expect.any(Array) },
    });
    stream.close();
  });

  it("leaves a GET of a Streamable HTTP session, or one that does not ask for a stream, at 405", async () => {
    const { url } = await setUp();
    const session = await openRawStream(url, { "mcp-session-id": "abc" });
    expect(session.status).toBe(405);
    expect(session.headers.get("allow")).toBe("POST");
    expect((await fetch(url, { headers: { accept: "application/json" } })).status).toBe(405);
    // A browser opening the URL as a page is not a legacy client either.
    const page = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    expect((await fetch(url, { headers: { accept: page } })).status).toBe(405);
  });

  it("serves fetch's default Accept (*/*): some legacy clients lose their own", async () => {
    const { url } = await setUp();
    const { stream } = await openSession(url, { accept: "*/*" });
    stream.close();
  });

  it("serves a GET that names its protocol revision too: a legacy client re-opening its stream sends one", async () => {
    const { url } = await setUp();
    const { stream, endpoint } = await openSession(url, { "mcp-protocol-version": "2025-06-18" });
    expect((await postMessage(endpoint, listTools(1), { "mcp-protocol-version": "2025-06-18" })).status).toBe(
      202,
    );
    expect(JSON.parse((await stream.next()).data)).toMatchObject({
      id: 1,
      result: { tools: expect.any(Array) },
    });
    stream.close();
  });

  it("keeps a Streamable HTTP client of the 2025 era working: its listening GET gets a stream it ignores", async () => {
    const { url } = await setUp();
    const { client } = await connectClient(url, "2025-11-25");
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const result = await client.callTool({ name: "list_all_mem_0_projects", arguments: {} });
    expect(result.isError ?? false).toBe(false);
    await client.close();
  });

  it("applies the URL's filters: a read-only URL lists read tools only and refuses a write tool", async () => {
    const { url } = await setUp({ methods: ["read"] });
    const client = await connectSseClient(url);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain("list_all_mem_0_memories");
    expect(names).not.toContain("create_a_mem_0_memory");
    // As on Streamable HTTP: a tool outside the URL's filters is unknown.
    await expect(client.callTool({ name: "create_a_mem_0_memory", arguments: {} })).rejects.toThrow(
      /Unknown tool/,
    );
    await client.close();
  });

  it("requires the tenant's API token on the GET and on every POST of a protected URL", async () => {
    const { apiToken, url } = await setUp({ require_api_token_auth: true });
    const bare = await openRawStream(url);
    expect(bare.status).toBe(401);
    // The challenge names this URL's OAuth metadata (RFC 9728), as on Streamable HTTP.
    const metadata = `${new URL(url).origin}/.well-known/oauth-protected-resource${new URL(url).pathname}`;
    expect(bare.headers.get("www-authenticate")).toContain(`Bearer resource_metadata="${metadata}"`);
    const other = await stack.createTenant("Other tenant");
    const refused = await openRawStream(url, { authorization: `Bearer ${other.apiToken}` });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');

    const auth = { authorization: `Bearer ${apiToken}` };
    const { stream, endpoint } = await openSession(url, auth);
    const unsigned = await postMessage(endpoint, listTools(1));
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("www-authenticate")).toContain(`resource_metadata="${metadata}"`);
    expect((await postMessage(endpoint, listTools(2), auth)).status).toBe(202);
    expect(JSON.parse((await stream.next()).data)).toMatchObject({
      id: 2,
      result: { tools: expect.any(Array) },
    });
    stream.close();

    const client = await connectSseClient(url, auth);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it("binds a session to the URL that opened it: another URL's session, a made-up one or none are refused", async () => {
    const first = await setUp();
    const second = await stack.mint(first.apiToken, first.accountId, { name: "Second", config: {} });
    const { stream, endpoint } = await openSession(first.url);
    const sessionId = new URL(endpoint).searchParams.get("session_id");

    const viaOtherUrl = await postMessage(`${second.url}/messages?session_id=${sessionId}`, listTools(1));
    expect(viaOtherUrl.status).toBe(404);
    expect(viaOtherUrl.text).toContain("SSE session has ended");
    const madeUp = await postMessage(`${first.url}/messages?session_id=${"A".repeat(43)}`, listTools(2));
    expect(madeUp.status).toBe(404);
    const missing = await postMessage(`${first.url}/messages`, listTools(3));
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("session_id");
    // A forged URL token gets the endpoint's one 404, whatever the session.
    const forged = await postMessage(`${first.url}x/messages?session_id=${sessionId}`, listTools(4));
    expect(forged.status).toBe(404);
    expect(forged.text).toContain("No MCP server at this URL");

    // The stream saw none of them: its first answer is to the first accepted message.
    expect((await postMessage(endpoint, listTools(5))).status).toBe(202);
    expect(JSON.parse((await stream.next()).data)).toMatchObject({ id: 5 });
    stream.close();
  });

  it("refuses a body that is not one JSON-RPC message (400) or is too large (413), and changes nothing", async () => {
    const { url } = await setUp();
    const { stream, endpoint } = await openSession(url);
    const notRpc = await postMessage(endpoint, { hello: "world" });
    expect(notRpc.status).toBe(400);
    expect(notRpc.text).toContain("JSON-RPC 2.0 message");
    expect((await postMessage(endpoint, "{not json")).status).toBe(400);
    const huge = await postMessage(endpoint, {
      ...listTools(1),
      params: { pad: "x".repeat(LIMITS.mcpBodyBytes + 1) },
    });
    expect(huge.status).toBe(413);
    expect((await postMessage(endpoint, listTools(2))).status).toBe(202);
    expect(JSON.parse((await stream.next()).data)).toMatchObject({ id: 2 });
    stream.close();
  });

  it("ends open streams within the re-check bound when the URL is revoked, expires or loses its API token", async () => {
    const revoked = await setUp();
    const expiring = await setUp({}, new Date(clock.now() + 120_000).toISOString());
    const guarded = await setUp({ require_api_token_auth: true });
    const extra = await stack.call("POST", "/api-tokens", { token: guarded.apiToken, body: { name: "sse" } });
    expect(extra.status).toBe(201);
    const auth = { authorization: `Bearer ${extra.body.token}` };

    const sessions = [
      await openSession(revoked.url),
      await openSession(expiring.url),
      await openSession(guarded.url, auth),
    ];
    // Answered before the change (and so logged when it ends).
    expect((await postMessage(sessions[0]!.endpoint, listTools(1))).status).toBe(202);
    expect(JSON.parse((await sessions[0]!.stream.next()).data)).toMatchObject({ id: 1 });
    const started = Date.now();
    const deleted = await stack.call(
      "DELETE",
      `/integrated-account/${revoked.accountId}/mcp/${revoked.server.id}`,
      { token: revoked.apiToken },
    );
    expect(deleted.status).toBe(200);
    clock.set(clock.now() + 121_000);
    expect(
      (await stack.call("DELETE", `/api-tokens/${extra.body.id}`, { token: guarded.apiToken })).status,
    ).toBe(200);
    await Promise.all(sessions.map(({ stream }) => stream.ended));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThanOrEqual(LIMITS.legacySseRecheckMs + 1_000);

    // Nothing is answered after the end: the POSTs are refused, and no stream is left to carry an answer.
    expect((await postMessage(sessions[0]!.endpoint, listTools(1))).status).toBe(404);
    expect((await postMessage(sessions[1]!.endpoint, listTools(1))).status).toBe(404);
    expect((await postMessage(sessions[2]!.endpoint, listTools(1), auth)).status).toBe(401);
    // The message answered before the change, and the stream, logged when it ended.
    const records = await waitForRecords(revoked.apiToken, `mcp_server_id=${revoked.server.id}`, 2);
    expect(records.find((record) => record.mcp_method === null)).toMatchObject({
      transport: "sse",
      outcome: "refused",
      reason: "revoked",
    });
  }, 30_000);

  it("limits the streams of one URL across the gateway (429 with Retry-After)", async () => {
    const { url } = await setUp();
    const open: RawStream[] = [];
    for (let i = 0; i < LIMITS.legacySseStreamsPerUrl; i++) open.push((await openSession(url)).stream);
    const refused = await openRawStream(url);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(refused.text).toContain("open SSE streams");
    // Closing one frees its place.
    open.shift()?.close();
    await expect
      .poll(async () => {
        const again = await openRawStream(url);
        again.close();
        return again.status;
      })
      .toBe(200);
    for (const stream of open) stream.close();
  });

  it("caps the unanswered messages of one connection (429) instead of queueing them", async () => {
    const { url } = await setUp();
    // Every upstream call takes a while, so the first messages are still running when the last is posted.
    stack.sandbox.setFaults([{ path: "*", latencyMs: 2_000 }]);
    const { stream, endpoint } = await openSession(url);
    const before = stack.sandbox.requestCount();
    const call = (id: number) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "list_all_mem_0_projects", arguments: {} },
    });
    // Each POST is held until its answer is on the stream: these are all still running.
    const running = Array.from({ length: LIMITS.legacySseQueuedMessagesMax }, (_, i) =>
      postMessage(endpoint, call(i + 1)),
    );
    // The cap is counted in Redis when a POST is taken: wait until all of them were (their upstream calls began).
    await expect.poll(() => stack.sandbox.requestCount() - before).toBe(LIMITS.legacySseQueuedMessagesMax);
    const refused = await postMessage(endpoint, call(99));
    expect(refused.status).toBe(429);
    expect(refused.text).toContain("unanswered");
    expect((await Promise.all(running)).map((answer) => answer.status)).toEqual(
      Array(LIMITS.legacySseQueuedMessagesMax).fill(202),
    );
    const answered = new Set<number>();
    while (answered.size < LIMITS.legacySseQueuedMessagesMax)
      answered.add(JSON.parse((await stream.next()).data).id);
    expect(answered.has(99)).toBe(false);
    stack.sandbox.setFaults([]);
    expect((await postMessage(endpoint, listTools(100))).status).toBe(202);
    expect(JSON.parse((await stream.next()).data)).toMatchObject({ id: 100 });
    stream.close();
  }, 30_000);
});

describe("legacy HTTP+SSE behind a path prefix and a browser", () => {
  it("names the message endpoint under PUBLIC_URL's path, as a proxy that strips the prefix serves it", async () => {
    const port = await freePort();
    const prefixed = await startTestStack(redis, {
      port,
      env: { PUBLIC_URL: `http://127.0.0.1:${port}/gw` },
    });
    try {
      const { apiToken } = await prefixed.createTenant("Prefixed");
      const accountId = await prefixed.connectMem0(apiToken);
      const minted = await prefixed.mint(apiToken, accountId, { name: "Prefixed", config: {} });
      const token = new URL(minted.url).pathname.replace(/^\/gw\/mcp\//, "");
      const stream = await openRawStream(`http://127.0.0.1:${port}/mcp/${token}`);
      const first = await stream.next();
      expect(first.data.startsWith(`/gw/mcp/${token}/messages?session_id=`)).toBe(true);
      stream.close();
    } finally {
      await prefixed.close();
    }
  });

  it("refuses a stream or a message from a browser page of another origin (403)", async () => {
    const { url } = await setUp();
    const origin = { origin: "https://evil.example" };
    expect((await openRawStream(url, origin)).status).toBe(403);
    const { stream, endpoint } = await openSession(url);
    expect((await postMessage(endpoint, listTools(1), origin)).status).toBe(403);
    stream.close();
  });
});

describe("legacy HTTP+SSE in the metrics", () => {
  it("counts the streams an instance holds in mcpg_legacy_sse_streams", async () => {
    const token = "metrics-token-0123456789-0123456789-abcdef";
    const measured = await startTestStack(redis, { env: { METRICS_TOKEN: token } });
    const gauge = async (): Promise<string | undefined> =>
      String((await measured.call("GET", "/metrics", { token })).body)
        .split("\n")
        .find((line) => line.startsWith("mcpg_legacy_sse_streams "));
    try {
      const { apiToken } = await measured.createTenant("Metrics");
      const accountId = await measured.connectMem0(apiToken);
      const server = await measured.mint(apiToken, accountId, { name: "Measured", config: {} });
      expect(await gauge()).toBe("mcpg_legacy_sse_streams 0");
      const streams = [await openSession(server.url), await openSession(server.url)];
      expect(await gauge()).toBe("mcpg_legacy_sse_streams 2");
      for (const { stream } of streams) stream.close();
      await expect.poll(gauge).toBe("mcpg_legacy_sse_streams 0");
    } finally {
      await measured.close();
    }
  });
});

describe("legacy HTTP+SSE switched off", () => {
  it("answers the GET with 405 as before when MCP_LEGACY_SSE=off", async () => {
    const off = await startTestStack(redis, { env: { MCP_LEGACY_SSE: "off" } });
    try {
      const { apiToken } = await off.createTenant("Off");
      const accountId = await off.connectMem0(apiToken);
      const server = await off.mint(apiToken, accountId, { name: "Off", config: {} });
      const stream = await openRawStream(server.url);
      expect(stream.status).toBe(405);
      expect(
        (await postMessage(`${server.url}/messages?session_id=${"A".repeat(43)}`, listTools(1))).status,
      ).toBe(404);
    } finally {
      await off.close();
    }
  });
});
