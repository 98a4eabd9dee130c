import { createHmac, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { CompactSign } from "jose";
import type { Clock } from "./clock.js";
import { type EntityScope, isScoped, sortedScope } from "./entity-scope.js";
import { isJsonObject } from "./json.js";
import type { McpSigningKey, McpSigningKeys } from "./key-material.js";
import { LIMITS } from "./limits.js";

/**
 * MCP URL tokens: a JWS compact serialization with an HMAC-SHA-256 signature (JWS "HS256", RFC 7518 §3.2),
 * carried in the path of `/mcp/<token>`.
 *
 * Header: exactly the text `{"alg":"HS256","kid":"<kid>","typ":"mcpg-mcp+jwt"}`; no other header is accepted (no
 * jku/jwk/x5u/crit), and no other spelling of this one either (whitespace, member order, duplicated members, escapes):
 * the verifier compares the header's base64url segment with the one segment each kid of the ring has.
 *
 * Why a MAC and not a public-key signature: the gateway is the only party that ever signs or verifies these
 * tokens, so a public key would serve nobody, and every request to `/mcp/<token>` pays for the check, forged ones
 * included. An HMAC check costs a few microseconds; an Ed25519 verify costs tens. The keys are 32 random bytes
 * (RFC 8725 §3.5), rotated by `kid` like any other key ring.
 *
 * Payload (short names keep the URL short):
 *
 *   iss  issuer (the gateway)                    aud  audience (the gateway's MCP endpoint)
 *   sub  tenant id                               jti  token id, random; the server record stores it
 *   iat  issued at, seconds                      srv  MCP server id
 *   acc  integrated account id                   rat  require_api_token_auth (boolean)
 *   tex  tool_exposure: "all" | "discovery"      mth  methods filter (absent = no method filter)
 *   tgs  tags filter (absent = no tag filter)    scp  entity scope, e.g. {"user_id":"usr-99"} (absent = none)
 *   exp  expiry in seconds, rounded up           ems  expiry in epoch milliseconds, exact
 *
 * Expiry to the millisecond: JWT `exp` counts seconds, but a URL must stop working one millisecond after its
 * `expires_at`. So the token carries the exact instant in `ems` and, for generic tools, `exp = ceil(ems / 1000)`,
 * never earlier than the real expiry. Both are present for an expiring server and both absent for one without
 * expiry. The verifier uses `ems` only, with no tolerance (the gateway is the only verifier): a token is valid
 * while now < ems and refused from now >= ems on, matching RFC 7519 §4.1.4 ("on or after").
 */
export const MCP_TOKEN_TYPE = "mcpg-mcp+jwt";
const ALGORITHM = "HS256";
// An HMAC-SHA-256 tag is exactly 32 bytes, 43 characters of unpadded base64url.
const HS256_SIGNATURE_BYTES = 32;
const HEADER_MEMBERS = new Set(["alg", "kid", "typ"]);
// Compact JWS: three base64url parts; the bis draft of RFC 8725 refuses anything else before parsing.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// One decoder for every call (decode without `stream` keeps no state): invalid UTF-8 throws instead of becoming U+FFFD.
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

export type ToolExposure = "all" | "discovery";

/** What an MCP token grants, as code sees it (the wire names are in the module comment). */
export interface McpTokenClaims {
  readonly issuer: string;
  readonly audience: string;
  readonly tenantId: string;
  readonly serverId: string;
  readonly accountId: string;
  /** Method filter; undefined = no method filter (every method). */
  readonly methods?: readonly string[] | undefined;
  /** Tag filter; undefined = no tag filter (every tag). */
  readonly tags?: readonly string[] | undefined;
  /** Entity scope (entity key -> id, AND); undefined = the URL is not pinned to an entity. */
  readonly scope?: EntityScope | undefined;
  readonly requireApiTokenAuth: boolean;
  readonly toolExposure: ToolExposure;
  /** Exact expiry in epoch milliseconds, or null when the server never expires. */
  readonly expiresAt: number | null;
  /** The `jti`; the server record must hold the same value. */
  readonly tokenId: string;
  /** The `iat`, in seconds since the epoch (JWT resolution). */
  readonly issuedAtSeconds: number;
}

/** What the minting code supplies; `tokenId` is generated when omitted and `issuedAtSeconds` comes from the clock. */
export type McpTokenGrant = Omit<McpTokenClaims, "tokenId" | "issuedAtSeconds"> & {
  readonly tokenId?: string;
};

/** The in-memory HMAC keys: one signs, all verify. Verification never looks a `kid` up anywhere else. */
export interface McpKeyRing {
  readonly signer: McpSigningKey;
  readonly verifiers: ReadonlyMap<string, KeyObject>;
  /** The exact protected-header segment (base64url) of each verifying key's tokens, mapped to that key. */
  readonly headerSegments: ReadonlyMap<string, McpSigningKey>;
}

export type McpTokenFailureReason =
  | "malformed"
  | "too_long"
  | "bad_signature"
  | "unknown_key"
  | "wrong_type"
  | "wrong_issuer"
  | "wrong_audience"
  | "expired"
  | "not_yet_valid"
  | "missing_claim";

export type McpTokenVerifyResult =
  | { ok: true; claims: McpTokenClaims; kid: string }
  | { ok: false; reason: McpTokenFailureReason };

export type McpTokenSignResult =
  | { ok: true; token: string; claims: McpTokenClaims }
  | { ok: false; reason: "too_long"; chars: number };

export interface McpTokenVerifyOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly clock: Clock;
}

