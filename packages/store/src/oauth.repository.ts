import type { McpTokenClaims } from "@mcp-gateway/core";
import type { Redis } from "ioredis";
import { idOfMember, indexMember } from "./index-pagination.js";
import { keys } from "./keys.js";
import { parseRecord } from "./records.js";

/** How a client is known: registered through DCR, or by the URL of its Client ID Metadata Document. */
export type OAuthClientKind = "registered" | "metadata_document";

/** A client registered through DCR (RFC 7591). The secret, when there is one, is stored only as a keyed hash. */
export interface RegisteredClientRecord {
  v: 1;
  client_id: string;
  client_name: string;
  redirect_uris: string[];
  token_endpoint_auth_method: "none" | "client_secret_post" | "client_secret_basic";
  client_secret_hash: string | null;
  client_uri?: string;
  created_at: string;
}

/** An authorize request waiting for the person's Approve or Deny. */
export interface PendingAuthorizationRecord {
  v: 1;
  tenant_id: string;
  server_id: string;
  account_id: string;
  /** The URL token's jti: the grant is bound to this very URL, not to a later one of the same server. */
  url_token_id: string;
  /**
   * The URL token's claims (what it grants; not the token, which is never stored): the consent page shows
   * the tools they allow.
   */
  claims: McpTokenClaims;
  client_id: string;
  client_kind: OAuthClientKind;
  client_name: string;
  redirect_uri: string;
  state: string | null;
  code_challenge: string;
  scope: string;
  created_at: string;
}

/** What an approval is about: which client may reach which MCP URL, and who approved it. */
interface ApprovedAccess {
  v: 1;
  tenant_id: string;
  server_id: string;
  account_id: string;
  url_token_id: string;
  client_id: string;
  client_kind: OAuthClientKind;
  client_name: string;
  redirect_uri: string;
  scope: string;
  /** The API token behind the approving console session: deleting it ends the grant. */
  approved_by_api_token_id: string;
  created_at: string;
}

/** An approved request, redeemable once at the token endpoint. */
export interface AuthorizationCodeRecord extends ApprovedAccess {
  /** The grant the exchange creates; a second exchange of the same code revokes it. */
  grant_id: string;
  code_challenge: string;
}

/** One client's approved access to one MCP URL, with its rotating refresh token state. */
export interface OAuthGrantRecord extends ApprovedAccess {
  id: string;
  /** Random per grant; refresh tokens carry HMAC(SECRET_HASH_KEY, id|generation|salt). */
  refresh_salt: string;
  /**
   * The newest refresh token's generation, and the one before it: accepted once, within a short grace window
   * after `rotated_at_ms`, for a client that lost the rotation's response; null once that chance is used.
   */
  refresh_generation: number;
  previous_generation: number | null;
  /** When the newest generation was minted by a rotation (epoch ms); absent before the first rotation. */
  rotated_at_ms?: number;
  last_refreshed_at: string | null;
  /** When the grant ends unless refreshed: sliding, never past the server's own expiry. */
  expires_at: string;
}

/** An access token: its grant (which holds everything else) and its expiry. */
export interface OAuthAccessTokenRecord {
  v: 1;
  grant_id: string;
  expires_at: string;
}

// --- clients ------------------------------------------------------------------------------------------

/** Stores a DCR client for `ttlMs` (renewed whenever it is used). */
export async function insertRegisteredClient(
  redis: Redis,
  client: RegisteredClientRecord,
  ttlMs: number,
): Promise<void> {
  await redis.set(keys.oauthClient(client.client_id), JSON.stringify(client), "PX", ttlMs, "NX");
}

/** A DCR client by id, renewing its lifetime (a client in use is never forgotten). */
export async function findRegisteredClient(
  redis: Redis,
  clientId: string,
  ttlMs: number,
): Promise<RegisteredClientRecord | undefined> {
  const key = keys.oauthClient(clientId);
  const replies = await redis.multi().get(key).pexpire(key, ttlMs).exec();
  return parseRecord<RegisteredClientRecord>(replies?.[0]?.[1] as string | null | undefined);
}

/** Counts one registration from an address in the current window; returns the count so far. */
export async function countRegistration(
  redis: Redis,
  addressHash: string,
  windowMs: number,
): Promise<number> {
  return countInWindow(redis, keys.oauthRegistrationCount(addressHash), windowMs);
}

