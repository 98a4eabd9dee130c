import { createHmac, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { CompactSign } from "jose";
import type { Clock } from "./clock.js";
import { isJsonObject } from "./json.js";
import type { McpSigningKey, McpSigningKeys } from "./key-material.js";
import { LIMITS } from "./limits.js";

/**
 * MCP URL tokens: a JWS compact serialization with an HMAC-SHA-256 signature (JWS "HS256", RFC 7518 §3.2),
 * carried in the path of `/mcp/<token>`.
 *
 * Header: `{"alg":"HS256","kid":"<kid>","typ":"mcpg-mcp+jwt"}`; no other header is accepted (no jku/jwk/x5u/crit).
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
 *   tgs  tags filter (absent = no tag filter)
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
const ALLOWED_HEADERS = new Set(["alg", "kid", "typ"]);
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
  for (const key of keys) {
    if (verifiers.has(key.kid)) throw new Error(`MCP token key id "${key.kid}" is listed twice`);
    verifiers.set(key.kid, key.key);
  }
  return { signer: keys[0], verifiers };
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
  if (claims.expiresAt !== null) {
    payload.exp = Math.ceil(claims.expiresAt / 1000);
    payload.ems = claims.expiresAt;
  }
  const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: ALGORITHM, kid: ring.signer.kid, typ: MCP_TOKEN_TYPE })
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

  const header = protectedHeader(token.slice(0, token.indexOf(".")));
  if (!header) return refuse("malformed");
  // RFC 8725 §3.1: one pinned algorithm, compared exactly ("none", "hs256", "HS512", "EdDSA" all fail here).
  if (header.alg !== ALGORITHM) return refuse("bad_signature");
  // RFC 8725 §3.10: the kid is untrusted input; it selects from the in-memory ring and nothing else.
  if (typeof header.kid !== "string") return refuse("malformed");
  const key = ring.verifiers.get(header.kid);
  if (!key) return refuse("unknown_key");

  // The tag must be exactly 32 bytes in its one canonical spelling (no trailing bits set), so one token has
  // one text. Then HMAC-SHA-256 over the ASCII signing input, compared in constant time (RFC 7518 §3.2).
  const signatureAt = token.lastIndexOf(".");
  const signaturePart = token.slice(signatureAt + 1);
  const signature = Buffer.from(signaturePart, "base64url");
  if (signature.length !== HS256_SIGNATURE_BYTES || signature.toString("base64url") !== signaturePart) {
    return refuse("bad_signature");
  }
  const expected = createHmac("sha256", key).update(token.slice(0, signatureAt), "ascii").digest();
  if (!timingSafeEqual(expected, signature)) return refuse("bad_signature");

  // RFC 8725 §3.11: an explicit type, so no other JWT we might ever sign is accepted as an MCP URL token.
  if (header.typ !== MCP_TOKEN_TYPE) return refuse("wrong_type");
  const payload = decodeJsonPart(token.slice(token.indexOf(".") + 1, signatureAt));
  if (!payload) return refuse("malformed");
  return checkClaims(payload, header.kid, options);
}

// Every genuine token of a key shares its header text, so parsed headers are remembered by that text (a
// bounded map: distinct texts sent to churn it cost what parsing does anyway).
const HEADER_CACHE_ENTRIES = 64;
const knownHeaders = new Map<string, Readonly<Record<string, unknown>>>();

/** The parsed protected header, when it is a JSON object with only the allowed members; else undefined. */
function protectedHeader(part: string): Readonly<Record<string, unknown>> | undefined {
  const known = knownHeaders.get(part);
  if (known !== undefined) return known;
  const header = decodeJsonPart(part);
  if (!header || Object.keys(header).some((name) => !ALLOWED_HEADERS.has(name))) return undefined;
  if (knownHeaders.size >= HEADER_CACHE_ENTRIES) knownHeaders.clear();
  knownHeaders.set(part, Object.freeze(header));
  return header;
}

function checkClaims(
  payload: Record<string, unknown>,
  kid: string,
  options: McpTokenVerifyOptions,
): McpTokenVerifyResult {
  for (const name of ["iss", "aud", "sub", "jti", "iat", "srv", "acc", "rat", "tex"]) {
    if (!Object.hasOwn(payload, name)) return refuse("missing_claim");
  }
  const { iss, aud, sub, jti, iat, srv, acc, rat, tex, mth, tgs, exp, ems } = payload;
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
    (tgs !== undefined && !isStringArray(tgs))
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
