import type { FastifyInstance, FastifyRequest } from "fastify";
import type { SandboxContext } from "../context.js";
import {
  type DreamTarget,
  getDreamActivity,
  getDreamConfig,
  getDreamMemorySources,
  getDreamRunMemories,
  getDreamRuns,
  getDreamStats,
  previewDream,
  updateDreamConfig,
} from "../dream.service.js";
import { callerOf } from "../request-guards.js";
import { param, queryOf, send } from "./reply.js";

const DREAM = "/api/v1/orgs/organizations/:org_id/projects/:project_id/dream/";

/** Dream: project-level consolidation (newer-endpoints.md §1). */
export function registerDreamRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const target = (request: FastifyRequest): DreamTarget => ({
    accounts: ctx.accounts,
    binding: callerOf(request).binding,
    orgId: param(request.params, "org_id"),
    projectId: param(request.params, "project_id"),
  });
  app.get(`${DREAM}config/`, async (request, reply) => send(reply, getDreamConfig(target(request))));
  app.patch(`${DREAM}config/`, async (request, reply) =>
    send(reply, updateDreamConfig(target(request), request.body)),
  );
  app.get(`${DREAM}stats/`, async (request, reply) => send(reply, getDreamStats(target(request))));
  app.get(`${DREAM}activity/`, async (request, reply) =>
    send(reply, getDreamActivity(target(request), queryOf(request.query))),
  );
  app.get(`${DREAM}runs/`, async (request, reply) =>
    send(reply, getDreamRuns(target(request), queryOf(request.query))),
  );
  app.get(`${DREAM}runs/:run_id/memories/`, async (request, reply) =>
    send(
      reply,
      getDreamRunMemories(target(request), param(request.params, "run_id"), queryOf(request.query)),
    ),
  );
  app.get(`${DREAM}memory/:memory_id/sources/`, async (request, reply) =>
    send(reply, getDreamMemorySources(target(request), param(request.params, "memory_id"))),
  );
  app.post(`${DREAM}preview/`, async (request, reply) => send(reply, previewDream(target(request))));
}
