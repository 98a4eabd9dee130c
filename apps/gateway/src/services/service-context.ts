import { type Clock, createKeyRing, type McpKeyRing } from "@mcp-gateway/core";
import type { Redis } from "ioredis";
import type { GatewayConfig } from "../config.js";

/** What every service needs: built once per app and passed in, never imported as a global. */
export interface ServiceContext {
  readonly redis: Redis;
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly ring: McpKeyRing;
  /** `iss` and `aud` of MCP tokens: this gateway's public URL and its MCP base. */
  readonly tokenIssuer: string;
  readonly tokenAudience: string;
}

/** Builds the service context from the app's dependencies. */
export function createServiceContext(redis: Redis, config: GatewayConfig, clock: Clock): ServiceContext {
  return {
    redis,
    config,
    clock,
    ring: createKeyRing(config.keys.mcpTokenKeys),
    tokenIssuer: config.publicUrl,
    tokenAudience: `${config.publicUrl}/mcp`,
  };
}

/** The context's clock as an ISO timestamp. */
export function nowIso(ctx: ServiceContext): string {
  return new Date(ctx.clock.now()).toISOString();
}
