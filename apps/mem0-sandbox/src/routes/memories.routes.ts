import type { FastifyInstance } from "fastify";
import { batchDelete, batchUpdate } from "../batch.service.js";
import type { SandboxContext } from "../context.js";
import { deleteAll } from "../entities.service.js";
import { entityMemories, memoryChangeLog } from "../entity-directory.service.js";
import { listMemories, memoryHistory, projectStats, searchMemories } from "../memory-read.service.js";
import { toDetail } from "../memory-record.js";
import { addMemories, deleteMemory, findMemory, updateMemory } from "../memory-write.service.js";
import { callerOf } from "../request-guards.js";
import { param, queryOf, send } from "./reply.js";

/** Ping, stats and the memory endpoints (add, list, search, single memory, history, bulk). */
export function registerMemoryRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get("/v1/ping/", async (request) => {
    const { binding } = callerOf(request);
    return {
      status: "ok",
      org_id: binding.orgId,
      project_id: binding.projectId,
      user_email: binding.userEmail,
    };
  });
  app.get("/v1/stats/", async (request, reply) => send(reply, projectStats(callerOf(request))));

  app.post("/v3/memories/add/", async (request, reply) =>
    send(reply, addMemories(ctx, callerOf(request), request.body)),
  );
  app.post("/v3/memories/", async (request, reply) =>
    send(reply, listMemories(ctx, callerOf(request), request.body, request)),
  );
  app.post("/v3/memories/search/", async (request, reply) =>
    send(reply, searchMemories(ctx, callerOf(request), request.body)),
  );

  app.get("/v1/memories/:memory_id/", async (request, reply) => {
    const found = findMemory(callerOf(request), param(request.params, "memory_id"));
    return found.ok ? reply.send(toDetail(found.record)) : send(reply, found.answer);
  });
  app.put("/v1/memories/:memory_id/", async (request, reply) =>
    send(reply, updateMemory(ctx, callerOf(request), param(request.params, "memory_id"), request.body)),
  );
  app.delete("/v1/memories/:memory_id/", async (request, reply) => {
    const deleteLinked = String(queryOf(request.query).delete_linked).toLowerCase() === "true";
    return send(
      reply,
      deleteMemory(ctx, callerOf(request), param(request.params, "memory_id"), deleteLinked),
    );
  });
  app.get("/v1/memories/events/", async (request, reply) =>
    send(reply, memoryChangeLog(callerOf(request), request)),
  );
  app.get("/v1/memories/:entity_type/:entity_id/", async (request, reply) =>
    send(
      reply,
      entityMemories(
        callerOf(request),
        param(request.params, "entity_type"),
        param(request.params, "entity_id"),
        request,
      ),
    ),
  );
  app.get("/v1/memories/:memory_id/history/", async (request, reply) =>
    send(reply, memoryHistory(callerOf(request), param(request.params, "memory_id"))),
  );

  app.delete("/v1/memories/", async (request, reply) =>
    send(reply, deleteAll(ctx, callerOf(request), queryOf(request.query))),
  );
  app.put("/v1/batch/", async (request, reply) =>
    send(reply, batchUpdate(ctx, callerOf(request), request.body)),
  );
  app.delete("/v1/batch/", async (request, reply) =>
    send(reply, batchDelete(ctx, callerOf(request), request.body)),
  );
}
