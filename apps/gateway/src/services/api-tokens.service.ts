import { GatewayError, generateApiToken, hashSecret } from "@mcp-gateway/core";
import {
  type ApiTokenRecord,
  deleteApiToken,
  insertApiToken,
  keys,
  listApiTokens,
  type Page,
} from "@mcp-gateway/store";
import { recordAdminChange } from "../log/admin-changes.js";
import { afterCursor } from "./page-cursor.js";
import { nowIso, type ServiceContext } from "./service-context.js";
import { apiTokenView } from "./views.js";

/** Issues a token for a tenant and returns its metadata with the token itself (shown once). */
export async function issueApiToken(
  ctx: ServiceContext,
  tenantId: string,
  input: { name: string; expires_at: string | null },
): Promise<Record<string, unknown>> {
  if (input.expires_at !== null && Date.parse(input.expires_at) <= ctx.clock.now()) {
    throw new GatewayError(
      "validation_failed",
      "expires_at must be in the future, or null for a token that does not expire",
    );
  }
  const { record, token } = newApiToken(ctx, tenantId, input);
  if (
    !(await ctx.acked.commit([keys.tenant(tenantId), keys.apiToken(record.id)], (redis) =>
      insertApiToken(redis, record),
    ))
  )
    throw new GatewayError("not_found", "no such tenant (it was deleted)");
  recordAdminChange(ctx, {
    ...onToken(tenantId, record.id),
    action: "api_token.created",
    changes: { name: { from: null, to: record.name }, expires_at: { from: null, to: record.expires_at } },
  });
  return { ...apiTokenView(record), token };
}

/** A fresh token and the record that stores only its keyed hash; nothing is written. */
export function newApiToken(
  ctx: ServiceContext,
  tenantId: string,
  input: { name: string; expires_at: string | null },
): { record: ApiTokenRecord; token: string } {
  const { tokenId, token } = generateApiToken();
  const record: ApiTokenRecord = {
    v: 1,
    id: tokenId,
    tenant_id: tenantId,
    name: input.name,
    token_hash: hashSecret(ctx.config.keys.secretHashKey, token),
    expires_at: input.expires_at === null ? null : new Date(input.expires_at).toISOString(),
    created_at: nowIso(ctx),
  };
  return { record, token };
}

/** A page of the tenant's live tokens. */
export async function listApiTokensPage(
  ctx: ServiceContext,
  tenantId: string,
  query: { cursor?: string; limit: number },
): Promise<Page<Record<string, unknown>>> {
  const after = afterCursor(query.cursor);
  const page = await listApiTokens(ctx.redis, tenantId, after, query.limit, ctx.clock.now());
  return { result: page.result.map(apiTokenView), next_cursor: page.next_cursor };
}

/**
 * Revokes one of the tenant's tokens. The tenant's last live token is kept unless `force` is set: without
 * it nobody could use the admin API or sign in to the console for the tenant until the operator issues one.
 */
export async function revokeApiToken(
  ctx: ServiceContext,
  tenantId: string,
  tokenId: string,
  options: { force?: boolean } = {},
): Promise<{ id: string }> {
  // A check before the delete, not inside it: two concurrent deletes of a tenant's last two tokens can both
  // pass it. The operator's POST /tenants/:id/api-tokens is the way back from that, as from a forced delete.
  if (options.force !== true) {
    const live = await listApiTokens(ctx.redis, tenantId, undefined, 2, ctx.clock.now());
    if (live.result.length === 1 && live.result[0]?.id === tokenId) {
      throw new GatewayError(
        "conflict",
        "this is the tenant's last API token: deleting it locks the tenant out of the admin API and the console. " +
          "Create another token first (POST /api-tokens), or delete it anyway with ?force=true; " +
          "the operator can then issue a new one with POST /tenants/:id/api-tokens",
      );
    }
  }
  if (
    !(await ctx.acked.commit([keys.apiToken(tokenId), keys.tenant(tenantId)], (redis) =>
      deleteApiToken(redis, tenantId, tokenId),
    ))
  )
    throw new GatewayError("not_found", "no such API token");
  recordAdminChange(ctx, { ...onToken(tenantId, tokenId), action: "api_token.revoked" });
  return { id: tokenId };
}

function onToken(tenantId: string, tokenId: string) {
  return {
    tenant_id: tenantId,
    resource_type: "api_token",
    resource_id: tokenId,
    integrated_account_id: null,
    mcp_server_id: null,
  } as const;
}
