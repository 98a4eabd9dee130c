/**
 * Starts the gateway as `startGateway` does (Redis, migrations, buildApp, listen). While the MCP endpoint
 * is not yet registered by buildApp itself, it is registered here exactly as the gateway's own tests do:
 * the real mcpRoutes plugin over the real resolveMcpAccess service. Once buildApp serves /mcp/* this
 * fallback does nothing and the bench measures the app as shipped.
 */
import type { Clock } from "@mcp-gateway/core";
import { migrations } from "@mcp-gateway/migrations";
import { runMigrations } from "@mcp-gateway/store";
import type { Logger } from "pino";
import { buildApp } from "../../apps/gateway/dist/app.js";
import type { GatewayConfig } from "../../apps/gateway/dist/config.js";
import { mcpRoutes } from "../../apps/gateway/dist/mcp/mcp.routes.js";
import { openRedis, type RunningGateway } from "../../apps/gateway/dist/runtime.js";
import { resolveMcpAccess } from "../../apps/gateway/dist/services/mcp-access.service.js";
import { createServiceContext } from "../../apps/gateway/dist/services/service-context.js";

/** A running gateway, plus whether the bench had to register the MCP endpoint itself. */
export interface BenchGateway extends RunningGateway {
  readonly mcpRegisteredByBench: boolean;
}

/** Starts a gateway for the bench on `config.host:config.port`. */
export async function startBenchGateway(
  config: GatewayConfig,
  logger: Logger,
  clock?: Clock,
): Promise<BenchGateway> {
  const redis = await openRedis(config, logger);
  await runMigrations(redis, migrations, { keyPrefix: config.redisKeyPrefix });
  const app = await buildApp({ config, redis, logger, ...(clock ? { clock } : {}) });
  await app.after(); // plugins buildApp registered without awaiting are loaded before the check
  const served = app.hasRoute({ method: "POST", url: "/mcp/*" });
  if (!served) {
    const ctx = createServiceContext(redis, config, clock ?? { now: () => Date.now() });
    await app.register(mcpRoutes, {
      resolveAccess: (token, authorization) => resolveMcpAccess(ctx, token, authorization),
      upstreamBaseUrl: () => config.mem0BaseUrl,
      allowedOrigins: config.mcpAllowedOrigins,
    });
  }
  const address = await app.listen({ host: config.host, port: config.port });
  return {
    app,
    redis,
    address,
    mcpRegisteredByBench: !served,
    async close() {
      await app.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
