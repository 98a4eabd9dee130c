import type { FastifyInstance } from "fastify";
import { requireTenant } from "../http/auth.js";
import { requestContext } from "../http/request-origin.js";
import { accountParams, listQuery, name, page, responses, tenantSecurity } from "../http/schemas.js";
import { strictAdminRequests } from "../http/strict-requests.js";
import {
  createAccount,
  deleteAccount,
  listAccountsPage,
  requireAccount,
  updateAccount,
} from "../services/accounts.service.js";
import { previewTools } from "../services/mcp-servers.service.js";
import type { ServiceContext } from "../services/service-context.js";
import { accountView } from "../services/views.js";

const security = tenantSecurity;
const credentials = {
  type: "object",
  minProperties: 1,
  maxProperties: 10,
  additionalProperties: { type: "string", minLength: 1, maxLength: 4096 },
  description: "Upstream credentials; Mem0 takes {api_key}. Write-only: never returned.",
} as const;

type Credentials = Record<string, string>;

/** Integrated accounts: a tenant's connections to upstreams. */
export async function accountsRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  strictAdminRequests(app);
  // onRequest, not preHandler: a caller is authenticated before its body is read or validated.
  app.addHook("onRequest", requireTenant(ctx));

  app.post<{ Body: { integration: string; name: string; credentials: Credentials } }>(
    "/integrated-account",
    {
      schema: {
        tags: ["integrated accounts"],
        summary: "Connect an upstream account (the credentials are checked upstream, then stored sealed)",
        security,
        body: {
          type: "object",
          required: ["integration", "name", "credentials"],
          additionalProperties: false,
          properties: { integration: { type: "string", minLength: 1, maxLength: 64 }, name, credentials },
        },
        response: { 201: responses.account },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createAccount(requestContext(ctx, request), request.tenantId, request.body)),
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    "/integrated-account",
    {
      schema: {
        tags: ["integrated accounts"],
        summary: "List integrated accounts",
        security,
        querystring: listQuery,
        response: { 200: page(responses.account) },
      },
    },
    async (request) => listAccountsPage(ctx, request.tenantId, request.query),
  );

  app.get<{ Params: { id: string } }>(
    "/integrated-account/:id",
    {
      schema: {
        tags: ["integrated accounts"],
        summary: "Get an integrated account",
        security,
        params: accountParams,
        response: { 200: responses.account },
      },
    },
    async (request) => accountView(await requireAccount(ctx, request.tenantId, request.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: { name?: string; credentials?: Credentials } }>(
    "/integrated-account/:id",
    {
      schema: {
        tags: ["integrated accounts"],
        summary: "Rename an account or rotate its credentials (checked upstream again)",
        security,
        params: accountParams,
        body: {
          type: "object",
          minProperties: 1,
          additionalProperties: false,
          properties: { name, credentials },
        },
        response: { 200: responses.account },
      },
    },
    async (request) =>
      updateAccount(requestContext(ctx, request), request.tenantId, request.params.id, request.body),
  );

  app.delete<{ Params: { id: string } }>(
    "/integrated-account/:id",
    {
      schema: {
        tags: ["integrated accounts"],
        summary: "Delete an account and revoke all its MCP servers",
        security,
        params: accountParams,
        response: { 200: responses.deleted },
      },
    },
    async (request) => deleteAccount(requestContext(ctx, request), request.tenantId, request.params.id),
  );

  app.get<{ Params: { id: string }; Querystring: { methods?: string; tags?: string } }>(
    "/integrated-account/:id/tools",
    {
      schema: {
        tags: ["integrated accounts"],
        summary: "Preview the tools a methods/tags config would expose",
        security,
        params: accountParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            methods: { type: "string", maxLength: 2000, description: "Comma-separated, e.g. read,custom" },
            tags: { type: "string", maxLength: 2000, description: "Comma-separated, e.g. memories,events" },
          },
        },
      },
    },
    async (request) =>
      previewTools(ctx, request.tenantId, request.params.id, {
        methods: splitList(request.query.methods),
        tags: splitList(request.query.tags),
      }),
  );
}

function splitList(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return items === undefined || items.length === 0 ? undefined : items;
}
