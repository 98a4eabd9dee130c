import { mem0, toolset } from "@mcp-gateway/integrations";
import type { Client } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, ERAS, type McpTestGateway, startMcpTestGateway } from "./mcp-support.js";

interface CallResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

let gateway: McpTestGateway;
beforeAll(async () => {
  gateway = await startMcpTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

describe.each(ERAS)("MCP tools over protocol %s", (era) => {
  let client: Client;
  beforeAll(async () => {
    ({ client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), era));
  });
  afterAll(async () => {
    await client?.close();
  });

  async function call(name: string, args: Record<string, unknown>): Promise<CallResult> {
    return (await client.callTool({ name, arguments: args })) as CallResult;
  }

  /** Calls a tool that must succeed; its text is the same JSON as its structured content. */
  async function ok(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = await call(name, args);
    expect(result.isError ?? false, `${name}: ${result.content[0]?.text}`).toBe(false);
    const structured = result.structuredContent as Record<string, unknown>;
    const parsed = JSON.parse(result.content[0]?.text ?? "null") as unknown;
    expect(Array.isArray(parsed) ? { result: parsed } : parsed).toEqual(structured);
    return structured;
  }

  it("negotiates the era and names the server", () => {
    expect(client.getNegotiatedProtocolVersion()).toBe(era);
    expect(client.getServerVersion()).toMatchObject({ name: "mcp-gateway", title: "All Mem0" });
    expect(client.getServerCapabilities()?.tools).toBeDefined();
  });

  it("lists every tool of the URL in name order, with titles, schemas and annotations", async () => {
    const { tools } = await client.listTools();
    const expected = toolset(mem0)
      .map((tool) => tool.name)
      .sort();
    expect(tools.map((tool) => tool.name)).toEqual(expected);
    const list = tools.find((tool) => tool.name === "list_all_mem_0_memories");
    expect(list).toMatchObject({
      title: "List memories",
      inputSchema: { type: "object", required: ["filters"] },
      annotations: { readOnlyHint: true, destructiveHint: false, title: "List memories" },
    });
    expect(list?.description).toContain("Returns:");
    const destructive = tools.find((tool) => tool.name === "delete_a_mem_0_memory_by_id");
    expect(destructive?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  });

  it("runs the seed tools against Mem0 and returns JSON text plus structured content", async () => {
    const user = `user-${era}`;
    const added = await ok("create_a_mem_0_memory", {
      messages: [{ role: "user", content: "I am vegetarian and I love hiking in the Alps." }],
      user_id: user,
    });
    expect(added).toMatchObject({ status: "PENDING" });
    const event = await ok("get_single_mem_0_event_by_id", { id: added.event_id, wait_seconds: 5 });
    expect(event.status).toBe("SUCCEEDED");

    const listed = await ok("list_all_mem_0_memories", { filters: { user_id: user }, page_size: 10 });
    const memories = listed.results as { id: string; memory: string }[];
    expect(memories.length).toBeGreaterThan(0);
    const history = await ok("list_all_mem_0_memory_history", { memory_id: memories[0]?.id });
    expect(JSON.stringify(history)).toContain(memories[0]?.id ?? "missing");
    const found = await ok("mem_0_memories_search", {
      query: "What does the user eat?",
      filters: { user_id: user },
    });
    expect((found.results as unknown[]).length).toBeGreaterThan(0);
    const exported = await ok("create_a_mem_0_export", {
      schema: { type: "object", properties: { diet: { type: "string" } } },
      filters: { AND: [{ user_id: user }] },
    });
    expect(exported.id).toEqual(expect.any(String));
    const projects = await ok("list_all_mem_0_projects", {});
    expect(JSON.stringify(projects)).toContain(
      gateway.sandbox.accountFor(gateway.sandbox.apiKeys[0] ?? "").projectId,
    );
  });

  it("turns arguments the schema refuses into an error result that shows the fix, without calling upstream", async () => {
    const before = gateway.sandbox.requestCount();
    const result = await call("list_all_mem_0_memories", { user_id: "alice" });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toContain('"filters"');
    expect(result.structuredContent).toMatchObject({ error: "invalid_arguments" });
    expect(gateway.sandbox.requestCount()).toBe(before);
  });

  it("refuses an unknown tool with a protocol error naming tools/list", async () => {
    await expect(call("no_such_tool", {})).rejects.toThrow(/Unknown tool: "no_such_tool". Call tools\/list/);
  });
});

describe.each(ERAS)("filters and discovery over protocol %s", (era) => {
  it("a read-only URL lists no write tools and refuses create exactly like an unknown tool", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.readOnly), era);
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain("list_all_mem_0_memories");
      expect(names.some((name) => /^(create|update|delete)_|bulk|delete_all/.test(name))).toBe(false);
      const before = gateway.sandbox.requestCount();
      const refusal = (name: string): Promise<string> =>
        client.callTool({ name, arguments: {} }).then(
          () => "answered",
          (error: Error) => error.message.replace(name, "<name>"),
        );
      const filtered = await refusal("create_a_mem_0_memory");
      expect(filtered).toContain("Unknown tool");
      expect(filtered).toBe(await refusal("create_a_mem_0_nothing"));
      expect(gateway.sandbox.requestCount()).toBe(before);
    } finally {
      await client.close();
    }
  });

  it("discovery exposes search_tools, get_tool_schema and call_tool over the URL's tools", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.discovery), era);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(["search_tools", "get_tool_schema", "call_tool"]);
      expect(client.getInstructions()).toContain("search_tools");

      const search = (await client.callTool({
        name: "search_tools",
        arguments: { query: "search memories", limit: 3 },
      })) as CallResult;
      const hits = ((search.structuredContent?.tools ?? []) as { name: string }[]).map((tool) => tool.name);
      expect(hits[0]).toBe("mem_0_memories_search");
      expect(hits.length).toBeLessThanOrEqual(3);

      const schemas = (await client.callTool({
        name: "get_tool_schema",
        arguments: { tool_names: ["list_all_mem_0_projects", "list_all_mem_0_projcts"] },
      })) as CallResult;
      expect(schemas.isError ?? false).toBe(false);
      expect(schemas.structuredContent).toMatchObject({
        tools: [{ name: "list_all_mem_0_projects", inputSchema: { type: "object" } }],
        not_found: [
          {
            name: "list_all_mem_0_projcts",
            did_you_mean: expect.arrayContaining(["list_all_mem_0_projects"]),
          },
        ],
      });
      const tooMany = (await client.callTool({
        name: "get_tool_schema",
        arguments: { tool_names: ["a", "b", "c", "d", "e", "f"] },
      })) as CallResult;
      expect(tooMany.isError).toBe(true);

      const projects = (await client.callTool({
        name: "call_tool",
        arguments: { tool_name: "list_all_mem_0_projects", arguments: {} },
      })) as CallResult;
      expect(projects.isError ?? false).toBe(false);
      expect(projects.content[0]?.text).toContain(
        gateway.sandbox.accountFor(gateway.sandbox.apiKeys[0] ?? "").projectId,
      );

      const typo = (await client.callTool({
        name: "call_tool",
        arguments: { tool_name: "list_all_mem_0_projcts", arguments: {} },
      })) as CallResult;
      expect(typo.isError).toBe(true);
      expect(typo.content[0]?.text).toContain("Did you mean: list_all_mem_0_projects");

      await expect(client.callTool({ name: "list_all_mem_0_projects", arguments: {} })).rejects.toThrow(
        /call_tool.*search_tools/,
      );
    } finally {
      await client.close();
    }
  });
});

