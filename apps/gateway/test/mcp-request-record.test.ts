import type { McpTokenClaims } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { mcpRequestRecord } from "../src/mcp/mcp-request-record.js";
import type { McpSession } from "../src/mcp/mcp-session.js";

const claims = {
  tenantId: "ten_a",
  serverId: "mcp_a",
  accountId: "acc_a",
} as McpTokenClaims;

const session = {
  credential: { kind: "api_token", id: "tok_a" },
} as unknown as McpSession;

const base = { claims, requestId: "r-1", headers: {}, httpStatus: 200, durationMs: 3.6 };

describe("MCP request records", () => {
  it("takes the client's name, version and era from a 2025-era initialize", () => {
    const record = mcpRequestRecord({
      ...base,
      session,
      body: {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", clientInfo: { name: "claude-ai", version: "0.1.0" } },
      },
    });
    expect(record).toMatchObject({
      tenant_id: "ten_a",
      mcp_server_id: "mcp_a",
      integrated_account_id: "acc_a",
      mcp_method: "initialize",
      outcome: "ok",
      duration_ms: 4,
      protocol_era: "2025-11-25",
      protocol_version: "2025-11-25",
      client_name: "claude-ai",
      client_version: "0.1.0",
      credential: "api_token",
      credential_id: "tok_a",
      transport: "streamable_http",
    });
  });

  it("reads the 2026-07-28 envelope and maps tool outcomes to the log's outcomes", () => {
    const body = {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: {
        name: "list_all_mem_0_memories",
        arguments: { secret: "never recorded" },
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "inspector", version: "2" },
        },
      },
    };
    const upstream = mcpRequestRecord({
      ...base,
      body,
      responseHeaders: { "ratelimit-remaining": "7" },
      toolCall: {
        tool: "list_all_mem_0_memories",
        via: "direct",
        outcome: "upstream",
        upstreamStatus: 429,
        durationMs: 12.4,
      },
    });
    expect(upstream).toMatchObject({
      protocol_era: "2026-07-28",
      client_name: "inspector",
      tool_name: "list_all_mem_0_memories",
      outcome: "upstream_error",
      reason: "upstream",
      upstream_status: 429,
      upstream_latency_ms: 12,
      ratelimit_remaining: 7,
      credential: "none",
    });
    expect(JSON.stringify(upstream)).not.toContain("never recorded");
    const unknown = mcpRequestRecord({
      ...base,
      body,
      toolCall: { tool: "x\u0000y", via: "direct", outcome: "unknown_tool", durationMs: 0 },
    });
    expect(unknown).toMatchObject({
      outcome: "refused",
      reason: "unknown_tool",
      tool_name: "x?y",
      upstream_latency_ms: null,
    });
    const invalid = mcpRequestRecord({
      ...base,
      body,
      toolCall: { tool: "t", via: "direct", outcome: "invalid_arguments", durationMs: 0 },
    });
    expect(invalid).toMatchObject({ outcome: "tool_error", reason: "invalid_arguments" });
  });

  it("records a refusal with its internal reason and caps client-supplied text", () => {
    const refused = mcpRequestRecord({
      ...base,
      httpStatus: 404,
      body: undefined,
      refusal: { reason: "not_found", detail: "revoked" },
    });
    expect(refused).toMatchObject({
      outcome: "refused",
      reason: "revoked",
      mcp_method: null,
      http_status: 404,
    });
    const long = mcpRequestRecord({ ...base, body: { jsonrpc: "2.0", id: 1, method: "m".repeat(500) } });
    expect(long.mcp_method).toHaveLength(64);
    const failed = mcpRequestRecord({
      ...base,
      httpStatus: 400,
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    expect(failed).toMatchObject({ outcome: "protocol_error", reason: "http_400" });
  });
});
