import { LIMITS } from "@mcp-gateway/core";
import type { Redis } from "ioredis";
import { keys } from "./keys.js";

/**
 * Records an entity-scoped server made upstream whose content does not name their entity (Mem0 exports): the
 * server that made one may read it back, nothing else can vouch for it. Ids only, never content.
 */

/** Remembers one record made through a scoped server; kept as long as the server, at most the newest N. */
export async function rememberScopedRecord(
  redis: Redis,
  record: { tenantId: string; serverId: string; kind: string; id: string },
  nowMs: number,
  serverExpiresAtMs: number | null,
): Promise<void> {
  const key = keys.mcpServerCreatedRecords(record.tenantId, record.serverId);
  await redis
    .multi()
    .zadd(key, nowMs, `${record.kind}:${record.id}`)
    .zremrangebyrank(key, 0, -(LIMITS.scopedRecordsPerServer + 1))
    .pexpireat(key, serverExpiresAtMs ?? nowMs + LIMITS.scopedRecordsRetentionMs)
    .exec();
}

/** True when the scoped server made this record (and still remembers it). */
export async function isScopedRecord(
  redis: Redis,
  record: { tenantId: string; serverId: string; kind: string; id: string },
): Promise<boolean> {
  const key = keys.mcpServerCreatedRecords(record.tenantId, record.serverId);
  return (await redis.zscore(key, `${record.kind}:${record.id}`)) !== null;
}