describe("tool-call records", () => {
  it("logs each call with ids, tool, outcome, upstream status and duration, and no secrets or arguments", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), "2026-07-28");
    const secretArgument = "private-query-text-7f3a";
    await client.callTool({
      name: "mem_0_memories_search",
      arguments: { query: secretArgument, filters: { user_id: "zed" } },
    });
    await client.callTool({ name: "list_all_mem_0_memories", arguments: { user_id: "zed" } });
    await client.close();
    const records = gateway.logs
      .lines()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.event === "tool_call" && line.serverId === gateway.ids.servers.all);
    expect(records).toContainEqual(
      expect.objectContaining({
        serverId: gateway.ids.servers.all,
        tenantId: gateway.ids.tenantId,
        accountId: gateway.ids.accountId,
        integration: "mem0",
        tool: "mem_0_memories_search",
        via: "direct",
        outcome: "ok",
        upstreamStatus: 200,
        durationMs: expect.any(Number),
        truncated: false,
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        tool: "list_all_mem_0_memories",
        outcome: "invalid_arguments",
        upstreamStatus: null,
      }),
    );
    const everything = gateway.logs.lines().join("\n");
    expect(everything).not.toContain(secretArgument);
    expect(everything).not.toContain(gateway.sandbox.apiKeys[0]);
    for (const token of Object.values(gateway.tokens)) expect(everything).not.toContain(token);
  });
});
