import type { McpSession } from "./mcp-session.js";

/**
 * How a tool call ended: ok, one of the executor's failure kinds, or `unknown_tool` when it was refused
 * before any execution (no such tool, filtered out of the URL, or a hidden tool called directly in discovery).
 */
export type ToolCallOutcome =
  | "ok"
  | "invalid_arguments"
  | "upstream"
  | "timeout"
  | "unreachable"
  | "too_large"
  | "unknown_tool";

/**
 * One tool call as the log (and later the audit log) keeps it: ids, tool, outcome and timing only.
 * Never arguments, results, credentials or the URL token.
 */
export interface ToolCallRecord {
  readonly event: "tool_call";
  readonly serverId: string;
  readonly tenantId: string;
  readonly accountId: string;
  readonly integration: string;
  /** The tool that ran, or the (sanitized) name asked for when it was refused as unknown. */
  readonly tool: string;
  /** "direct" = tools/call; "call_tool" = through the discovery meta-tool. */
  readonly via: "direct" | "call_tool";
  readonly outcome: ToolCallOutcome;
  /** The upstream HTTP status when the upstream answered, else null. */
  readonly upstreamStatus: number | null;
  readonly durationMs: number;
  /** The result was cut to fit LIMITS.toolResultChars. */
  readonly truncated: boolean;
}

export interface ToolCallFacts {
  readonly tool: string;
  readonly via: "direct" | "call_tool";
  readonly outcome: ToolCallOutcome;
  readonly upstreamStatus?: number;
  readonly durationMs: number;
  readonly truncated?: boolean;
}

const RECORDED_NAME_MAX = 64;

/** Builds the record for one call; a client-supplied name is reduced to tool-name characters and capped. */
export function toolCallRecord(session: McpSession, facts: ToolCallFacts): ToolCallRecord {
  return {
    event: "tool_call",
    serverId: session.serverId,
    tenantId: session.tenantId,
    accountId: session.accountId,
    integration: session.integration,
    tool: recordableToolName(facts.tool),
    via: facts.via,
    outcome: facts.outcome,
    upstreamStatus: facts.upstreamStatus ?? null,
    durationMs: Math.max(0, Math.round(facts.durationMs)),
    truncated: facts.truncated ?? false,
  };
}

/** A name as it may be logged: only characters a tool name can hold, at most 64 of them. */
export function recordableToolName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, "?");
  return cleaned.length > RECORDED_NAME_MAX ? `${cleaned.slice(0, RECORDED_NAME_MAX)}…` : cleaned;
}
