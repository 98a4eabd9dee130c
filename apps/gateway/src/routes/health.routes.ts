import { LIMITS } from "@mcp-gateway/core";
import { pingRedis } from "@mcp-gateway/store";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { sendError } from "../http/error-envelope.js";

/** Liveness (the process answers) and readiness (Redis answers; 503 with the reason otherwise). */
export async function healthRoutes(
  app: FastifyInstance,
  options: { redis: Redis; logLevel: string },
): Promise<void> {
  // Probes arrive every few seconds: their request lines are logged only when debugging.
  const logLevel = options.logLevel === "debug" || options.logLevel === "trace" ? options.logLevel : "warn";
  app.get("/healthz", { logLevel }, async () => ({ status: "ok" }));

  app.get("/readyz", { logLevel }, async (request, reply) => {
    const redis = await pingRedis(options.redis, LIMITS.readinessPingTimeoutMs);
    if (!redis.ok) return sendError(request, reply, 503, "service_unavailable", `not ready: ${redis.reason}`);
    return { status: "ready", checks: { redis: "ok" } };
  });
}
