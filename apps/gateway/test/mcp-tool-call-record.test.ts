import { describe, expect, it } from "vitest";
import type { McpSession } from "../src/mcp/mcp-session.js";
import { toolCallRecord } from "../src/mcp/tool-call-record.js";

const session: McpSession = {
  serverId: "srv_1",
  serverName: "Demo",
  tenantId: "ten_1",
  accountId: "acc_1",
  integration: "mem0",
  tools: [],
  exposure: "all",
  account: { credentials: { api_key: "m0-secret-key" }, context: { org_id: "org", project_id: "proj" } },
  credential: { kind: "none", id: null },
};

describe("tool-call records", () => {
  it("holds ids, tool, outcome, upstream status and a whole-millisecond duration, never credentials", () => {
    const record = toolCallRecord(session, {
      tool: "list_all_mem_0_projects",
      via: "direct",
      outcome: "ok",
      upstreamStatus: 200,
      durationMs: 12.6,
    });
    expect(record).toEqual({
      event: "tool_call",
      serverId: "srv_1",
      tenantId: "ten_1",
      accountId: "acc_1",
      integration: "mem0",
      tool: "list_all_mem_0_projects",
      via: "direct",
      outcome: "ok",
      upstreamStatus: 200,
      durationMs: 13,
      truncated: false,
    });
    expect(JSON.stringify(record)).not.toContain("m0-secret-key");
  });

  it("reduces a client-supplied unknown name to tool-name characters and caps it", () => {
    const record = toolCallRecord(session, {
      tool: `x y"{}${"a".repeat(100)}`,
      via: "call_tool",
      outcome: "unknown_tool",
      durationMs: 0,
    });
    expect(record.tool).toMatch(/^[A-Za-z0-9_.?-]{64}…$/);
    expect(record.upstreamStatus).toBeNull();
  });
});
