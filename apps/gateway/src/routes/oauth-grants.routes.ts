import type { FastifyInstance } from "fastify";
import { requireTenant } from "../http/auth.js";
import { requestContext } from "../http/request-origin.js";
import { ids, responses, tenantSecurity } from "../http/schemas.js";
import { strictAdminRequests } from "../http/strict-requests.js";
import { listServerGrants, revokeServerGrant } from "../oauth/oauth-grants.service.js";
import type { ServiceContext } from "../services/service-context.js";

const security = tenantSecurity;
const grantId = { type: "string", pattern: "^gr_[a-z2-7]{26}$", description: "An OAuth grant id (gr_…)" };
const serverParams = {
  type: "object",
  required: ["id", "mcp_id"],
  additionalProperties: false,
  properties: { id: ids.account, mcp_id: ids.mcpServer },
};
const grantParams = {
  ...serverParams,
  required: ["id", "mcp_id", "grant_id"],
  properties: { ...serverParams.properties, grant_id: grantId },
};
const grant = {
  type: "object",
  description: "One MCP client's approved OAuth access to this MCP server URL",
  properties: {
    id: grantId,
    client_id: { type: "string", description: "A Client ID Metadata Document URL, or an id from /register" },
    client_name: { type: "string" },
    client_kind: { type: "string", enum: ["metadata_document", "registered"] },
    redirect_uri: { type: "string" },
    scope: { type: "string" },
    approved_by_api_token_id: { ...ids.apiToken, description: "Deleting this API token ends the grant" },
    created_at: { type: "string" },
    last_refreshed_at: { type: ["string", "null"] },
    expires_at: { type: "string", description: "Ends unless refreshed before then" },
  },
} as const;

/** An MCP server's OAuth grants: which clients people approved for its URL, and revoking them. */
export async function oauthGrantsRoutes(
  app: FastifyInstance,
  { ctx }: { ctx: ServiceContext },
): Promise<void> {
  strictAdminRequests(app);
  app.addHook("onRequest", requireTenant(ctx));

  app.get<{ Params: { id: string; mcp_id: string } }>(
    "/integrated-account/:id/mcp/:mcp_id/oauth-grants",
    {
      schema: {
        tags: ["mcp servers"],
        summary: "List the OAuth grants of an MCP server (clients signed in to its URL)",
        security,
        params: serverParams,
        response: { 200: { type: "object", properties: { result: { type: "array", items: grant } } } },
      },
    },
    async (request) => listServerGrants(ctx, request.tenantId, request.params.id, request.params.mcp_id),
  );

  app.delete<{ Params: { id: string; mcp_id: string; grant_id: string } }>(
    "/integrated-account/:id/mcp/:mcp_id/oauth-grants/:grant_id",
    {
      schema: {
        tags: ["mcp servers"],
        summary: "Revoke an OAuth grant now (its access and refresh tokens stop working)",
        security,
        params: grantParams,
        response: { 200: responses.deleted },
      },
    },
    async (request) =>
      revokeServerGrant(
        requestContext(ctx, request),
        request.tenantId,
        request.params.id,
        request.params.mcp_id,
        request.params.grant_id,
      ),
  );
}
