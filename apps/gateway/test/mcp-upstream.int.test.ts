import { LIMITS } from "@mcp-gateway/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectClient,
  ERAS,
  type McpTestGateway,
  type SeenResponse,
  startMcpTestGateway,
} from "./mcp-support.js";

interface CallResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** The HTTP response that carried the last tools/call. */
function lastCall(seen: readonly SeenResponse[]): SeenResponse {
  const found = [...seen].reverse().find((response) => response.method === "tools/call");
  if (found === undefined) throw new Error("no tools/call response was seen");
  return found;
}

describe("upstream rate limits", () => {
  let gateway: McpTestGateway;
  beforeAll(async () => {
    // Four requests a minute: the account's ping takes one, so three tool calls pass and the rest are refused.
    gateway = await startMcpTestGateway({ rateLimit: { limit: 4, windowSeconds: 60 } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("puts the normalized rate-limit headers on the MCP HTTP response, then passes a 429 on with its retry hint", async () => {
    const clients = await Promise.all(
      ERAS.map((era) => connectClient(gateway.mcpUrl(gateway.tokens.all), era)),
    );
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const connected = clients[i % 2];
      if (connected === undefined) throw new Error("no client");
      const { client, seen } = connected;
      const result = (await client.callTool({
        name: "list_all_mem_0_projects",
        arguments: {},
      })) as CallResult;
      expect(result.isError ?? false).toBe(false);
      const headers = lastCall(seen).headers;
      expect(headers.get("ratelimit-limit")).toBe("4");
      expect(headers.get("ratelimit-policy")).toBe('"default";q=4');
      expect(headers.get("retry-after")).toBeNull();
      remaining.push(headers.get("ratelimit-remaining") ?? "");
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    for (const { client, seen } of clients) {
      const refused = (await client.callTool({
        name: "list_all_mem_0_projects",
        arguments: {},
      })) as CallResult;
      expect(refused.isError).toBe(true);
      const retryAfter = refused.structuredContent?.retry_after_seconds as number;
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.structuredContent).toMatchObject({
        error: "upstream",
        status: 429,
        body: { detail: expect.stringContaining("throttled") },
      });
      expect(refused.content[0]?.text).toContain(
        `HTTP 429 (rate limited): retry after ${retryAfter} seconds`,
      );
      const http = lastCall(seen);
      expect(http.status).toBe(200);
      expect(http.headers.get("retry-after")).toBe(String(retryAfter));
      expect(http.headers.get("ratelimit-remaining")).toBe("0");
      expect(http.headers.get("ratelimit")).toBe(`"default";r=0;t=${http.headers.get("ratelimit-reset")}`);
      expect(http.headers.get("cache-control")).toBe("no-store");
      await client.close();
    }
  });
});

describe.each(ERAS)("upstream failures and large results over protocol %s", (era) => {
  let gateway: McpTestGateway;
  beforeAll(async () => {
    gateway = await startMcpTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("turns an upstream 5xx into an error result with the status and body", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), era);
    gateway.sandbox.setFaults([
      { path: "*", status: 503, body: { detail: "Mem0 is under maintenance" }, times: 1 },
    ]);
    const result = (await client.callTool({ name: "list_all_mem_0_projects", arguments: {} })) as CallResult;
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toEqual({
      error: "upstream",
      status: 503,
      body: { detail: "Mem0 is under maintenance" },
    });
    expect(result.content[0]?.text).toContain("answered HTTP 503");
    expect(result.content[0]?.text).toContain("under maintenance");
    const records = gateway.logs.lines().filter((line) => line.includes('"event":"tool_call"'));
    expect(JSON.parse(records.at(-1) ?? "{}")).toMatchObject({ outcome: "upstream", upstreamStatus: 503 });
    await client.close();
  });

  it("cuts a list result over the limit by whole items and says how to page", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), era);
    const results = Array.from({ length: 2000 }, (_, index) => ({
      id: `mem-${index}`,
      memory: `Memory number ${index} about hiking, food and travel plans for the summer.`,
      user_id: "alice",
    }));
    gateway.sandbox.setFaults([
      { path: "*", status: 200, body: { count: 2000, next: null, results }, times: 1 },
    ]);
    const result = (await client.callTool({
      name: "list_all_mem_0_memories",
      arguments: { filters: { user_id: "alice" } },
    })) as CallResult;
    expect(result.isError ?? false).toBe(false);
    const text = result.content[0]?.text ?? "";
    expect(text.length).toBeLessThanOrEqual(LIMITS.toolResultChars);
    expect(text).toMatch(/\[Result cut: \d+ of 2000 "results" items shown/);
    expect(text).toContain("page_size");
    const kept = ((result.structuredContent?.results ?? []) as unknown[]).length;
    expect(kept).toBeGreaterThan(100);
    expect(kept).toBeLessThan(2000);
    expect(result.structuredContent).toMatchObject({ count: 2000, results: results.slice(0, kept) });
    const records = gateway.logs.lines().filter((line) => line.includes('"event":"tool_call"'));
    expect(JSON.parse(records.at(-1) ?? "{}")).toMatchObject({ outcome: "ok", truncated: true });
    await client.close();
  });

  it("shortens the long text of a large non-list result, keeping JSON that matches the output schema", async () => {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), era);
    await client.listTools(); // the SDK client checks structuredContent against the schemas it has listed
    const blob = "y".repeat(LIMITS.toolResultChars * 2);
    const id = "6a3f1c2e-8b4d-4e6f-9a1b-2c3d4e5f6a7b";
    gateway.sandbox.setFaults([{ path: "*", status: 200, body: { id, memory: blob }, times: 1 }]);
    const result = (await client.callTool({
      name: "get_single_mem_0_memory_by_id",
      arguments: { id },
    })) as CallResult;
    const text = result.content[0]?.text ?? "";
    expect(text.length).toBeLessThanOrEqual(LIMITS.toolResultChars);
    expect(text).toMatch(/text values longer than \d+ characters were shortened/);
    expect(result.structuredContent).toMatchObject({ id, memory: expect.stringMatching(/^y+…$/) });
    await client.close();
  });
});

describe("a client that goes away", () => {
  let gateway: McpTestGateway;
  beforeAll(async () => {
    gateway = await startMcpTestGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it("stops the upstream call at once instead of waiting for the upstream deadline", async () => {
    gateway.sandbox.setFaults([{ path: "*", hang: true, times: 1 }]);
    const before = gateway.sandbox.requestCount();
    const controller = new AbortController();
    const started = Date.now();
    const pending = fetch(gateway.mcpUrl(gateway.tokens.all), {
      method: "POST",
      signal: controller.signal,
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "list_all_mem_0_projects", arguments: {} },
      }),
    }).catch(() => "aborted");
    await expect.poll(() => gateway.sandbox.requestCount()).toBeGreaterThan(before);
    controller.abort();
    expect(await pending).toBe("aborted");
    const lastRecord = (): Record<string, unknown> =>
      JSON.parse(gateway.logs.lines().findLast((line) => line.includes('"event":"tool_call"')) ?? "{}");
    await expect.poll(lastRecord).toMatchObject({ tool: "list_all_mem_0_projects", outcome: "timeout" });
    expect(Date.now() - started).toBeLessThan(LIMITS.upstreamTimeoutMs);
  });
});
