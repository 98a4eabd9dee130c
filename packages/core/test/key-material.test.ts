import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  generateDevKeyMaterial,
  parseCredentialKeys,
  parseKeyMaterial,
  parseMcpTokenKeys,
  parseSecretHashKey,
} from "../src/key-material.js";

const key32 = (): string => randomBytes(32).toString("base64url");

function failure(result: { ok: true } | { ok: false; message: string }): string {
  if (result.ok) throw new Error("expected the parse to fail");
  return result.message;
}

describe("MCP_TOKEN_KEYS", () => {
  it("parses kid:key pairs in order into 256-bit HMAC keys, the first being the active signer", () => {
    const result = parseMcpTokenKeys(` k2:${key32()} , k1:${key32()}\n`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.keys.map((k) => k.kid)).toEqual(["k2", "k1"]);
    expect(result.keys[0].key.type).toBe("secret");
    expect(result.keys[0].key.symmetricKeySize).toBe(32);
  });

  it("uses the configured bytes as the key itself, so every instance verifies what another signed", () => {
    const text = key32();
    const a = parseMcpTokenKeys(`k1:${text}`);
    const b = parseMcpTokenKeys(`k1:${text}`);
    if (!a.ok || !b.ok) throw new Error("parse failed");
    expect(a.keys[0].key.equals(b.keys[0].key)).toBe(true);
    expect(a.keys[0].key.export()).toEqual(Buffer.from(text, "base64url"));
  });

  it("does not print key bytes when a parsed key is logged", () => {
    const text = key32();
    const result = parseMcpTokenKeys(`k1:${text}`);
    if (!result.ok) throw new Error(result.message);
    const bytes = Buffer.from(text, "base64url");
    for (const shown of [JSON.stringify(result), inspect(result, { depth: 5 })]) {
      expect(shown).not.toContain(text);
      expect(shown).not.toContain(bytes.toString("hex"));
      expect(shown).not.toContain(bytes.toString("base64"));
    }
  });

  const text = key32();
  it.each([
    ["unset", undefined, /MCP_TOKEN_KEYS is not set; expected <kid>:<base64url 32-byte HMAC-SHA-256 key>/],
    ["blank", "  ", /MCP_TOKEN_KEYS is not set/],
    ["a stray comma", `k1:${text},`, /MCP_TOKEN_KEYS entry 2 of 2 is empty \(stray comma\?\)/],
    ["no colon", text, /MCP_TOKEN_KEYS entry 1 of 1 has no ':' between key id and key/],
    ["an empty key id", `:${text}`, /key id \(0 characters\) must be 1-16 characters of A-Z a-z 0-9 _ -/],
    ["a long key id", `${"k".repeat(17)}:${text}`, /key id \(17 characters\) must be 1-16 characters/],
    ["a key id with a dot", `k.1:${text}`, /key id \(3 characters\) must be/],
    [
      "a padded key",
      `k1:${text}=`,
      /MCP_TOKEN_KEYS key "k1": the HMAC-SHA-256 key is not canonical unpadded base64url/,
    ],
    [
      "a passphrase instead of random bytes",
      "k1:correct horse battery staple correct horse",
      /MCP_TOKEN_KEYS key "k1": the HMAC-SHA-256 key is not canonical unpadded base64url/,
    ],
    ["a short password", "k1:hunter22", /the HMAC-SHA-256 key decodes to 6 bytes; it must be exactly 32/],
    ["standard base64", `k1:${"+/".repeat(21)}A`, /not canonical unpadded base64url/],
    [
      "a 31-byte key",
      `k1:${randomBytes(31).toString("base64url")}`,
      /decodes to 31 bytes; it must be exactly 32/,
    ],
    [
      "a 64-byte key",
      `k1:${randomBytes(64).toString("base64url")}`,
      /decodes to 64 bytes; it must be exactly 32/,
    ],
    ["a repeated key id", `k1:${text},k1:${key32()}`, /MCP_TOKEN_KEYS lists key id "k1" more than once/],
    [
      "a repeated key",
      `k2:${text},k1:${text}`,
      /keys "k2" and "k1" hold the same bytes; a rotated key must be new/,
    ],
  ])("refuses %s with a message that says what to fix", (_label, raw, expected) => {
    const message = failure(parseMcpTokenKeys(raw));
    expect(message).toMatch(expected);
    expect(message).not.toContain(text);
  });

  it("does not echo a key pasted where the key id belongs", () => {
    const secret = key32();
    const message = failure(parseMcpTokenKeys(`${secret}:k1`));
    expect(message).toContain("key id (43 characters)");
    expect(message).not.toContain(secret);
  });
});

