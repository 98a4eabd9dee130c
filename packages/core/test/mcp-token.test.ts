import {
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";
import { CompactSign, compactVerify } from "jose";
import { describe, expect, it } from "vitest";
import { manualClock } from "../src/clock.js";
import { newAccountId, newMcpServerId, newTenantId } from "../src/ids.js";
import { type McpSigningKeys, parseMcpTokenKeys } from "../src/key-material.js";
import { LIMITS } from "../src/limits.js";
import {
  createKeyRing,
  MCP_TOKEN_TYPE,
  type McpKeyRing,
  type McpTokenGrant,
  signMcpToken,
  verifyMcpToken,
} from "../src/mcp-token.js";

const ISSUER = "https://gateway.example.com";
const AUDIENCE = "https://gateway.example.com/mcp";
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0, 250);

function keys(spec: string): McpSigningKeys {
  const result = parseMcpTokenKeys(spec);
  if (!result.ok) throw new Error(result.message);
  return result.keys;
}
const randomKey = (): string => randomBytes(32).toString("base64url");

const oldKeyText = randomKey();
const oldKey = keys(`k0:${oldKeyText}`)[0];
const newKey = keys(`k1:${randomKey()}`)[0];
const ring = createKeyRing([oldKey]);

function grant(overrides: Partial<McpTokenGrant> = {}): McpTokenGrant {
  return {
    issuer: ISSUER,
    audience: AUDIENCE,
    tenantId: newTenantId(),
    serverId: newMcpServerId(),
    accountId: newAccountId(),
    methods: ["read", "write", "search"],
    tags: ["memories", "entities", "events"],
    requireApiTokenAuth: true,
    toolExposure: "all",
    expiresAt: NOW + 3_600_000,
    ...overrides,
  };
}

async function mint(g: McpTokenGrant = grant(), signingRing: McpKeyRing = ring): Promise<string> {
  const signed = await signMcpToken(signingRing, g, manualClock(NOW));
  if (!signed.ok) throw new Error(`token too long: ${signed.chars}`);
  return signed.token;
}

function verify(token: string, at = NOW, verifyingRing: McpKeyRing = ring) {
  return verifyMcpToken(verifyingRing, token, { issuer: ISSUER, audience: AUDIENCE, clock: manualClock(at) });
}

const b64 = (value: unknown): string =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

