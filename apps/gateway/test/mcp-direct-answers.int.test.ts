/**
 * Direct answers (tools/list and tools/call of both eras, and 2026-07-28 server/discover, served without the
 * SDK) must be indistinguishable from the SDK's own answers. Two real gateways share one Redis namespace, one
 * set of keys and one sandbox: the first answers directly (the default), the second has MCP_DIRECT_ANSWERS=off.
 * Every request below goes to both with the same URL token, and the JSON-RPC messages must be equal, key
 * order included. The framing differs on purpose, which also proves which path answered: for the 2025 era
 * plain JSON against the SDK's event stream, for 2026-07-28 the gateway's own content type (with its charset)
 * against the SDK's bare `application/json`.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { openTestNamespace } from "../../../test/support/redis.js";
import { startGateway } from "../src/runtime.js";
import { jsonRpcFrom, postRaw } from "./mcp-support.js";

type Running = Awaited<ReturnType<typeof startGateway>>;

let redis: Awaited<ReturnType<typeof openTestNamespace>>;
let stack: TestStack;
let sdkGateway: Running;
/** The tenant's API token and account, for minting and revoking in the tests. */
const owner = { apiToken: "", accountId: "" };
const tokens: Record<"all" | "readOnly" | "discovery" | "search", string> = {
  all: "",
  readOnly: "",
  discovery: "",
  search: "",
};
const USER = "direct-answers-user";

beforeAll(async () => {
  redis = await openTestNamespace();
  // A generous upstream rate limit, so answers carry the normalized rate-limit headers.
  stack = await startTestStack(redis, { sandbox: { rateLimit: { limit: 10_000, windowSeconds: 60 } } });
  // Same keys, Redis, sandbox and public URL (so the same tokens resolve), only the switch differs.
  sdkGateway = await startGateway(
    Object.freeze({ ...stack.config, port: 0, publicUrlExplicit: true, mcpDirectAnswers: false }),
    capturingLogger().logger,
  );
  const { apiToken } = await stack.createTenant("Direct answers");
  const accountId = await stack.connectMem0(apiToken);
  owner.apiToken = apiToken;
  owner.accountId = accountId;
  const mint = async (name: string, config: Record<string, unknown>): Promise<string> => {
    const created = await stack.mint(apiToken, accountId, { name, config });
    return (created.url as string).slice((created.url as string).indexOf("/mcp/") + 5);
  };
  tokens.all = await mint("All", {});
  tokens.readOnly = await mint("Read only", { methods: ["read"] });
  tokens.discovery = await mint("Discovery", { tool_exposure: "discovery" });
  tokens.search = await mint("Search", { tags: ["search"] });

  // Something to find: one memory, processed before any comparison runs.
  const added = await postRaw(`${stack.gatewayUrl}/mcp/${tokens.all}`, {
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: {
      name: "create_a_mem_0_memory",
      arguments: { messages: [{ role: "user", content: "I prefer tea to coffee." }], user_id: USER },
    },
  });
  const eventId = (jsonRpcFrom(added.text).result as { structuredContent: { event_id: string } })
    .structuredContent.event_id;
  await postRaw(`${stack.gatewayUrl}/mcp/${tokens.all}`, {
    jsonrpc: "2.0",
    id: 2,
    method: "tools/call",
    params: { name: "get_single_mem_0_event_by_id", arguments: { id: eventId, wait_seconds: 5 } },
  });
});

afterAll(async () => {
  await sdkGateway?.close();
  await stack?.close();
  await redis?.dispose();
});

interface Answer {
  status: number;
  contentType: string;
  message: Record<string, unknown>;
  /** Which of the normalized rate-limit headers the answer carries. */
  rateLimit: boolean[];
}

async function ask(
  base: string,
  token: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Answer> {
  const response = await postRaw(`${base}/mcp/${token}`, body, headers);
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    message: response.text.startsWith("[")
      ? { batch: JSON.parse(response.text) }
      : jsonRpcFrom(response.text),
    rateLimit: ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"].map(
      (name) => response.headers.get(name) !== null,
    ),
  };
}

