import {
  formatRefreshToken,
  generateAccessToken,
  hashSecret,
  newRefreshSalt,
  OAUTH_LIMITS,
  parseRefreshToken,
  pkceMatches,
  refreshMacInput,
  secretsEqual,
  tenantOfOpaqueToken,
} from "@mcp-gateway/core";
import {
  deleteAccessToken,
  deleteGrant,
  expiryMs,
  findAccessTokenWithGrant,
  findApiToken,
  findGrant,
  findMcpServerWithAccount,
  insertGrant,
  isExpired,
  keys,
  type OAuthAccessTokenRecord,
  type OAuthGrantRecord,
  redeemAuthorizationCode,
  revokeGrantOfReplayedCode,
  rotateRefreshToken,
} from "@mcp-gateway/store";
import { nowIso, type ServiceContext } from "../services/service-context.js";
import type { MetadataDocumentFetcher } from "./metadata-document-fetch.js";
import { authorizationCodeHash, claimsOfResource } from "./oauth-authorize.js";
import { clientSecretHash, type OAuthClient, resolveClient } from "./oauth-clients.js";

/** A token endpoint form: every field once (RFC 6749 §3.2: parameters must not repeat). */
export type TokenForm = Readonly<Record<string, readonly string[]>>;

/** An answer of the token or revocation endpoint (RFC 6749 §5.1/§5.2 JSON). */
export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

function oauthError(
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
): TokenAnswer {
  return { status, body: { error, error_description: description }, ...(headers ? { headers } : {}) };
}

function param(form: TokenForm, name: string): string | undefined {
  const values = form[name];
  if (values === undefined || values.length !== 1) return undefined;
  return values[0] === "" ? undefined : values[0];
}

function repeated(form: TokenForm): string | undefined {
  return Object.keys(form).find((name) => (form[name]?.length ?? 0) > 1);
}

/** Keyed hash of an access token (the only form in which it is stored). */
export function accessTokenHash(ctx: ServiceContext, token: string): string {
  return hashSecret(ctx.config.keys.secretHashKey, `oauth-access|${token}`);
}

function refreshMac(ctx: ServiceContext, grant: OAuthGrantRecord, generation: number): string {
  return hashSecret(ctx.config.keys.secretHashKey, refreshMacInput(grant.id, generation, grant.refresh_salt));
}

/**
 * Authenticates the client at the token or revocation endpoint (OAuth 2.1 §2.4): a public client names itself
 * with client_id; a confidential one proves its secret in the form (client_secret_post) or in HTTP Basic.
 */
async function authenticateClient(
  ctx: ServiceContext,
  fetcher: MetadataDocumentFetcher,
  form: TokenForm,
  authorization: string | undefined,
  clientAddress: string,
): Promise<{ ok: true; client: OAuthClient } | { ok: false; answer: TokenAnswer }> {
  let clientId = param(form, "client_id");
  let secret = param(form, "client_secret");
  const basic = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(authorization?.trim() ?? "");
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { ok: false, answer: invalidClient("the Basic credentials are malformed") };
    // RFC 6749 §2.3.1: both halves are form-urlencoded; a broken escape is bad credentials (§5.2).
    const id = formDecoded(decoded.slice(0, colon));
    const password = formDecoded(decoded.slice(colon + 1));
    if (id === undefined || password === undefined) {
      return { ok: false, answer: invalidClient("the Basic credentials are not valid form-urlencoding") };
    }
    clientId = id;
    secret = password;
  }
  if (clientId === undefined) return { ok: false, answer: invalidClient("client_id is required") };
  const resolved = await resolveClient(ctx, fetcher, clientId, clientAddress);
  if (!resolved.ok) return { ok: false, answer: invalidClient(resolved.message) };
  const { client } = resolved;
  if (client.secretHash !== null) {
    if (secret === undefined || !secretsEqual(clientSecretHash(ctx, secret), client.secretHash)) {
      return { ok: false, answer: invalidClient("the client secret is missing or wrong") };
    }
  }
  return { ok: true, client };
}

/** A form-urlencoded value decoded, or undefined when it has a malformed `%` escape. */
function formDecoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

function invalidClient(description: string): TokenAnswer {
  return oauthError(401, "invalid_client", description, { "www-authenticate": 'Basic realm="mcp-gateway"' });
}

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

