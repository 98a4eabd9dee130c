import type { FastifyInstance } from "fastify";
import { toEventJson } from "../events.js";
import { INVALID_PAGE, paginate } from "../pagination.js";
import { callerOf } from "../request-guards.js";
import { param, queryOf } from "./reply.js";

const EVENT_NOT_FOUND = { error: "Event not found or you don't have permission to access it." };

/** GET /v1/events/ (newest first; optional event_type and status filters) and GET /v1/event/{id}/. */
export function registerEventRoutes(app: FastifyInstance): void {
  app.get("/v1/events/", async (request, reply) => {
    const query = queryOf(request.query);
    const events = [...callerOf(request).store.events.values()]
      .filter((e) => typeof query.event_type !== "string" || e.eventType === query.event_type.toUpperCase())
      .filter((e) => typeof query.status !== "string" || e.status === query.status.toUpperCase())
      .reverse();
    const page = paginate(request, events, 50, 200);
    if (!page.ok) return reply.code(404).send(INVALID_PAGE);
    return { ...page.body, results: page.body.results.map(toEventJson) };
  });
  app.get("/v1/event/:event_id/", async (request, reply) => {
    const event = callerOf(request).store.events.get(param(request.params, "event_id").toLowerCase());
    return event ? toEventJson(event) : reply.code(404).send(EVENT_NOT_FOUND);
  });
}