/** A token with any header and payload and a genuine HMAC (SHA-256 unless told) under `key`. */
function craft(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject = oldKey.key,
  hash = "sha256",
) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest("base64url")}`;
}

const goodHeader = { alg: "HS256", kid: "k0", typ: MCP_TOKEN_TYPE };

describe("MCP token signing", () => {
  it("round-trips every grant field through a signed token", async () => {
    const g = grant();
    const signed = await signMcpToken(ring, g, manualClock(NOW));
    if (!signed.ok) throw new Error("sign failed");
    const result = verify(signed.token);
    expect(result).toEqual({ ok: true, kid: "k0", claims: signed.claims });
    expect(signed.claims).toMatchObject({ ...g, issuedAtSeconds: Math.floor(NOW / 1000) });
    expect(signed.claims.tokenId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("writes a pinned header and short claim names", async () => {
    const g = grant({ tokenId: "jti-1" });
    const token = await mint(g);
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString())).toEqual(goodHeader);
    expect(payloadOf(token)).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: g.tenantId,
      jti: "jti-1",
      iat: Math.floor(NOW / 1000),
      srv: g.serverId,
      acc: g.accountId,
      rat: true,
      tex: "all",
      mth: ["read", "write", "search"],
      tgs: ["memories", "entities", "events"],
      exp: Math.ceil((NOW + 3_600_000) / 1000),
      ems: NOW + 3_600_000,
    });
  });

  it("writes the header as one exact text, the one the verifier compares against", async () => {
    const token = await mint();
    expect(token.split(".")[0]).toBe(b64('{"alg":"HS256","kid":"k0","typ":"mcpg-mcp+jwt"}'));
  });

  it("gives every token a fresh jti unless one is supplied", async () => {
    const [a, b] = await Promise.all([mint(), mint()]);
    expect(payloadOf(a).jti).not.toBe(payloadOf(b).jti);
  });

  it("keeps absent filters absent, and an empty filter empty", async () => {
    const open = verify(await mint(grant({ methods: undefined, tags: undefined })));
    expect(open.ok && [open.claims.methods, open.claims.tags]).toEqual([undefined, undefined]);
    const empty = verify(await mint(grant({ methods: [], tags: [] })));
    expect(empty.ok && [empty.claims.methods, empty.claims.tags]).toEqual([[], []]);
  });

  it("keeps a typical token (3 methods, 3 tags, expiry) well under the length limit", async () => {
    const token = await mint();
    expect(token.length).toBeLessThan(LIMITS.mcpTokenMaxChars * 0.75);
  });

  it("refuses to sign a grant whose token would exceed the length limit", async () => {
    const tags = Array.from({ length: 60 }, (_, i) => `a-rather-long-tag-name-${i}`);
    const signed = await signMcpToken(ring, grant({ tags }), manualClock(NOW));
    expect(signed.ok).toBe(false);
    expect(!signed.ok && signed.chars).toBeGreaterThan(LIMITS.mcpTokenMaxChars);
  });

  it("verifies synchronously, returning the result rather than a promise", async () => {
    const result = verify(await mint());
    expect(result).not.toBeInstanceOf(Promise);
    expect(result.ok).toBe(true);
  });

  it("writes a standard HS256 JWS that jose verifies with the same key, pinned to HS256", async () => {
    const token = await mint(grant({ tokenId: "jti-jose" }));
    const { payload, protectedHeader } = await compactVerify(token, oldKey.key, { algorithms: ["HS256"] });
    expect(protectedHeader).toEqual(goodHeader);
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ jti: "jti-jose", iss: ISSUER });
    // And jose refuses it under another key, so the agreement above is not vacuous.
    await expect(compactVerify(token, newKey.key, { algorithms: ["HS256"] })).rejects.toThrow();
  });

  it("accepts a token that jose signed with HS256 under the same key", async () => {
    const payload = payloadOf(await mint(grant({ tokenId: "jti-from-jose" })));
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(goodHeader)
      .sign(oldKey.key);
    expect(verify(token)).toMatchObject({ ok: true, kid: "k0", claims: { tokenId: "jti-from-jose" } });
  });

  it("treats a malformed grant as a bug", async () => {
    await expect(signMcpToken(ring, grant({ expiresAt: 1.5 }), manualClock(NOW))).rejects.toThrow(RangeError);
    await expect(signMcpToken(ring, grant({ tenantId: "" }), manualClock(NOW))).rejects.toThrow(TypeError);
  });
});

describe("MCP token expiry", () => {
  // 250 ms past a whole second, so `exp` (seconds) and the exact expiry differ.
  const expiresAt = NOW + 60_000;

  it("accepts a token until the millisecond before expires_at and refuses it from expires_at on", async () => {
    const token = await mint(grant({ expiresAt }));
    expect(payloadOf(token).exp).toBe(Math.ceil(expiresAt / 1000));
    expect(verify(token, expiresAt - 1).ok).toBe(true);
    expect(verify(token, expiresAt)).toEqual({ ok: false, reason: "expired" });
    expect(verify(token, expiresAt + 1)).toEqual({ ok: false, reason: "expired" });
  });

  it("is exact even when expires_at falls on a whole second", async () => {
    const whole = Math.ceil(NOW / 1000) * 1000 + 120_000;
    const token = await mint(grant({ expiresAt: whole }));
    expect(payloadOf(token).exp).toBe(whole / 1000);
    expect(verify(token, whole - 1).ok).toBe(true);
    expect(verify(token, whole)).toEqual({ ok: false, reason: "expired" });
  });

  it("follows the injected clock as it moves", async () => {
    const clock = manualClock(expiresAt - 2);
    const token = await mint(grant({ expiresAt }));
    const options = { issuer: ISSUER, audience: AUDIENCE, clock };
    expect(verifyMcpToken(ring, token, options).ok).toBe(true);
    clock.advance(1);
    expect(verifyMcpToken(ring, token, options).ok).toBe(true);
    clock.advance(1);
    expect(verifyMcpToken(ring, token, options)).toEqual({ ok: false, reason: "expired" });
  });

  it("signs a server without expiry with no exp claim, and it keeps verifying", async () => {
    const token = await mint(grant({ expiresAt: null }));
    expect(payloadOf(token)).not.toHaveProperty("exp");
    expect(payloadOf(token)).not.toHaveProperty("ems");
    const hundredYears = NOW + 100 * 365 * 86_400_000;
    const result = verify(token, hundredYears);
    expect(result.ok && result.claims.expiresAt).toBe(null);
  });

  it("refuses a token issued further in the future than clock skew explains", async () => {
    const token = await mint(grant({ expiresAt: null }));
    expect(verify(token, NOW - LIMITS.mcpTokenIssuedAtSkewMs + 1_000).ok).toBe(true);
    expect(verify(token, NOW - LIMITS.mcpTokenIssuedAtSkewMs - 1_000)).toEqual({
      ok: false,
      reason: "not_yet_valid",
    });
  });

  it("refuses exp without its exact twin, and a twin that disagrees with exp", async () => {
    const payload = payloadOf(await mint());
    const { ems: _ems, ...expOnly } = payload;
    expect(verify(craft(goodHeader, expOnly))).toEqual({ ok: false, reason: "missing_claim" });
    const lateExp = { ...payload, exp: (payload.exp as number) + 3_600 };
    expect(verify(craft(goodHeader, lateExp))).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("MCP token verification refuses", () => {
  it("a forged signature: same kid, another 32-byte key", async () => {
    const intruder = keys(`k0:${randomKey()}`)[0];
    const forged = await mint(grant(), createKeyRing([intruder]));
    expect(verify(forged)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("a payload edited after signing", async () => {
    const [header, , signature] = (await mint()).split(".");
    const widened = { ...payloadOf(await mint()), mth: ["read", "write", "custom"] };
    expect(verify(`${header}.${b64(widened)}.${signature}`)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("alg none, with or without a signature part", async () => {
    const payload = payloadOf(await mint());
    const unsigned = `${b64({ ...goodHeader, alg: "none" })}.${b64(payload)}`;
    expect(verify(`${unsigned}.`)).toEqual({ ok: false, reason: "malformed" });
    expect(verify(`${unsigned}.AAAA`)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it.each(["hs256", "HS256 ", " HS256", "Hs256", "HS512", "HS384", "EdDSA", "RS256", "none", ""])(
    "alg %j even with a genuine HS256 signature under our key",
    async (alg) => {
      const token = craft({ ...goodHeader, alg }, payloadOf(await mint()));
      expect(verify(token)).toEqual({ ok: false, reason: "bad_signature" });
    },
  );

  it("HS512 and HS384 computed with our own key (a MAC that is not the pinned one)", async () => {
    const payload = payloadOf(await mint());
    for (const [alg, hash] of [
      ["HS512", "sha512"],
      ["HS384", "sha384"],
      ["HS256", "sha512"],
    ] as const) {
      expect(verify(craft({ ...goodHeader, alg }, payload, oldKey.key, hash)), `${alg} over ${hash}`).toEqual(
        {
          ok: false,
          reason: "bad_signature",
        },
      );
    }
  });

  it("EdDSA with a genuine Ed25519 signature by an attacker's own key", async () => {
    const attacker = generateKeyPairSync("ed25519");
    const input = `${b64({ ...goodHeader, alg: "EdDSA" })}.${b64(payloadOf(await mint()))}`;
    const signature = sign(null, Buffer.from(input), attacker.privateKey).toString("base64url");
    expect(verify(`${input}.${signature}`)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("a URL minted before the switch to HS256 (EdDSA under the same MCP_TOKEN_KEYS bytes)", async () => {
    // Ed25519 took the 32 configured bytes as its seed (PKCS#8 wrapping, RFC 8410 §7).
    const seedKey = createPrivateKey({
      key: Buffer.concat([
        Buffer.from("302e020100300506032b657004220420", "hex"),
        Buffer.from(oldKeyText, "base64url"),
      ]),
      format: "der",
      type: "pkcs8",
    });
    const legacy = await new CompactSign(new TextEncoder().encode(JSON.stringify(payloadOf(await mint()))))
      .setProtectedHeader({ alg: "EdDSA", kid: "k0", typ: MCP_TOKEN_TYPE })
      .sign(seedKey);
    expect(verify(legacy)).toEqual({ ok: false, reason: "bad_signature" });
    // Re-minting under the unchanged key ring gives a URL that works.
    expect(verify(await mint()).ok).toBe(true);
  });

  it.each([
    ["one byte short", 31],
    ["one byte long", 33],
    ["an Ed25519-sized 64 bytes", 64],
    ["a single byte", 1],
  ])("a signature of the wrong length: %s", async (_label, bytes) => {
    const token = await mint();
    const input = token.slice(0, token.lastIndexOf("."));
    const mac = createHmac("sha256", oldKey.key).update(input).digest();
    const resized = Buffer.concat([mac, mac, mac]).subarray(0, bytes).toString("base64url");
    expect(verify(`${input}.${resized}`)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("a non-canonical spelling of the right signature (unused trailing bits set)", async () => {
    const token = await mint();
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 bytes fill 43 characters with 2 bits to spare: the last character's two low bits carry nothing.
    const last = alphabet.indexOf(token.at(-1)!);
    expect(last % 4).toBe(0);
    const respelled = `${token.slice(0, -1)}${alphabet[last + 1]}`;
    const [, , signature] = respelled.split(".");
    expect(Buffer.from(signature!, "base64url")).toEqual(Buffer.from(token.split(".")[2]!, "base64url"));
    expect(verify(respelled)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("a signature under the right kid that is all zeros, or flipped in one bit", async () => {
    const token = await mint();
    const input = token.slice(0, token.lastIndexOf("."));
    const mac = Buffer.from(token.slice(input.length + 1), "base64url");
    mac[31] = (mac[31] ?? 0) ^ 1;
    expect(verify(`${input}.${mac.toString("base64url")}`)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verify(`${input}.${"A".repeat(43)}`)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it.each([
    ["a generic JWT", "JWT"],
    ["an access token", "at+jwt"],
    ["a case variant", "MCPG-MCP+JWT"],
    ["no typ", undefined],
  ])("the wrong typ: %s", async (_label, typ) => {
    const token = craft({ alg: "HS256", kid: "k0", typ }, payloadOf(await mint()));
    expect(verify(token)).toEqual({ ok: false, reason: "wrong_type" });
  });

  it.each([
    ["iss", { iss: "https://evil.example" }, "wrong_issuer"],
    ["aud", { aud: "https://gateway.example.com/admin" }, "wrong_audience"],
    ["aud list without ours", { aud: ["https://other.example/mcp"] }, "wrong_audience"],
  ])("the wrong %s", async (_label, change, reason) => {
    const token = craft(goodHeader, { ...payloadOf(await mint()), ...change });
    expect(verify(token)).toEqual({ ok: false, reason });
  });

  it.each(["jti", "sub", "iat", "iss", "aud", "srv", "acc", "rat", "tex"])(
    "a token missing %s",
    async (claim) => {
      const { [claim]: _dropped, ...payload } = payloadOf(await mint());
      expect(verify(craft(goodHeader, payload))).toEqual({ ok: false, reason: "missing_claim" });
    },
  );

  it.each([
    ["sub a number", { sub: 7 }],
    ["sub empty", { sub: "" }],
    ["rat a string", { rat: "false" }],
    ["tex unknown", { tex: "everything" }],
    ["mth not a list", { mth: "read" }],
    ["tgs holding a number", { tgs: ["memories", 3] }],
    ["iat fractional", { iat: 1.5 }],
  ])("a claim of the wrong shape: %s", async (_label, change) => {
    const token = craft(goodHeader, { ...payloadOf(await mint()), ...change });
    expect(verify(token)).toEqual({ ok: false, reason: "malformed" });
  });

  it.each(["k9", "__proto__", "constructor", "toString", ""])(
    "an unknown kid %j, from the in-memory ring alone",
    async (kid) => {
      const token = craft({ ...goodHeader, kid }, payloadOf(await mint()));
      expect(verify(token)).toEqual({ ok: false, reason: "unknown_key" });
    },
  );

  it.each([
    ["no kid", { alg: "HS256", typ: MCP_TOKEN_TYPE }],
    ["a jku URL", { ...goodHeader, jku: "https://evil.example/jwks.json" }],
    ["an embedded jwk", { ...goodHeader, jwk: { kty: "oct", k: randomKey() } }],
    ["a crit list", { ...goodHeader, crit: ["exp"] }],
  ])("a header with %s", async (_label, header) => {
    expect(verify(craft(header, payloadOf(await mint())))).toEqual({ ok: false, reason: "malformed" });
  });

  // docs/security.md: the header is exactly one text per kid. Each of these carries a genuine HMAC under our
  // key and parses to the right alg, kid and typ (or to them plus one more member), so only an exact
  // comparison of the header text refuses them.
  it.each([
    ["whitespace around members", '{ "alg": "HS256", "kid": "k0", "typ": "mcpg-mcp+jwt" }'],
    ["a trailing newline", '{"alg":"HS256","kid":"k0","typ":"mcpg-mcp+jwt"}\n'],
    ["a duplicated alg", '{"alg":"HS256","alg":"HS256","kid":"k0","typ":"mcpg-mcp+jwt"}'],
    [
      "a duplicated alg whose first value is none",
      '{"alg":"none","alg":"HS256","kid":"k0","typ":"mcpg-mcp+jwt"}',
    ],
    ["a duplicated kid", '{"alg":"HS256","kid":"k9","kid":"k0","typ":"mcpg-mcp+jwt"}'],
    ["reordered members", '{"typ":"mcpg-mcp+jwt","kid":"k0","alg":"HS256"}'],
    ["an escaped spelling of HS256", '{"alg":"\\u0048S256","kid":"k0","typ":"mcpg-mcp+jwt"}'],
    ["an extra member", '{"alg":"HS256","kid":"k0","typ":"mcpg-mcp+jwt","cty":"JWT"}'],
    ["an extra null member", '{"alg":"HS256","kid":"k0","typ":"mcpg-mcp+jwt","x5u":null}'],
  ])("a header with %s, even with a genuine signature under our key", async (_label, headerText) => {
    const parsed = JSON.parse(headerText);
    expect([parsed.alg, parsed.kid, parsed.typ]).toEqual(["HS256", "k0", MCP_TOKEN_TYPE]);
    const input = `${b64(headerText)}.${b64(payloadOf(await mint()))}`;
    const token = `${input}.${createHmac("sha256", oldKey.key).update(input).digest("base64url")}`;
    expect(verify(token)).toEqual({ ok: false, reason: "malformed" });
  });

  it("the exact header text after it was first accepted (no memo of a looser spelling)", async () => {
    const token = await mint();
    expect(verify(token).ok).toBe(true);
    const payloadPart = token.split(".")[1]!;
    const spaced = `${b64('{"alg":"HS256", "kid":"k0","typ":"mcpg-mcp+jwt"}')}.${payloadPart}`;
    const resigned = `${spaced}.${createHmac("sha256", oldKey.key).update(spaced).digest("base64url")}`;
    expect(verify(resigned)).toEqual({ ok: false, reason: "malformed" });
    expect(verify(token).ok).toBe(true);
  });

  it("a token one character over the limit, before decoding it", async () => {
    const token = await mint();
    const padded = `${token}${"A".repeat(LIMITS.mcpTokenMaxChars - token.length + 1)}`;
    expect(padded).toHaveLength(LIMITS.mcpTokenMaxChars + 1);
    expect(verify(padded)).toEqual({ ok: false, reason: "too_long" });
    expect(verify("x".repeat(1_000_000))).toEqual({ ok: false, reason: "too_long" });
  });

  it.each([
    ["padding", (t: string) => `${t}=`],
    ["standard base64", (t: string) => `${t.slice(0, -1)}+`],
    ["a percent escape", (t: string) => `${t.slice(0, 10)}%2E${t.slice(13)}`],
    ["whitespace", (t: string) => ` ${t}`],
    ["a JSON serialization", (t: string) => JSON.stringify({ payload: t })],
    ["four parts (JWE-like)", (t: string) => `${t}.AAAA`],
    ["two parts", (t: string) => t.slice(0, t.lastIndexOf("."))],
    ["non-ASCII", (t: string) => `${t.slice(0, -1)}é`],
    ["an empty string", () => ""],
  ])("a token with %s", async (_label, mangle) => {
    expect(verify(mangle(await mint()))).toEqual({ ok: false, reason: "malformed" });
  });

  it("a value that is not a string at all, without throwing", async () => {
    for (const value of [undefined, null, 42, { token: "x" }]) {
      expect(verify(value as unknown as string)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("a header or payload that is not a JSON object", async () => {
    const sig = "AAAA";
    expect(verify(`${b64("not json")}.${b64({})}.${sig}`)).toEqual({ ok: false, reason: "malformed" });
    expect(verify(`${b64([goodHeader])}.${b64({})}.${sig}`)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(verify(craft(goodHeader, [1, 2] as unknown as Record<string, unknown>))).toEqual({
      ok: false,
      reason: "malformed",
    });
  });
});

describe("MCP token key rotation", () => {
  it("keeps verifying URLs signed by the old key while the new key signs", async () => {
    const oldToken = await mint(grant(), createKeyRing([oldKey]));
    const rotated = createKeyRing([newKey, oldKey]);
    expect(verify(oldToken, NOW, rotated)).toMatchObject({ ok: true, kid: "k0" });

    const newToken = await mint(grant(), rotated);
    expect(JSON.parse(Buffer.from(newToken.split(".")[0]!, "base64url").toString()).kid).toBe("k1");
    expect(verify(newToken, NOW, rotated)).toMatchObject({ ok: true, kid: "k1" });
  });

  it("refuses the old key's URLs once the old key is removed", async () => {
    const oldToken = await mint(grant(), createKeyRing([oldKey]));
    const retired = createKeyRing([newKey]);
    expect(verify(oldToken, NOW, retired)).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("refuses a ring that lists one kid twice", () => {
    expect(() => createKeyRing([oldKey, { ...newKey, kid: "k0" }])).toThrow(/listed twice/);
  });
});

describe("MCP token entity scope", () => {
  const scope = { user_id: "usr-99", app_id: "support-desk" };

  it("signs the scope as one short claim, keys sorted, and reads it back", async () => {
    const token = await mint(grant({ scope }));
    expect(payloadOf(token).scp).toEqual({ app_id: "support-desk", user_id: "usr-99" });
    expect(Object.keys(payloadOf(token).scp as object)).toEqual(["app_id", "user_id"]);
    const result = verify(token);
    expect(result.ok && result.claims.scope).toEqual(scope);
  });

  it("leaves the claim out of an unscoped token, and an empty scope means none", async () => {
    expect(payloadOf(await mint(grant({ scope: undefined })))).not.toHaveProperty("scp");
    const empty = await mint(grant({ scope: {} }));
    expect(payloadOf(empty)).not.toHaveProperty("scp");
    const result = verify(empty);
    expect(result.ok && result.claims.scope).toBeUndefined();
  });

  it("keeps a scoped typical token (uuid user id, app id) well under the length limit", async () => {
    const token = await mint(
      grant({ scope: { user_id: "0b6f3c7e-8d1c-4c1e-9a55-0c0b8d7e2f11", app_id: "support-desk" } }),
    );
    expect(token.length).toBeLessThan(LIMITS.mcpTokenMaxChars * 0.75);
  });

  it("refuses a token whose scope was edited, dropped or widened after signing", async () => {
    const token = await mint(grant({ scope }));
    const [header, , signature] = token.split(".");
    const claims = payloadOf(token);
    const { scp: _dropped, ...unscoped } = claims;
    for (const forged of [
      { ...claims, scp: { user_id: "usr-1" } },
      unscoped,
      { ...claims, scp: { user_id: "*" } },
    ]) {
      expect(verify(`${header}.${b64(forged)}.${signature}`)).toEqual({ ok: false, reason: "bad_signature" });
    }
  });

  it("refuses a genuinely signed scope claim that is not a map of non-empty ids", async () => {
    const claims = payloadOf(await mint());
    for (const scp of [{}, { user_id: "" }, { user_id: 7 }, ["usr-99"], "usr-99", { "": "x" }]) {
      expect(verify(craft(goodHeader, { ...claims, scp }))).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
