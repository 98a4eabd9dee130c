import { randomBytes } from "node:crypto";

/**
 * Record ids: `<prefix>_<26 random characters>`, e.g. `acc_7kq2m4xw...`.
 *
 * Why prefixed ids rather than UUIDs (Truto's MCP server ids are UUIDs): every API field that carries an id
 * is typed as an opaque string, so clients do not depend on the UUID shape; a prefix names the kind of record
 * in logs and lets a route refuse an account id passed where a server id belongs before any lookup.
 * The random part is 26 characters of lowercase RFC 4648 base32 (a-z, 2-7), each drawn from 5 fresh random bits:
 * 130 bits, URL-safe, case-insensitive-safe, no separators, so it double-click selects and fits Redis keys.
 */
export const ID_PREFIXES = {
  tenant: "ten",
  account: "acc",
  mcpServer: "mcp",
  apiToken: "tok",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Characters in the random part of every id. */
export const ID_RANDOM_CHARS = 26;

const BASE32_LOWER = "abcdefghijklmnopqrstuvwxyz234567";
const RANDOM_PART = /^[a-z2-7]{26}$/;

/** A fresh random id part (26 base32 characters, 130 bits). */
export function randomIdPart(): string {
  // 256 is a multiple of 32, so masking each byte to 5 bits keeps the draw uniform.
  const bytes = randomBytes(ID_RANDOM_CHARS);
  let part = "";
  for (const byte of bytes) part += BASE32_LOWER[byte & 31];
  return part;
}

/** True when `value` is a well-formed random id part (no prefix). */
export function isRandomIdPart(value: unknown): value is string {
  return typeof value === "string" && RANDOM_PART.test(value);
}

/** A fresh id for a record of the given kind. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomIdPart()}`;
}

/** True when `value` is a well-formed id of the given kind; use it to refuse bad path params before any lookup. */
export function isId(kind: IdKind, value: unknown): value is string {
  if (typeof value !== "string") return false;
  const prefix = `${ID_PREFIXES[kind]}_`;
  return (
    value.length === prefix.length + ID_RANDOM_CHARS &&
    value.startsWith(prefix) &&
    isRandomIdPart(value.slice(prefix.length))
  );
}

/** A fresh tenant id (`ten_…`). */
export function newTenantId(): string {
  return newId("tenant");
}

/** A fresh integrated-account id (`acc_…`). */
export function newAccountId(): string {
  return newId("account");
}

/** A fresh MCP server id (`mcp_…`). */
export function newMcpServerId(): string {
  return newId("mcpServer");
}

/** A fresh API token record id (`tok_…`); the token itself embeds its random part (see api-tokens.ts). */
export function newApiTokenId(): string {
  return newId("apiToken");
}

/** True for a well-formed tenant id. */
export function isTenantId(value: unknown): value is string {
  return isId("tenant", value);
}

/** True for a well-formed integrated-account id. */
export function isAccountId(value: unknown): value is string {
  return isId("account", value);
}

/** True for a well-formed MCP server id. */
export function isMcpServerId(value: unknown): value is string {
  return isId("mcpServer", value);
}

/** True for a well-formed API token record id. */
export function isApiTokenId(value: unknown): value is string {
  return isId("apiToken", value);
}
