import type { IncomingHttpHeaders } from "node:http";
import {
  isJsonObject,
  LIMITS,
  type McpOutcome,
  type McpRequestRecord,
  type McpTokenClaims,
  type McpTransport,
  recordableText,
} from "@mcp-gateway/core";
import type { McpSession } from "./mcp-session.js";
import { recordableToolName, type ToolCallFacts, type ToolCallOutcome } from "./tool-call-record.js";

/** What the endpoint knows about one answered request whose token was genuine. */
export interface McpRequestFacts {
  readonly claims: McpTokenClaims;
  readonly requestId: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON-RPC body; undefined when the request was refused before it was read. */
  readonly body: unknown;
  readonly httpStatus: number;
  readonly durationMs: number;
  /** The resolved session; undefined when access was refused. */
  readonly session?: McpSession | undefined;
  /** The refusal, when access was refused (`detail` is the internal reason, e.g. revoked). */
  readonly refusal?: { readonly reason: string; readonly detail?: string | undefined } | undefined;
  readonly toolCall?: ToolCallFacts | undefined;
  readonly responseHeaders?: Readonly<Record<string, string>> | undefined;
  /** Streamable HTTP unless said otherwise. */
  readonly transport?: McpTransport | undefined;
}

// The first revision of the stateless era (server/discover, per-request _meta); anything at or after it is that era.
const MODERN_ERA = "2026-07-28";
const LEGACY_ERA = "2025-11-25";
const CLIENT_INFO_META = "io.modelcontextprotocol/clientInfo";
const VERSION_META = "io.modelcontextprotocol/protocolVersion";
const VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The request log's record of one request: ids, method, tool, outcome and timings, and the client's own
 * name and version when it said them. Never arguments, results, credentials or the URL token.
 */
export function mcpRequestRecord(facts: McpRequestFacts): McpRequestRecord {
  const body = isJsonObject(facts.body) ? facts.body : undefined;
  const method = recordableText(body?.method, LIMITS.logClientTextChars);
  const params = body !== undefined && isJsonObject(body.params) ? body.params : undefined;
  const meta = params !== undefined && isJsonObject(params._meta) ? params._meta : undefined;
  const clientInfo = method === "initialize" ? params?.clientInfo : meta?.[CLIENT_INFO_META];
  const client = isJsonObject(clientInfo) ? clientInfo : undefined;
  const version = protocolVersion(facts.headers, method, params, meta);
  const modern =
    (version !== null && version >= MODERN_ERA) ||
    method === "server/discover" ||
    facts.headers["mcp-method"] !== undefined;
  const tool = facts.toolCall?.tool ?? (method === "tools/call" ? params?.name : undefined);
  const { outcome, reason } = outcomeOf(facts);
  const call = facts.toolCall;
  const remaining = Number(facts.responseHeaders?.["ratelimit-remaining"]);
  return {
    tenant_id: facts.claims.tenantId,
    request_id: facts.requestId,
    mcp_server_id: facts.claims.serverId,
    integrated_account_id: facts.claims.accountId,
    mcp_method: method,
    tool_name: typeof tool === "string" && tool !== "" ? recordableToolName(tool) : null,
    outcome,
    reason,
    http_status: facts.httpStatus,
    duration_ms: Math.max(0, Math.round(facts.durationMs)),
    upstream_status: call?.upstreamStatus ?? null,
    upstream_latency_ms: call !== undefined && reachedUpstream(call) ? Math.round(call.durationMs) : null,
    ratelimit_remaining: Number.isFinite(remaining) && remaining >= 0 ? remaining : null,
    protocol_era: modern ? MODERN_ERA : LEGACY_ERA,
    protocol_version: version,
    client_name: recordableText(client?.name, LIMITS.logClientTextChars),
    client_version: recordableText(client?.version, LIMITS.logClientTextChars),
    credential: facts.session?.credential.kind ?? "none",
    credential_id: facts.session?.credential.id ?? null,
    transport: facts.transport ?? "streamable_http",
  };
}

function outcomeOf(facts: McpRequestFacts): { outcome: McpOutcome; reason: string | null } {
  if (facts.refusal !== undefined) {
    return { outcome: "refused", reason: facts.refusal.detail ?? facts.refusal.reason };
  }
  if (facts.toolCall !== undefined) return toolOutcome(facts.toolCall.outcome);
  if (facts.httpStatus >= 400) return { outcome: "protocol_error", reason: `http_${facts.httpStatus}` };
  return { outcome: "ok", reason: null };
}

/** One exhaustive mapping from how a tool call ended to the log's outcome. */
function toolOutcome(outcome: ToolCallOutcome): { outcome: McpOutcome; reason: string | null } {
  switch (outcome) {
    case "ok":
      return { outcome: "ok", reason: null };
    case "invalid_arguments":
      return { outcome: "tool_error", reason: outcome };
    case "upstream":
    case "timeout":
    case "unreachable":
    case "too_large":
      return { outcome: "upstream_error", reason: outcome };
    case "unknown_tool":
      // Unknown and filtered-out tools look the same to the client; the log says it was refused.
      return { outcome: "refused", reason: outcome };
    default: {
      const unhandled: never = outcome;
      throw new Error(`unhandled tool outcome ${String(unhandled)}`);
    }
  }
}

function reachedUpstream(call: ToolCallFacts): boolean {
  return (
    call.upstreamStatus !== undefined ||
    call.outcome === "timeout" ||
    call.outcome === "unreachable" ||
    call.outcome === "too_large"
  );
}

function protocolVersion(
  headers: IncomingHttpHeaders,
  method: string | null,
  params: Record<string, unknown> | undefined,
  meta: Record<string, unknown> | undefined,
): string | null {
  const candidates = [
    method === "initialize" ? params?.protocolVersion : undefined,
    meta?.[VERSION_META],
    headers["mcp-protocol-version"],
  ];
  for (const value of candidates) {
    if (typeof value === "string" && VERSION_SHAPE.test(value)) return value;
  }
  return null;
}
