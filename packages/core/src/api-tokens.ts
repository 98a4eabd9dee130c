import { createHash, createHmac, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { ID_PREFIXES, ID_RANDOM_CHARS, newApiTokenId } from "./ids.js";

/**
 * Tenant API tokens and the operator token.
 *
 * Tenant API token: `mcpg_at_<id>_<secret>` (78 characters), where
 *   - `<id>` is the random part of the token's record id (`tok_<id>`): 26 characters of a-z 2-7;
 *   - `<secret>` is 32 random bytes in base64url (43 characters).
 * The gateway reads the id to load one record, then compares HMAC-SHA-256(SECRET_HASH_KEY, whole token) with the
 * stored hash in constant time. Only that hash is stored; the token is shown once. The id is public (it appears
 * in listings and logs); the secret never is. The `mcpg_at_` prefix lets secret scanners spot a leaked token.
 *
 * Operator token: `mcpg_op_<secret>` (51 characters), configured as GATEWAY_ADMIN_TOKEN; there is only one, so
 * it has no id part. Compare it the same way: hash the presented value and the configured one, then secretsEqual.
 */
export const API_TOKEN_PREFIX = "mcpg_at_";
export const OPERATOR_TOKEN_PREFIX = "mcpg_op_";

const SECRET_BYTES = 32;
const SECRET_CHARS = 43;
/** Exact length of a tenant API token. */
export const API_TOKEN_CHARS = API_TOKEN_PREFIX.length + ID_RANDOM_CHARS + 1 + SECRET_CHARS;
/** Exact length of an operator token. */
export const OPERATOR_TOKEN_CHARS = OPERATOR_TOKEN_PREFIX.length + SECRET_CHARS;

const API_TOKEN = /^mcpg_at_([a-z2-7]{26})_[A-Za-z0-9_-]{43}$/;
const OPERATOR_TOKEN = /^mcpg_op_[A-Za-z0-9_-]{43}$/;

/** A fresh tenant API token and the id of the record that will hold its hash. */
export function generateApiToken(): { tokenId: string; token: string } {
  const tokenId = newApiTokenId();
  const idPart = tokenId.slice(ID_PREFIXES.apiToken.length + 1);
  return {
    tokenId,
    token: `${API_TOKEN_PREFIX}${idPart}_${randomBytes(SECRET_BYTES).toString("base64url")}`,
  };
}

/** A fresh operator token for GATEWAY_ADMIN_TOKEN. */
export function generateOperatorToken(): string {
  return `${OPERATOR_TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;
}

/** True when `value` has the exact shape of a tenant API token (length, prefix, alphabet); checks nothing secret. */
export function looksLikeApiToken(value: unknown): value is string {
  // The length test runs first so a huge header never reaches the regex.
  return typeof value === "string" && value.length === API_TOKEN_CHARS && API_TOKEN.test(value);
}

/** True when `value` has the exact shape of an operator token. */
export function looksLikeOperatorToken(value: unknown): value is string {
  return typeof value === "string" && value.length === OPERATOR_TOKEN_CHARS && OPERATOR_TOKEN.test(value);
}

/** The record id (`tok_…`) a well-formed API token names, so it can be loaded and then verified by hash. */
export function parseApiToken(value: unknown): { ok: true; tokenId: string } | { ok: false } {
  if (!looksLikeApiToken(value)) return { ok: false };
  const idPart = value.slice(API_TOKEN_PREFIX.length, API_TOKEN_PREFIX.length + ID_RANDOM_CHARS);
  return { ok: true, tokenId: `${ID_PREFIXES.apiToken}_${idPart}` };
}

/** HMAC-SHA-256 of a secret under SECRET_HASH_KEY, base64url (43 characters): the only form a token is stored in. */
export function hashSecret(hashKey: KeyObject, secret: string): string {
  return createHmac("sha256", hashKey).update(secret, "utf8").digest("base64url");
}

/** Compares two strings in time that depends on neither their contents nor their lengths. */
export function secretsEqual(a: string, b: string): boolean {
  // Digests have a fixed length, so timingSafeEqual never sees a length mismatch that would leak through a throw.
  const digestA = createHash("sha256").update(a, "utf8").digest();
  const digestB = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(digestA, digestB);
}

/** True when `secret` hashes to `storedHash` under `hashKey`, compared in constant time. */
export function verifySecretHash(hashKey: KeyObject, secret: string, storedHash: string): boolean {
  return secretsEqual(hashSecret(hashKey, secret), storedHash);
}
