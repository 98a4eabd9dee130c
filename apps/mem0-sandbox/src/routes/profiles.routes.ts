import type { FastifyInstance } from "fastify";
import type { SandboxContext } from "../context.js";
import {
  createProfileJob,
  getProfile,
  getProfileJob,
  getProfileSettings,
  updateProfileSettings,
} from "../profiles.service.js";
import { callerOf } from "../request-guards.js";
import { param, send } from "./reply.js";

/** Profiles: per-user profile documents, their settings and jobs (newer-endpoints.md §2). */
export function registerProfileRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get("/v2/entities/:entity_type/:entity_id/profile/", async (request, reply) =>
    send(
      reply,
      getProfile(callerOf(request), param(request.params, "entity_type"), param(request.params, "entity_id")),
    ),
  );
  app.get("/v2/profiles/settings/", async (request, reply) =>
    send(reply, getProfileSettings(callerOf(request))),
  );
  app.post("/v2/profiles/settings/", async (request, reply) =>
    send(reply, updateProfileSettings(callerOf(request), request.body)),
  );
  app.post("/v2/profiles/jobs/", async (request, reply) =>
    send(reply, createProfileJob(ctx, callerOf(request), request.headers["idempotency-key"], request.body)),
  );
  app.get("/v2/profiles/jobs/:job_id/", async (request, reply) =>
    send(reply, getProfileJob(callerOf(request), param(request.params, "job_id"))),
  );
}