/** Sends one request to both gateways; returns [direct, sdk]. */
async function both(
  token: keyof typeof tokens,
  body: unknown,
  headers: Record<string, string> = { "mcp-protocol-version": "2025-11-25" },
): Promise<[Answer, Answer]> {
  const direct = await ask(stack.gatewayUrl, tokens[token], body, headers);
  const sdk = await ask(sdkGateway.address, tokens[token], body, headers);
  return [direct, sdk];
}

/** Equal messages, and equal after serializing the parsed JSON again: the same keys in the same order. */
function expectSameMessage(direct: Answer, sdk: Answer): void {
  expect(direct.message).toEqual(sdk.message);
  expect(JSON.stringify(direct.message)).toBe(JSON.stringify(sdk.message));
}

const call = (name: string, args?: unknown, id: string | number = 7) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: args === undefined ? { name } : { name, arguments: args },
});

describe("direct answers match the SDK's", () => {
  const lists: [string, keyof typeof tokens, unknown, Record<string, string>?][] = [
    ["all tools", "all", { jsonrpc: "2.0", id: 1, method: "tools/list" }],
    ["a read-only URL", "readOnly", { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }],
    ["a tag-limited URL", "search", { jsonrpc: "2.0", id: "s-1", method: "tools/list" }],
    ["discovery mode", "discovery", { jsonrpc: "2.0", id: 3, method: "tools/list" }],
    [
      "a cursor and _meta",
      "all",
      { jsonrpc: "2.0", id: 4, method: "tools/list", params: { cursor: "x", _meta: { progressToken: 1 } } },
    ],
    ["no version header", "all", { jsonrpc: "2.0", id: 5, method: "tools/list" }, {}],
    [
      "an older version header",
      "readOnly",
      { jsonrpc: "2.0", id: 6, method: "tools/list" },
      { "mcp-protocol-version": "2025-06-18" },
    ],
  ];
  it.each(lists)("tools/list on %s", async (_label, token, body, headers) => {
    const [direct, sdk] = await both(token, body, headers);
    expect(direct.status).toBe(200);
    expect(direct.contentType).toMatch(/^application\/json/);
    expect(sdk.contentType).toMatch(/^text\/event-stream/);
    expectSameMessage(direct, sdk);
    expect((direct.message.result as { tools: unknown[] }).tools.length).toBeGreaterThan(0);
  });

  it("a tools/list answer, written without fastify's send, carries every header of the endpoint's answers", async () => {
    const body = { jsonrpc: "2.0", id: "list-headers", method: "tools/list" };
    const listed = await postRaw(`${stack.gatewayUrl}/mcp/${tokens.all}`, body, {
      "mcp-protocol-version": "2025-11-25",
    });
    // A tools/call answer goes through fastify's send: the list's headers must be the same set.
    const called = await postRaw(
      `${stack.gatewayUrl}/mcp/${tokens.all}`,
      call("mem_0_memories_search", { query: "tea", filters: { user_id: USER } }),
      { "mcp-protocol-version": "2025-11-25" },
    );
    expect(listed.status).toBe(200);
    for (const answer of [listed, called]) {
      expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
      expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(listed.headers.get("x-request-id")).not.toBe(called.headers.get("x-request-id"));
    expect(Number(listed.headers.get("content-length"))).toBe(Buffer.byteLength(listed.text));
    expect(jsonRpcFrom(listed.text).id).toBe("list-headers");
  });

  const calls: [string, keyof typeof tokens, unknown][] = [
    [
      "a search that finds the memory",
      "all",
      call("mem_0_memories_search", { query: "tea", filters: { user_id: USER } }),
    ],
    [
      "a string id",
      "search",
      call("mem_0_memories_search", { query: "tea", filters: { user_id: USER } }, "abc"),
    ],
    [
      "an upstream 404",
      "all",
      call("get_single_mem_0_memory_by_id", { id: "00000000-0000-4000-8000-000000000000" }),
    ],
    ["invalid arguments", "all", call("mem_0_memories_search", { query: 42 })],
    ["no arguments at all", "all", call("list_all_mem_0_projects")],
    ["an unknown tool", "all", call("no_such_tool", {})],
    ["a tool filtered out of the URL", "readOnly", call("create_a_mem_0_memory", { messages: [] })],
    ["discovery: search_tools", "discovery", call("search_tools", { query: "search memories", limit: 2 })],
    [
      "discovery: get_tool_schema",
      "discovery",
      call("get_tool_schema", { tool_names: ["mem_0_memories_search"] }),
    ],
    [
      "discovery: call_tool",
      "discovery",
      call("call_tool", {
        tool_name: "mem_0_memories_search",
        arguments: { query: "tea", filters: { user_id: USER } },
      }),
    ],
    ["discovery: a direct call of a real tool", "discovery", call("mem_0_memories_search", { query: "tea" })],
  ];
  it.each(calls)("tools/call with %s", async (label, token, body) => {
    const [direct, sdk] = await both(token, body);
    if (label === "an upstream 404") {
      // The case must really reach Mem0 and come back as its 404, not stop at argument checking.
      expect(direct.message).toMatchObject({ result: { isError: true, structuredContent: { status: 404 } } });
    }
    expect(direct.status).toBe(sdk.status);
    expect(direct.contentType).toMatch(/^application\/json/);
    expect(sdk.contentType).toMatch(/^text\/event-stream/);
    expectSameMessage(direct, sdk);
    expect(direct.rateLimit).toEqual(sdk.rateLimit);
  });

  it("a search through the direct path returns the memory, with the upstream's rate limit", async () => {
    const [direct] = await both(
      "all",
      call("mem_0_memories_search", { query: "tea", filters: { user_id: USER } }),
    );
    expect(JSON.stringify(direct.message.result)).toContain("Prefers tea to coffee");
    expect(direct.rateLimit).toEqual([true, true, true]);
  });
});

describe("requests of any other shape still reach the SDK", () => {
  const others: [string, unknown, Record<string, string>][] = [
    [
      "an unsupported protocol version",
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { "mcp-protocol-version": "1999-01-01" },
    ],
    ["an unknown request field", { jsonrpc: "2.0", id: 1, method: "tools/list", extra: true }, {}],
    ["a fractional id", { jsonrpc: "2.0", id: 1.5, method: "tools/list" }, {}],
    [
      "unknown tools/call params",
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "x", task: {} } },
      {},
    ],
    ["array arguments", call("mem_0_memories_search", ["tea"]), {}],
    [
      "a progress token the SDK refuses",
      {
        ...call("mem_0_memories_search", { query: "tea" }),
        params: {
          name: "mem_0_memories_search",
          arguments: { query: "tea" },
          _meta: { progressToken: true },
        },
      },
      {},
    ],
    ["a batch", [{ jsonrpc: "2.0", id: 1, method: "tools/list" }], {}],
    ["ping", { jsonrpc: "2.0", id: 1, method: "ping" }, {}],
    [
      "a 2026-07-28 header without its envelope",
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { "mcp-protocol-version": "2026-07-28" },
    ],
  ];
  it.each(others)("%s gets the SDK's answer from both gateways", async (_label, body, headers) => {
    const [direct, sdk] = await both("all", body, headers);
    expect(direct.status).toBe(sdk.status);
    expect(direct.contentType).toBe(sdk.contentType);
    expectSameMessage(direct, sdk);
  });
});

