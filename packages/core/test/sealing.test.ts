import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newAccountId, newTenantId } from "../src/ids.js";
import { type CredentialKeys, parseCredentialKeys } from "../src/key-material.js";
import { LIMITS } from "../src/limits.js";
import { credentialsAad, openSecret, rewrapSecret, sealedKeyId, sealSecret } from "../src/sealing.js";

function keys(spec: string): CredentialKeys {
  const result = parseCredentialKeys(spec);
  if (!result.ok) throw new Error(result.message);
  return result.keys;
}
const key32 = (): string => randomBytes(32).toString("base64url");

const oldKeys = keys(`c0:${key32()}`);
const newKey = keys(`c1:${key32()}`)[0];
const rotated: CredentialKeys = [newKey, ...oldKeys];
const tenantId = newTenantId();
const accountId = newAccountId();
const aad = credentialsAad(tenantId, accountId);
const credentials = JSON.stringify({ api_key: "m0-secret-key-for-tests" });

/** Flips one bit in the given part (2 = iv, 3 = ciphertext, 4 = tag) and re-encodes it. */
function flipByte(sealed: string, part: number): string {
  const parts = sealed.split(".");
  const bytes = Buffer.from(parts[part]!, "base64url");
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("credential sealing", () => {
  it("opens what it sealed, for the same tenant and account", () => {
    const sealed = sealSecret(oldKeys, credentials, aad);
    expect(openSecret(oldKeys, sealed, aad)).toEqual({ ok: true, plaintext: credentials, kid: "c0" });
  });

  it("writes v1.<kid>.<iv>.<ciphertext>.<tag> with a 12-byte IV and a 16-byte tag, and no plaintext", () => {
    const sealed = sealSecret(oldKeys, credentials, aad);
    const [version, kid, iv, ciphertext, tag] = sealed.split(".");
    expect([version, kid]).toEqual(["v1", "c0"]);
    expect(Buffer.from(iv!, "base64url")).toHaveLength(12);
    expect(Buffer.from(ciphertext!, "base64url")).toHaveLength(Buffer.byteLength(credentials));
    expect(Buffer.from(tag!, "base64url")).toHaveLength(16);
    expect(sealed).not.toContain("m0-secret");
    expect(sealedKeyId(sealed)).toBe("c0");
  });

  it("uses a fresh IV every time, so equal secrets do not look equal", () => {
    const a = sealSecret(oldKeys, credentials, aad);
    const b = sealSecret(oldKeys, credentials, aad);
    expect(a.split(".")[2]).not.toBe(b.split(".")[2]);
    expect(a).not.toBe(b);
  });

  it("round-trips empty and non-ASCII plaintext", () => {
    for (const text of ["", "ключ 🔑 clé"]) {
      expect(openSecret(oldKeys, sealSecret(oldKeys, text, aad), aad)).toMatchObject({
        ok: true,
        plaintext: text,
      });
    }
  });

  it.each([
    ["the IV", 2],
    ["the ciphertext", 3],
    ["the tag", 4],
  ])("refuses a value with a flipped byte in %s", (_label, part) => {
    const sealed = sealSecret(oldKeys, credentials, aad);
    expect(openSecret(oldKeys, flipByte(sealed, part), aad)).toEqual({ ok: false, reason: "auth_failed" });
  });

  it("refuses a value copied into another tenant's or account's record (wrong AAD)", () => {
    const sealed = sealSecret(oldKeys, credentials, aad);
    for (const otherAad of [
      credentialsAad(newTenantId(), accountId),
      credentialsAad(tenantId, newAccountId()),
      `${aad} `,
      "",
    ]) {
      expect(openSecret(oldKeys, sealed, otherAad)).toEqual({ ok: false, reason: "auth_failed" });
    }
  });

  it("refuses a value whose key id was changed to another known key", () => {
    const sealed = sealSecret(oldKeys, credentials, aad);
    const relabelled = sealed.replace(/^v1\.c0\./, "v1.c1.");
    expect(openSecret(rotated, relabelled, aad)).toEqual({ ok: false, reason: "auth_failed" });
  });

  it("refuses a value sealed under a key it does not hold", () => {
    const sealed = sealSecret(keys(`stranger:${key32()}`), credentials, aad);
    expect(openSecret(oldKeys, sealed, aad)).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("refuses a truncated tag (12 bytes) instead of accepting a weaker check", () => {
    const parts = sealSecret(oldKeys, credentials, aad).split(".");
    parts[4] = Buffer.from(parts[4]!, "base64url").subarray(0, 12).toString("base64url");
    expect(openSecret(oldKeys, parts.join("."), aad)).toEqual({ ok: false, reason: "bad_tag_length" });
  });

  it.each([
    ["an empty string", () => ""],
    ["plain text", () => "m0-secret-key"],
    ["four parts", (s: string) => s.split(".").slice(0, 4).join(".")],
    ["six parts", (s: string) => `${s}.AAAA`],
    [
      "an 8-byte IV",
      (s: string) => s.replace(/^(v1\.c0\.)[^.]+/, `$1${randomBytes(8).toString("base64url")}`),
    ],
    ["padding in the ciphertext", (s: string) => s.replace(/^((?:[^.]+\.){3}[^.]+)/, "$1=")],
    ["a bad key id", (s: string) => s.replace(/^v1\.c0\./, "v1.c/0.")],
    ["no version", (s: string) => `x1${s.slice(2)}`],
  ])("refuses %s as malformed", (_label, mangle) => {
    const sealed = sealSecret(oldKeys, credentials, aad);
    expect(openSecret(oldKeys, mangle(sealed), aad)).toEqual({ ok: false, reason: "malformed" });
  });

  it("names a future format version rather than calling it malformed", () => {
    const sealed = sealSecret(oldKeys, credentials, aad).replace(/^v1\./, "v2.");
    expect(openSecret(oldKeys, sealed, aad)).toEqual({ ok: false, reason: "unsupported_version" });
  });

  it("refuses an oversized value before decoding it", () => {
    expect(openSecret(oldKeys, "v".repeat(LIMITS.sealedSecretMaxChars + 1), aad)).toEqual({
      ok: false,
      reason: "too_long",
    });
  });
});

describe("credential key rotation", () => {
  it("opens old values with the old key listed second, and seals new ones under the first", () => {
    const old = sealSecret(oldKeys, credentials, aad);
    expect(openSecret(rotated, old, aad)).toMatchObject({ ok: true, kid: "c0" });
    expect(sealedKeyId(sealSecret(rotated, credentials, aad))).toBe("c1");
  });

  it("rewraps an old value under the active key, and the result opens without the old key", () => {
    const old = sealSecret(oldKeys, credentials, aad);
    const rewrapped = rewrapSecret(rotated, old, aad);
    if (!rewrapped.ok) throw new Error(rewrapped.reason);
    expect(rewrapped.changed).toBe(true);
    expect(sealedKeyId(rewrapped.sealed)).toBe("c1");
    expect(openSecret([newKey], rewrapped.sealed, aad)).toEqual({
      ok: true,
      plaintext: credentials,
      kid: "c1",
    });
    expect(openSecret([newKey], old, aad)).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("leaves a value already under the active key unchanged", () => {
    const current = sealSecret(rotated, credentials, aad);
    expect(rewrapSecret(rotated, current, aad)).toEqual({ ok: true, sealed: current, changed: false });
  });

  it("does not rewrap a value that fails to open", () => {
    const old = sealSecret(oldKeys, credentials, aad);
    expect(rewrapSecret(rotated, old, credentialsAad(newTenantId(), accountId))).toEqual({
      ok: false,
      reason: "auth_failed",
    });
    expect(rewrapSecret(rotated, flipByte(sealSecret(rotated, credentials, aad), 3), aad)).toEqual({
      ok: false,
      reason: "auth_failed",
    });
  });
});
