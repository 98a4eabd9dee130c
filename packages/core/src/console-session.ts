import { randomBytes } from "node:crypto";

/**
 * Console session ids: `mcpg_cs.<scope>.<secret>`, carried only in an HttpOnly cookie.
 *   - `<scope>` is the tenant id (`ten_…`) of a tenant's session, or `operator`; it names the Redis key's hash
 *     tag, so a session is found without any index. It is not secret.
 *   - `<secret>` is 32 random bytes in base64url (43 characters).
 * Only HMAC-SHA-256(SECRET_HASH_KEY, whole id) is stored, as with API tokens (see hashSecret).
 */
export const CONSOLE_SESSION_PREFIX = "mcpg_cs";

/** The scope of an operator's session (tenant sessions use the tenant id). */
export const OPERATOR_SCOPE = "operator";

/** Console session limits, each with its reason. (Kept beside the session format; LIMITS holds the others.) */
export const CONSOLE_SESSION_LIMITS = {
  /** A session ends after this long without a request, so a forgotten tab does not stay signed in (OWASP ASVS 3.3.2). */
  idleMs: 30 * 60_000,
  /** A session ends this long after sign-in however busy it is: people sign in again once a working day (ASVS 3.3.1). */
  absoluteMs: 12 * 60 * 60_000,
} as const;

const SESSION_ID = /^mcpg_cs\.(ten_[a-z2-7]{26}|operator)\.[A-Za-z0-9_-]{43}$/;
const SESSION_ID_CHARS_MAX = 8 + 30 + 1 + 43;

/** A fresh session id for a tenant (by id) or for the operator (`null`). */
export function generateConsoleSessionId(tenantId: string | null): string {
  const scope = tenantId ?? OPERATOR_SCOPE;
  return `${CONSOLE_SESSION_PREFIX}.${scope}.${randomBytes(32).toString("base64url")}`;
}

/** The tenant a well-formed session id names (`null` for the operator's); checks nothing secret. */
export function parseConsoleSessionId(value: unknown): { ok: true; tenantId: string | null } | { ok: false } {
  // The length test runs first so a huge cookie never reaches the regex.
  if (typeof value !== "string" || value.length > SESSION_ID_CHARS_MAX) return { ok: false };
  const match = SESSION_ID.exec(value);
  if (match === null) return { ok: false };
  return { ok: true, tenantId: match[1] === OPERATOR_SCOPE ? null : (match[1] ?? null) };
}