/** Builds the key ring from parsed MCP_TOKEN_KEYS: the first key signs, every key verifies. */
export function createKeyRing(keys: McpSigningKeys): McpKeyRing {
  const verifiers = new Map<string, KeyObject>();
  const headerSegments = new Map<string, McpSigningKey>();
  for (const key of keys) {
    if (verifiers.has(key.kid)) throw new Error(`MCP token key id "${key.kid}" is listed twice`);
    verifiers.set(key.kid, key.key);
    headerSegments.set(headerSegment(key.kid), key);
  }
  return { signer: keys[0], verifiers, headerSegments };
}

/** The protected header every token of `kid` carries, as its base64url segment: one text per key. */
function headerSegment(kid: string): string {
  return Buffer.from(JSON.stringify(protectedHeaderFor(kid))).toString("base64url");
}

function protectedHeaderFor(kid: string): { alg: string; kid: string; typ: string } {
  // Member order is part of the text: JSON.stringify (ours and jose's) keeps insertion order.
  return { alg: ALGORITHM, kid, typ: MCP_TOKEN_TYPE };
}

/**
 * Signs a token for `grant` with the ring's active key. A grant whose token would exceed LIMITS.mcpTokenMaxChars
 * (too many or too long filter entries) is an expected failure the caller reports; a malformed grant is a bug.
 */
export async function signMcpToken(
  ring: McpKeyRing,
  grant: McpTokenGrant,
  clock: Clock,
): Promise<McpTokenSignResult> {
  assertGrant(grant);
  // Field by field, so nothing the caller's object happens to carry slips into the claims.
  const claims: McpTokenClaims = {
    issuer: grant.issuer,
    audience: grant.audience,
    tenantId: grant.tenantId,
    serverId: grant.serverId,
    accountId: grant.accountId,
    methods: grant.methods,
    tags: grant.tags,
    scope: isScoped(grant.scope) ? sortedScope(grant.scope) : undefined,
    requireApiTokenAuth: grant.requireApiTokenAuth,
    toolExposure: grant.toolExposure,
    expiresAt: grant.expiresAt,
    tokenId: grant.tokenId ?? randomBytes(16).toString("base64url"),
    issuedAtSeconds: Math.floor(clock.now() / 1000),
  };
  const payload: Record<string, unknown> = {
    iss: claims.issuer,
    aud: claims.audience,
    sub: claims.tenantId,
    jti: claims.tokenId,
    iat: claims.issuedAtSeconds,
    srv: claims.serverId,
    acc: claims.accountId,
    rat: claims.requireApiTokenAuth,
    tex: claims.toolExposure,
  };
  if (claims.methods !== undefined) payload.mth = claims.methods;
  if (claims.tags !== undefined) payload.tgs = claims.tags;
  if (claims.scope !== undefined) payload.scp = claims.scope;
  if (claims.expiresAt !== null) {
    payload.exp = Math.ceil(claims.expiresAt / 1000);
    payload.ems = claims.expiresAt;
  }
  const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(protectedHeaderFor(ring.signer.kid))
    .sign(ring.signer.key);
  if (token.length > LIMITS.mcpTokenMaxChars) return { ok: false, reason: "too_long", chars: token.length };
  return { ok: true, token, claims };
}

