import {
  type AdminChangeRecord,
  type Clock,
  encodeAdminRecord,
  encodeMcpRecord,
  LIMITS,
  type LogType,
  type McpRequestRecord,
} from "@mcp-gateway/core";
import { appendLogEntries, keys, type LogAppend } from "@mcp-gateway/store";
import type { Redis } from "ioredis";

/** Why a record was not stored: Redis refused or could not take it, or too many records were waiting. */
export type LogDropReason = "redis" | "backlog";

/** Writes log records to their tenant's streams. Recording returns at once and never throws. */
export interface LogWriter {
  recordMcpRequest(record: McpRequestRecord): void;
  recordAdminChange(record: AdminChangeRecord, options?: { operatorOnly: boolean }): void;
  /** Sends what is buffered now and resolves once every write so far has settled (tests, shutdown). */
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

/** Records waiting for one stream's next command. */
interface StreamBatch {
  logType: LogType;
  maxLen: number;
  /** The tenant record the stream belongs to (nothing is written once it is gone). */
  ownerKey: string | undefined;
  entries: LogAppend[];
}

/**
 * The log's write side. A record is stamped with the clock when it is recorded (after the request's
 * answer), then waits up to LIMITS.logFlushMs to go out with the other records of its stream in one script
 * call, sent without waiting for its reply: recording adds no round trip to a request and never fails one.
 * While Redis cannot take records they are dropped and counted; at most LIMITS.logWritesInFlightMax wait.
 * A crash loses what waits (at most LIMITS.logFlushMs of records); a graceful close sends it first.
 */
export function createLogWriter(options: LogWriterOptions): LogWriter {
  const { redis, clock, retentionMs } = options;
  const batches = new Map<string, StreamBatch>();
  const inFlight = new Set<Promise<void>>();
  let waiting = 0;
  let timer: NodeJS.Timeout | undefined;

  const send = (key: string, batch: StreamBatch): void => {
    const trim = { maxLen: batch.maxLen, minIdMs: clock.now() - retentionMs, ttlMs: retentionMs };
    const count = batch.entries.length;
    const write: Promise<void> = appendLogEntries(redis, key, batch.entries, trim, batch.ownerKey).then(
      () => {},
      () => {
        for (let i = 0; i < count; i++) options.dropped(batch.logType, "redis");
      },
    );
    inFlight.add(write);
    void write.finally(() => {
      waiting -= count;
      inFlight.delete(write);
    });
  };
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    for (const [key, batch] of batches) send(key, batch);
    batches.clear();
  };
  const enqueue = (logType: LogType, key: string, maxLen: number, value: string, ownerKey?: string): void => {
    if (waiting >= LIMITS.logWritesInFlightMax) {
      options.dropped(logType, "backlog");
      return;
    }
    waiting++;
    let batch = batches.get(key);
    if (batch === undefined) {
      batch = { logType, maxLen, ownerKey, entries: [] };
      batches.set(key, batch);
    }
    batch.entries.push({ atMs: clock.now(), value });
    if (batch.entries.length >= LIMITS.logBatchMax) {
      batches.delete(key);
      send(key, batch);
    } else if (timer === undefined) {
      timer = setTimeout(flush, LIMITS.logFlushMs);
      timer.unref();
    }
  };

  return {
    recordMcpRequest(record) {
      if (!options.mcpRequests) return;
      const tenantId = record.tenant_id;
      enqueue(
        "mcp",
        keys.mcpLog(tenantId),
        LIMITS.logRecordsPerTenantMax,
        encodeMcpRecord(record),
        keys.tenant(tenantId),
      );
    },
    recordAdminChange(record, { operatorOnly } = { operatorOnly: false }) {
      const value = encodeAdminRecord(record);
      if (record.tenant_id !== null && !operatorOnly) {
        const tenantKey = keys.tenant(record.tenant_id);
        enqueue("admin", keys.adminLog(record.tenant_id), LIMITS.logRecordsPerTenantMax, value, tenantKey);
      }
      enqueue("admin", keys.operatorAdminLog(), LIMITS.logOperatorRecordsMax, value);
    },
    async settled() {
      flush();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}