/** Counts one new metadata-document fetch for an address in the current window; returns the count so far. */
export async function countMetadataDocumentFetch(
  redis: Redis,
  addressHash: string,
  windowMs: number,
): Promise<number> {
  return countInWindow(redis, keys.oauthMetadataFetchCount(addressHash), windowMs);
}

/** Adds one to a counter whose window starts with its first count (SET NX sets the expiry once; INCR keeps it). */
async function countInWindow(redis: Redis, key: string, windowMs: number): Promise<number> {
  const replies = await redis.multi().set(key, 0, "PX", windowMs, "NX").incr(key).exec();
  return Number(replies?.[1]?.[1]);
}

/** Why a metadata document could not be used when last fetched (while remembered), or undefined. */
export async function findMetadataDocumentFailure(
  redis: Redis,
  urlHash: string,
): Promise<string | undefined> {
  return (await redis.get(keys.oauthMetadataDocumentFailure(urlHash))) ?? undefined;
}

/** Remembers for `ttlMs` why a metadata document could not be used, so that it is not refetched meanwhile. */
export async function cacheMetadataDocumentFailure(
  redis: Redis,
  urlHash: string,
  message: string,
  ttlMs: number,
): Promise<void> {
  await redis.set(keys.oauthMetadataDocumentFailure(urlHash), message, "PX", ttlMs);
}

/** A cached Client ID Metadata Document (the raw JSON text), or undefined. */
export async function findMetadataDocument(redis: Redis, urlHash: string): Promise<string | undefined> {
  return (await redis.get(keys.oauthMetadataDocument(urlHash))) ?? undefined;
}

/** Caches a validated Client ID Metadata Document for `ttlMs`. */
export async function cacheMetadataDocument(
  redis: Redis,
  urlHash: string,
  json: string,
  ttlMs: number,
): Promise<void> {
  await redis.set(keys.oauthMetadataDocument(urlHash), json, "PX", ttlMs);
}

// --- pending requests and codes ----------------------------------------------------------------------

/** Stores a pending authorize request under a random id. */
export async function insertPendingAuthorization(
  redis: Redis,
  requestId: string,
  record: PendingAuthorizationRecord,
  ttlMs: number,
): Promise<void> {
  await redis.set(keys.oauthPendingRequest(requestId), JSON.stringify(record), "PX", ttlMs, "NX");
}

/** A pending request by id, or undefined when unknown or expired. */
export async function findPendingAuthorization(
  redis: Redis,
  requestId: string,
): Promise<PendingAuthorizationRecord | undefined> {
  return parseRecord<PendingAuthorizationRecord>(await redis.get(keys.oauthPendingRequest(requestId)));
}

/** Takes a pending request away (Approve or Deny answer it once); undefined when it was already taken. */
export async function takePendingAuthorization(
  redis: Redis,
  requestId: string,
): Promise<PendingAuthorizationRecord | undefined> {
  return parseRecord<PendingAuthorizationRecord>(await redis.getdel(keys.oauthPendingRequest(requestId)));
}

/** Stores an authorization code under its keyed hash. */
export async function insertAuthorizationCode(
  redis: Redis,
  codeHash: string,
  record: AuthorizationCodeRecord,
  ttlMs: number,
): Promise<void> {
  await redis.set(keys.oauthCode(record.tenant_id, codeHash), JSON.stringify(record), "PX", ttlMs, "NX");
}

// Marks a code used and answers it with whether this was the first use. KEYS: code, used marker. ARGV: PX.
const REDEEM_CODE = `
local record = redis.call("GET", KEYS[1])
if not record then return nil end
local first = redis.call("SET", KEYS[2], "1", "NX", "PX", ARGV[1])
if first then return {record, 1} end
return {record, 0}`;

/**
 * Redeems a code: its record and whether this is the first redemption (a second one must revoke its grant,
 * OAuth 2.1 §4.1.3). The code's record stays until its TTL so that a replay can still be recognised.
 */
export async function redeemAuthorizationCode(
  redis: Redis,
  tenantId: string,
  codeHash: string,
  ttlMs: number,
): Promise<{ record: AuthorizationCodeRecord; first: boolean } | undefined> {
  const reply = (await redis.eval(
    REDEEM_CODE,
    2,
    keys.oauthCode(tenantId, codeHash),
    keys.oauthCodeUsed(tenantId, codeHash),
    ttlMs,
  )) as [string, number] | null;
  if (reply === null) return undefined;
  const record = parseRecord<AuthorizationCodeRecord>(reply[0]);
  return record === undefined ? undefined : { record, first: reply[1] === 1 };
}