// The 2026-07-28 era: every request carries the per-request envelope and the routing headers.
const ENVELOPE = {
  [PROTOCOL_VERSION_META_KEY]: "2026-07-28",
  [CLIENT_CAPABILITIES_META_KEY]: {},
  [CLIENT_INFO_META_KEY]: { name: "direct-answers-test", version: "1.0.0" },
};

interface ModernRequest {
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** A 2026-07-28 request with its headers, as the SDK client sends it; `headers` replaces or drops some. */
function modern(
  method: string,
  params: Record<string, unknown> = {},
  options: { id?: string | number; meta?: unknown; headers?: Record<string, string | undefined> } = {},
): ModernRequest {
  const headers: Record<string, string | undefined> = {
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
    ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
    ...options.headers,
  };
  const sent = Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const meta = "meta" in options ? options.meta : ENVELOPE;
  return {
    body: { jsonrpc: "2.0", id: options.id ?? 21, method, params: { ...params, _meta: meta } },
    headers: sent,
  };
}

const modernCall = (name: string, args?: unknown, id: string | number = 22): ModernRequest =>
  modern("tools/call", args === undefined ? { name } : { name, arguments: args }, { id });

describe("2026-07-28 direct answers match the SDK's", () => {
  const answered: [string, keyof typeof tokens, ModernRequest][] = [
    ["tools/list of all tools", "all", modern("tools/list")],
    ["tools/list on a read-only URL", "readOnly", modern("tools/list", {}, { id: "list-ro" })],
    ["tools/list on a tag-limited URL", "search", modern("tools/list")],
    ["tools/list in discovery mode", "discovery", modern("tools/list")],
    ["tools/list with a cursor", "all", modern("tools/list", { cursor: "x" })],
    [
      "tools/list with a log level and a progress token in the envelope",
      "readOnly",
      modern("tools/list", {}, { meta: { ...ENVELOPE, [LOG_LEVEL_META_KEY]: "debug", progressToken: "p" } }),
    ],
    ["server/discover", "all", modern("server/discover")],
    ["server/discover in discovery mode", "discovery", modern("server/discover", {}, { id: "d" })],
    [
      "tools/call of a search that finds the memory",
      "all",
      modernCall("mem_0_memories_search", { query: "tea", filters: { user_id: USER } }),
    ],
    [
      "tools/call with a string id on a tag-limited URL",
      "search",
      modernCall("mem_0_memories_search", { query: "tea", filters: { user_id: USER } }, "abc"),
    ],
    [
      "tools/call answered by an upstream 404",
      "all",
      modernCall("get_single_mem_0_memory_by_id", { id: "00000000-0000-4000-8000-000000000000" }),
    ],
    ["tools/call with invalid arguments", "all", modernCall("mem_0_memories_search", { query: 42 })],
    ["tools/call without arguments", "all", modernCall("list_all_mem_0_projects")],
    ["tools/call of an unknown tool", "all", modernCall("no_such_tool", {})],
    [
      "tools/call of a tool filtered out of the URL",
      "readOnly",
      modernCall("create_a_mem_0_memory", { messages: [] }),
    ],
    [
      "tools/call of search_tools",
      "discovery",
      modernCall("search_tools", { query: "search memories", limit: 2 }),
    ],
    [
      "tools/call of call_tool",
      "discovery",
      modernCall("call_tool", {
        tool_name: "mem_0_memories_search",
        arguments: { query: "tea", filters: { user_id: USER } },
      }),
    ],
    [
      "tools/call of a real tool in discovery mode",
      "discovery",
      modernCall("mem_0_memories_search", { query: "tea" }),
    ],
  ];
  it.each(answered)("%s", async (label, token, request) => {
    const [direct, sdk] = await both(token, request.body, request.headers);
    if (label.includes("upstream 404")) {
      expect(direct.message).toMatchObject({ result: { isError: true, structuredContent: { status: 404 } } });
    }
    expect(direct.status).toBe(sdk.status);
    expect(direct.contentType).toBe("application/json; charset=utf-8");
    expect(sdk.contentType).toBe("application/json");
    expectSameMessage(direct, sdk);
    expect(direct.rateLimit).toEqual(sdk.rateLimit);
  });

  it("a search through the direct path returns the memory, marked complete and signed by the server", async () => {
    const request = modernCall("mem_0_memories_search", { query: "tea", filters: { user_id: USER } });
    const [direct] = await both("all", request.body, request.headers);
    expect(JSON.stringify(direct.message.result)).toContain("Prefers tea to coffee");
    expect(direct.message.result).toMatchObject({
      resultType: "complete",
      _meta: { "io.modelcontextprotocol/serverInfo": { name: "mcp-gateway", title: "All" } },
    });
    expect(direct.rateLimit).toEqual([true, true, true]);
  });

  // What the SDK refuses or must decode itself: both gateways hand these to it and give its answer.
  const left: [string, ModernRequest][] = [
    ["no Mcp-Method header", modern("tools/list", {}, { headers: { "mcp-method": undefined } })],
    [
      "an Mcp-Method header naming another method",
      modern("tools/list", {}, { headers: { "mcp-method": "tools/call" } }),
    ],
    [
      "no Mcp-Name header on tools/call",
      modern("tools/call", { name: "list_all_mem_0_projects" }, { headers: { "mcp-name": undefined } }),
    ],
    [
      "an Mcp-Name header naming another tool",
      modern("tools/call", { name: "list_all_mem_0_projects" }, { headers: { "mcp-name": "search_tools" } }),
    ],
    [
      "a Base64-encoded Mcp-Name header",
      modern(
        "tools/call",
        { name: "list_all_mem_0_projects" },
        {
          headers: { "mcp-name": `=?base64?${Buffer.from("list_all_mem_0_projects").toString("base64")}?=` },
        },
      ),
    ],
    [
      "an invalid Base64 Mcp-Name header",
      modern(
        "tools/call",
        { name: "list_all_mem_0_projects" },
        { headers: { "mcp-name": "=?base64?%%%?=" } },
      ),
    ],
    [
      "an envelope without client capabilities",
      modern("tools/list", {}, { meta: { [PROTOCOL_VERSION_META_KEY]: "2026-07-28" } }),
    ],
    [
      "client capabilities that are not an object",
      modern("tools/list", {}, { meta: { ...ENVELOPE, [CLIENT_CAPABILITIES_META_KEY]: "all" } }),
    ],
    [
      "an envelope naming another revision than the header",
      modern("tools/list", {}, { meta: { ...ENVELOPE, [PROTOCOL_VERSION_META_KEY]: "2026-12-01" } }),
    ],
    [
      "an envelope naming an unserved revision",
      modern(
        "tools/list",
        {},
        {
          meta: { ...ENVELOPE, [PROTOCOL_VERSION_META_KEY]: "2027-01-01" },
          headers: { "mcp-protocol-version": "2027-01-01" },
        },
      ),
    ],
    [
      "no MCP-Protocol-Version header",
      modern("tools/list", {}, { headers: { "mcp-protocol-version": undefined } }),
    ],
    ["no envelope at all", modern("tools/list", {}, { meta: undefined })],
    ["an unknown tools/list param", modern("tools/list", { filter: "x" })],
    ["array arguments", modern("tools/call", { name: "list_all_mem_0_projects", arguments: [1] })],
    ["a method the gateway does not serve", modern("resources/list")],
    ["ping", modern("ping")],
    ["initialize with the envelope", modern("initialize", { protocolVersion: "2026-07-28" })],
  ];
  it.each(left)("%s gets the SDK's answer from both gateways", async (_label, request) => {
    const [direct, sdk] = await both("all", request.body, request.headers);
    expect(direct.status).toBe(sdk.status);
    expect(direct.contentType).toBe(sdk.contentType);
    expectSameMessage(direct, sdk);
  });
});

describe("revocation with every per-instance memo warm", () => {
  it("refuses a revoked URL on the very next request, on the instance that revoked it and on another", async () => {
    const created = await stack.mint(owner.apiToken, owner.accountId, { name: "Revoked soon", config: {} });
    const url = created.url as string;
    const token = url.slice(url.indexOf("/mcp/") + 5);
    const requests: ModernRequest[] = [
      {
        body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
        headers: { "mcp-protocol-version": "2025-11-25" },
      },
      modern("tools/list"),
      modernCall("list_all_mem_0_projects"),
    ];
    // Both instances have verified this token, opened the account's credentials and seen the envelope.
    for (const base of [stack.gatewayUrl, sdkGateway.address]) {
      for (const request of requests) {
        expect((await postRaw(`${base}/mcp/${token}`, request.body, request.headers)).status).toBe(200);
      }
    }
    const revoked = await stack.call("DELETE", `/integrated-account/${owner.accountId}/mcp/${created.id}`, {
      token: owner.apiToken,
    });
    expect(revoked.status).toBe(200);
    for (const base of [sdkGateway.address, stack.gatewayUrl]) {
      for (const request of requests) {
        const answer = await postRaw(`${base}/mcp/${token}`, request.body, request.headers);
        expect(answer.status).toBe(404);
        expect(jsonRpcFrom(answer.text)).toMatchObject({
          error: { message: expect.stringContaining("revoked") },
        });
      }
    }
  });
});
