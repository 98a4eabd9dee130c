import {
  type AdminChangeRecord,
  adminRecordFields,
  type Clock,
  LIMITS,
  type LogType,
  type McpRequestRecord,
  mcpRecordFields,
} from "@mcp-gateway/core";
import { appendLogEntry, keys, type LogTrim } from "@mcp-gateway/store";
import type { Redis } from "ioredis";

/** Why a record was not stored: Redis refused or could not take it, or too many writes were waiting. */
export type LogDropReason = "redis" | "backlog";

/** Writes log records to their tenant's streams. Both methods return at once and never throw. */
export interface LogWriter {
  recordMcpRequest(record: McpRequestRecord): void;
  recordAdminChange(record: AdminChangeRecord, options?: { operatorOnly: boolean }): void;
  /** Resolves once every write started so far has settled (tests, shutdown). */
  settled(): Promise<void>;
}

export interface LogWriterOptions {
  redis: Redis;
  clock: Clock;
  retentionMs: number;
  /** MCP_REQUEST_LOG: off records no MCP request (the audit trail is always written). */
  mcpRequests: boolean;
  /** Counts a record that was not stored (metrics). */
  dropped(logType: LogType, reason: LogDropReason): void;
}

/**
 * The log's write side. A write is one script call sent without waiting (ioredis auto-pipelining puts it in
 * the same socket write as its neighbours), after the request's answer: it adds no round trip to a request
 * and never fails one. While Redis cannot take records they are dropped and counted, never queued without
 * bound (LIMITS.logWritesInFlightMax).
 */
export function createLogWriter(options: LogWriterOptions): LogWriter {
  const { redis, clock, retentionMs } = options;
  let inFlight = 0;
  let idle: Promise<void> = Promise.resolve();
  let wake: (() => void) | undefined;

  const write = (
    logType: LogType,
    key: string,
    maxLen: number,
    fields: string[],
    ownerKey?: string,
  ): void => {
    if (inFlight >= LIMITS.logWritesInFlightMax) {
      options.dropped(logType, "backlog");
      return;
    }
    if (inFlight === 0) idle = new Promise((resolve) => (wake = resolve));
    inFlight++;
    const atMs = clock.now();
    const trim: LogTrim = { maxLen, minIdMs: atMs - retentionMs, ttlMs: retentionMs };
    appendLogEntry(redis, key, atMs, fields, trim, ownerKey).then(
      () => settle(),
      () => {
        options.dropped(logType, "redis");
        settle();
      },
    );
  };
  const settle = (): void => {
    inFlight--;
    if (inFlight === 0) wake?.();
  };

  return {
    recordMcpRequest(record) {
      if (!options.mcpRequests) return;
      const { tenant_id: tenantId } = record;
      const fields = mcpRecordFields(record);
      write("mcp", keys.mcpLog(tenantId), LIMITS.logRecordsPerTenantMax, fields, keys.tenant(tenantId));
    },
    recordAdminChange(record, { operatorOnly } = { operatorOnly: false }) {
      const fields = adminRecordFields(record);
      if (record.tenant_id !== null && !operatorOnly) {
        const tenantKey = keys.tenant(record.tenant_id);
        write("admin", keys.adminLog(record.tenant_id), LIMITS.logRecordsPerTenantMax, fields, tenantKey);
      }
      write("admin", keys.operatorAdminLog(), LIMITS.logOperatorRecordsMax, fields);
    },
    settled: () => idle,
  };
}
