import { createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { decodeBase64urlStrict } from "./base64url.js";
import { LIMITS } from "./limits.js";

/**
 * Key material from the environment. Every parser returns a value and never throws on what an operator typed;
 * messages name the variable and what to fix, and never repeat secret bytes (not even a key id that failed to
 * parse, because a swapped `key:kid` would put the key there).
 *
 *   MCP_TOKEN_KEYS    = "<kid>:<base64url 32-byte HMAC key>[,<kid>:<key>…]"       first signs, all verify (HS256)
 *   CREDENTIAL_KEYS   = "<kid>:<base64url 32-byte AES-256 key>[,…]"                first seals, all open
 *   SECRET_HASH_KEY   = "<base64url, 32 to 64 bytes>"                               HMAC-SHA-256 key for token hashes
 *
 * Rotation: put the new key first and keep the old one after it until nothing it signed or sealed is still in
 * use (for MCP_TOKEN_KEYS: until every URL it signed has expired or been re-minted; for CREDENTIAL_KEYS: until
 * every sealed record has been rewrapped). Parsed keys are KeyObjects, so logging a config object shows no bytes.
 *
 * Every key is random bytes from a CSPRNG, never a password or passphrase (RFC 8725 §3.5): the format checks
 * (canonical base64url of an exact byte length) refuse typed words, and the generate hint uses crypto.randomBytes.
 */

/**
 * An HMAC-SHA-256 key (JWS "HS256") for MCP URL tokens, named by its key id. Symmetric on purpose: the gateway
 * is the only party that signs or verifies these tokens, and an HMAC check costs a few microseconds.
 */
export interface McpSigningKey {
  readonly kid: string;
  /** A secret KeyObject of 32 bytes (RFC 7518 §3.2: an HS256 key must be at least 256 bits). */
  readonly key: KeyObject;
}

/** MCP token keys: the first signs, all verify. */
export type McpSigningKeys = readonly [McpSigningKey, ...McpSigningKey[]];

/** An AES-256-GCM key for sealing upstream credentials, named by its key id. */
export interface CredentialKey {
  readonly kid: string;
  readonly key: KeyObject;
}

/** Credential keys: the first seals, all open. */
export type CredentialKeys = readonly [CredentialKey, ...CredentialKey[]];

/** Everything the gateway needs from the environment's key variables. */
export interface KeyMaterial {
  readonly mcpTokenKeys: McpSigningKeys;
  readonly credentialKeys: CredentialKeys;
  readonly secretHashKey: KeyObject;
}

/** The environment variable names this module reads, in env-string form (what generateDevKeyMaterial returns). */
export interface KeyMaterialEnv {
  MCP_TOKEN_KEYS: string;
  CREDENTIAL_KEYS: string;
  SECRET_HASH_KEY: string;
}

export type ParseFailure = { ok: false; message: string };

const KID = /^[A-Za-z0-9_-]+$/;
const KEY_BYTES = 32;
const HASH_KEY_MIN_BYTES = 32;
// HMAC-SHA-256 hashes keys longer than its 64-byte block, so more bytes add nothing but a chance of a paste error.
const HASH_KEY_MAX_BYTES = 64;

const MCP_TOKEN_KEY_WHAT = "HMAC-SHA-256 key";

const GENERATE_HINT = `generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`;
// A list entry needs its key id, so this hint prints a whole pasteable `k1:<key>` value.
const KEY_LIST_GENERATE_HINT = `generate one with: node -e "console.log('k1:'+require('node:crypto').randomBytes(32).toString('base64url'))"`;

interface RawKeyEntry {
  kid: string;
  bytes: Buffer;
}

/** Parses MCP_TOKEN_KEYS into HMAC-SHA-256 keys; the first entry is the active signer. */
export function parseMcpTokenKeys(
  raw: string | undefined,
): { ok: true; keys: McpSigningKeys } | ParseFailure {
  const entries = parseKeyList("MCP_TOKEN_KEYS", raw, MCP_TOKEN_KEY_WHAT);
  return entries.ok ? { ok: true, keys: toSigningKeys(entries.entries) } : entries;
}

/** Parses CREDENTIAL_KEYS into AES-256 keys; the first entry is the active sealing key. */
export function parseCredentialKeys(
  raw: string | undefined,
): { ok: true; keys: CredentialKeys } | ParseFailure {
  const entries = parseKeyList("CREDENTIAL_KEYS", raw, "AES-256 key");
  return entries.ok ? { ok: true, keys: toCredentialKeys(entries.entries) } : entries;
}

/** Parses SECRET_HASH_KEY, the HMAC-SHA-256 key under which API and operator tokens are hashed. */
export function parseSecretHashKey(raw: string | undefined): { ok: true; key: KeyObject } | ParseFailure {
  const bytes = parseHashKeyBytes(raw);
  return bytes.ok ? { ok: true, key: createSecretKey(bytes.bytes) } : bytes;
}

/**
 * Parses all key variables at once and reports every problem together, so an operator fixes them in one go.
 * Also refuses the same bytes used for two purposes (a token signing key reused as a sealing key, and so on).
 */
export function parseKeyMaterial(
  env: { readonly [Name in keyof KeyMaterialEnv]?: string | undefined },
): { ok: true; material: KeyMaterial } | (ParseFailure & { problems: string[] }) {
  const tokenKeys = parseKeyList("MCP_TOKEN_KEYS", env.MCP_TOKEN_KEYS, MCP_TOKEN_KEY_WHAT);
  const credentialKeys = parseKeyList("CREDENTIAL_KEYS", env.CREDENTIAL_KEYS, "AES-256 key");
  const hashKey = parseHashKeyBytes(env.SECRET_HASH_KEY);

  const problems: string[] = [];
  for (const result of [tokenKeys, credentialKeys, hashKey]) if (!result.ok) problems.push(result.message);
  if (tokenKeys.ok && credentialKeys.ok && hashKey.ok) {
    const reused = findReusedBytes([
      ...tokenKeys.entries.map((e) => ({ where: `MCP_TOKEN_KEYS key "${e.kid}"`, bytes: e.bytes })),
      ...credentialKeys.entries.map((e) => ({ where: `CREDENTIAL_KEYS key "${e.kid}"`, bytes: e.bytes })),
      { where: "SECRET_HASH_KEY", bytes: hashKey.bytes },
    ]);
    if (reused) {
      problems.push(`${reused[0]} and ${reused[1]} hold the same bytes; each purpose needs its own key`);
    }
  }
  if (problems.length > 0 || !tokenKeys.ok || !credentialKeys.ok || !hashKey.ok) {
    return { ok: false, message: problems.join("; "), problems };
  }
  return {
    ok: true,
    material: {
      mcpTokenKeys: toSigningKeys(tokenKeys.entries),
      credentialKeys: toCredentialKeys(credentialKeys.entries),
      secretHashKey: createSecretKey(hashKey.bytes),
    },
  };
}

/**
 * Fresh random values for every key variable, in their env formats. For development only: the gateway's
 * config uses this when keys are unset outside production, says so in its log, and refuses in production.
 */
export function generateDevKeyMaterial(): KeyMaterialEnv {
  const kid = `dev${Date.now().toString(36)}`.slice(0, LIMITS.keyIdMaxChars);
  return {
    MCP_TOKEN_KEYS: `${kid}:${randomBytes(KEY_BYTES).toString("base64url")}`,
    CREDENTIAL_KEYS: `${kid}:${randomBytes(KEY_BYTES).toString("base64url")}`,
    SECRET_HASH_KEY: randomBytes(HASH_KEY_MIN_BYTES).toString("base64url"),
  };
}

function parseKeyList(
  name: string,
  raw: string | undefined,
  what: string,
): { ok: true; entries: RawKeyEntry[] } | ParseFailure {
  const value = raw?.trim() ?? "";
  const format = `expected <kid>:<base64url ${KEY_BYTES}-byte ${what}>[,<kid>:<key>…], newest first`;
  if (value === "") return fail(`${name} is not set; ${format}; ${KEY_LIST_GENERATE_HINT}`);

  const entries: RawKeyEntry[] = [];
  const parts = value.split(",");
  for (const [index, part] of parts.entries()) {
    const at = `${name} entry ${index + 1} of ${parts.length}`;
    const entry = part.trim();
    if (entry === "") return fail(`${at} is empty (stray comma?); ${format}`);
    const colon = entry.indexOf(":");
    if (colon < 0) return fail(`${at} has no ':' between key id and key; ${format}`);
    const kid = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KID.test(kid) || kid.length > LIMITS.keyIdMaxChars) {
      return fail(
        `${at}: the key id (${kid.length} characters) must be 1-${LIMITS.keyIdMaxChars} characters of A-Z a-z 0-9 _ -`,
      );
    }
    const bytes = decodeBase64urlStrict(encoded);
    if (!bytes) {
      return fail(
        `${name} key "${kid}": the ${what} is not canonical unpadded base64url (A-Z a-z 0-9 - _, no '='); ${KEY_LIST_GENERATE_HINT}`,
      );
    }
    if (bytes.length !== KEY_BYTES) {
      return fail(
        `${name} key "${kid}": the ${what} decodes to ${bytes.length} bytes; it must be exactly ${KEY_BYTES}`,
      );
    }
    if (entries.some((e) => e.kid === kid)) return fail(`${name} lists key id "${kid}" more than once`);
    const twin = entries.find((e) => e.bytes.equals(bytes));
    if (twin)
      return fail(`${name} keys "${twin.kid}" and "${kid}" hold the same bytes; a rotated key must be new`);
    entries.push({ kid, bytes });
  }
  return { ok: true, entries };
}

