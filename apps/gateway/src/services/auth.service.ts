import { hashSecret, parseApiToken, secretsEqual } from "@mcp-gateway/core";
import { findApiToken, findTenant, isExpired } from "@mcp-gateway/store";
import type { ServiceContext } from "./service-context.js";

export type TenantAuth =
  | { ok: true; tenantId: string; tokenId: string; tokenName: string }
  | { ok: false; reason: "missing" | "malformed" | "unknown" | "expired" | "tenant_gone" };

/** The token from an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim());
  return match?.[1];
}

/** True when the header carries the operator's bootstrap token (constant-time comparison). */
export function isOperator(ctx: ServiceContext, header: string | undefined): boolean {
  const token = bearerToken(header);
  return token !== undefined && secretsEqual(token, ctx.config.adminToken);
}

/**
 * Authenticates a tenant API token: format check first (no lookup for garbage), then the record by id,
 * then the keyed hash in constant time, expiry by our clock, and the tenant still existing.
 */
export async function authenticateTenant(
  ctx: ServiceContext,
  header: string | undefined,
): Promise<TenantAuth> {
  return authenticateApiToken(ctx, bearerToken(header));
}

/** Authenticates a tenant API token itself (as `authenticateTenant` does for the header carrying one). */
export async function authenticateApiToken(
  ctx: ServiceContext,
  token: string | undefined,
): Promise<TenantAuth> {
  if (token === undefined) return { ok: false, reason: "missing" };
  const parsed = parseApiToken(token);
  if (!parsed.ok) return { ok: false, reason: "malformed" };
  const record = await findApiToken(ctx.redis, parsed.tokenId);
  if (record === undefined) return { ok: false, reason: "unknown" };
  if (!secretsEqual(hashSecret(ctx.config.keys.secretHashKey, token), record.token_hash)) {
    return { ok: false, reason: "unknown" };
  }
  if (isExpired(record.expires_at, ctx.clock.now())) return { ok: false, reason: "expired" };
  if ((await findTenant(ctx.redis, record.tenant_id)) === undefined)
    return { ok: false, reason: "tenant_gone" };
  return { ok: true, tenantId: record.tenant_id, tokenId: record.id, tokenName: record.name };
}
