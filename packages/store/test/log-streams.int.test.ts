import { randomUUID } from "node:crypto";
import {
  type AdminChangeRecord,
  encodeAdminRecord,
  encodeMcpRecord,
  LOG_ENTRY_FIELD,
  type McpRequestRecord,
  newAccountId,
  newApiTokenId,
  newMcpServerId,
  newTenantId,
} from "@mcp-gateway/core";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useTestRedis } from "../../../test/support/redis.js";
import { appendLogEntries, type LogTrim, readLogPage } from "../src/log-streams.repository.js";

const redis = useTestRedis();
let client: Redis;
beforeEach(async () => {
  client = new Redis(redis.url, { keyPrefix: redis.keyPrefix, lazyConnect: true });
  await client.connect();
});
afterEach(() => client.disconnect());

const DAY = 86_400_000;
const KEEP = { maxLen: 100_000, minIdMs: 0, ttlMs: 30 * DAY };

/** Appends one entry; resolves with the newest id of the stream afterwards. */
async function append(key: string, atMs: number, value: string, trim: LogTrim, owner?: string) {
  const written = await appendLogEntries(client, key, [{ atMs, value }], trim, owner);
  if (written === 0) return null;
  const [newest] = await client.xrevrange(key, "+", "-", "COUNT", 1);
  return newest?.[0] ?? null;
}

/** A record as a busy tools/call writes it: every field filled. */
function mcpRecord(tenantId: string): McpRequestRecord {
  return {
    tenant_id: tenantId,
    request_id: randomUUID(),
    mcp_server_id: newMcpServerId(),
    integrated_account_id: newAccountId(),
    mcp_method: "tools/call",
    tool_name: "list_all_mem_0_memories",
    outcome: "upstream_error",
    reason: "upstream",
    http_status: 200,
    duration_ms: 123,
    upstream_status: 429,
    upstream_latency_ms: 118,
    ratelimit_remaining: 0,
    protocol_era: "2025-11-25",
    protocol_version: "2025-11-25",
    client_name: "claude-ai",
    client_version: "0.1.0",
    credential: "api_token",
    credential_id: newApiTokenId(),
    transport: "streamable_http",
  };
}

function adminRecord(tenantId: string): AdminChangeRecord {
  return {
    tenant_id: tenantId,
    action: "mcp_server.updated",
    resource_type: "mcp_server",
    resource_id: newMcpServerId(),
    integrated_account_id: newAccountId(),
    mcp_server_id: newMcpServerId(),
    origin: {
      actor: { type: "api_token", id: newApiTokenId(), name: "ci deploy" },
      via: "api",
      request_id: randomUUID(),
      client_ip: "203.0.113.7",
    },
    changes: { "config.methods": { from: ["read", "write"], to: ["read"] } },
  };
}

describe("log streams", () => {
  it("caps a stream by count, in whole nodes", async () => {
    const value = encodeMcpRecord(mcpRecord(newTenantId()));
    const now = Date.now();
    for (let i = 0; i < 1_000; i++) {
      await append("s", now + i, value, { ...KEEP, maxLen: 200 });
    }
    const length = await client.xlen("s");
    expect(length).toBeGreaterThanOrEqual(200);
    expect(length).toBeLessThan(320);
  });

  it("drops records older than the retention as new ones arrive, and expires an idle stream", async () => {
    const value = encodeMcpRecord(mcpRecord(newTenantId()));
    const start = Date.now();
    await appendLogEntries(
      client,
      "s",
      Array.from({ length: 300 }, (_, i) => ({ atMs: start + i, value })),
      KEEP,
    );
    expect(await client.xlen("s")).toBe(300);
    const later = start + 31 * DAY;
    const id = await append("s", later, value, { ...KEEP, minIdMs: later - 30 * DAY });
    expect(id).toBe(`${later}-0`);
    // Whole nodes are dropped; only the node holding the new record may keep old ones.
    expect(await client.xlen("s")).toBeLessThan(100);
    expect(await client.pttl("s")).toBeGreaterThan(29 * DAY);
  });

  it("takes the next id when another instance already wrote a later time", async () => {
    const value = encodeMcpRecord(mcpRecord(newTenantId()));
    const now = Date.now();
    expect(await append("s", now + 5_000, value, KEEP)).toBe(`${now + 5_000}-0`);
    const behind = await append("s", now, value, KEEP);
    expect(Number(behind?.split("-")[0])).toBeGreaterThanOrEqual(now + 5_000);
    expect(await client.xlen("s")).toBe(2);
  });

  it("writes nothing to a tenant's stream once the tenant record is gone", async () => {
    const value = encodeMcpRecord(mcpRecord(newTenantId()));
    expect(await append("s", Date.now(), value, KEEP, "tenant")).toBeNull();
    expect(await client.exists("s")).toBe(0);
    await client.set("tenant", "{}");
    expect(await append("s", Date.now(), value, KEEP, "tenant")).not.toBeNull();
  });

  it("reads newest first, bounded by the scan limit, with a cursor to go on", async () => {
    const now = Date.now();
    const entries = Array.from({ length: 50 }, (_, i) => ({ atMs: now + i, value: String(i) }));
    await appendLogEntries(client, "s", entries, KEEP);
    const decode = (fields: readonly string[]) => Number(fields[1]);
    const evens = (n: number) => n % 2 === 0;
    const first = await readLogPage(client, "s", {
      fromMs: 0,
      limit: 5,
      scanMax: 1_000,
      decode,
      matches: evens,
    });
    expect(first.entries.map(([, n]) => n)).toEqual([48, 46, 44, 42, 40]);
    const bounded = await readLogPage(client, "s", {
      before: first.next ?? undefined,
      fromMs: 0,
      limit: 100,
      scanMax: 6,
      decode,
      matches: evens,
    });
    expect(bounded.entries.map(([, n]) => n)).toEqual([38, 36, 34]);
    expect(bounded.next).toBe(`${now + 34}-0`);
    const rest = await readLogPage(client, "s", {
      before: bounded.next ?? undefined,
      fromMs: 0,
      limit: 100,
      scanMax: 1_000,
      decode,
      matches: evens,
    });
    expect(rest.entries).toHaveLength(17);
    expect(rest.next).toBeNull();
  });

  it("measures Redis memory per record (MEMORY USAGE over 10,000 records)", async () => {
    const tenantId = newTenantId();
    const count = 10_000;
    const now = Date.now();
    const pipeline = client.pipeline();
    for (let i = 0; i < count; i++) {
      pipeline.xadd("mcp", `${now + i}-*`, LOG_ENTRY_FIELD, encodeMcpRecord(mcpRecord(tenantId)));
      pipeline.xadd("admin", `${now + i}-*`, LOG_ENTRY_FIELD, encodeAdminRecord(adminRecord(tenantId)));
    }
    await pipeline.exec();
    // MEMORY USAGE's key is not prefixed by ioredis: ask with the full name.
    const usage = async (key: string) =>
      Number(await redis.client.memory("USAGE", `${redis.keyPrefix}${key}`, "SAMPLES", "0")) / count;
    const perMcp = await usage("mcp");
    const perAdmin = await usage("admin");
    console.log(
      `log stream memory: ${perMcp.toFixed(0)} B per MCP record, ${perAdmin.toFixed(0)} B per admin record`,
    );
    expect(perMcp).toBeGreaterThan(50);
    expect(perMcp).toBeLessThan(400);
    expect(perAdmin).toBeLessThan(600);
  });
});
