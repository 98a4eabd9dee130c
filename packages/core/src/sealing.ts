import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { decodeBase64urlStrict } from "./base64url.js";
import type { CredentialKey, CredentialKeys } from "./key-material.js";
import { LIMITS } from "./limits.js";

/**
 * Sealing of upstream credentials with AES-256-GCM.
 *
 * Sealed form: `v1.<kid>.<iv>.<ciphertext>.<tag>`, base64url parts, a random 12-byte IV per seal and a 16-byte tag.
 * The value names its key, so several keys can be in use during a rotation (the first of CREDENTIAL_KEYS seals,
 * all open; rewrapSecret moves a value to the first). The GCM additional data is `v1.<kid>|<aad>`: the caller's
 * aad binds the value to its owner (see credentialsAad), so a sealed value copied into another tenant's or
 * account's record does not open; the header part makes the version and key id tamper-evident as well.
 * Random 12-byte IVs keep one key safe for about 2^32 seals (NIST SP 800-38D §8.3), far above our volume.
 */
export const SEALED_VERSION = "v1";

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID = /^[A-Za-z0-9_-]+$/;

/** Why a sealed value did not open. "auth_failed" covers both tampering and a wrong aad: GCM cannot tell them apart. */
export type OpenFailureReason =
  | "malformed"
  | "too_long"
  | "unsupported_version"
  | "unknown_key"
  | "bad_tag_length"
  | "auth_failed";

export type OpenResult =
  | { ok: true; plaintext: string; kid: string }
  | { ok: false; reason: OpenFailureReason };

export type RewrapResult =
  | { ok: true; sealed: string; changed: boolean }
  | { ok: false; reason: OpenFailureReason };

/** The aad that binds an account's sealed credentials to that tenant and account. */
export function credentialsAad(tenantId: string, accountId: string): string {
  return `${tenantId}|${accountId}|credentials`;
}

/** Seals `plaintext` under the active (first) credential key, bound to `aad`. */
export function sealSecret(keys: CredentialKeys, plaintext: string, aad: string): string {
  return sealWith(keys[0], plaintext, aad);
}

/** Opens a sealed value with whichever listed key it names; expected failures are values, never exceptions. */
export function openSecret(keys: CredentialKeys, sealed: string, aad: string): OpenResult {
  if (sealed.length > LIMITS.sealedSecretMaxChars) return { ok: false, reason: "too_long" };
  const parts = sealed.split(".");
  if (parts.length !== 5) return { ok: false, reason: "malformed" };
  const [version, kid, ivText, ciphertextText, tagText] = parts as [string, string, string, string, string];
  if (version !== SEALED_VERSION) {
    return { ok: false, reason: /^v[0-9]+$/.test(version) ? "unsupported_version" : "malformed" };
  }
  if (!KID.test(kid) || kid.length > LIMITS.keyIdMaxChars) return { ok: false, reason: "malformed" };
  const iv = decodeBase64urlStrict(ivText);
  const ciphertext = decodeBase64urlStrict(ciphertextText);
  const tag = decodeBase64urlStrict(tagText);
  if (!iv || iv.length !== IV_BYTES || !ciphertext || !tag) return { ok: false, reason: "malformed" };
  // Node before 23 accepts shorter GCM tags unless told otherwise (DEP0182); we demand the full 16 bytes.
  if (tag.length !== TAG_BYTES) return { ok: false, reason: "bad_tag_length" };
  const key = keys.find((k) => k.kid === kid);
  if (!key) return { ok: false, reason: "unknown_key" };

  const decipher = createDecipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(kid, aad));
  decipher.setAuthTag(tag);
  const opened = decipher.update(ciphertext);
  try {
    return { ok: true, plaintext: Buffer.concat([opened, decipher.final()]).toString("utf8"), kid };
  } catch {
    // final() throws exactly when the tag does not authenticate: a changed byte or a different aad.
    return { ok: false, reason: "auth_failed" };
  }
}

/** Re-seals a value under the active key; `changed` is false (and the value returned as is) when it already uses it. */
export function rewrapSecret(keys: CredentialKeys, sealed: string, aad: string): RewrapResult {
  const opened = openSecret(keys, sealed, aad);
  if (!opened.ok) return opened;
  if (opened.kid === keys[0].kid) return { ok: true, sealed, changed: false };
  return { ok: true, sealed: sealWith(keys[0], opened.plaintext, aad), changed: true };
}

/** The key id a sealed value names, without opening it (to count values still awaiting a rewrap). */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split(".");
  return parts.length === 5 && parts[0] === SEALED_VERSION ? parts[1] : undefined;
}

function sealWith(key: CredentialKey, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(key.kid, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [
    SEALED_VERSION,
    key.kid,
    iv.toString("base64url"),
    ciphertext.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
  ].join(".");
}

function additionalData(kid: string, aad: string): Buffer {
  return Buffer.from(`${SEALED_VERSION}.${kid}|${aad}`, "utf8");
}
