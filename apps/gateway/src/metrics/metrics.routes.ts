import { secretsEqual } from "@mcp-gateway/core";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { sendError } from "../http/error-envelope.js";
import { bearerToken } from "../services/auth.service.js";
import type { GatewayMetrics } from "./gateway-metrics.js";

/**
 * `GET /metrics` in Prometheus text format, for a scraper holding METRICS_TOKEN. Without METRICS_TOKEN the
 * route does not exist (404, as for any unknown path), so metrics are never public by accident.
 */
export async function metricsRoutes(
  app: FastifyInstance,
  options: { metrics: GatewayMetrics; metricsToken: string | undefined },
): Promise<void> {
  const { metrics, metricsToken } = options;
  if (metricsToken === undefined) return;
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined || !secretsEqual(token, metricsToken)) {
      reply.header("www-authenticate", 'Bearer realm="metrics"');
      return sendError(
        request,
        reply,
        401,
        "unauthorized",
        "send METRICS_TOKEN as Authorization: Bearer <token>",
      );
    }
    const text = await metrics.registry.metrics();
    return reply.header("cache-control", "no-store").type(metrics.registry.contentType).send(text);
  });
}

/** Counts every answered request by route pattern (never the raw URL, which may hold a token). */
export function countHttpRequests(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.addHook("onResponse", (request, reply, done) => {
    metrics.httpRequest(
      request.routeOptions.url ?? "unmatched",
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/** Counts the Redis connection's errors and reconnects (its own outage logging lives in runtime.ts). */
export function watchRedis(app: FastifyInstance, redis: Redis, metrics: GatewayMetrics): void {
  const onError = (): void => metrics.redisError();
  const onReconnecting = (): void => metrics.redisReconnect();
  redis.on("error", onError);
  redis.on("reconnecting", onReconnecting);
  app.addHook("onClose", async () => {
    redis.off("error", onError);
    redis.off("reconnecting", onReconnecting);
  });
}
