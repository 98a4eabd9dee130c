import type { AuditActor, RequestOrigin } from "@mcp-gateway/core";
import type { FastifyRequest } from "fastify";
import { type ServiceContext, withOrigin } from "../services/service-context.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who authenticated an admin API request (set by requireOperator / requireTenant). */
    actor?: AuditActor;
  }
}

/** Who is behind a request: the admin API's caller, or the console's signed-in user. */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const base = { request_id: request.id, client_ip: request.ip ?? null };
  if (request.actor !== undefined) return { actor: request.actor, via: "api", ...base };
  const user = request.consoleSession?.user;
  if (user !== undefined) {
    const actor: AuditActor =
      user.kind === "operator"
        ? { type: "operator" }
        : { type: "api_token", id: user.apiTokenId, name: null };
    return { actor, via: "console", ...base };
  }
  return { actor: { type: "system" }, via: "api", ...base };
}

/** The service context for one request, so the changes it makes are recorded with who made them. */
export function requestContext(ctx: ServiceContext, request: FastifyRequest): ServiceContext {
  return withOrigin(ctx, requestOrigin(request));
}
