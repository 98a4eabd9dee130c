import type { FastifyInstance } from "fastify";
import { requireTenant } from "../http/auth.js";
import { requestContext } from "../http/request-origin.js";
import { apiTokenBody, ids, listQuery, page, responses, tenantSecurity } from "../http/schemas.js";
import { strictAdminRequests } from "../http/strict-requests.js";
import { issueApiToken, listApiTokensPage, revokeApiToken } from "../services/api-tokens.service.js";
import type { ServiceContext } from "../services/service-context.js";

const security = tenantSecurity;

/** A tenant's API tokens. */
export async function apiTokensRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  strictAdminRequests(app);
  // onRequest, not preHandler: a caller is authenticated before its body is read or validated.
  app.addHook("onRequest", requireTenant(ctx));

  app.post<{ Body: { name: string; expires_at?: string | null } }>(
    "/api-tokens",
    {
      schema: {
        tags: ["api tokens"],
        summary: "Create an API token (the token is shown once)",
        security,
        body: apiTokenBody,
        response: { 201: responses.apiToken },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await issueApiToken(requestContext(ctx, request), request.tenantId, {
          name: request.body.name,
          expires_at: request.body.expires_at ?? null,
        }),
      ),
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    "/api-tokens",
    {
      schema: {
        tags: ["api tokens"],
        summary: "List API tokens",
        security,
        querystring: listQuery,
        response: { 200: page(responses.apiToken) },
      },
    },
    async (request) => listApiTokensPage(ctx, request.tenantId, request.query),
  );

  app.delete<{ Params: { id: string }; Querystring: { force?: boolean } }>(
    "/api-tokens/:id",
    {
      schema: {
        tags: ["api tokens"],
        summary: "Revoke an API token (the tenant's last one only with ?force=true: 409 otherwise)",
        security,
        params: {
          type: "object",
          required: ["id"],
          additionalProperties: false,
          properties: { id: ids.apiToken },
        },
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            force: {
              type: "boolean",
              description: "Also delete the tenant's last API token (the operator can issue a new one)",
            },
          },
        },
        response: { 200: responses.deleted },
      },
    },
    async (request) =>
      revokeApiToken(requestContext(ctx, request), request.tenantId, request.params.id, {
        force: request.query.force === true,
      }),
  );
}