describe("CREDENTIAL_KEYS", () => {
  it("parses AES-256 keys in order, the first sealing", () => {
    const result = parseCredentialKeys(`c2:${key32()},c1:${key32()}`);
    if (!result.ok) throw new Error(result.message);
    expect(result.keys.map((k) => k.kid)).toEqual(["c2", "c1"]);
    expect(result.keys[0].key.symmetricKeySize).toBe(32);
  });

  it("refuses a 16-byte (AES-128) key, naming the variable", () => {
    expect(failure(parseCredentialKeys(`c1:${randomBytes(16).toString("base64url")}`))).toBe(
      'CREDENTIAL_KEYS key "c1": the AES-256 key decodes to 16 bytes; it must be exactly 32',
    );
  });
});

describe("SECRET_HASH_KEY", () => {
  it("accepts 32 to 64 bytes of base64url", () => {
    expect(parseSecretHashKey(key32()).ok).toBe(true);
    expect(parseSecretHashKey(randomBytes(64).toString("base64url")).ok).toBe(true);
  });

  it.each([
    ["unset", undefined, /SECRET_HASH_KEY is not set; expected base64url, 32 to 64 bytes/],
    [
      "too short",
      randomBytes(16).toString("base64url"),
      /SECRET_HASH_KEY decodes to 16 bytes; expected base64url, 32 to 64/,
    ],
    ["too long", randomBytes(65).toString("base64url"), /decodes to 65 bytes/],
    [
      "a passphrase",
      "correct horse battery staple, correct horse",
      /SECRET_HASH_KEY is not canonical unpadded base64url/,
    ],
  ])("refuses a key that is %s", (_label, raw, expected) => {
    const message = failure(parseSecretHashKey(raw));
    expect(message).toMatch(expected);
    if (raw) expect(message).not.toContain(raw);
  });
});

describe("parseKeyMaterial", () => {
  it("accepts what generateDevKeyMaterial produces, and each call produces new keys", () => {
    const env = generateDevKeyMaterial();
    const result = parseKeyMaterial(env);
    if (!result.ok) throw new Error(result.message);
    expect(result.material.mcpTokenKeys).toHaveLength(1);
    expect(result.material.credentialKeys).toHaveLength(1);
    const again = generateDevKeyMaterial();
    for (const name of ["MCP_TOKEN_KEYS", "CREDENTIAL_KEYS", "SECRET_HASH_KEY"] as const) {
      expect(again[name]).not.toBe(env[name]);
    }
  });

  it("reports every problem at once", () => {
    const result = parseKeyMaterial({ MCP_TOKEN_KEYS: "nope" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.split(" ")[0])).toEqual([
      "MCP_TOKEN_KEYS",
      "CREDENTIAL_KEYS",
      "SECRET_HASH_KEY",
    ]);
    expect(result.message).toBe(result.problems.join("; "));
  });

  it("refuses one key used for two purposes", () => {
    const shared = key32();
    const result = parseKeyMaterial({
      ...generateDevKeyMaterial(),
      MCP_TOKEN_KEYS: `t1:${shared}`,
      CREDENTIAL_KEYS: `c1:${shared}`,
    });
    expect(failure(result)).toBe(
      'MCP_TOKEN_KEYS key "t1" and CREDENTIAL_KEYS key "c1" hold the same bytes; each purpose needs its own key',
    );
  });
});
