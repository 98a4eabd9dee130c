import type { FastifyReply, FastifyRequest } from "fastify";
import { authenticateTenant, isOperator } from "../services/auth.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { sendError } from "./error-envelope.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated tenant on tenant routes. */
    tenantId: string;
  }
}

const CHALLENGE = 'Bearer realm="mcp-gateway"';

/** onRequest hook for /tenants: only the operator's bootstrap token. */
export function requireOperator(ctx: ServiceContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isOperator(ctx, request.headers.authorization)) {
      request.actor = { type: "operator" };
      return;
    }
    const tenant = await authenticateTenant(ctx, request.headers.authorization);
    if (tenant.ok) {
      await sendError(
        request,
        reply,
        403,
        "forbidden",
        "tenant API tokens cannot manage tenants; use the operator token",
      );
      return;
    }
    reply.header("www-authenticate", CHALLENGE);
    const message =
      tenant.reason === "missing"
        ? "send the operator token (GATEWAY_ADMIN_TOKEN) as Authorization: Bearer <token>"
        : "the token sent is not the operator token: send GATEWAY_ADMIN_TOKEN as Authorization: Bearer <token>";
    await sendError(request, reply, 401, "unauthorized", message);
  };
}

/** onRequest hook for tenant routes: a valid, unexpired API token of a live tenant. */
export function requireTenant(ctx: ServiceContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const auth = await authenticateTenant(ctx, request.headers.authorization);
    if (auth.ok) {
      request.tenantId = auth.tenantId;
      request.actor = { type: "api_token", id: auth.tokenId, name: auth.tokenName };
      return;
    }
    if (isOperator(ctx, request.headers.authorization)) {
      await sendError(
        request,
        reply,
        403,
        "forbidden",
        "the operator token only works on /tenants; use a tenant API token",
      );
      return;
    }
    reply.header("www-authenticate", CHALLENGE);
    const message =
      auth.reason === "missing"
        ? "send a tenant API token as Authorization: Bearer <token>"
        : "the API token is invalid, expired or revoked";
    await sendError(request, reply, 401, "unauthorized", message);
  };
}