// --- grants and access tokens ------------------------------------------------------------------------

// A grant is written only while its tenant and server exist (same slot) and its code was not replayed, with
// its first access token. KEYS: tenant, server, grant, grant index, access token, replay tombstone.
// ARGV: grant JSON, grant PXAT, index member, access JSON, access PXAT.
const INSERT_GRANT = `
if redis.call("EXISTS", KEYS[6]) == 1 then return "revoked" end
if redis.call("EXISTS", KEYS[1]) == 0 or redis.call("EXISTS", KEYS[2]) == 0 then return "gone" end
redis.call("SET", KEYS[3], ARGV[1], "PXAT", ARGV[2])
redis.call("ZADD", KEYS[4], 0, ARGV[3])
redis.call("SET", KEYS[5], ARGV[4], "PXAT", ARGV[5])
return "ok"`;

/**
 * Stores a new grant, indexed under its server, with its first access token: `gone` when the server is gone,
 * `revoked` when its code was replayed meanwhile (then nothing is written).
 */
export async function insertGrant(
  redis: Redis,
  grant: OAuthGrantRecord,
  accessTokenHash: string,
  access: OAuthAccessTokenRecord,
): Promise<"ok" | "gone" | "revoked"> {
  const written = await redis.eval(
    INSERT_GRANT,
    6,
    keys.tenant(grant.tenant_id),
    keys.mcpServer(grant.tenant_id, grant.server_id),
    keys.oauthGrant(grant.tenant_id, grant.id),
    keys.oauthGrantIndex(grant.tenant_id, grant.server_id),
    keys.oauthAccessToken(grant.tenant_id, accessTokenHash),
    keys.oauthGrantRevoked(grant.tenant_id, grant.id),
    JSON.stringify(grant),
    Date.parse(grant.expires_at),
    indexMember(Date.parse(grant.created_at), grant.id),
    JSON.stringify(access),
    Date.parse(access.expires_at),
  );
  return written === "ok" || written === "revoked" ? written : "gone";
}

/**
 * Revokes the grant of a replayed code (OAuth 2.1 §4.1.3): deletes it if written, and leaves a tombstone for
 * `ttlMs` so that a first exchange still in flight cannot write it afterwards.
 */
export async function revokeGrantOfReplayedCode(
  redis: Redis,
  tenantId: string,
  grantId: string,
  ttlMs: number,
): Promise<void> {
  await redis
    .multi()
    .set(keys.oauthGrantRevoked(tenantId, grantId), "1", "PX", ttlMs)
    .unlink(keys.oauthGrant(tenantId, grantId))
    .exec();
}

/** A grant by id. */
export async function findGrant(
  redis: Redis,
  tenantId: string,
  grantId: string,
): Promise<OAuthGrantRecord | undefined> {
  return parseRecord<OAuthGrantRecord>(await redis.get(keys.oauthGrant(tenantId, grantId)));
}

/**
 * What an access token stands on, in one round trip (one slot): the token, its grant and the tenant. Absent
 * parts come back undefined.
 */
export async function findAccessTokenWithGrant(
  redis: Redis,
  tenantId: string,
  tokenHash: string,
): Promise<{ access?: OAuthAccessTokenRecord; grant?: OAuthGrantRecord; tenantExists: boolean }> {
  const access = parseRecord<OAuthAccessTokenRecord>(
    await redis.get(keys.oauthAccessToken(tenantId, tokenHash)),
  );
  if (access === undefined) return { tenantExists: false };
  const [grant, tenant] = await redis.mget(keys.oauthGrant(tenantId, access.grant_id), keys.tenant(tenantId));
  const found = parseRecord<OAuthGrantRecord>(grant);
  return { access, ...(found === undefined ? {} : { grant: found }), tenantExists: tenant !== null };
}

