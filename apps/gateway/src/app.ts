import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { type Clock, LIMITS, systemClock } from "@mcp-gateway/core";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { GatewayConfig } from "./config.js";
import { installErrorHandling, sendError } from "./http/error-envelope.js";
import { registerOpenApi } from "./http/openapi.js";
import { requestValidatorCompiler } from "./http/validators.js";
import { mcpRoutes } from "./mcp/mcp.routes.js";
import { accountsRoutes } from "./routes/accounts.routes.js";
import { apiTokensRoutes } from "./routes/api-tokens.routes.js";
import { healthRoutes } from "./routes/health.routes.js";
import { integrationsRoutes } from "./routes/integrations.routes.js";
import { mcpServersRoutes } from "./routes/mcp-servers.routes.js";
import { tenantsRoutes } from "./routes/tenants.routes.js";
import { upstreamBaseUrl } from "./services/accounts.service.js";
import { checkMcpUrlToken, resolveMcpAccess } from "./services/mcp-access.service.js";
import { createServiceContext, type ServiceContext } from "./services/service-context.js";

/** What the app needs from the process; tests pass their own. */
export interface AppDeps {
  config: GatewayConfig;
  redis: Redis;
  logger: Logger;
  clock?: Clock;
}

/** Builds the gateway's fastify app without listening, so tests can load it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: LIMITS.adminBodyBytes,
    requestTimeout: LIMITS.requestTimeoutMs,
    // Close idle keep-alive sockets on shutdown so close() only waits for requests in flight.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    // A URL fastify cannot decode gets the envelope too, and never has its path (maybe a token) echoed.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode ?? 400;
      void sendError(
        request,
        reply,
        status >= 500 ? 400 : status,
        "bad_request",
        "the request URL is malformed",
      );
    },
  });
  app.setValidatorCompiler(requestValidatorCompiler);
  const clock = deps.clock ?? systemClock;
  app.decorate("clock", clock);
  // Responses finished during shutdown close their connection; otherwise an idle keep-alive socket
  // that was busy when close() began would hold the server open until the grace period ends.
  let closing = false;
  // Sockets that connected but never sent a byte are not "idle" to Node, so server.close() would wait
  // for them until the headers timeout; they carry no request, so shutdown may drop them at once.
  const silent = new Set<Socket>();
  app.server.on("connection", (socket: Socket) => {
    silent.add(socket);
    const forget = (): void => {
      silent.delete(socket);
    };
    socket.once("data", forget);
    socket.once("close", forget);
  });
  app.addHook("preClose", async () => {
    closing = true;
    for (const socket of silent) socket.destroy();
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (closing) reply.header("connection", "close");
  });
  installErrorHandling(app);
  await app.register(healthRoutes, { redis: deps.redis, logLevel: deps.config.logLevel });
  const ctx: ServiceContext = createServiceContext(deps.redis, deps.config, clock);
  await registerOpenApi(app, deps.config.publicUrl);
  for (const routes of [
    tenantsRoutes,
    apiTokensRoutes,
    accountsRoutes,
    mcpServersRoutes,
    integrationsRoutes,
  ]) {
    await app.register(routes, { ctx });
  }
  const logMcpRefusal = (reason: string): void => app.log.debug({ reason }, "MCP token refused");
  // Plain register (not fastify-plugin): the MCP route's hooks and error handler stay scoped to it.
  await app.register(mcpRoutes, {
    checkToken: (token) => checkMcpUrlToken(ctx, token, logMcpRefusal),
    resolveAccess: (claims, authorization) => resolveMcpAccess(ctx, claims, authorization, logMcpRefusal),
    upstreamBaseUrl: (integration) => upstreamBaseUrl(ctx, integration),
    allowedOrigins: deps.config.mcpAllowedOrigins,
    directAnswers: deps.config.mcpDirectAnswers,
  });
  return app;
}

declare module "fastify" {
  interface FastifyInstance {
    clock: Clock;
  }
}
