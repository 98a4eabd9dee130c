import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import {
  type Clock,
  LIMITS,
  type McpRequestRecord,
  type McpTokenClaims,
  systemClock,
} from "@mcp-gateway/core";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { GatewayConfig } from "./config.js";
import { consolePlugin } from "./console/console.plugin.js";
import { createClientErrorHandler } from "./http/client-errors.js";
import { installErrorHandling, sendError } from "./http/error-envelope.js";
import { installJsonBodyParser } from "./http/json-body.js";
import { registerOpenApi } from "./http/openapi.js";
import { lazyRequestLogger } from "./http/request-logger.js";
import { requestValidatorCompiler } from "./http/validators.js";
import { logRoutes } from "./log/log.routes.js";
import { createLogWriter } from "./log/log-writer.js";
import { type EdgeOptions, refusedAtEdge } from "./mcp/edge.js";
import { startLegacySse } from "./mcp/legacy-sse/legacy-sse.js";
import { mcpRoutes } from "./mcp/mcp.routes.js";
import { originPolicyFor } from "./mcp/origin.js";
import { createGatewayMetrics } from "./metrics/gateway-metrics.js";
import { countHttpRequests, metricsRoutes, watchRedis } from "./metrics/metrics.routes.js";
import { serveMetricsSeparately } from "./metrics/metrics-listener.js";
import { createMetadataDocumentFetcher } from "./oauth/metadata-document-fetch.js";
import { oauthRoutes } from "./oauth/oauth.routes.js";
import { bearerChallenge } from "./oauth/oauth-metadata.js";
import { accountsRoutes } from "./routes/accounts.routes.js";
import { apiTokensRoutes } from "./routes/api-tokens.routes.js";
import { healthRoutes } from "./routes/health.routes.js";
import { integrationsRoutes } from "./routes/integrations.routes.js";
import { mcpServersRoutes } from "./routes/mcp-servers.routes.js";
import { oauthGrantsRoutes } from "./routes/oauth-grants.routes.js";
import { tenantsRoutes } from "./routes/tenants.routes.js";
import { upstreamBaseUrl } from "./services/accounts.service.js";
import { checkMcpUrlToken, resolveMcpAccess } from "./services/mcp-access.service.js";
import { createServiceContext, type ServiceContext } from "./services/service-context.js";
import { rememberVerifiedTokens } from "./services/verified-tokens.js";

/** What the app needs from the process; tests pass their own. */
export interface AppDeps {
  config: GatewayConfig;
  redis: Redis;
  logger: Logger;
  clock?: Clock;
}

