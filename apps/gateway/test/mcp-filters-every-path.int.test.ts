/**
 * A URL's method and tag filters hold on every path that can run a tool: the direct answers (a 2025-era
 * tools/call, and a 2026-07-28 client's, served without the SDK), the SDK (MCP_DIRECT_ANSWERS=off, for a
 * raw 2025-era call, a 2026-07-28 client and a 2025-11-25 client that initializes first), and the discovery
 * meta-tools (search_tools, get_tool_schema, call_tool) on each of them. Every URL here is minted WITH filters, methods ["read"] AND tags ["memories"], so a path that
 * looked tools up in the whole catalogue instead of the URL's set would run a tool it must refuse.
 *
 * Two real gateways share one Redis namespace, one set of keys and one Mem0 sandbox; the first answers
 * directly (the default), the second has MCP_DIRECT_ANSWERS=off. Each path checks that its answers came the
 * way it names (the direct path's own content type, with its charset; the SDK's event stream, or for
 * 2026-07-28 the SDK's bare application/json), so a path cannot silently become another.
 */
import { randomUUID } from "node:crypto";
import type { Sandbox } from "@mcp-gateway/mem0-sandbox";
import { Client, ProtocolError, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger, startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { openTestNamespace } from "../../../test/support/redis.js";
import { directCallOf } from "../src/mcp/direct-answers.js";
import { startGateway } from "../src/runtime.js";
import { type Era, jsonRpcFrom, postRaw } from "./mcp-support.js";

type Running = Awaited<ReturnType<typeof startGateway>>;

interface CallResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, any>;
  isError?: boolean;
}

/** What one tools/call came back with: a tool result, or a JSON-RPC error. */
type Answer = { result: CallResult } | { error: { code: number; message: string } };

/** One way of reaching the gateway's tools. */
interface ToolPath {
  list(token: string): Promise<string[]>;
  call(token: string, name: string, args: Record<string, unknown>): Promise<Answer>;
}

const FILTERS = { methods: ["read"], tags: ["memories"] };
/** Every Mem0 tool that is a read (get or list) AND tagged "memories", in name order. */
const INSIDE = [
  "get_single_mem_0_memory_by_id",
  "list_all_mem_0_dream_memory_sources",
  "list_all_mem_0_entity_memories",
  "list_all_mem_0_memories",
  "list_all_mem_0_memory_events",
  "list_all_mem_0_memory_history",
];
/** Tools outside the filters: writes on memories (method filter), reads of other resources (tag filter). */
const OUTSIDE: [string, (memory: Seeded) => Record<string, unknown>][] = [
  ["delete_a_mem_0_memory_by_id", ({ id }) => ({ id })],
  ["update_a_mem_0_memory_by_id", ({ id }) => ({ id, text: "Overwritten through a filtered URL." })],
  [
    "create_a_mem_0_memory",
    () => ({ messages: [{ role: "user", content: "Written through a filtered URL." }], infer: false }),
  ],
  ["mem_0_memories_delete_all", ({ userId }) => ({ user_id: userId })],
  ["list_all_mem_0_projects", () => ({})],
  ["get_single_mem_0_event_by_id", () => ({ id: "00000000-0000-0000-0000-000000000000" })],
];
const UNKNOWN_TOOL = -32602;

let redis: Awaited<ReturnType<typeof openTestNamespace>>;
let stack: TestStack;
let sdkGateway: Running;
const tokens = { filtered: "", discovery: "" };
const clients: Client[] = [];

beforeAll(async () => {
  redis = await openTestNamespace();
  stack = await startTestStack(redis);
  // Same keys, Redis, sandbox and public URL (so the same tokens resolve); only the switch differs.
  sdkGateway = await startGateway(
    Object.freeze({ ...stack.config, port: 0, publicUrlExplicit: true, mcpDirectAnswers: false }),
    capturingLogger().logger,
  );
  const { apiToken } = await stack.createTenant("Filters on every path");
  const accountId = await stack.connectMem0(apiToken);
  const mint = async (name: string, config: Record<string, unknown>): Promise<string> => {
    const created = await stack.mint(apiToken, accountId, { name, config });
    return (created.url as string).slice((created.url as string).indexOf("/mcp/") + 5);
  };
  tokens.filtered = await mint("Read memories", FILTERS);
  tokens.discovery = await mint("Read memories, discovery", { ...FILTERS, tool_exposure: "discovery" });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await sdkGateway?.close();
  await stack?.close();
  await redis?.dispose();
});

