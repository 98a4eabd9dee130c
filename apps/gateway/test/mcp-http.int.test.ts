import { randomBytes } from "node:crypto";
import { LIMITS } from "@mcp-gateway/core";
import { spawnRedisServer } from "@mcp-gateway/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack } from "../../../test/support/gateway.js";
import { startRedisMonitor } from "../../../test/support/redis-monitor.js";
import {
  ALLOWED_ORIGIN,
  connectClient,
  initializeBody,
  jsonRpcFrom,
  type McpTestGateway,
  postRaw,
  startMcpTestGateway,
} from "./mcp-support.js";

const MODERN = "2026-07-28";

/** A 2026-07-28 request: the per-request envelope in the body, mirrored in the standard headers. */
function modern(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  return {
    body: {
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": MODERN,
          "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    },
    headers: {
      "mcp-protocol-version": MODERN,
      "mcp-method": method,
      ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
    },
  };
}

function expectPrivate(headers: Headers): void {
  expect(headers.get("cache-control")).toBe("no-store");
  expect(headers.get("referrer-policy")).toBe("no-referrer");
}

let gateway: McpTestGateway;
beforeAll(async () => {
  gateway = await startMcpTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

describe("the MCP URL as a capability", () => {
  it("answers unknown, revoked, malformed, over-long and extra-segment URLs with one identical 404", async () => {
    const { tokens } = gateway;
    const base = `${gateway.baseUrl}/mcp/`;
    const urls = [
      `${base}${tokens.revoked}`,
      `${base}not-a-token`,
      `${base}${tokens.all.slice(0, -3)}xyz`,
      `${base}${"a".repeat(LIMITS.mcpTokenMaxChars + 1)}`,
      `${base}${tokens.all}/extra`,
      base,
    ];
    const answers = await Promise.all(urls.map((url) => postRaw(url, initializeBody(7))));
    // Some are refused in front of fastify (a bad signature), some by the route (revoked, extra segment):
    // the same status, headers and bytes either way.
    const headersOf = (headers: Headers) =>
      [...headers].filter(([name]) => name !== "date" && name !== "x-request-id");
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expectPrivate(answer.headers);
      expect(answer.text).toBe(answers[0]?.text);
      expect(headersOf(answer.headers)).toEqual(headersOf(answers[0]?.headers ?? new Headers()));
      expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(JSON.parse(answers[0]?.text ?? "")).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: expect.stringContaining("expired or revoked") },
    });
    for (const answer of answers) expect(answer.text).not.toContain("mcpg_");
  });

  it("refuses forged and over-long tokens without a single Redis command", async () => {
    // Commands a script runs are left out by the monitor: only the gateway's own commands count here.
    const monitor = await startRedisMonitor(gateway.redisUrl);
    const seen = monitor.commands;
    const { tokens } = gateway;
    const [header, payload] = tokens.all.split(".");
    const refused = [
      `${"b".repeat(LIMITS.mcpTokenMaxChars + 1)}`,
      `${tokens.all.slice(0, -4)}AAAA`,
      `${header}.${payload}.${randomBytes(32).toString("base64url")}`,
    ];
    for (const token of refused) {
      expect((await postRaw(gateway.mcpUrl(token), initializeBody())).status).toBe(404);
    }
    // A valid token in the same window shows the monitor does see the gateway's reads.
    const valid = await postRaw(gateway.mcpUrl(tokens.all), initializeBody());
    expect(valid.status).toBe(200);
    const requestId = valid.headers.get("x-request-id") ?? "";
    // The valid request's one read, and (after its answer) its own request-log record. Log records of earlier
    // tests' requests may still be arriving (they are written in batches after the answers), so the records
    // counted are the ones naming this request; every other command of ours must be that one read.
    await expect
      .poll(() => seen.filter((line) => line.includes(":log:mcp") && line.includes(requestId)).length)
      .toBe(1);
    const reads = seen.filter((line) => line.includes(gateway.keyPrefix) && !line.includes(":log:mcp"));
    expect(reads, reads.join("\n")).toHaveLength(1);
    monitor.stop();
  });

  it("asks for sign-in with 401 and WWW-Authenticate naming the URL's OAuth metadata when the server requires it", async () => {
    const url = gateway.mcpUrl(gateway.tokens.protected);
    for (const authorization of [undefined, "Bearer mcpg_at_wrong", `Basic ${gateway.tokens.apiToken}`]) {
      const answer = await postRaw(url, initializeBody(), authorization ? { authorization } : {});
      expect(answer.status).toBe(401);
      const metadata = url.replace("/mcp/", "/.well-known/oauth-protected-resource/mcp/");
      expect(answer.headers.get("www-authenticate")).toBe(
        `Bearer ${authorization ? 'error="invalid_token", ' : ""}resource_metadata="${metadata}", scope="mcp"`,
      );
      expectPrivate(answer.headers);
      expect(jsonRpcFrom(answer.text)).toMatchObject({
        error: { message: expect.stringContaining("Bearer") },
      });
    }
    const { client } = await connectClient(url, MODERN, {
      authorization: `Bearer ${gateway.tokens.apiToken}`,
    });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it("fails closed with 503 while Redis is down, and serves again once it is back", async () => {
    const redis = await spawnRedisServer({ appendOnly: true });
    const stack = await startTestStack({ url: redis.url, keyPrefix: "mcpg-test-outage:" });
    try {
      const { apiToken } = await stack.createTenant();
      const server = await stack.mint(apiToken, await stack.connectMem0(apiToken), { name: "outage" });
      await redis.stop();
      const answer = await postRaw(server.url, initializeBody());
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("5");
      expectPrivate(answer.headers);
      await redis.start();
      await expect
        .poll(async () => (await postRaw(server.url, initializeBody())).status, { timeout: 10_000 })
        .toBe(200);
    } finally {
      await stack.close();
      await redis.dispose();
    }
  });
});

describe("transport rules", () => {
  it("refuses a foreign or null Origin with 403 and allows the configured one and none", async () => {
    const url = gateway.mcpUrl(gateway.tokens.all);
    for (const origin of [
      "https://evil.example",
      "null",
      `${ALLOWED_ORIGIN}.evil.example`,
      "http://claude.ai",
    ]) {
      const answer = await postRaw(url, initializeBody(), { origin });
      expect(answer.status, origin).toBe(403);
      expectPrivate(answer.headers);
    }
    expect((await postRaw(url, initializeBody(), { origin: ALLOWED_ORIGIN })).status).toBe(200);
    expect((await postRaw(url, initializeBody())).status).toBe(200);
  });

  it("accepts loopback origins on any port by default, as the gateway listens on loopback", async () => {
    const url = gateway.mcpUrl(gateway.tokens.all);
    for (const origin of [
      "http://localhost:6274",
      `http://127.0.0.1:${new URL(url).port}`,
      "http://[::1]:3000",
    ]) {
      expect((await postRaw(url, initializeBody(), { origin })).status, origin).toBe(200);
    }
    expect((await postRaw(url, initializeBody(), { origin: "http://localhost.evil.example" })).status).toBe(
      403,
    );
  });

  it("refuses an unsupported protocol version and lists every supported one, 2026-07-28 included", async () => {
    const answer = await postRaw(
      gateway.mcpUrl(gateway.tokens.all),
      { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
      { "mcp-protocol-version": "1999-01-01" },
    );
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("1999-01-01");
    expect(answer.text).toContain("2025-11-25");
    expect(answer.text).toContain(MODERN);
  });

  it("answers GET and DELETE with 405 and Allow: POST (stateless: no stream, no session)", async () => {
    for (const method of ["GET", "DELETE", "OPTIONS"]) {
      const answer = await postRaw(
        gateway.mcpUrl(gateway.tokens.all),
        undefined,
        { "mcp-session-id": "x" },
        method,
      );
      expect(answer.status).toBe(405);
      expect(answer.headers.get("allow")).toBe("POST");
      expectPrivate(answer.headers);
    }
  });

  it("serves a 2025-11-25 initialize over SSE or JSON, whichever the client accepts, with no session id", async () => {
    const url = gateway.mcpUrl(gateway.tokens.all);
    const sse = await postRaw(url, initializeBody());
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toContain("text/event-stream");
    expect(sse.headers.get("mcp-session-id")).toBeNull();
    expectPrivate(sse.headers);
    expect(jsonRpcFrom(sse.text)).toMatchObject({ id: 1, result: { protocolVersion: "2025-11-25" } });

    const call = modern("tools/list");
    const json = await postRaw(url, call.body, {
      ...call.headers,
      accept: "application/json, text/event-stream",
    });
    expect(json.headers.get("content-type")).toContain("application/json");
    expectPrivate(json.headers);
    expect(jsonRpcFrom(json.text)).toMatchObject({ id: 1, result: { tools: expect.any(Array) } });
  });

  it("answers a 2025-era client that accepts only JSON (or anything) with plain JSON, not 406", async () => {
    const url = gateway.mcpUrl(gateway.tokens.all);
    const listTools = { jsonrpc: "2.0", id: 5, method: "tools/list" };
    for (const accept of ["application/json", "*/*"]) {
      const answer = await postRaw(url, listTools, { accept });
      expect(answer.status, accept).toBe(200);
      expect(answer.headers.get("content-type")).toContain("application/json");
      expect(JSON.parse(answer.text)).toMatchObject({ id: 5, result: { tools: expect.any(Array) } });
      expectPrivate(answer.headers);
    }
    const call = await postRaw(
      url,
      {
        jsonrpc: "2.0",
        id: 6,
        method: "tools/call",
        params: { name: "list_all_mem_0_projects", arguments: {} },
      },
      { accept: "application/json" },
    );
    expect(JSON.parse(call.text)).toMatchObject({ id: 6, result: { content: [{ type: "text" }] } });
  });

  it("acknowledges a notification with 202 and no body", async () => {
    const answer = await postRaw(gateway.mcpUrl(gateway.tokens.all), {
      jsonrpc: "2.0",
      method: "notifications/initialized",
    });
    expect(answer.status).toBe(202);
    expect(answer.text).toBe("");
    expectPrivate(answer.headers);
  });

  it("answers server/discover and checks Mcp-Method and Mcp-Name against the body (2026-07-28)", async () => {
    const url = gateway.mcpUrl(gateway.tokens.all);
    const discover = modern("server/discover");
    const found = await postRaw(url, discover.body, discover.headers);
    expect(jsonRpcFrom(found.text)).toMatchObject({ result: { supportedVersions: [MODERN] } });

    const call = modern("tools/call", { name: "list_all_mem_0_projects", arguments: {} });
    const wrongName = await postRaw(url, call.body, { ...call.headers, "mcp-name": "list_all_mem_0_stats" });
    expect(wrongName.status).toBe(400);
    expect(jsonRpcFrom(wrongName.text)).toMatchObject({ error: { code: -32020 } });
    expectPrivate(wrongName.headers);
    const wrongMethod = await postRaw(url, call.body, { ...call.headers, "mcp-method": "tools/list" });
    expect(wrongMethod.status).toBe(400);
    const { "mcp-name": _dropped, ...withoutName } = call.headers;
    expect((await postRaw(url, call.body, withoutName)).status).toBe(400);
    const right = await postRaw(url, call.body, call.headers);
    expect(right.status).toBe(200);
    expectPrivate(right.headers);
  });

  it("refuses a forged token before reading its body: an oversized or broken body gets the same 404", async () => {
    const [header, payload] = gateway.tokens.all.split(".");
    const forged = gateway.mcpUrl(`${header}.${payload}.${randomBytes(32).toString("base64url")}`);
    const notFound = await postRaw(gateway.mcpUrl("nope"), initializeBody());
    const answers = [
      await postRaw(forged, { ...initializeBody(), padding: "x".repeat(LIMITS.mcpBodyBytes) }),
      await postRaw(forged, "{not json"),
      await postRaw(forged, "hello", { "content-type": "text/plain" }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.text).toBe(notFound.text);
      expectPrivate(answer.headers);
    }
  });

  it("refuses a body over the limit with 413, and a non-JSON body, in JSON-RPC form", async () => {
    const url = gateway.mcpUrl(gateway.tokens.all);
    const big = await postRaw(url, {
      ...initializeBody(),
      padding: "x".repeat(LIMITS.mcpBodyBytes),
    });
    expect(big.status).toBe(413);
    expectPrivate(big.headers);
    expect(JSON.parse(big.text)).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });

    const broken = await postRaw(url, "{not json");
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text)).toMatchObject({ error: { code: -32700 } });
    const text = await postRaw(url, "hello", { "content-type": "text/plain" });
    expect(text.status).toBe(415);
    expectPrivate(text.headers);
  });

  it("never writes a URL token or an API token to the log", async () => {
    await postRaw(gateway.mcpUrl(gateway.tokens.protected), initializeBody(), {
      authorization: `Bearer ${gateway.tokens.apiToken}`,
    });
    await postRaw(gateway.mcpUrl(gateway.tokens.revoked), initializeBody());
    const lines = gateway.logs.lines().join("\n");
    expect(lines).toContain("/mcp/[token]");
    for (const token of Object.values(gateway.tokens)) expect(lines).not.toContain(token);
  });
});
