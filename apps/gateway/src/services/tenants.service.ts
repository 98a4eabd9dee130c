import { GatewayError, newTenantId } from "@mcp-gateway/core";
import {
  deleteTenantCascade,
  findTenant,
  insertTenant,
  keys,
  listTenants,
  type Page,
  type TenantRecord,
} from "@mcp-gateway/store";
import { recordAdminChange } from "../log/admin-changes.js";
import { newApiToken } from "./api-tokens.service.js";
import { afterCursor } from "./page-cursor.js";
import { nowIso, type ServiceContext } from "./service-context.js";
import { apiTokenView, tenantView } from "./views.js";

/** Creates a tenant and its first API token, which this response shows once. */
export async function createTenant(
  ctx: ServiceContext,
  input: { name: string },
): Promise<Record<string, unknown>> {
  const now = nowIso(ctx);
  const tenant: TenantRecord = {
    v: 1,
    id: newTenantId(),
    name: input.name,
    created_at: now,
    updated_at: now,
  };
  // Tenant and token are written as one: a tenant whose first token was lost on the way would be
  // listed, yet nobody could use it.
  const first = newApiToken(ctx, tenant.id, { name: "initial", expires_at: null });
  await ctx.acked.commit(
    [keys.tenantIndex(), keys.apiToken(first.record.id), keys.tenant(tenant.id)],
    (redis) => insertTenant(redis, tenant, first.record),
  );
  recordAdminChange(ctx, {
    ...onTenant(tenant.id),
    action: "tenant.created",
    changes: { name: { from: null, to: tenant.name }, api_token_id: { from: null, to: first.record.id } },
  });
  return { ...tenantView(tenant), api_token: { ...apiTokenView(first.record), token: first.token } };
}

/** A page of tenants. */
export async function listTenantsPage(
  ctx: ServiceContext,
  query: { cursor?: string; limit: number },
): Promise<Page<Record<string, unknown>>> {
  const after = afterCursor(query.cursor);
  const page = await listTenants(ctx.redis, after, query.limit);
  return { result: page.result.map(tenantView), next_cursor: page.next_cursor };
}

/** One tenant, or 404. */
export async function getTenant(ctx: ServiceContext, tenantId: string): Promise<Record<string, unknown>> {
  const tenant = await findTenant(ctx.redis, tenantId);
  if (tenant === undefined) throw new GatewayError("not_found", "no such tenant");
  return tenantView(tenant);
}

/** Deletes a tenant with its tokens, accounts and MCP servers; every URL it minted stops working. */
export async function deleteTenant(ctx: ServiceContext, tenantId: string): Promise<{ id: string }> {
  if (
    !(await ctx.acked.commit([keys.tenant(tenantId), keys.tenantIndex()], (redis) =>
      deleteTenantCascade(redis, tenantId),
    ))
  )
    throw new GatewayError("not_found", "no such tenant");
  // Only in the operator's trail: the tenant's own streams went with it.
  recordAdminChange(ctx, { ...onTenant(tenantId), action: "tenant.deleted", operatorOnly: true });
  return { id: tenantId };
}

function onTenant(tenantId: string) {
  return {
    tenant_id: tenantId,
    resource_type: "tenant",
    resource_id: tenantId,
    integrated_account_id: null,
    mcp_server_id: null,
  } as const;
}
