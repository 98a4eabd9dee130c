import { looksLikeOAuthAccessToken, type McpTokenClaims } from "@mcp-gateway/core";
import { isScopedRecord, isStorageUnavailable, rememberScopedRecord } from "@mcp-gateway/store";
import type { McpAccess, McpSession } from "../mcp/mcp-session.js";
import { authenticateAccessToken } from "../oauth/oauth-tokens.js";
import { authenticateTenant, bearerToken } from "./auth.service.js";
import { checkMcpToken, type ResolveFailure, resolveCheckedMcpToken } from "./resolve-mcp-token.js";
import type { ServiceContext } from "./service-context.js";

type RefusalLog = (failure: ResolveFailure["reason"] | "bearer_refused") => void;

/**
 * The first half of deciding what a request to /mcp/<token> may do, on the CPU alone: the claims of a
 * genuine, unexpired token at the clock's now, or undefined (one public 404 for every reason).
 */
export function checkMcpUrlToken(
  ctx: ServiceContext,
  token: string,
  log: RefusalLog = () => {},
): McpTokenClaims | undefined {
  const checked = checkMcpToken(ctx, token, ctx.clock.now());
  if (checked.ok) return checked.claims;
  log(checked.reason);
  return undefined;
}

/**
 * The second half, for claims `checkMcpUrlToken` accepted: reads the server and its account at the
 * clock's now, then, when the server requires it, checks that the Authorization header holds a live API
 * token of the same tenant. Redis failures become `unavailable` (503, fail closed) rather than errors.
 */
export async function resolveMcpAccess(
  ctx: ServiceContext,
  claims: McpTokenClaims,
  authorization: string | undefined,
  log: RefusalLog = () => {},
): Promise<McpAccess> {
  try {
    const resolved = await resolveCheckedMcpToken(ctx, claims, ctx.clock.now());
    if (!resolved.ok) {
      log(resolved.reason);
      return publicAnswer(resolved);
    }
    let credential: McpSession["credential"] = { kind: "none", id: null };
    if (resolved.requireApiTokenAuth) {
      const presented = await authenticateBearer(ctx, resolved.server, authorization);
      if (!presented.ok) {
        log("bearer_refused");
        return { ok: false, reason: "unauthorized", detail: presented.detail, tokenRefused: presented.sent };
      }
      credential = presented.credential;
    }
    return {
      ok: true,
      session: {
        serverId: resolved.server.id,
        serverName: resolved.server.name,
        tenantId: resolved.server.tenant_id,
        accountId: resolved.account.id,
        integration: resolved.account.integration,
        tools: resolved.tools,
        exposure: resolved.toolExposure,
        ...(resolved.scope !== undefined
          ? {
              scope: resolved.scope,
              scopedRecords: scopedRecordLedger(ctx, resolved.server, resolved.expiresAt),
            }
          : {}),
        account: { credentials: resolved.credentials, context: resolved.account.context },
        credential,
      },
    };
  } catch (error) {
    // Storage trouble fails closed with a 503; anything else is a bug and must surface as one. Decided by
    // the error, not by `redis.status`: that stays "ready" until the socket's close event, while commands
    // already fail on the dead stream.
    if (isStorageUnavailable(error)) return { ok: false, reason: "unavailable" };
    throw error;
  }
}

/** The records a scoped server made (exports), kept in its own key so only its URL reads them back. */
function scopedRecordLedger(
  ctx: ServiceContext,
  server: { tenant_id: string; id: string },
  expiresAt: number | null,
): NonNullable<McpSession["scopedRecords"]> {
  const of = (kind: string, id: string) => ({ tenantId: server.tenant_id, serverId: server.id, kind, id });
  return {
    remember: (kind, id) => rememberScopedRecord(ctx.redis, of(kind, id), ctx.clock.now(), expiresAt),
    knows: (kind, id) => isScopedRecord(ctx.redis, of(kind, id)),
  };
}

/**
 * The Authorization header of a request to a URL that requires it: an OAuth access token issued for exactly
 * this URL, or a live API token of the server's tenant.
 */
async function authenticateBearer(
  ctx: ServiceContext,
  server: { tenant_id: string; id: string; token_id: string },
  authorization: string | undefined,
): Promise<
  { ok: true; credential: McpSession["credential"] } | { ok: false; detail: string; sent: boolean }
> {
  const bearer = bearerToken(authorization);
  if (bearer !== undefined && looksLikeOAuthAccessToken(bearer)) {
    const oauth = await authenticateAccessToken(ctx, bearer, {
      tenantId: server.tenant_id,
      serverId: server.id,
      urlTokenId: server.token_id,
    });
    if (!oauth.ok) return { ok: false, detail: `oauth_${oauth.reason}`, sent: true };
    return { ok: true, credential: { kind: "oauth_client", id: oauth.grantId } };
  }
  const auth = await authenticateTenant(ctx, authorization);
  if (!auth.ok || auth.tenantId !== server.tenant_id) {
    return { ok: false, detail: "api_token_required", sent: authorization !== undefined };
  }
  return { ok: true, credential: { kind: "api_token", id: auth.tokenId } };
}

/** Every failure reason gets the same public answer: the exhaustive switch keeps new reasons from slipping by. */
function publicAnswer(failure: ResolveFailure): McpAccess {
  switch (failure.reason) {
    case "malformed":
    case "too_long":
    case "bad_signature":
    case "unknown_key":
    case "wrong_type":
    case "wrong_issuer":
    case "wrong_audience":
    case "expired":
    case "not_yet_valid":
    case "missing_claim":
    case "revoked":
    case "token_replaced":
    case "account_missing":
    case "credentials_unreadable":
    case "unknown_integration":
      // `detail` is for the tenant's own request log only; the client's answer is the same 404 for all.
      return { ok: false, reason: "not_found", detail: failure.reason };
    default: {
      const unhandled: never = failure;
      throw new Error(`unhandled resolve failure ${JSON.stringify(unhandled)}`);
    }
  }
}