/** A raw 2025-era JSON-RPC POST, checking which path answered by its framing. */
function rawPath(base: () => string, contentType: RegExp): ToolPath {
  let id = 0;
  async function post(token: string, method: string, params: unknown): Promise<Record<string, any>> {
    const response = await postRaw(
      `${base()}/mcp/${token}`,
      { jsonrpc: "2.0", id: ++id, method, params },
      { "mcp-protocol-version": "2025-11-25" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(contentType);
    return jsonRpcFrom(response.text);
  }
  return {
    async list(token) {
      const message = await post(token, "tools/list", {});
      return (message.result.tools as { name: string }[]).map((tool) => tool.name);
    },
    async call(token, name, args) {
      const message = await post(token, "tools/call", { name, arguments: args });
      return message.error === undefined ? { result: message.result } : { error: message.error };
    },
  };
}

/** One tools/call as the SDK client sent it and the gateway framed its answer. */
interface SeenCall {
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly contentType: string | null;
}

/**
 * The real MCP SDK client in one era (2025-11-25 initializes first; 2026-07-28 is pinned, with its
 * per-request envelope and Mcp-Method headers). `expectPath` checks each tools/call went the way the path names.
 */
function clientPath(base: () => string, era: Era, expectPath: (call: SeenCall) => void): ToolPath {
  const connected = new Map<string, { client: Client; calls: SeenCall[] }>();
  async function clientFor(token: string): Promise<{ client: Client; calls: SeenCall[] }> {
    const existing = connected.get(token);
    if (existing !== undefined) return existing;
    const calls: SeenCall[] = [];
    const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
      if ((body as { method?: unknown } | undefined)?.method === "tools/call") {
        const headers = Object.fromEntries(new Headers(init?.headers).entries());
        calls.push({ headers, body, contentType: response.headers.get("content-type") });
      }
      return response;
    };
    const client = new Client(
      { name: "filters-test", version: "1.0.0" },
      { versionNegotiation: { mode: era === "2025-11-25" ? "legacy" : { pin: "2026-07-28" } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base()}/mcp/${token}`), { fetch: recordingFetch }),
    );
    expect(client.getNegotiatedProtocolVersion()).toBe(era);
    clients.push(client);
    const entry = { client, calls };
    connected.set(token, entry);
    return entry;
  }
  return {
    async list(token) {
      const { client } = await clientFor(token);
      return (await client.listTools()).tools.map((tool) => tool.name);
    },
    async call(token, name, args) {
      const { client, calls } = await clientFor(token);
      const before = calls.length;
      let answer: Answer;
      try {
        answer = { result: (await client.callTool({ name, arguments: args })) as CallResult };
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        answer = { error: { code: error.code, message: error.message } };
      }
      expect(calls.length).toBe(before + 1);
      expectPath(calls[before] as SeenCall);
      return answer;
    },
  };
}

const PATHS: [string, ToolPath][] = [
  ["the direct answer (2025-era tools/call)", rawPath(() => stack.gatewayUrl, /^application\/json/)],
  ["the SDK (MCP_DIRECT_ANSWERS=off)", rawPath(() => sdkGateway.address, /^text\/event-stream/)],
  [
    // On the default gateway: the SDK client's 2026-era tools/call is a shape the direct path takes.
    "the direct answer (a 2026-07-28 client)",
    clientPath(
      () => stack.gatewayUrl,
      "2026-07-28",
      (call) => {
        expect(directCallOf(call.headers, call.body)).toMatchObject({ era: "modern", method: "tools/call" });
        expect(call.contentType).toBe("application/json; charset=utf-8");
      },
    ),
  ],
  [
    "the SDK (a 2026-07-28 client, MCP_DIRECT_ANSWERS=off)",
    clientPath(
      () => sdkGateway.address,
      "2026-07-28",
      (call) => expect(call.contentType).toBe("application/json"),
    ),
  ],
  [
    "the SDK (a 2025-11-25 client that initializes first, MCP_DIRECT_ANSWERS=off)",
    clientPath(
      () => sdkGateway.address,
      "2025-11-25",
      (call) => expect(call.contentType).toMatch(/^text\/event-stream/),
    ),
  ],
];

/** The sandbox itself, with the account's key: what the upstream holds, bypassing the gateway. */
async function upstream(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      authorization: `Token ${sandbox.apiKeys[0]}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

/** A memory one test wrote into the sandbox, for a user of its own. */
interface Seeded {
  readonly id: string;
  readonly userId: string;
  readonly text: string;
}

/** Writes a memory straight into the sandbox (synchronously, infer:false), for a fresh user. */
async function seedMemory(text: string): Promise<Seeded> {
  const userId = `user-${randomUUID()}`;
  const added = await upstream(stack.sandbox, "POST", "/v3/memories/add/", {
    messages: [{ role: "user", content: text }],
    user_id: userId,
    infer: false,
  });
  expect(added.status).toBe(200);
  const id = added.body.results[0]?.id as string;
  expect(id).toEqual(expect.any(String));
  return { id, userId, text };
}

/** Asserts nothing reached upstream while `run` ran, and that the seeded memory is unchanged afterwards. */
async function expectUpstreamUntouched(memory: Seeded, run: () => Promise<void>): Promise<void> {
  const before = stack.sandbox.requestCount();
  await run();
  expect(stack.sandbox.requestCount(), "upstream requests while refusing").toBe(before);
  const stored = await upstream(stack.sandbox, "GET", `/v1/memories/${memory.id}/`);
  expect(stored.status).toBe(200);
  expect(stored.body).toMatchObject({ id: memory.id, memory: memory.text, user_id: memory.userId });
}

function resultOf(answer: Answer): CallResult {
  if (!("result" in answer)) throw new Error(`expected a tool result, got ${JSON.stringify(answer.error)}`);
  return answer.result;
}

function errorOf(answer: Answer): { code: number; message: string } {
  if (!("error" in answer))
    throw new Error(`expected a JSON-RPC error, got ${JSON.stringify(answer.result)}`);
  return answer.error;
}

describe.each(PATHS)("a URL minted with methods [read] AND tags [memories], through %s", (label, path) => {
  it("lists exactly the tools inside the filters", async () => {
    expect(await path.list(tokens.filtered)).toEqual(INSIDE);
  });

  it("runs a tool inside the filters against upstream", async () => {
    const text = `Likes green tea (${label}).`;
    const memory = await seedMemory(text);
    const { id } = memory;
    const before = stack.sandbox.requestCount();
    const got = resultOf(await path.call(tokens.filtered, "get_single_mem_0_memory_by_id", { id }));
    expect(got.isError ?? false, got.content[0]?.text).toBe(false);
    expect(got.structuredContent).toMatchObject({ id, memory: text, user_id: memory.userId });
    const listed = resultOf(
      await path.call(tokens.filtered, "list_all_mem_0_memories", { filters: { user_id: memory.userId } }),
    );
    expect(listed.isError ?? false, listed.content[0]?.text).toBe(false);
    expect(listed.structuredContent?.results).toContainEqual(expect.objectContaining({ id, memory: text }));
    expect(stack.sandbox.requestCount()).toBe(before + 2);
  });

  it.each(OUTSIDE)("refuses %s like an unknown tool, and never calls upstream", async (name, argsFor) => {
    const text = `Keeps a diary (${label}, ${name}).`;
    const memory = await seedMemory(text);
    await expectUpstreamUntouched(memory, async () => {
      const refused = errorOf(await path.call(tokens.filtered, name, argsFor(memory)));
      expect(refused.code).toBe(UNKNOWN_TOOL);
      expect(refused.message).toContain(`Unknown tool: "${name}"`);
      const unknown = errorOf(await path.call(tokens.filtered, "no_such_mem_0_tool", {}));
      expect(refused.message.replace(name, "<name>")).toBe(
        unknown.message.replace("no_such_mem_0_tool", "<name>"),
      );
    });
  });
});

describe.each(PATHS)(
  "a discovery URL minted with methods [read] AND tags [memories], through %s",
  (label, path) => {
    const callTool = (name: string, args: Record<string, unknown>): Promise<Answer> =>
      path.call(tokens.discovery, "call_tool", { tool_name: name, arguments: args });

    it("lists the three discovery tools", async () => {
      expect(await path.list(tokens.discovery)).toEqual(["search_tools", "get_tool_schema", "call_tool"]);
    });

    it("search_tools finds only tools inside the filters", async () => {
      for (const query of ["delete memory", "create add memories", "projects organizations webhooks", ""]) {
        const answer = resultOf(await path.call(tokens.discovery, "search_tools", { query, limit: 25 }));
        expect(answer.isError ?? false).toBe(false);
        expect(answer.structuredContent?.total_tools, query).toBe(INSIDE.length);
        const names = (answer.structuredContent?.tools as { name: string }[] | undefined)?.map(
          (tool) => tool.name,
        );
        expect(names?.length, query).toBeGreaterThan(0);
        for (const name of names ?? []) expect(INSIDE, `${query}: ${name}`).toContain(name);
      }
    });

    it("get_tool_schema shows tools inside the filters and treats the others as unknown", async () => {
      const mixed = resultOf(
        await path.call(tokens.discovery, "get_tool_schema", {
          tool_names: [
            "get_single_mem_0_memory_by_id",
            "delete_a_mem_0_memory_by_id",
            "list_all_mem_0_projects",
          ],
        }),
      );
      expect(mixed.isError ?? false).toBe(false);
      const structured = mixed.structuredContent as {
        tools: { name: string }[];
        not_found: { name: string; did_you_mean: string[] }[];
      };
      expect(structured.tools.map((tool) => tool.name)).toEqual(["get_single_mem_0_memory_by_id"]);
      expect(structured.not_found.map((entry) => entry.name)).toEqual([
        "delete_a_mem_0_memory_by_id",
        "list_all_mem_0_projects",
      ]);
      for (const entry of structured.not_found) {
        for (const suggestion of entry.did_you_mean) expect(INSIDE).toContain(suggestion);
      }
      const outsideOnly = resultOf(
        await path.call(tokens.discovery, "get_tool_schema", { tool_names: ["update_a_mem_0_memory_by_id"] }),
      );
      expect(outsideOnly.isError).toBe(true);
      expect(outsideOnly.structuredContent).toMatchObject({
        tools: [],
        not_found: [{ name: "update_a_mem_0_memory_by_id" }],
      });
    });

    it("call_tool runs a tool inside the filters against upstream", async () => {
      const text = `Walks to work (${label}).`;
      const memory = await seedMemory(text);
      const { id } = memory;
      const before = stack.sandbox.requestCount();
      const got = resultOf(await callTool("get_single_mem_0_memory_by_id", { id }));
      expect(got.isError ?? false, got.content[0]?.text).toBe(false);
      expect(got.structuredContent).toMatchObject({ id, memory: text, user_id: memory.userId });
      expect(stack.sandbox.requestCount()).toBe(before + 1);
    });

    it.each(OUTSIDE)(
      "call_tool refuses %s like an unknown tool, and never calls upstream",
      async (name, argsFor) => {
        const text = `Reads before sleep (${label}, ${name}).`;
        const memory = await seedMemory(text);
        await expectUpstreamUntouched(memory, async () => {
          const refused = resultOf(await callTool(name, argsFor(memory)));
          expect(refused.isError).toBe(true);
          expect(refused.content[0]?.text).toContain(`Unknown tool: "${name}"`);
          expect(refused.structuredContent?.error).toBe("unknown_tool");
          const suggestions = refused.structuredContent?.did_you_mean as string[] | undefined;
          expect(suggestions?.length).toBeGreaterThan(0);
          for (const suggestion of suggestions ?? []) expect(INSIDE).toContain(suggestion);
        });
      },
    );

    it("a direct tools/call of a tool outside the filters is unknown, not 'reached through discovery'", async () => {
      const text = `Plays chess (${label}).`;
      const memory = await seedMemory(text);
      const { id } = memory;
      await expectUpstreamUntouched(memory, async () => {
        const outside = errorOf(await path.call(tokens.discovery, "delete_a_mem_0_memory_by_id", { id }));
        expect(outside).toEqual({
          code: UNKNOWN_TOOL,
          message: expect.stringContaining('Unknown tool: "delete_a_mem_0_memory_by_id"'),
        });
        const inside = errorOf(await path.call(tokens.discovery, "get_single_mem_0_memory_by_id", { id }));
        expect(inside.message).toContain("is reached through discovery");
      });
    });
  },
);
