import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import type { SandboxContext } from "./context.js";
import { authenticate, type GuardState, makeGuardHook, refuseUnauthenticated } from "./request-guards.js";
import { registerAccountRoutes } from "./routes/account.routes.js";
import { registerDreamRoutes } from "./routes/dream.routes.js";
import { registerEventRoutes } from "./routes/events.routes.js";
import { registerMemoryRoutes } from "./routes/memories.routes.js";
import { registerProfileRoutes } from "./routes/profiles.routes.js";
import { registerResourceRoutes } from "./routes/resources.routes.js";

/** Request bodies up to this size: a 1000-item batch update with long texts fits comfortably. */
const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Builds the fastify app: body parsing, guards, every route, and DRF-style 404/400/500 bodies. */
export function buildApp(ctx: SandboxContext, guards: GuardState, logger: boolean): FastifyInstance {
  const app = Fastify({
    logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Hung requests (fault injection) must not keep close() waiting.
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: false },
  });

  // Mem0's clients send Content-Type: application/json on bodiless GET/DELETE requests; accept an empty body.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      const failure = new Error(`JSON parse error - ${(error as Error).message}`) as FastifyError;
      failure.statusCode = 400;
      done(failure, undefined);
    }
  });

  app.addHook("onRequest", makeGuardHook(guards));

  // §1.2: every path ends with a slash; anything else (and any unknown path) is a 404. A known path with
  // another method is DRF's 405, after authentication as in DRF.
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    const allowed = HTTP_METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length === 0) return reply.code(404).send({ detail: "Not found." });
    const auth = authenticate(guards, request);
    if (!auth.ok) return refuseUnauthenticated(reply, auth.detail);
    return reply
      .code(405)
      .header("Allow", [...allowed, "OPTIONS"].join(", "))
      .send({ detail: `Method "${request.method}" not allowed.` });
  });
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, "sandbox handler failed");
      return reply.code(500).send({ detail: "A server error occurred." });
    }
    return reply.code(status).send({ detail: error.message });
  });

  registerMemoryRoutes(app, ctx);
  registerEventRoutes(app);
  registerResourceRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerDreamRoutes(app, ctx);
  registerProfileRoutes(app, ctx);
  return app;
}