// Rotates a grant's refresh token atomically. KEYS: grant, access token, tenant. ARGV: presented generation,
// new expiry ISO, new expiry ms, refreshed-at ISO, access JSON, access PXAT, now ms, grace ms.
// Returns {"ok", new generation} | {"reused"} | {"gone"}.
const ROTATE_REFRESH = `
if redis.call("EXISTS", KEYS[3]) == 0 then return {"gone"} end
local raw = redis.call("GET", KEYS[1])
if not raw then return {"gone"} end
local grant = cjson.decode(raw)
local presented = tonumber(ARGV[1])
local now = tonumber(ARGV[7])
local current = grant["refresh_generation"]
local previous = grant["previous_generation"]
local rotated = grant["rotated_at_ms"]
if presented == current then
  grant["previous_generation"] = current
elseif previous ~= cjson.null and presented == previous and type(rotated) == "number"
    and now - rotated <= tonumber(ARGV[8]) then
  -- the newest token never reached the client: it is replaced, and the previous one is spent
  grant["previous_generation"] = cjson.null
else
  redis.call("DEL", KEYS[1])
  return {"reused"}
end
grant["refresh_generation"] = current + 1
grant["rotated_at_ms"] = now
grant["expires_at"] = ARGV[2]
grant["last_refreshed_at"] = ARGV[4]
redis.call("SET", KEYS[1], cjson.encode(grant), "PXAT", ARGV[3])
redis.call("SET", KEYS[2], ARGV[5], "PXAT", ARGV[6])
return {"ok", current + 1}`;

export type RefreshRotation =
  | { outcome: "ok"; generation: number }
  | { outcome: "reused" }
  | { outcome: "gone" };

/**
 * Rotates a grant's refresh token (OAuth 2.1 §4.3.1): the presented generation must be the newest, or the
 * one before it once, within `next.graceMs` of the rotation that replaced it (a lost response); any other
 * means a token was copied, and the grant is revoked. Writes the new access token in the same step.
 */
export async function rotateRefreshToken(
  redis: Redis,
  grant: OAuthGrantRecord,
  presentedGeneration: number,
  next: {
    expiresAt: string;
    refreshedAt: string;
    accessTokenHash: string;
    access: OAuthAccessTokenRecord;
    nowMs: number;
    graceMs: number;
  },
): Promise<RefreshRotation> {
  const reply = (await redis.eval(
    ROTATE_REFRESH,
    3,
    keys.oauthGrant(grant.tenant_id, grant.id),
    keys.oauthAccessToken(grant.tenant_id, next.accessTokenHash),
    keys.tenant(grant.tenant_id),
    presentedGeneration,
    next.expiresAt,
    Date.parse(next.expiresAt),
    next.refreshedAt,
    JSON.stringify(next.access),
    Date.parse(next.access.expires_at),
    next.nowMs,
    next.graceMs,
  )) as [string, number?];
  if (reply[0] === "ok") return { outcome: "ok", generation: Number(reply[1]) };
  return { outcome: reply[0] === "reused" ? "reused" : "gone" };
}

/** Deletes a grant (its access and refresh tokens stop working at once); true when there was one. */
export async function deleteGrant(redis: Redis, tenantId: string, grantId: string): Promise<boolean> {
  return (await redis.unlink(keys.oauthGrant(tenantId, grantId))) === 1;
}

/** Deletes one access token; true when there was one. */
export async function deleteAccessToken(redis: Redis, tenantId: string, tokenHash: string): Promise<boolean> {
  return (await redis.unlink(keys.oauthAccessToken(tenantId, tokenHash))) === 1;
}

/** A server's live grants, oldest first, at most `limit`; entries of ended grants are pruned as they are met. */
export async function listGrants(
  redis: Redis,
  tenantId: string,
  serverId: string,
  limit: number,
  nowMs: number,
): Promise<OAuthGrantRecord[]> {
  const index = keys.oauthGrantIndex(tenantId, serverId);
  const members = await redis.zrange(index, 0, limit - 1);
  if (members.length === 0) return [];
  const raws = await redis.mget(...members.map((m) => keys.oauthGrant(tenantId, idOfMember(m))));
  const grants = raws.map((raw) => parseRecord<OAuthGrantRecord>(raw));
  const gone = members.filter((_, i) => {
    const grant = grants[i];
    return grant === undefined || Date.parse(grant.expires_at) <= nowMs;
  });
  if (gone.length > 0) await redis.zrem(index, ...gone);
  return grants.filter((g): g is OAuthGrantRecord => g !== undefined && Date.parse(g.expires_at) > nowMs);
}
