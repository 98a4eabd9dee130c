/** Reads a JSON-RPC message from a JSON body or a single-event SSE body (tests and the bench check answers with it). */
export function jsonRpcFrom(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return JSON.parse(trimmed) as Record<string, unknown>;
  const data = trimmed
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trim())
    .join("");
  return JSON.parse(data) as Record<string, unknown>;
}

/**
 * What a stdio MCP client such as Claude Desktop sends through a bridge: initialize, initialized, tools/list
 * and one tools/call, as JSON-RPC messages to write one per line.
 */
export function stdioSession(
  tool: string,
  args: Record<string, unknown> = {},
  clientName = "claude-desktop-e2e",
): Record<string, unknown>[] {
  return [
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: clientName, version: "1" },
      },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list" },
    { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: tool, arguments: args } },
  ];
}