/** The token endpoint: authorization_code and refresh_token grants. */
export async function tokenEndpoint(
  ctx: ServiceContext,
  fetcher: MetadataDocumentFetcher,
  form: TokenForm,
  authorization: string | undefined,
  clientAddress: string,
): Promise<TokenAnswer> {
  const twice = repeated(form);
  if (twice !== undefined) return oauthError(400, "invalid_request", `${twice} may be sent only once`);
  const grantType = param(form, "grant_type");
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    return oauthError(
      400,
      "unsupported_grant_type",
      "grant_type must be authorization_code or refresh_token",
    );
  }
  const auth = await authenticateClient(ctx, fetcher, form, authorization, clientAddress);
  if (!auth.ok) return auth.answer;
  return grantType === "authorization_code"
    ? exchangeCode(ctx, auth.client, form)
    : exchangeRefreshToken(ctx, auth.client, form);
}

/** RFC 8707 §2.2: a resource on the token request must name the URL the grant is bound to. */
function resourceMismatch(
  ctx: ServiceContext,
  form: TokenForm,
  bound: { tenant_id: string; server_id: string; url_token_id: string },
): boolean {
  const resource = param(form, "resource");
  if (resource === undefined) return false;
  const claims = claimsOfResource(ctx, resource);
  return (
    claims === undefined ||
    claims.tenantId !== bound.tenant_id ||
    claims.serverId !== bound.server_id ||
    claims.tokenId !== bound.url_token_id
  );
}

/**
 * Whether a grant still stands on live ground: its MCP server (the same URL token), its account, its tenant
 * and the API token of the person who approved it. Checked at every use, so deleting any of them ends it.
 */
async function grantStillValid(
  ctx: ServiceContext,
  grant: Pick<
    OAuthGrantRecord,
    "tenant_id" | "server_id" | "account_id" | "url_token_id" | "approved_by_api_token_id"
  >,
  nowMs: number,
): Promise<boolean> {
  const [{ server, account }, approver] = await Promise.all([
    findMcpServerWithAccount(ctx.redis, grant.tenant_id, grant.server_id, grant.account_id),
    findApiToken(ctx.redis, grant.approved_by_api_token_id),
  ]);
  if (server === undefined || account === undefined || server.token_id !== grant.url_token_id) return false;
  if (isExpired(server.expires_at, nowMs)) return false;
  return (
    approver !== undefined && approver.tenant_id === grant.tenant_id && !isExpired(approver.expires_at, nowMs)
  );
}

/** The grant's sliding expiry: now + the refresh lifetime, never past the server's own expiry. */
async function grantExpiry(
  ctx: ServiceContext,
  grant: { tenant_id: string; server_id: string; account_id: string },
  nowMs: number,
): Promise<number> {
  const { server } = await findMcpServerWithAccount(
    ctx.redis,
    grant.tenant_id,
    grant.server_id,
    grant.account_id,
  );
  const serverExpiry = server === undefined ? null : expiryMs(server.expires_at);
  const sliding = nowMs + ctx.config.oauth.refreshTtlMs;
  return serverExpiry === null ? sliding : Math.min(sliding, serverExpiry);
}

function accessRecord(
  ctx: ServiceContext,
  grantId: string,
  nowMs: number,
  grantExpiresMs: number,
): OAuthAccessTokenRecord {
  const expires = Math.min(nowMs + ctx.config.oauth.accessTokenTtlMs, grantExpiresMs);
  return { v: 1, grant_id: grantId, expires_at: new Date(expires).toISOString() };
}

function tokenResponse(
  access: string,
  accessExpiresAt: string,
  refresh: string,
  nowMs: number,
  scope: string,
): TokenAnswer {
  return {
    status: 200,
    headers: NO_STORE,
    body: {
      access_token: access,
      token_type: "Bearer",
      expires_in: Math.max(1, Math.floor((Date.parse(accessExpiresAt) - nowMs) / 1_000)),
      refresh_token: refresh,
      scope,
    },
  };
}

function codeReplayed(): TokenAnswer {
  return oauthError(400, "invalid_grant", "the authorization code was already used; its tokens are revoked");
}

