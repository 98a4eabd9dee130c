import { GatewayError, OAUTH_LIMITS } from "@mcp-gateway/core";
import { deleteGrant, findGrant, keys, listGrants, type OAuthGrantRecord } from "@mcp-gateway/store";
import { recordAdminChange } from "../log/admin-changes.js";
import { getMcpServer } from "../services/mcp-servers.service.js";
import type { ServiceContext } from "../services/service-context.js";

/** A grant as the API and the console show it: who approved which client, and until when (no secrets). */
export interface OAuthGrantView {
  id: string;
  client_id: string;
  client_name: string;
  client_kind: OAuthGrantRecord["client_kind"];
  redirect_uri: string;
  scope: string;
  approved_by_api_token_id: string;
  created_at: string;
  last_refreshed_at: string | null;
  expires_at: string;
}

/** The view of one grant. */
export function grantView(grant: OAuthGrantRecord): OAuthGrantView {
  return {
    id: grant.id,
    client_id: grant.client_id,
    client_name: grant.client_name,
    client_kind: grant.client_kind,
    redirect_uri: grant.redirect_uri,
    scope: grant.scope,
    approved_by_api_token_id: grant.approved_by_api_token_id,
    created_at: grant.created_at,
    last_refreshed_at: grant.last_refreshed_at,
    expires_at: grant.expires_at,
  };
}

/** The live OAuth grants of one of the tenant's MCP servers (404 for another tenant's or a missing one). */
export async function listServerGrants(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  serverId: string,
): Promise<{ result: OAuthGrantView[] }> {
  await getMcpServer(ctx, tenantId, accountId, serverId);
  const grants = await listGrants(
    ctx.redis,
    tenantId,
    serverId,
    OAUTH_LIMITS.grantsPerServerMax,
    ctx.clock.now(),
  );
  return { result: grants.filter((g) => g.account_id === accountId).map(grantView) };
}

/** Revokes one grant of a server: its access and refresh tokens stop working on their next use. */
export async function revokeServerGrant(
  ctx: ServiceContext,
  tenantId: string,
  accountId: string,
  serverId: string,
  grantId: string,
): Promise<{ id: string }> {
  await getMcpServer(ctx, tenantId, accountId, serverId);
  const grant = /^gr_[a-z2-7]{26}$/.test(grantId) ? await findGrant(ctx.redis, tenantId, grantId) : undefined;
  if (grant === undefined || grant.server_id !== serverId || grant.account_id !== accountId) {
    throw new GatewayError("not_found", "no such OAuth grant");
  }
  await ctx.acked.commit([keys.tenant(tenantId)], (redis) => deleteGrant(redis, tenantId, grantId));
  recordAdminChange(ctx, {
    tenant_id: tenantId,
    action: "mcp_server.oauth_grant_revoked",
    resource_type: "mcp_server",
    resource_id: serverId,
    integrated_account_id: accountId,
    mcp_server_id: serverId,
    changes: { oauth_grant: { from: grantId, to: null } },
  });
  return { id: grantId };
}
