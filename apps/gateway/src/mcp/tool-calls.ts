import { performance } from "node:perf_hooks";
import { LIMITS } from "@mcp-gateway/core";
import {
  executeScopedTool,
  executeTool,
  type ScopedRecordLedger,
  startDeadline,
  type Tool,
} from "@mcp-gateway/integrations";
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import {
  type DiscoveryToolName,
  isDiscoveryToolName,
  searchTools,
  suggestToolNames,
  toolSchemas,
} from "./discovery-tools.js";
import type { McpExchange } from "./exchange.js";
import { type ToolCallFacts, toolCallRecord } from "./tool-call-record.js";
import { errorResult, jsonResult, type ToolResult, toolResultView } from "./tool-results.js";

/**
 * Answers one tools/call. A name the session does not list (unknown, or filtered out of this URL) is a
 * protocol error (-32602) with one message per mode, so filtered tools and missing tools look the same.
 */
export async function callTool(exchange: McpExchange, name: string, args: unknown): Promise<ToolResult> {
  const { session } = exchange;
  if (session.exposure === "discovery") {
    if (isDiscoveryToolName(name)) return callDiscoveryTool(exchange, name, args);
    const listed = session.tools.some((tool) => tool.name === name);
    record(exchange, { tool: name, via: "direct", outcome: "unknown_tool", durationMs: 0 });
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      listed
        ? `Tool ${name} is reached through discovery on this server: run it with call_tool {"tool_name": "${name}", "arguments": {...}}; get_tool_schema shows its arguments and search_tools finds others.`
        : `Unknown tool: ${shown(name)}. Use search_tools to find the tools this server offers.`,
    );
  }
  const tool = session.tools.find((candidate) => candidate.name === name);
  if (tool === undefined) {
    record(exchange, { tool: name, via: "direct", outcome: "unknown_tool", durationMs: 0 });
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Unknown tool: ${shown(name)}. Call tools/list to see the tools this server offers.`,
    );
  }
  return runTool(exchange, tool, args, "direct");
}

/** Executes a real tool upstream, records the call, and stages its rate-limit headers for the response. */
async function runTool(
  exchange: McpExchange,
  tool: Tool,
  args: unknown,
  via: ToolCallFacts["via"],
): Promise<ToolResult> {
  const started = performance.now();
  const { account, scope, scopedRecords } = exchange.session;
  const deadline = startDeadline(LIMITS.mcpToolCallMs, exchange.clientGone);
  const options = { baseUrl: exchange.upstreamBaseUrl, signal: deadline.signal };
  // Both paths (tools/call and discovery's call_tool) end here, so a scoped URL confines every call.
  const execution = await (scope === undefined
    ? executeTool(tool, args ?? {}, account, options)
    : executeScopedTool(tool, args ?? {}, account, scope, options, loggedLedger(exchange, scopedRecords))
  ).finally(deadline.release);
  const view = toolResultView(tool, execution);
  Object.assign(exchange.responseHeaders, view.httpHeaders);
  record(exchange, {
    tool: tool.name,
    via,
    outcome: view.outcome,
    ...(view.upstreamStatus !== undefined ? { upstreamStatus: view.upstreamStatus } : {}),
    durationMs: performance.now() - started,
    truncated: view.truncated,
  });
  return view.result;
}

/**
 * The scoped server's record ledger, failing closed: a record that cannot be remembered (storage trouble) is
 * logged and later answers as missing; a lookup that fails answers "not made here".
 */
function loggedLedger(
  exchange: McpExchange,
  ledger: ScopedRecordLedger | undefined,
): ScopedRecordLedger | undefined {
  if (ledger === undefined) return undefined;
  return {
    remember: (kind, id) =>
      ledger.remember(kind, id).catch((error: unknown) => {
        exchange.log.warn({ err: error, kind }, "a record made through a scoped URL was not remembered");
      }),
    knows: (kind, id) =>
      ledger.knows(kind, id).catch((error: unknown) => {
        exchange.log.warn(
          { err: error, kind },
          "a scoped URL's records could not be read; answering not found",
        );
        return false;
      }),
  };
}

function callDiscoveryTool(
  exchange: McpExchange,
  name: DiscoveryToolName,
  args: unknown,
): Promise<ToolResult> | ToolResult {
  const input = typeof args === "object" && args !== null ? (args as Record<string, unknown>) : {};
  switch (name) {
    case "search_tools":
      return searchToolsCall(exchange, input);
    case "get_tool_schema":
      return toolSchemaCall(exchange, input);
    case "call_tool":
      return callToolCall(exchange, input);
  }
}

function searchToolsCall(exchange: McpExchange, input: Record<string, unknown>): ToolResult {
  const { query, limit } = input;
  if (typeof query !== "string") return refuse(exchange, "search_tools", '"query" must be a string.');
  if (limit !== undefined && !(typeof limit === "number" && Number.isInteger(limit) && limit >= 1)) {
    return refuse(exchange, "search_tools", '"limit" must be a whole number of at least 1.');
  }
  record(exchange, { tool: "search_tools", via: "direct", outcome: "ok", durationMs: 0 });
  return jsonResult({ ...searchTools(exchange.session.tools, query, limit) });
}

function toolSchemaCall(exchange: McpExchange, input: Record<string, unknown>): ToolResult {
  const names = input.tool_names;
  const max = LIMITS.discoverySchemaNamesMax;
  const valid =
    Array.isArray(names) &&
    names.length >= 1 &&
    names.length <= max &&
    names.every((entry) => typeof entry === "string");
  if (!valid) {
    return refuse(
      exchange,
      "get_tool_schema",
      `"tool_names" must list 1 to ${max} tool names from search_tools.`,
    );
  }
  const answer = toolSchemas(exchange.session.tools, names as string[]);
  record(exchange, { tool: "get_tool_schema", via: "direct", outcome: "ok", durationMs: 0 });
  if (answer.tools.length === 0) {
    return errorResult(`None of these tools exist on this server. ${JSON.stringify(answer)}`, { ...answer });
  }
  return jsonResult({ ...answer });
}

function callToolCall(
  exchange: McpExchange,
  input: Record<string, unknown>,
): Promise<ToolResult> | ToolResult {
  const toolName = input.tool_name;
  if (typeof toolName !== "string") return refuse(exchange, "call_tool", '"tool_name" must be a string.');
  const tool = exchange.session.tools.find((candidate) => candidate.name === toolName);
  if (tool === undefined) {
    // Same answer for a name that does not exist and one filtered out of this URL.
    record(exchange, { tool: toolName, via: "call_tool", outcome: "unknown_tool", durationMs: 0 });
    const suggestions = suggestToolNames(exchange.session.tools, toolName);
    return errorResult(
      `Unknown tool: ${shown(toolName)}. Did you mean: ${suggestions.join(", ")}? Use search_tools to find tools.`,
      { error: "unknown_tool", did_you_mean: suggestions },
    );
  }
  return runTool(exchange, tool, input.arguments, "call_tool");
}

function refuse(exchange: McpExchange, name: DiscoveryToolName, message: string): ToolResult {
  record(exchange, { tool: name, via: "direct", outcome: "invalid_arguments", durationMs: 0 });
  return errorResult(message, { error: "invalid_arguments", message });
}

function record(exchange: McpExchange, facts: ToolCallFacts): void {
  exchange.toolCall = facts;
  exchange.log.info(toolCallRecord(exchange.session, facts), "tool call");
}

/** A client-supplied name as echoed back: capped so a huge name cannot bloat the answer. */
function shown(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}
