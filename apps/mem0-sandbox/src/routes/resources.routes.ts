import type { FastifyInstance } from "fastify";
import type { SandboxContext } from "../context.js";
import { deleteEntity, deleteEntityById, getEntity, listEntities } from "../entities.service.js";
import { entityFilters, registerEntity } from "../entity-directory.service.js";
import { createExport, getExport } from "../exports.service.js";
import { submitFeedback, summarize } from "../feedback-summary.service.js";
import { callerOf } from "../request-guards.js";
import { param, send } from "./reply.js";

/** Entities (listing, registration, filter values), exports, summary and feedback. */
export function registerResourceRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get("/v1/entities/", async (request, reply) => send(reply, listEntities(callerOf(request), request)));
  app.get("/v1/entities/filters/", async (request, reply) => send(reply, entityFilters(callerOf(request))));
  for (const kind of ["user", "agent", "app", "run"] as const) {
    app.post(`/v1/${kind}s/`, async (request, reply) =>
      send(reply, registerEntity(callerOf(request), kind, request.body, ctx.clock())),
    );
  }
  app.get("/v2/entities/:entity_type/:entity_id/", async (request, reply) =>
    send(
      reply,
      getEntity(callerOf(request), param(request.params, "entity_type"), param(request.params, "entity_id")),
    ),
  );
  app.delete("/v2/entities/:entity_type/:entity_id/", async (request, reply) =>
    send(
      reply,
      deleteEntity(
        ctx,
        callerOf(request),
        param(request.params, "entity_type"),
        param(request.params, "entity_id"),
      ),
    ),
  );
  app.delete("/v1/entities/:entity_type/:entity_id/", async (request, reply) =>
    send(
      reply,
      deleteEntityById(
        ctx,
        callerOf(request),
        param(request.params, "entity_type"),
        param(request.params, "entity_id"),
      ),
    ),
  );

  app.post("/v1/exports/", async (request, reply) =>
    send(reply, createExport(ctx, callerOf(request), request.body)),
  );
  app.post("/v1/exports/get/", async (request, reply) =>
    send(reply, getExport(callerOf(request), request.body)),
  );
  app.post("/v1/summary/", async (request, reply) => send(reply, summarize(callerOf(request), request.body)));
  app.post("/v1/feedback/", async (request, reply) =>
    send(reply, submitFeedback(ctx, callerOf(request), request.body)),
  );
}
