import type { FastifyInstance } from "fastify";
import { requireTenant } from "../http/auth.js";
import { requestContext } from "../http/request-origin.js";
import {
  accountParams,
  ids,
  listQuery,
  mcpServerConfig,
  name,
  nullableTimestamp,
  page,
  responses,
  tenantSecurity,
} from "../http/schemas.js";
import { strictAdminRequests } from "../http/strict-requests.js";
import {
  deleteMcpServerById,
  getMcpServer,
  listMcpServersPage,
  type McpServerConfigInput,
  mintMcpServer,
  updateMcpServer,
} from "../services/mcp-servers.service.js";
import type { ServiceContext } from "../services/service-context.js";

const security = tenantSecurity;
const serverParams = {
  type: "object",
  required: ["id", "mcp_id"],
  additionalProperties: false,
  properties: { id: ids.account, mcp_id: ids.mcpServer },
};
type ServerBody = { name?: string; config?: McpServerConfigInput; expires_at?: string | null };
const expiresAt = { ...nullableTimestamp, description: "At least 60 s ahead, or null for no expiry" };

/** MCP servers: minted URLs for one integrated account. */
export async function mcpServersRoutes(
  app: FastifyInstance,
  { ctx }: { ctx: ServiceContext },
): Promise<void> {
  strictAdminRequests(app);
  // onRequest, not preHandler: a caller is authenticated before its body is read or validated.
  app.addHook("onRequest", requireTenant(ctx));

  app.post<{ Params: { id: string }; Body: ServerBody & { name: string } }>(
    "/integrated-account/:id/mcp",
    {
      schema: {
        tags: ["mcp servers"],
        summary: "Mint an MCP server URL (token and url are shown once)",
        security,
        params: accountParams,
        body: {
          type: "object",
          required: ["name"],
          additionalProperties: false,
          properties: { name, config: mcpServerConfig, expires_at: expiresAt },
        },
        response: { 201: responses.mcpServer },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await mintMcpServer(
            requestContext(ctx, request),
            request.tenantId,
            request.params.id,
            request.body,
          ),
        ),
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>(
    "/integrated-account/:id/mcp",
    {
      schema: {
        tags: ["mcp servers"],
        summary: "List an account's live MCP servers",
        security,
        params: accountParams,
        querystring: listQuery,
        response: { 200: page(responses.mcpServer) },
      },
    },
    async (request) => listMcpServersPage(ctx, request.tenantId, request.params.id, request.query),
  );

  app.get<{ Params: { id: string; mcp_id: string } }>(
    "/integrated-account/:id/mcp/:mcp_id",
    {
      schema: {
        tags: ["mcp servers"],
        summary: "Get an MCP server",
        security,
        params: serverParams,
        response: { 200: responses.mcpServer },
      },
    },
    async (request) => getMcpServer(ctx, request.tenantId, request.params.id, request.params.mcp_id),
  );

  app.patch<{ Params: { id: string; mcp_id: string }; Body: ServerBody }>(
    "/integrated-account/:id/mcp/:mcp_id",
    {
      schema: {
        tags: ["mcp servers"],
        summary: "Rename or narrow an MCP server (never widen: mint a new one for that)",
        security,
        params: serverParams,
        body: {
          type: "object",
          minProperties: 1,
          additionalProperties: false,
          properties: { name, config: mcpServerConfig, expires_at: expiresAt },
        },
        response: { 200: responses.mcpServer },
      },
    },
    async (request) =>
      updateMcpServer(
        requestContext(ctx, request),
        request.tenantId,
        request.params.id,
        request.params.mcp_id,
        request.body,
      ),
  );

  app.delete<{ Params: { id: string; mcp_id: string } }>(
    "/integrated-account/:id/mcp/:mcp_id",
    {
      schema: {
        tags: ["mcp servers"],
        summary: "Revoke an MCP server now",
        security,
        params: serverParams,
        response: { 200: responses.deleted },
      },
    },
    async (request) =>
      deleteMcpServerById(
        requestContext(ctx, request),
        request.tenantId,
        request.params.id,
        request.params.mcp_id,
      ),
  );
}