/**
 * Verifies an MCP token against the ring and returns its claims, or why it was refused. The caller answers every
 * refusal the same way (no oracle); the reason is for logs and metrics. Synchronous and CPU-only: a forged token
 * costs one HMAC at most, and no exception.
 */
export function verifyMcpToken(
  ring: McpKeyRing,
  token: string,
  options: McpTokenVerifyOptions,
): McpTokenVerifyResult {
  // Length and alphabet first: nothing is decoded or parsed until the input has the shape of a compact JWS.
  if (typeof token !== "string") return refuse("malformed");
  if (token.length > LIMITS.mcpTokenMaxChars) return refuse("too_long");
  if (!COMPACT_JWS.test(token)) return refuse("malformed");

  // The header is compared as text, not parsed: each key has exactly one header segment, so a header with
  // whitespace, another member order, a duplicated or extra member or an escaped spelling selects no key, and a
  // genuine token costs one map lookup. RFC 8725 §3.1 (one pinned algorithm, compared exactly), §3.10 (the kid is
  // untrusted input; it selects from the in-memory ring and nothing else), §3.11 (an explicit typ, so no other
  // JWT we might ever sign is accepted as an MCP URL token).
  const headerPart = token.slice(0, token.indexOf("."));
  const signer = ring.headerSegments.get(headerPart);
  if (!signer) return refuse(headerRefusal(headerPart, ring));

  // The tag must be exactly 32 bytes in its one canonical spelling (no trailing bits set), so one token has
  // one text. Then HMAC-SHA-256 over the ASCII signing input, compared in constant time (RFC 7518 §3.2).
  const signatureAt = token.lastIndexOf(".");
  const signaturePart = token.slice(signatureAt + 1);
  const signature = Buffer.from(signaturePart, "base64url");
  if (signature.length !== HS256_SIGNATURE_BYTES || signature.toString("base64url") !== signaturePart) {
    return refuse("bad_signature");
  }
  const expected = createHmac("sha256", signer.key).update(token.slice(0, signatureAt), "ascii").digest();
  if (!timingSafeEqual(expected, signature)) return refuse("bad_signature");

  const payload = decodeJsonPart(token.slice(headerPart.length + 1, signatureAt));
  if (!payload) return refuse("malformed");
  return checkClaims(payload, signer.kid, options);
}

/**
 * Why a header that is not one of the ring's exact segments is refused, for logs and metrics only (every reason
 * gets the same answer). Only refused tokens come here, and nothing here checks a signature.
 */
function headerRefusal(part: string, ring: McpKeyRing): McpTokenFailureReason {
  const header = decodeJsonPart(part);
  if (!header || Object.keys(header).some((name) => !HEADER_MEMBERS.has(name))) return "malformed";
  if (header.alg !== ALGORITHM) return "bad_signature";
  if (typeof header.kid !== "string") return "malformed";
  if (!ring.verifiers.has(header.kid)) return "unknown_key";
  if (header.typ !== MCP_TOKEN_TYPE) return "wrong_type";
  // The right values in another text: whitespace, member order, a duplicated member, an escape.
  return "malformed";
}

