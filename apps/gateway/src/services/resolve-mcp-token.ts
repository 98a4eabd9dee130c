import {
  type EntityScope,
  effectiveScope,
  LIMITS,
  type McpTokenClaims,
  type McpTokenFailureReason,
  type ToolExposure,
  verifyMcpToken,
} from "@mcp-gateway/core";
import { getIntegration, type Tool } from "@mcp-gateway/integrations";
import {
  type AccountRecord,
  expiryMs,
  findMcpServerWithAccount,
  type McpServerRecord,
} from "@mcp-gateway/store";
import { effectiveTools } from "./mcp-servers.service.js";
import { openCredentialsRemembered } from "./opened-credentials.js";
import type { ServiceContext } from "./service-context.js";

/** Why a token does not open a server. Every reason gets the same public answer (no oracle). */
export type ResolveFailure =
  | { reason: McpTokenFailureReason }
  | { reason: "revoked" }
  | { reason: "token_replaced" }
  | { reason: "account_missing" }
  | { reason: "credentials_unreadable" }
  | { reason: "unknown_integration" };

/** What a valid token opens: the server, its account with opened credentials, and the effective config. */
export interface ResolvedMcpServer {
  server: McpServerRecord;
  account: AccountRecord;
  credentials: Readonly<Record<string, string>>;
  tools: Tool[];
  requireApiTokenAuth: boolean;
  toolExposure: ToolExposure;
  /** The entity scope in force: the signed one plus any keys the record added; undefined = not pinned. */
  scope: EntityScope | undefined;
  /** The earlier of the signed expiry and the record's (which PATCH may have brought forward). */
  expiresAt: number | null;
}

export type ResolveResult = ({ ok: true } & ResolvedMcpServer) | ({ ok: false } & ResolveFailure);

/** The first, CPU-only stage: the claims of a genuine, unexpired token, or why it is refused. */
export type TokenCheck = { ok: true; claims: McpTokenClaims } | { ok: false; reason: McpTokenFailureReason };

/**
 * Checks an MCP URL token at `nowMs` without any I/O: length, signature, type, issuer, audience and
 * expiry. A forged or expired token ends here, so it never costs a Redis command; the MCP endpoint runs
 * this before reading the request body.
 */
export function checkMcpToken(ctx: ServiceContext, token: string, nowMs: number): TokenCheck {
  if (token.length > LIMITS.mcpTokenMaxChars) return { ok: false, reason: "too_long" };
  const verified = verifyMcpToken(ctx.ring, token, {
    issuer: ctx.tokenIssuer,
    audience: ctx.tokenAudience,
    clock: { now: () => nowMs },
  });
  return verified.ok ? { ok: true, claims: verified.claims } : { ok: false, reason: verified.reason };
}

/**
 * Resolves an MCP URL token at `nowMs`: the CPU checks of `checkMcpToken`, then the storage checks of
 * `resolveCheckedMcpToken`.
 */
export async function resolveMcpToken(
  ctx: ServiceContext,
  token: string,
  nowMs: number,
): Promise<ResolveResult> {
  const checked = checkMcpToken(ctx, token, nowMs);
  return checked.ok ? resolveCheckedMcpToken(ctx, checked.claims, nowMs) : checked;
}

/**
 * The second stage, for claims `checkMcpToken` accepted (possibly a moment earlier, so the signed expiry
 * is checked again at `nowMs`): one round trip reads the server and its account. A missing record means
 * revoked or expired; a jti that differs means the record is not the one this token was minted for.
 */
export async function resolveCheckedMcpToken(
  ctx: ServiceContext,
  claims: McpTokenClaims,
  nowMs: number,
): Promise<ResolveResult> {
  if (claims.expiresAt !== null && claims.expiresAt <= nowMs) return { ok: false, reason: "expired" };
  const { server, account } = await findMcpServerWithAccount(
    ctx.redis,
    claims.tenantId,
    claims.serverId,
    claims.accountId,
  );
  if (server === undefined) return { ok: false, reason: "revoked" };
  if (server.token_id !== claims.tokenId || server.integrated_account_id !== claims.accountId) {
    return { ok: false, reason: "token_replaced" };
  }
  const recordExpiry = expiryMs(server.expires_at);
  if (recordExpiry !== null && recordExpiry <= nowMs) return { ok: false, reason: "expired" };
  if (account === undefined) return { ok: false, reason: "account_missing" };
  const integration = getIntegration(account.integration);
  if (integration === undefined) return { ok: false, reason: "unknown_integration" };
  const credentials = openCredentialsRemembered(ctx, account);
  if (credentials === undefined) return { ok: false, reason: "credentials_unreadable" };
  const expiries = [claims.expiresAt, recordExpiry].filter((e): e is number => e !== null);
  const scope = effectiveScope(claims.scope, server.config.scope);
  return {
    ok: true,
    server,
    account,
    credentials,
    tools: effectiveTools(integration, claims, server.config, scope),
    scope,
    requireApiTokenAuth: claims.requireApiTokenAuth || server.config.require_api_token_auth,
    toolExposure: server.config.tool_exposure,
    expiresAt: expiries.length === 0 ? null : Math.min(...expiries),
  };
}