async function exchangeCode(ctx: ServiceContext, client: OAuthClient, form: TokenForm): Promise<TokenAnswer> {
  const code = param(form, "code");
  const tenantId = code === undefined ? undefined : tenantOfOpaqueToken("code", code);
  if (code === undefined || tenantId === undefined) {
    return oauthError(400, "invalid_grant", "the authorization code is missing or malformed");
  }
  const redeemed = await redeemAuthorizationCode(
    ctx.redis,
    tenantId,
    authorizationCodeHash(ctx, code),
    OAUTH_LIMITS.codeTtlMs,
  );
  if (redeemed === undefined)
    return oauthError(400, "invalid_grant", "the authorization code is unknown or expired");
  const { record } = redeemed;
  if (!redeemed.first) {
    // OAuth 2.1 §4.1.3: a code used twice revokes what was issued for it.
    await ctx.acked.commit([keys.tenant(tenantId)], (redis) =>
      revokeGrantOfReplayedCode(redis, tenantId, record.grant_id, OAUTH_LIMITS.codeTtlMs),
    );
    return codeReplayed();
  }
  if (record.client_id !== client.id)
    return oauthError(400, "invalid_grant", "the code was issued to another client");
  if (param(form, "redirect_uri") !== record.redirect_uri) {
    return oauthError(
      400,
      "invalid_grant",
      "redirect_uri must be the one sent to the authorization endpoint",
    );
  }
  const verifier = param(form, "code_verifier");
  if (verifier === undefined || !pkceMatches(verifier, record.code_challenge)) {
    return oauthError(400, "invalid_grant", "code_verifier does not match the code_challenge (PKCE S256)");
  }
  if (resourceMismatch(ctx, form, record)) {
    return oauthError(400, "invalid_target", "resource must be the MCP server URL that was approved");
  }
  const now = ctx.clock.now();
  if (!(await grantStillValid(ctx, record, now))) {
    return oauthError(400, "invalid_grant", "the MCP server URL or the approving API token is gone");
  }
  const expiresMs = await grantExpiry(ctx, record, now);
  const grant: OAuthGrantRecord = {
    v: 1,
    id: record.grant_id,
    tenant_id: record.tenant_id,
    server_id: record.server_id,
    account_id: record.account_id,
    url_token_id: record.url_token_id,
    client_id: record.client_id,
    client_kind: record.client_kind,
    client_name: record.client_name,
    redirect_uri: record.redirect_uri,
    scope: record.scope,
    approved_by_api_token_id: record.approved_by_api_token_id,
    refresh_salt: newRefreshSalt(),
    refresh_generation: 0,
    previous_generation: null,
    created_at: nowIso(ctx),
    last_refreshed_at: null,
    expires_at: new Date(expiresMs).toISOString(),
  };
  const access = generateAccessToken(tenantId);
  const accessRec = accessRecord(ctx, grant.id, now, expiresMs);
  const written = await ctx.acked.commit([keys.tenant(tenantId)], (redis) =>
    insertGrant(redis, grant, accessTokenHash(ctx, access), accessRec),
  );
  // A replay that overtook this exchange has revoked the grant before it was written: nothing is issued.
  if (written === "revoked") return codeReplayed();
  if (written === "gone") return oauthError(400, "invalid_grant", "the MCP server URL is gone");
  const refresh = formatRefreshToken(tenantId, grant.id, 0, refreshMac(ctx, grant, 0));
  return tokenResponse(access, accessRec.expires_at, refresh, now, grant.scope);
}

/** Finds the grant a refresh token belongs to and checks the token's MAC (so a forged one changes nothing). */
async function grantOfRefreshToken(
  ctx: ServiceContext,
  token: string | undefined,
): Promise<{ grant: OAuthGrantRecord; generation: number } | undefined> {
  const parsed = token === undefined ? undefined : parseRefreshToken(token);
  if (parsed === undefined) return undefined;
  const grant = await findGrant(ctx.redis, parsed.tenantId, parsed.grantId);
  if (grant === undefined || grant.refresh_generation < parsed.generation) return undefined;
  if (!secretsEqual(parsed.mac, refreshMac(ctx, grant, parsed.generation))) return undefined;
  return { grant, generation: parsed.generation };
}

