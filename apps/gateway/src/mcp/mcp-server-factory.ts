import { describeScope } from "@mcp-gateway/core";
import { mcpToolDefinition, scopeSentence } from "@mcp-gateway/integrations";
import {
  type CallToolResult,
  type ListToolsResult,
  Server,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import { discoveryToolDefinitions } from "./discovery-tools.js";
import type { McpExchange } from "./exchange.js";
import type { McpSession } from "./mcp-session.js";
import { callTool } from "./tool-calls.js";

const SERVER_VERSION = "0.1.0";
/** The revision of the stateless era this gateway serves (server/discover, per-request `_meta`). */
export const MODERN_PROTOCOL_VERSION = "2026-07-28";
// The SDK adds the 2026-07-28 era to a server only once it serves a modern request, so a refusal of an unknown
// MCP-Protocol-Version on the 2025 path listed the 2025 versions alone; naming it here lists every era served.
const PROTOCOL_VERSIONS = [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS];

/** What the server says about itself; the SDK path and the direct answers both take it from here. */
export interface ServerIdentity {
  readonly serverInfo: { readonly name: string; readonly title: string; readonly version: string };
  readonly capabilities: { readonly tools: Record<string, never> };
  readonly instructions: string;
}

/** The identity of the server behind one session. */
export function serverIdentity(session: McpSession): ServerIdentity {
  return {
    serverInfo: { name: "mcp-gateway", title: session.serverName, version: SERVER_VERSION },
    capabilities: { tools: {} },
    instructions: instructionsFor(session),
  };
}

/**
 * A fresh MCP server for one HTTP request (never shared across clients: CVE-2026-25536). It offers tools
 * only: the session's own, or the three discovery tools.
 */
export function createMcpServer(exchange: McpExchange): Server {
  const { session } = exchange;
  const identity = serverIdentity(session);
  const server = new Server(identity.serverInfo, {
    capabilities: identity.capabilities,
    instructions: identity.instructions,
    supportedProtocolVersions: PROTOCOL_VERSIONS,
  });
  // Our schemas are plain JSON data; the SDK's type wants its own JSON value type.
  server.setRequestHandler("tools/list", () => ({
    tools: listedTools(session) as unknown as ListToolsResult["tools"],
  }));
  server.setRequestHandler("tools/call", async (request) => {
    const result = await callTool(exchange, request.params.name, request.params.arguments);
    // Low-level servers project results through the era's codec themselves (SDK v2, Server docs).
    return server.projectCallToolResult(result as CallToolResult, undefined);
  });
  return server;
}

/** tools/list: deterministic (by name), with titles, schemas and annotations. */
export function listedTools(session: McpSession): ReturnType<typeof mcpToolDefinition>[] {
  if (session.exposure === "discovery") {
    const definitions = discoveryToolDefinitions(session.tools);
    const scope = session.scope;
    if (scope === undefined) return definitions;
    // call_tool is the one that runs tools: it says which entity they are confined to.
    return definitions.map((definition) =>
      definition.name === "call_tool"
        ? { ...definition, description: `${definition.description}\n${scopeSentence(scope)}` }
        : definition,
    );
  }
  return [...session.tools]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(mcpToolDefinition);
}

function instructionsFor(session: McpSession): string {
  const pinned =
    session.scope === undefined ? "" : ` Every tool is confined to ${describeScope(session.scope)}.`;
  const base = `Tools for one ${session.integration} account (${session.tools.length} tools).${pinned}`;
  return session.exposure === "discovery"
    ? `${base} Find a tool with search_tools, read its arguments with get_tool_schema, then run it with call_tool.`
    : base;
}