function checkClaims(
  payload: Record<string, unknown>,
  kid: string,
  options: McpTokenVerifyOptions,
): McpTokenVerifyResult {
  for (const name of ["iss", "aud", "sub", "jti", "iat", "srv", "acc", "rat", "tex"]) {
    if (!Object.hasOwn(payload, name)) return refuse("missing_claim");
  }
  const { iss, aud, sub, jti, iat, srv, acc, rat, tex, mth, tgs, scp, exp, ems } = payload;
  if (
    !isNonEmptyString(iss) ||
    !(isNonEmptyString(aud) || (Array.isArray(aud) && aud.every(isNonEmptyString))) ||
    !isNonEmptyString(sub) ||
    !isNonEmptyString(jti) ||
    !isNonEmptyString(srv) ||
    !isNonEmptyString(acc) ||
    !Number.isSafeInteger(iat) ||
    typeof rat !== "boolean" ||
    (tex !== "all" && tex !== "discovery") ||
    (mth !== undefined && !isStringArray(mth)) ||
    (tgs !== undefined && !isStringArray(tgs)) ||
    (scp !== undefined && !isScopeClaim(scp))
  ) {
    return refuse("malformed");
  }
  if (iss !== options.issuer) return refuse("wrong_issuer");
  if (Array.isArray(aud) ? !aud.includes(options.audience) : aud !== options.audience)
    return refuse("wrong_audience");

  // exp and ems travel together; a token with only one of them was not made by signMcpToken.
  if ((exp === undefined) !== (ems === undefined)) return refuse("missing_claim");
  let expiresAt: number | null = null;
  if (ems !== undefined) {
    if (!Number.isSafeInteger(ems) || exp !== Math.ceil((ems as number) / 1000)) return refuse("malformed");
    expiresAt = ems as number;
  }

  const now = options.clock.now();
  if (expiresAt !== null && now >= expiresAt) return refuse("expired");
  if ((iat as number) * 1000 > now + LIMITS.mcpTokenIssuedAtSkewMs) return refuse("not_yet_valid");

  return {
    ok: true,
    kid,
    claims: {
      issuer: iss,
      audience: options.audience,
      tenantId: sub,
      serverId: srv,
      accountId: acc,
      methods: mth as string[] | undefined,
      tags: tgs as string[] | undefined,
      scope: scp as EntityScope | undefined,
      requireApiTokenAuth: rat,
      toolExposure: tex,
      expiresAt,
      tokenId: jti,
      issuedAtSeconds: iat as number,
    },
  };
}

function assertGrant(grant: McpTokenGrant): void {
  const strings = [grant.issuer, grant.audience, grant.tenantId, grant.serverId, grant.accountId];
  if (!strings.every(isNonEmptyString))
    throw new TypeError("MCP token grant: ids, issuer and audience must be set");
  if (grant.tokenId !== undefined && !isNonEmptyString(grant.tokenId))
    throw new TypeError("MCP token grant: empty tokenId");
  if (grant.expiresAt !== null && !(Number.isSafeInteger(grant.expiresAt) && grant.expiresAt > 0)) {
    throw new RangeError(
      "MCP token grant: expiresAt must be epoch milliseconds (a positive integer) or null",
    );
  }
  if (
    (grant.methods !== undefined && !isStringArray(grant.methods)) ||
    (grant.tags !== undefined && !isStringArray(grant.tags))
  ) {
    throw new TypeError("MCP token grant: methods and tags must be arrays of strings when given");
  }
  if (grant.scope !== undefined && !isScopeClaim(grant.scope) && Object.keys(grant.scope).length > 0) {
    throw new TypeError("MCP token grant: scope must map entity keys to non-empty ids");
  }
}

/** A signed scope: a non-empty object of non-empty string ids (signMcpToken never writes an empty one). */
function isScopeClaim(value: unknown): value is EntityScope {
  if (!isJsonObject(value)) return false;
  const entries = Object.entries(value);
  return entries.length > 0 && entries.every(([key, id]) => key !== "" && isNonEmptyString(id));
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  return parseJsonObject(Buffer.from(part, "base64url"));
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(STRICT_UTF8.decode(bytes));
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function refuse(reason: McpTokenFailureReason): { ok: false; reason: McpTokenFailureReason } {
  return { ok: false, reason };
}