/** Builds the gateway's fastify app without listening, so tests can load it. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Set once the MCP route is known; until then (and while shutting down) fastify sees every request.
  let mcpEdge: EdgeOptions | undefined;
  let closing = false;
  // Sockets that connected but have not yet sent a whole request are not "idle" to Node, so
  // server.close() would wait for them until the headers timeout; they carry no request, so shutdown
  // may drop them at once. A socket leaves the set at its first request. (Not by a "data" listener:
  // one on the socket takes Node's HTTP parser off its fast native read path for the socket's life,
  // which cost about 6 µs of CPU on every request.)
  const silent = new Set<Socket>();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: LIMITS.adminBodyBytes,
    requestTimeout: LIMITS.requestTimeoutMs,
    // Close idle keep-alive sockets on shutdown so close() only waits for requests in flight.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    // What Node's parser refuses before fastify sees a request: Connection: close, the envelope, no HEAD body.
    clientErrorHandler: createClientErrorHandler(deps.logger),
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
  // The MCP endpoint's edge (mcp/edge.ts) goes in front of fastify's own request listener on the server
  // fastify built. (Not through fastify's serverFactory option: with one, fastify stops binding the
  // extra addresses of HOST=localhost, such as ::1.)
  const [fastifyListener, ...others] = app.server.listeners("request") as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  if (fastifyListener === undefined || others.length > 0) {
    throw new Error("expected exactly one request listener on fastify's server");
  }
  app.server.removeListener("request", fastifyListener);
  app.server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    silent.delete(req.socket);
    if (mcpEdge !== undefined && !closing && refusedAtEdge(req, res, mcpEdge, deps.logger)) return;
    fastifyListener(req, res);
  });
  app.setValidatorCompiler(requestValidatorCompiler);
  installJsonBodyParser(app);
  const clock = deps.clock ?? systemClock;
  app.decorate("clock", clock);
  // Responses finished during shutdown close their connection (`closing`, above); otherwise an idle
  // keep-alive socket that was busy when close() began would hold the server open until the grace period.
  app.server.on("connection", (socket: Socket) => {
    silent.add(socket);
    socket.once("close", () => silent.delete(socket));
  });
  app.addHook("preClose", async () => {
    closing = true;
    for (const socket of silent) socket.destroy();
  });
  // What every answer ends with; the MCP endpoint adds the same to the answers it writes itself.
  const finishingHeaders = (request: FastifyRequest): string[] =>
    closing ? ["x-request-id", request.id, "connection", "close"] : ["x-request-id", request.id];
  app.addHook("onSend", (request, reply, _payload, done) => {
    const headers = finishingHeaders(request);
    for (let i = 0; i < headers.length; i += 2) reply.header(headers[i] as string, headers[i + 1]);
    done();
  });
  installErrorHandling(app);
  const metrics = createGatewayMetrics();
  countHttpRequests(app, metrics);
  watchRedis(app, deps.redis, metrics);
  await app.register(metricsRoutes, { metrics, metricsToken: deps.config.metricsToken });
  const { metricsListen } = deps.config;
  if (metricsListen)
    serveMetricsSeparately(app, metrics, { ...metricsListen, token: deps.config.metricsToken });
  await app.register(healthRoutes, { redis: deps.redis, logLevel: deps.config.logLevel });
  const logs = createLogWriter({
    redis: deps.redis,
    clock,
    retentionMs: deps.config.logRetentionMs,
    mcpRequests: deps.config.mcpRequestLog,
    dropped: metrics.logRecordDropped,
  });
  const ctx: ServiceContext = createServiceContext(deps.redis, deps.config, clock, logs);
  // Records still waiting go out before Redis is closed.
  app.addHook("onClose", () => logs.settled());
  await registerOpenApi(app, deps.config.publicUrl);
  for (const routes of [
    tenantsRoutes,
    apiTokensRoutes,
    accountsRoutes,
    mcpServersRoutes,
    oauthGrantsRoutes,
    integrationsRoutes,
    logRoutes,
  ]) {
    await app.register(routes, { ctx });
  }
  await app.register(consolePlugin, { ctx });
  const metadataFetcher = createMetadataDocumentFetcher({
    allowPrivate: deps.config.oauth.metadataFetchPrivate,
    ca: deps.config.oauth.metadataFetchCa,
  });
  app.addHook("onClose", () => metadataFetcher.close());
  await app.register(oauthRoutes, { ctx, fetcher: metadataFetcher });
  const logMcpRefusal = (reason: string): void => {
    metrics.mcpRefusal(reason);
    app.log.debug({ reason }, "MCP token refused");
  };
  // A URL in steady use is verified once per instance; expiry is still checked on every request.
  const checkToken = rememberVerifiedTokens((token) => checkMcpUrlToken(ctx, token, logMcpRefusal), clock);
  const origins = originPolicyFor(deps.config.host, deps.config.mcpAllowedOrigins);
  mcpEdge = { checkToken, origins };
  const mcpAccess = {
    resolveAccess: (claims: McpTokenClaims, authorization: string | undefined) =>
      resolveMcpAccess(ctx, claims, authorization, logMcpRefusal),
    upstreamBaseUrl: (integration: string) => upstreamBaseUrl(ctx, integration),
    recordMcpRequest: (record: McpRequestRecord) => {
      metrics.mcpRequest(record);
      logs.recordMcpRequest(record);
    },
  };
  const legacySse = deps.config.mcpLegacySse
    ? await startLegacySse(app, {
        ...mcpAccess,
        bearerChallenge: (urlToken: string, tokenRefused: boolean) =>
          bearerChallenge(ctx, urlToken, tokenRefused),
        redis: deps.redis,
        publicUrl: deps.config.publicUrl,
        registry: metrics.registry,
      })
    : undefined;
  // Plain register (not fastify-plugin): the MCP route's hooks and error handler stay scoped to it.
  await app.register(mcpRoutes, {
    checkToken,
    finishingHeaders,
    ...mcpAccess,
    origins,
    directAnswers: deps.config.mcpDirectAnswers,
    bearerChallenge: (urlToken, tokenRefused) => bearerChallenge(ctx, urlToken, tokenRefused),
    legacySse,
  });
  return app;
}

declare module "fastify" {
  interface FastifyInstance {
    clock: Clock;
  }
}
