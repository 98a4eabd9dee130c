/**
 * "No retries, no throttling of upstream 429s", seen from an MCP client: one tools/call makes exactly one
 * request to Mem0 when Mem0 refuses it, on both protocol eras. The executor's own rule is pinned in
 * packages/integrations/test/no-retries.int.test.ts; this holds the gateway around it to the same rule.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, ERAS, type McpTestGateway, startMcpTestGateway } from "./mcp-support.js";

interface CallResult {
  content: { type: string; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

const CALLS: [string, Record<string, unknown>][] = [
  ["list_all_mem_0_projects", {}],
  [
    "create_a_mem_0_memory",
    { messages: [{ role: "user", content: "I like tea." }], user_id: "no-retries", infer: false },
  ],
];

describe.each(ERAS)("one upstream request per refused tool call, over protocol %s", (era) => {
  let gateway: McpTestGateway;
  beforeAll(async () => {
    // One request a minute: connecting the account (its ping) spends it, so every tool call gets a 429.
    gateway = await startMcpTestGateway({ rateLimit: { limit: 1, windowSeconds: 60 } });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  async function callCounting(name: string, args: Record<string, unknown>) {
    const { client } = await connectClient(gateway.mcpUrl(gateway.tokens.all), era);
    try {
      const before = gateway.sandbox.requestCount();
      const result = (await client.callTool({ name, arguments: args })) as CallResult;
      return { result, upstreamRequests: gateway.sandbox.requestCount() - before };
    } finally {
      await client.close();
    }
  }

  it.each(CALLS)("%s answered 429 reaches Mem0 once and passes the 429 on", async (name, args) => {
    const { result, upstreamRequests } = await callCounting(name, args);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ error: "upstream", status: 429 });
    expect(result.structuredContent?.retry_after_seconds).toBeGreaterThan(0);
    expect(upstreamRequests).toBe(1);
  });

  it.each(CALLS)("%s answered 503 reaches Mem0 once and passes the 503 on", async (name, args) => {
    // Faults apply before the rate limit, and this one answers every request, a retry included.
    gateway.sandbox.setFaults([{ path: "*", status: 503, body: { detail: "Mem0 is down" } }]);
    try {
      const { result, upstreamRequests } = await callCounting(name, args);
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toEqual({
        error: "upstream",
        status: 503,
        body: { detail: "Mem0 is down" },
      });
      expect(upstreamRequests).toBe(1);
    } finally {
      gateway.sandbox.setFaults([]);
    }
  });
});
