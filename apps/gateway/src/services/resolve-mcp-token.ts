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
  type McpServerRecord,
  readMcpServerWithAccount,
} from "@mcp-gateway/store";
import { effectiveTools } from "./mcp-servers.service.js";
import { openCredentialsRemembered } from "./opened-credentials.js";
import { rememberedResolution, rememberResolution } from "./resolved-servers.js";
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
  const stored = await readMcpServerWithAccount(
    ctx.redis,
    claims.tenantId,
    claims.serverId,
    claims.accountId,
  );
  if (stored.server === null) return { ok: false, reason: "revoked" };
  const serverKey = `${claims.tenantId}\n${claims.serverId}`;
  const remembered =
    stored.account === null
      ? undefined
      : rememberedResolution<Derived>(ctx, serverKey, claims, stored.server, stored.account);
  const derived = remembered ?? derive(ctx, claims, stored.server, stored.account);
  if (remembered === undefined && derived.result.ok && stored.account !== null) {
    rememberResolution(ctx, serverKey, {
      claims,
      serverJson: stored.server,
      accountJson: stored.account,
      value: derived,
    });
  }
  const { result, recordExpiry } = derived;
  if (!result.ok && result.reason === "token_replaced") return result;
  // The record's expiry is checked against the clock on every request, remembered or not.
  if (recordExpiry !== null && recordExpiry <= nowMs) return { ok: false, reason: "expired" };
  return result;
}

/** What a server's stored records decide for given claims, and the record's own expiry for the clock. */
interface Derived {
  result: ResolveResult;
  recordExpiry: number | null;
}

function derive(
  ctx: ServiceContext,
  claims: McpTokenClaims,
  serverJson: string,
  accountJson: string | null,
): Derived {
  // Frozen: a remembered resolution is shared by every later request for the server.
  const server = Object.freeze(JSON.parse(serverJson) as McpServerRecord);
  if (server.token_id !== claims.tokenId || server.integrated_account_id !== claims.accountId) {
    return { result: { ok: false, reason: "token_replaced" }, recordExpiry: null };
  }
  const recordExpiry = expiryMs(server.expires_at);
  const refused = (reason: "account_missing" | "unknown_integration" | "credentials_unreadable") => ({
    result: { ok: false as const, reason },
    recordExpiry,
  });
  if (accountJson === null) return refused("account_missing");
  const account = Object.freeze(JSON.parse(accountJson) as AccountRecord);
  const integration = getIntegration(account.integration);
  if (integration === undefined) return refused("unknown_integration");
  const credentials = openCredentialsRemembered(ctx, account);
  if (credentials === undefined) return refused("credentials_unreadable");
  const expiries = [claims.expiresAt, recordExpiry].filter((e): e is number => e !== null);
  const scope = effectiveScope(claims.scope, server.config.scope);
  return {
    recordExpiry,
    result: {
      ok: true,
      server,
      account,
      credentials,
      tools: effectiveTools(integration, claims, server.config, scope),
      scope,
      requireApiTokenAuth: claims.requireApiTokenAuth || server.config.require_api_token_auth,
      toolExposure: server.config.tool_exposure,
      expiresAt: expiries.length === 0 ? null : Math.min(...expiries),
    },
  };
}
