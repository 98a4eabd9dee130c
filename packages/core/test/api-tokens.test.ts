import { createSecretKey, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  API_TOKEN_CHARS,
  generateApiToken,
  generateOperatorToken,
  hashSecret,
  looksLikeApiToken,
  looksLikeOperatorToken,
  parseApiToken,
  secretsEqual,
  verifySecretHash,
} from "../src/api-tokens.js";
import { isApiTokenId } from "../src/ids.js";

const hashKey = createSecretKey(randomBytes(32));

describe("tenant API tokens", () => {
  it("are mcpg_at_<id>_<secret> with a recognizable prefix and 256 random bits", () => {
    const { token } = generateApiToken();
    expect(token).toMatch(/^mcpg_at_[a-z2-7]{26}_[A-Za-z0-9_-]{43}$/);
    expect(token).toHaveLength(API_TOKEN_CHARS);
    expect(Buffer.from(token.slice(-43), "base64url")).toHaveLength(32);
  });

  it("name the record that holds their hash, so a lookup needs no scan", () => {
    const { token, tokenId } = generateApiToken();
    expect(isApiTokenId(tokenId)).toBe(true);
    expect(parseApiToken(token)).toEqual({ ok: true, tokenId });
  });

  it("never repeat", () => {
    const tokens = new Set(Array.from({ length: 500 }, () => generateApiToken().token));
    expect(tokens.size).toBe(500);
  });

  it.each([
    ["the wrong prefix", (t: string) => t.replace("mcpg_at_", "mcpg_xx_")],
    ["the operator prefix", (t: string) => t.replace("mcpg_at_", "mcpg_op_")],
    ["one character missing", (t: string) => t.slice(0, -1)],
    ["one character extra", (t: string) => `${t}A`],
    ["a character outside base64url", (t: string) => `${t.slice(0, -1)}=`],
    ["an upper-case id", (t: string) => `mcpg_at_${t.slice(8, 34).toUpperCase()}${t.slice(34)}`],
    ["surrounding whitespace", (t: string) => ` ${t.slice(1)}`],
    ["a 10 KB header", (t: string) => t.repeat(130)],
  ])("are refused by the format check before any hashing when they have %s", (_label, mangle) => {
    const mangled = mangle(generateApiToken().token);
    expect(looksLikeApiToken(mangled)).toBe(false);
    expect(parseApiToken(mangled)).toEqual({ ok: false });
  });

  it("refuse values that are not strings", () => {
    for (const value of [undefined, null, 42, ["mcpg_at_"], {}]) expect(looksLikeApiToken(value)).toBe(false);
  });
});

describe("the operator token", () => {
  it("is mcpg_op_ and 32 random bytes, and is not an API token", () => {
    const token = generateOperatorToken();
    expect(token).toMatch(/^mcpg_op_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeOperatorToken(token)).toBe(true);
    expect(looksLikeApiToken(token)).toBe(false);
    expect(looksLikeOperatorToken(generateApiToken().token)).toBe(false);
    expect(generateOperatorToken()).not.toBe(token);
  });
});

describe("secret hashing", () => {
  it("is HMAC-SHA-256 in base64url: stable for one key, different for another key or token", () => {
    const { token } = generateApiToken();
    const hash = hashSecret(hashKey, token);
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashSecret(hashKey, token)).toBe(hash);
    expect(hashSecret(createSecretKey(randomBytes(32)), token)).not.toBe(hash);
    expect(hashSecret(hashKey, generateApiToken().token)).not.toBe(hash);
    expect(hash).not.toContain(token.slice(-43));
  });

  it("verifies the token that was hashed and nothing else", () => {
    const { token } = generateApiToken();
    const stored = hashSecret(hashKey, token);
    expect(verifySecretHash(hashKey, token, stored)).toBe(true);
    expect(verifySecretHash(hashKey, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`, stored)).toBe(
      false,
    );
    expect(verifySecretHash(hashKey, generateApiToken().token, stored)).toBe(false);
    expect(verifySecretHash(hashKey, token, "")).toBe(false);
  });
});

describe("secretsEqual", () => {
  it("is true only for identical strings, whatever their lengths", () => {
    expect(secretsEqual("same-secret", "same-secret")).toBe(true);
    expect(secretsEqual("", "")).toBe(true);
    expect(secretsEqual("same-secret", "same-secreT")).toBe(false);
    expect(secretsEqual("short", "much longer value")).toBe(false);
    expect(secretsEqual("prefix", "prefix-and-more")).toBe(false);
    expect(secretsEqual("", "x")).toBe(false);
  });
});
