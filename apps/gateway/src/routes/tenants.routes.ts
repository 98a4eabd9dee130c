import type { FastifyInstance } from "fastify";
import { requireOperator } from "../http/auth.js";
import { requestContext } from "../http/request-origin.js";
import { apiTokenBody, ids, listQuery, name, page, responses } from "../http/schemas.js";
import { strictAdminRequests } from "../http/strict-requests.js";
import { issueApiToken } from "../services/api-tokens.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { createTenant, deleteTenant, getTenant, listTenantsPage } from "../services/tenants.service.js";

const tenantParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: ids.tenant },
};
const security = [{ operatorToken: [] }];

/** The operator's routes: tenants. */
export async function tenantsRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  strictAdminRequests(app);
  // onRequest, not preHandler: a caller is authenticated before its body is read or validated.
  app.addHook("onRequest", requireOperator(ctx));

  app.post<{ Body: { name: string } }>(
    "/tenants",
    {
      schema: {
        tags: ["tenants"],
        summary: "Create a tenant and its first API token (shown once)",
        security,
        body: { type: "object", required: ["name"], additionalProperties: false, properties: { name } },
        response: {
          201: {
            ...responses.tenant,
            properties: { ...responses.tenant.properties, api_token: responses.apiToken },
          },
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createTenant(requestContext(ctx, request), request.body)),
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    "/tenants",
    {
      schema: {
        tags: ["tenants"],
        summary: "List tenants",
        security,
        querystring: listQuery,
        response: { 200: page(responses.tenant) },
      },
    },
    async (request) => listTenantsPage(ctx, request.query),
  );

  app.get<{ Params: { id: string } }>(
    "/tenants/:id",
    {
      schema: {
        tags: ["tenants"],
        summary: "Get a tenant",
        security,
        params: tenantParams,
        response: { 200: responses.tenant },
      },
    },
    async (request) => getTenant(ctx, request.params.id),
  );

  // So a tenant that deleted its last API token is not locked out.
  app.post<{ Params: { id: string }; Body: { name: string; expires_at?: string | null } }>(
    "/tenants/:id/api-tokens",
    {
      schema: {
        tags: ["tenants"],
        summary: "Issue a new API token for a tenant (shown once)",
        security,
        params: tenantParams,
        body: apiTokenBody,
        response: { 201: responses.apiToken },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await issueApiToken(requestContext(ctx, request), request.params.id, {
          name: request.body.name,
          expires_at: request.body.expires_at ?? null,
        }),
      ),
  );

  app.delete<{ Params: { id: string } }>(
    "/tenants/:id",
    {
      schema: {
        tags: ["tenants"],
        summary: "Delete a tenant with its tokens, accounts and MCP servers",
        security,
        params: tenantParams,
        response: { 200: responses.deleted },
      },
    },
    async (request) => deleteTenant(requestContext(ctx, request), request.params.id),
  );
}
