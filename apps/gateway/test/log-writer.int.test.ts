import { manualClock, newAccountId, newMcpServerId, newTenantId } from "@mcp-gateway/core";
import { createRedis, freePort } from "@mcp-gateway/store";
import { describe, expect, it } from "vitest";
import { createLogWriter } from "../src/log/log-writer.js";

describe("log writer", () => {
  it("drops and counts records Redis cannot take, without throwing or waiting", async () => {
    // Nothing listens on this port: the gateway's client (no offline queue) refuses at once.
    const redis = createRedis(`redis://127.0.0.1:${await freePort()}`, { keyPrefix: "unused:" });
    redis.on("error", () => {});
    const dropped: string[] = [];
    const writer = createLogWriter({
      redis,
      clock: manualClock(Date.now()),
      retentionMs: 86_400_000,
      mcpRequests: true,
      dropped: (logType, reason) => dropped.push(`${logType}:${reason}`),
    });
    const started = performance.now();
    writer.recordMcpRequest({
      tenant_id: newTenantId(),
      request_id: "r1",
      mcp_server_id: newMcpServerId(),
      integrated_account_id: newAccountId(),
      mcp_method: "tools/list",
      tool_name: null,
      outcome: "ok",
      reason: null,
      http_status: 200,
      duration_ms: 1,
      upstream_status: null,
      upstream_latency_ms: null,
      ratelimit_remaining: null,
      protocol_era: "2025-11-25",
      protocol_version: null,
      client_name: null,
      client_version: null,
      credential: "none",
      credential_id: null,
      transport: "streamable_http",
    });
    expect(performance.now() - started).toBeLessThan(50);
    await writer.settled();
    expect(dropped).toEqual(["mcp:redis"]);
    redis.disconnect();
  });
});
