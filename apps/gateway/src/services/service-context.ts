import { type Clock, createKeyRing, type McpKeyRing, type RequestOrigin } from "@mcp-gateway/core";
import { type AcknowledgedWrites, createAcknowledgedWrites } from "@mcp-gateway/store";
import type { Redis } from "ioredis";
import type { GatewayConfig } from "../config.js";
import { createLogWriter, type LogWriter } from "../log/log-writer.js";

/** What every service needs: built once per app and passed in, never imported as a global. */
export interface ServiceContext {
  readonly redis: Redis;
  /** Writes that grant or take away access go through here: answered once a replica holds them. */
  readonly acked: AcknowledgedWrites;
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly ring: McpKeyRing;
  /** `iss` and `aud` of MCP tokens: this gateway's public URL and its MCP base. */
  readonly tokenIssuer: string;
  readonly tokenAudience: string;
  /** Where MCP request and admin change records go. */
  readonly logs: LogWriter;
  /** Who is asking, on a context made for one request (`withOrigin`); audit records name them. */
  readonly origin?: RequestOrigin;
}

/** Builds the service context from the app's dependencies. */
export function createServiceContext(
  redis: Redis,
  config: GatewayConfig,
  clock: Clock,
  logs: LogWriter = createLogWriter({
    redis,
    clock,
    retentionMs: config.logRetentionMs,
    mcpRequests: config.mcpRequestLog,
    dropped: () => {},
  }),
): ServiceContext {
  return {
    redis,
    acked: createAcknowledgedWrites(redis, config.redisWriteAcks),
    config,
    clock,
    ring: createKeyRing(config.keys.mcpTokenKeys),
    tokenIssuer: config.publicUrl,
    tokenAudience: `${config.publicUrl}/mcp`,
    logs,
  };
}

/** The same context for one request: changes made through it are recorded as `origin`'s. */
export function withOrigin(ctx: ServiceContext, origin: RequestOrigin): ServiceContext {
  return { ...ctx, origin };
}

/** The context's clock as an ISO timestamp. */
export function nowIso(ctx: ServiceContext): string {
  return new Date(ctx.clock.now()).toISOString();
}
