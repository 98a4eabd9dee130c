/**
 * Benchmark child: the baseline an operator would otherwise run, a single-tenant MCP server built the way
 * the SDK's examples build one. It serves one account (the API key is in its environment), builds a new
 * McpServer for every request (stateless, per CVE-2026-25536), and offers the one tool under test,
 * mem_0_memories_search, which calls the Mem0 sandbox with fetch.
 */
import { createMcpFastifyApp } from "@modelcontextprotocol/fastify";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { serveChild } from "../lib/child.js";

const upstream = process.env.BENCH_SANDBOX_URL;
const apiKey = process.env.BENCH_SANDBOX_API_KEY;
if (upstream === undefined || apiKey === undefined) {
  throw new Error("BENCH_SANDBOX_URL and BENCH_SANDBOX_API_KEY are required");
}

function buildServer(): McpServer {
  const server = new McpServer({ name: "naive-mem0", version: "1.0.0" });
  server.registerTool(
    "mem_0_memories_search",
    {
      title: "Search memories",
      description: "Searches the account's memories by meaning; returns the best matches with scores.",
      inputSchema: z.object({
        query: z.string().min(1),
        filters: z.record(z.string(), z.unknown()),
        top_k: z.number().int().min(1).max(1000).optional(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args) => {
      const response = await fetch(`${upstream}/v3/memories/search/`, {
        method: "POST",
        headers: {
          accept: "application/json",
          authorization: `Token ${apiKey}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(args),
      });
      const text = await response.text();
      const data = JSON.parse(text) as unknown;
      const structured =
        typeof data === "object" && data !== null && !Array.isArray(data)
          ? (data as Record<string, unknown>)
          : { result: data };
      return {
        content: [{ type: "text", text }],
        structuredContent: structured,
        ...(response.ok ? {} : { isError: true }),
      };
    },
  );
  return server;
}

await serveChild(async () => {
  const handler = createMcpHandler(() => buildServer(), { legacy: "stateless" });
  const node = toNodeHandler(handler);
  const app = createMcpFastifyApp({ host: "127.0.0.1" });
  app.all("/mcp", async (request, reply) => {
    reply.hijack();
    await node(request.raw, reply.raw, request.body);
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `${url}/mcp`,
    close: async () => {
      await app.close();
      await handler.close();
    },
  };
});