async function exchangeRefreshToken(
  ctx: ServiceContext,
  client: OAuthClient,
  form: TokenForm,
): Promise<TokenAnswer> {
  const found = await grantOfRefreshToken(ctx, param(form, "refresh_token"));
  if (found === undefined)
    return oauthError(400, "invalid_grant", "the refresh token is unknown, expired or revoked");
  const { grant, generation } = found;
  if (grant.client_id !== client.id)
    return oauthError(400, "invalid_grant", "the refresh token was issued to another client");
  if (resourceMismatch(ctx, form, grant)) {
    return oauthError(400, "invalid_target", "resource must be the MCP server URL the grant is for");
  }
  const now = ctx.clock.now();
  if (Date.parse(grant.expires_at) <= now || !(await grantStillValid(ctx, grant, now))) {
    return oauthError(
      400,
      "invalid_grant",
      "the grant has ended: its MCP server URL or approving API token is gone",
    );
  }
  const expiresMs = await grantExpiry(ctx, grant, now);
  const access = generateAccessToken(grant.tenant_id);
  const accessRec = accessRecord(ctx, grant.id, now, expiresMs);
  const rotated = await ctx.acked.commit([keys.tenant(grant.tenant_id)], (redis) =>
    rotateRefreshToken(redis, grant, generation, {
      expiresAt: new Date(expiresMs).toISOString(),
      refreshedAt: nowIso(ctx),
      accessTokenHash: accessTokenHash(ctx, access),
      access: accessRec,
      nowMs: now,
      graceMs: OAUTH_LIMITS.refreshGraceMs,
    }),
  );
  switch (rotated.outcome) {
    case "ok": {
      const refresh = formatRefreshToken(
        grant.tenant_id,
        grant.id,
        rotated.generation,
        refreshMac(ctx, grant, rotated.generation),
      );
      return tokenResponse(access, accessRec.expires_at, refresh, now, grant.scope);
    }
    case "reused":
      return oauthError(400, "invalid_grant", "this refresh token was already used; the grant is revoked");
    case "gone":
      return oauthError(400, "invalid_grant", "the refresh token is unknown, expired or revoked");
    default: {
      const unhandled: never = rotated;
      throw new Error(`unhandled rotation ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * RFC 7009 revocation: an access token is deleted; a refresh token ends its whole grant. Unknown tokens and
 * tokens of other clients are answered 200 as well (§2.2), changing nothing.
 */
export async function revocationEndpoint(
  ctx: ServiceContext,
  fetcher: MetadataDocumentFetcher,
  form: TokenForm,
  authorization: string | undefined,
  clientAddress: string,
): Promise<TokenAnswer> {
  const twice = repeated(form);
  if (twice !== undefined) return oauthError(400, "invalid_request", `${twice} may be sent only once`);
  const auth = await authenticateClient(ctx, fetcher, form, authorization, clientAddress);
  if (!auth.ok) return auth.answer;
  const token = param(form, "token");
  if (token === undefined) return oauthError(400, "invalid_request", "token is required");
  const done: TokenAnswer = { status: 200, body: {}, headers: NO_STORE };
  const accessTenant = tenantOfOpaqueToken("access", token);
  if (accessTenant !== undefined) {
    const hash = accessTokenHash(ctx, token);
    const { grant } = await findAccessTokenWithGrant(ctx.redis, accessTenant, hash);
    if (grant !== undefined && grant.client_id === auth.client.id) {
      await ctx.acked.commit([keys.tenant(accessTenant)], (redis) =>
        deleteAccessToken(redis, accessTenant, hash),
      );
    }
    return done;
  }
  const found = await grantOfRefreshToken(ctx, token);
  if (found !== undefined && found.grant.client_id === auth.client.id) {
    const { tenant_id: tenantId, id } = found.grant;
    await ctx.acked.commit([keys.tenant(tenantId)], (redis) => deleteGrant(redis, tenantId, id));
  }
  return done;
}

/** Why an OAuth access token does not open an MCP URL (all answered with the same 401). */
export type AccessTokenFailure =
  | "malformed"
  | "other_tenant"
  | "unknown"
  | "expired"
  | "grant_gone"
  | "other_url"
  | "approver_gone";

/**
 * Checks an OAuth access token presented to the MCP URL of `server` (tenant, id and current URL token id):
 * the token exists and is unexpired, its grant stands, the grant is for exactly this URL, and the approving
 * API token and the tenant still exist. A few O(1) reads, whatever the number of servers.
 */
export async function authenticateAccessToken(
  ctx: ServiceContext,
  token: string,
  server: { tenantId: string; serverId: string; urlTokenId: string },
): Promise<{ ok: true; grantId: string } | { ok: false; reason: AccessTokenFailure }> {
  const tenantId = tenantOfOpaqueToken("access", token);
  if (tenantId === undefined) return { ok: false, reason: "malformed" };
  if (tenantId !== server.tenantId) return { ok: false, reason: "other_tenant" };
  const now = ctx.clock.now();
  const found = await findAccessTokenWithGrant(ctx.redis, tenantId, accessTokenHash(ctx, token));
  if (found.access === undefined) return { ok: false, reason: "unknown" };
  if (Date.parse(found.access.expires_at) <= now) return { ok: false, reason: "expired" };
  const { grant } = found;
  if (grant === undefined || !found.tenantExists || Date.parse(grant.expires_at) <= now) {
    return { ok: false, reason: "grant_gone" };
  }
  if (grant.server_id !== server.serverId || grant.url_token_id !== server.urlTokenId) {
    return { ok: false, reason: "other_url" };
  }
  const approver = await findApiToken(ctx.redis, grant.approved_by_api_token_id);
  if (approver === undefined || approver.tenant_id !== tenantId || isExpired(approver.expires_at, now)) {
    return { ok: false, reason: "approver_gone" };
  }
  return { ok: true, grantId: grant.id };
}
