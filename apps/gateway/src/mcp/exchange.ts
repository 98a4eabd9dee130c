import type { AuthInfo } from "@modelcontextprotocol/server";
import type { FastifyBaseLogger } from "fastify";
import type { McpSession } from "./mcp-session.js";
import type { ToolCallFacts } from "./tool-call-record.js";

/**
 * One HTTP request to the MCP endpoint: the session it was granted, where to log, when the client went
 * away, and the headers a tool call wants on the HTTP response (rate limits). The SDK builds a fresh
 * server per request and hands it this through `authInfo.extra`, its pass-through channel to the factory.
 */
export class McpExchange {
  /** Filled by tool calls (normalized rate-limit headers); written onto the HTTP response. */
  readonly responseHeaders: Record<string, string> = {};
  /** The tool call this request made, once it ran (for the request log). */
  toolCall: ToolCallFacts | undefined;

  constructor(
    readonly session: McpSession,
    readonly log: FastifyBaseLogger,
    /** Aborts when the client disconnects before the answer is written. */
    readonly clientGone: AbortSignal,
    readonly upstreamBaseUrl: string,
  ) {}

  /** The SDK's auth channel carrying this exchange. The URL token is never handed to the SDK. */
  toAuthInfo(): AuthInfo {
    return { token: "", clientId: this.session.serverId, scopes: [], extra: { exchange: this } };
  }

  /** Recovers the exchange from what the SDK passes to the server factory; a missing one is a wiring bug. */
  static fromAuthInfo(authInfo: AuthInfo | undefined): McpExchange {
    const exchange = authInfo?.extra?.exchange;
    if (!(exchange instanceof McpExchange))
      throw new Error("MCP request reached the SDK without an exchange");
    return exchange;
  }
}
