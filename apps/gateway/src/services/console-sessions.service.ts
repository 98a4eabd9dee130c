import {
  CONSOLE_SESSION_LIMITS,
  generateConsoleSessionId,
  hashSecret,
  parseConsoleSessionId,
  secretsEqual,
} from "@mcp-gateway/core";
import {
  type ConsoleSessionRecord,
  deleteConsoleSession,
  findApiToken,
  findConsoleSession,
  findTenant,
  insertConsoleSession,
  isExpired,
  touchConsoleSession,
} from "@mcp-gateway/store";
import { INTERNAL_ORIGIN, recordAdminChange } from "../log/admin-changes.js";
import { authenticateApiToken } from "./auth.service.js";
import { nowIso, type ServiceContext } from "./service-context.js";

/** Who a console session belongs to. */
export type ConsoleUser = { kind: "tenant"; tenantId: string; apiTokenId: string } | { kind: "operator" };

/** A live session: its user and the CSRF token its forms must carry. */
export interface ConsoleSession {
  user: ConsoleUser;
  csrfToken: string;
}

/** Why a cookie does not open a session. Every reason sends the person back to sign in. */
export type ConsoleSessionFailure =
  | "missing"
  | "malformed"
  | "unknown"
  | "idle_expired"
  | "absolute_expired"
  | "api_token_gone"
  | "tenant_gone"
  | "operator_token_changed";

export type ConsoleSessionResult =
  | ({ ok: true } & ConsoleSession)
  | { ok: false; reason: ConsoleSessionFailure };

// Domain separation: the same SECRET_HASH_KEY hashes API tokens; these inputs can never collide with them.
function sessionHash(ctx: ServiceContext, sessionId: string): string {
  return hashSecret(ctx.config.keys.secretHashKey, `console-session|${sessionId}`);
}

/** Binds an operator session to the admin token it was made with: rotating GATEWAY_ADMIN_TOKEN ends it. */
function operatorTokenHash(ctx: ServiceContext): string {
  return hashSecret(ctx.config.keys.secretHashKey, `console-operator|${ctx.config.adminToken}`);
}

/** The CSRF token of a session: derived from its id, so nothing more is stored and it dies with the session. */
function csrfTokenOf(ctx: ServiceContext, sessionId: string): string {
  return hashSecret(ctx.config.keys.secretHashKey, `console-csrf|${sessionId}`);
}

/** True when a submitted CSRF token is the session's (constant-time). */
export function csrfTokenMatches(session: ConsoleSession, submitted: string | undefined): boolean {
  return submitted !== undefined && secretsEqual(submitted, session.csrfToken);
}

/**
 * Exchanges a tenant API token or the operator token for a new session. Returns the session id for the
 * cookie (never stored: only its keyed hash is), or undefined when the token opens nothing.
 */
export async function startConsoleSession(
  ctx: ServiceContext,
  token: string,
): Promise<{ sessionId: string; session: ConsoleSession } | undefined> {
  let user: ConsoleUser;
  let tokenName: string | null = null;
  if (secretsEqual(token, ctx.config.adminToken)) {
    user = { kind: "operator" };
  } else {
    const auth = await authenticateApiToken(ctx, token);
    if (!auth.ok) return undefined;
    user = { kind: "tenant", tenantId: auth.tenantId, apiTokenId: auth.tokenId };
    tokenName = auth.tokenName;
  }
  const tenantId = user.kind === "tenant" ? user.tenantId : null;
  const sessionId = generateConsoleSessionId(tenantId);
  const now = ctx.clock.now();
  const absolute = now + CONSOLE_SESSION_LIMITS.absoluteMs;
  const record: ConsoleSessionRecord = {
    v: 1,
    tenant_id: tenantId,
    api_token_id: user.kind === "tenant" ? user.apiTokenId : null,
    operator_token_hash: user.kind === "operator" ? operatorTokenHash(ctx) : null,
    created_at: nowIso(ctx),
    absolute_expires_at: new Date(absolute).toISOString(),
    idle_expires_at: new Date(Math.min(now + CONSOLE_SESSION_LIMITS.idleMs, absolute)).toISOString(),
  };
  if (!(await insertConsoleSession(ctx.redis, sessionHash(ctx, sessionId), record))) return undefined;
  // The audit names who signed in (the request itself carried no session yet).
  const origin = ctx.origin ?? INTERNAL_ORIGIN;
  recordAdminChange(
    {
      ...ctx,
      origin: {
        ...origin,
        via: "console",
        actor:
          user.kind === "operator"
            ? { type: "operator" }
            : { type: "api_token", id: user.apiTokenId, name: tokenName },
      },
    },
    { ...consoleSessionChange(tenantId), action: "console.signed_in" },
  );
  return { sessionId, session: { user, csrfToken: csrfTokenOf(ctx, sessionId) } };
}