function parseHashKeyBytes(raw: string | undefined): { ok: true; bytes: Buffer } | ParseFailure {
  const value = raw?.trim() ?? "";
  const format = `expected base64url, ${HASH_KEY_MIN_BYTES} to ${HASH_KEY_MAX_BYTES} bytes`;
  if (value === "") return fail(`SECRET_HASH_KEY is not set; ${format}; ${GENERATE_HINT}`);
  const bytes = decodeBase64urlStrict(value);
  if (!bytes)
    return fail(`SECRET_HASH_KEY is not canonical unpadded base64url (A-Z a-z 0-9 - _, no '='); ${format}`);
  if (bytes.length < HASH_KEY_MIN_BYTES || bytes.length > HASH_KEY_MAX_BYTES) {
    return fail(`SECRET_HASH_KEY decodes to ${bytes.length} bytes; ${format}`);
  }
  return { ok: true, bytes };
}

// parseKeyList never returns an empty list, hence the non-null first element in the two converters below.
function toSigningKeys(entries: RawKeyEntry[]): McpSigningKeys {
  const [first, ...rest] = entries.map(
    (entry): McpSigningKey => ({ kid: entry.kid, key: createSecretKey(entry.bytes) }),
  );
  return [first!, ...rest];
}

function toCredentialKeys(entries: RawKeyEntry[]): CredentialKeys {
  const [first, ...rest] = entries.map(
    (entry): CredentialKey => ({ kid: entry.kid, key: createSecretKey(entry.bytes) }),
  );
  return [first!, ...rest];
}

function findReusedBytes(keys: { where: string; bytes: Buffer }[]): [string, string] | undefined {
  for (const [i, a] of keys.entries()) {
    for (const b of keys.slice(i + 1)) if (a.bytes.equals(b.bytes)) return [a.where, b.where];
  }
  return undefined;
}

function fail(message: string): ParseFailure {
  return { ok: false, message };
}