/**
 * The session a cookie names, checked by our clock (idle and absolute expiry; Redis TTLs only clean up),
 * and only while the API token it was made from and its tenant still exist: deleting either ends it at
 * once. A live session's idle expiry moves forward.
 */
export async function resolveConsoleSession(
  ctx: ServiceContext,
  sessionId: string | undefined,
): Promise<ConsoleSessionResult> {
  if (sessionId === undefined) return { ok: false, reason: "missing" };
  const parsed = parseConsoleSessionId(sessionId);
  if (!parsed.ok) return { ok: false, reason: "malformed" };
  const hash = sessionHash(ctx, sessionId);
  const record = await findConsoleSession(ctx.redis, parsed.tenantId, hash);
  if (record === undefined || record.tenant_id !== parsed.tenantId) return { ok: false, reason: "unknown" };
  const now = ctx.clock.now();
  if (isExpired(record.absolute_expires_at, now)) return { ok: false, reason: "absolute_expired" };
  if (isExpired(record.idle_expires_at, now)) return { ok: false, reason: "idle_expired" };
  let user: ConsoleUser = { kind: "operator" };
  if (record.tenant_id === null) {
    const madeWith = record.operator_token_hash;
    if (typeof madeWith !== "string" || !secretsEqual(madeWith, operatorTokenHash(ctx))) {
      await deleteConsoleSession(ctx.redis, null, hash);
      return { ok: false, reason: "operator_token_changed" };
    }
  } else {
    const failure = await tenantSessionFailure(ctx, record, now);
    if (failure !== undefined) {
      await deleteConsoleSession(ctx.redis, record.tenant_id, hash);
      return { ok: false, reason: failure };
    }
    user = { kind: "tenant", tenantId: record.tenant_id, apiTokenId: record.api_token_id ?? "" };
  }
  const idle = Math.min(now + CONSOLE_SESSION_LIMITS.idleMs, Date.parse(record.absolute_expires_at));
  await touchConsoleSession(ctx.redis, hash, { ...record, idle_expires_at: new Date(idle).toISOString() });
  return { ok: true, user, csrfToken: csrfTokenOf(ctx, sessionId) };
}

async function tenantSessionFailure(
  ctx: ServiceContext,
  record: ConsoleSessionRecord,
  now: number,
): Promise<ConsoleSessionFailure | undefined> {
  const [token, tenant] = await Promise.all([
    record.api_token_id === null ? undefined : findApiToken(ctx.redis, record.api_token_id),
    record.tenant_id === null ? undefined : findTenant(ctx.redis, record.tenant_id),
  ]);
  if (tenant === undefined) return "tenant_gone";
  if (token === undefined || token.tenant_id !== record.tenant_id || isExpired(token.expires_at, now)) {
    return "api_token_gone";
  }
  return undefined;
}

/**
 * Ends the session a cookie names (sign-out). A cookie that names no stored session is already signed out,
 * and is not recorded: a forged cookie must not be able to write sign-outs into anyone's audit trail.
 */
export async function endConsoleSession(ctx: ServiceContext, sessionId: string | undefined): Promise<void> {
  const parsed = parseConsoleSessionId(sessionId);
  if (sessionId === undefined || !parsed.ok) return;
  if (!(await deleteConsoleSession(ctx.redis, parsed.tenantId, sessionHash(ctx, sessionId)))) return;
  recordAdminChange(ctx, { ...consoleSessionChange(parsed.tenantId), action: "console.signed_out" });
}

function consoleSessionChange(tenantId: string | null) {
  return {
    tenant_id: tenantId,
    resource_type: "console_session",
    resource_id: null,
    integrated_account_id: null,
    mcp_server_id: null,
  } as const;
}
