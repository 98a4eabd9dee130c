import { createHmac, type KeyObject, randomBytes, sign } from "node:crypto";
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
const seed = (): string => randomBytes(32).toString("base64url");

const oldKey = keys(`k0:${seed()}`)[0];
const newKey = keys(`k1:${seed()}`)[0];
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

/** A token with any header and payload and a genuine Ed25519 signature by `key`. */
function craft(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject = oldKey.privateKey,
) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString("base64url")}`;
}

const goodHeader = { alg: "EdDSA", kid: "k0", typ: MCP_TOKEN_TYPE };

describe("MCP token signing", () => {
  it("round-trips every grant field through a signed token", async () => {
    const g = grant();
    const signed = await signMcpToken(ring, g, manualClock(NOW));
    if (!signed.ok) throw new Error("sign failed");
    const result = await verify(signed.token);
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

  it("gives every token a fresh jti unless one is supplied", async () => {
    const [a, b] = await Promise.all([mint(), mint()]);
    expect(payloadOf(a).jti).not.toBe(payloadOf(b).jti);
  });

  it("keeps absent filters absent, and an empty filter empty", async () => {
    const open = await verify(await mint(grant({ methods: undefined, tags: undefined })));
    expect(open.ok && [open.claims.methods, open.claims.tags]).toEqual([undefined, undefined]);
    const empty = await verify(await mint(grant({ methods: [], tags: [] })));
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
    expect((await verify(token, expiresAt - 1)).ok).toBe(true);
    expect(await verify(token, expiresAt)).toEqual({ ok: false, reason: "expired" });
    expect(await verify(token, expiresAt + 1)).toEqual({ ok: false, reason: "expired" });
  });

  it("is exact even when expires_at falls on a whole second", async () => {
    const whole = Math.ceil(NOW / 1000) * 1000 + 120_000;
    const token = await mint(grant({ expiresAt: whole }));
    expect(payloadOf(token).exp).toBe(whole / 1000);
    expect((await verify(token, whole - 1)).ok).toBe(true);
    expect(await verify(token, whole)).toEqual({ ok: false, reason: "expired" });
  });

  it("follows the injected clock as it moves", async () => {
    const clock = manualClock(expiresAt - 2);
    const token = await mint(grant({ expiresAt }));
    const options = { issuer: ISSUER, audience: AUDIENCE, clock };
    expect((await verifyMcpToken(ring, token, options)).ok).toBe(true);
    clock.advance(1);
    expect((await verifyMcpToken(ring, token, options)).ok).toBe(true);
    clock.advance(1);
    expect(await verifyMcpToken(ring, token, options)).toEqual({ ok: false, reason: "expired" });
  });

  it("signs a server without expiry with no exp claim, and it keeps verifying", async () => {
    const token = await mint(grant({ expiresAt: null }));
    expect(payloadOf(token)).not.toHaveProperty("exp");
    expect(payloadOf(token)).not.toHaveProperty("ems");
    const hundredYears = NOW + 100 * 365 * 86_400_000;
    const result = await verify(token, hundredYears);
    expect(result.ok && result.claims.expiresAt).toBe(null);
  });

  it("refuses a token issued further in the future than clock skew explains", async () => {
    const token = await mint(grant({ expiresAt: null }));
    expect((await verify(token, NOW - LIMITS.mcpTokenIssuedAtSkewMs + 1_000)).ok).toBe(true);
    expect(await verify(token, NOW - LIMITS.mcpTokenIssuedAtSkewMs - 1_000)).toEqual({
      ok: false,
      reason: "not_yet_valid",
    });
  });

  it("refuses exp without its exact twin, and a twin that disagrees with exp", async () => {
    const payload = payloadOf(await mint());
    const { ems: _ems, ...expOnly } = payload;
    expect(await verify(craft(goodHeader, expOnly))).toEqual({ ok: false, reason: "missing_claim" });
    const lateExp = { ...payload, exp: (payload.exp as number) + 3_600 };
    expect(await verify(craft(goodHeader, lateExp))).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("MCP token verification refuses", () => {
  it("a forged signature: same kid, another key", async () => {
    const intruder = keys(`k0:${seed()}`)[0];
    const forged = await mint(grant(), createKeyRing([intruder]));
    expect(await verify(forged)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("a payload edited after signing", async () => {
    const [header, , signature] = (await mint()).split(".");
    const widened = { ...payloadOf(await mint()), mth: ["read", "write", "custom"] };
    expect(await verify(`${header}.${b64(widened)}.${signature}`)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("alg none, with or without a signature part", async () => {
    const payload = payloadOf(await mint());
    const unsigned = `${b64({ ...goodHeader, alg: "none" })}.${b64(payload)}`;
    expect(await verify(`${unsigned}.`)).toEqual({ ok: false, reason: "malformed" });
    expect(await verify(`${unsigned}.AAAA`)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("HS256 signed with the public key (algorithm confusion)", async () => {
    const payload = payloadOf(await mint());
    const publicForms = [
      oldKey.publicKey.export({ format: "pem", type: "spki" }),
      oldKey.publicKey.export({ format: "der", type: "spki" }),
      Buffer.from(oldKey.publicKey.export({ format: "jwk" }).x!, "base64url"),
    ];
    for (const secret of publicForms) {
      const input = `${b64({ ...goodHeader, alg: "HS256" })}.${b64(payload)}`;
      const mac = createHmac("sha256", secret).update(input).digest("base64url");
      expect(await verify(`${input}.${mac}`)).toEqual({ ok: false, reason: "bad_signature" });
    }
  });

  it.each(["eddsa", "EdDSA ", "EDDSA", "Ed25519", "ES256", "RS256"])(
    "alg %j even with a genuine Ed25519 signature",
    async (alg) => {
      const token = craft({ ...goodHeader, alg }, payloadOf(await mint()));
      expect(await verify(token)).toEqual({ ok: false, reason: "bad_signature" });
    },
  );

  it.each([
    ["a generic JWT", "JWT"],
    ["an access token", "at+jwt"],
    ["a case variant", "MCPG-MCP+JWT"],
    ["no typ", undefined],
  ])("the wrong typ: %s", async (_label, typ) => {
    const token = craft({ alg: "EdDSA", kid: "k0", typ }, payloadOf(await mint()));
    expect(await verify(token)).toEqual({ ok: false, reason: "wrong_type" });
  });

  it.each([
    ["iss", { iss: "https://evil.example" }, "wrong_issuer"],
    ["aud", { aud: "https://gateway.example.com/admin" }, "wrong_audience"],
    ["aud list without ours", { aud: ["https://other.example/mcp"] }, "wrong_audience"],
  ])("the wrong %s", async (_label, change, reason) => {
    const token = craft(goodHeader, { ...payloadOf(await mint()), ...change });
    expect(await verify(token)).toEqual({ ok: false, reason });
  });

  it.each(["jti", "sub", "iat", "iss", "aud", "srv", "acc", "rat", "tex"])(
    "a token missing %s",
    async (claim) => {
      const { [claim]: _dropped, ...payload } = payloadOf(await mint());
      expect(await verify(craft(goodHeader, payload))).toEqual({ ok: false, reason: "missing_claim" });
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
    expect(await verify(token)).toEqual({ ok: false, reason: "malformed" });
  });

  it.each(["k9", "__proto__", "constructor", "toString", ""])(
    "an unknown kid %j, from the in-memory ring alone",
    async (kid) => {
      const token = craft({ ...goodHeader, kid }, payloadOf(await mint()));
      expect(await verify(token)).toEqual({ ok: false, reason: "unknown_key" });
    },
  );

  it.each([
    ["no kid", { alg: "EdDSA", typ: MCP_TOKEN_TYPE }],
    ["a jku URL", { ...goodHeader, jku: "https://evil.example/jwks.json" }],
    ["an embedded jwk", { ...goodHeader, jwk: { kty: "OKP", crv: "Ed25519", x: "AAAA" } }],
    ["a crit list", { ...goodHeader, crit: ["exp"] }],
  ])("a header with %s", async (_label, header) => {
    expect(await verify(craft(header, payloadOf(await mint())))).toEqual({ ok: false, reason: "malformed" });
  });

  it("a token one character over the limit, before decoding it", async () => {
    const token = await mint();
    const padded = `${token}${"A".repeat(LIMITS.mcpTokenMaxChars - token.length + 1)}`;
    expect(padded).toHaveLength(LIMITS.mcpTokenMaxChars + 1);
    expect(await verify(padded)).toEqual({ ok: false, reason: "too_long" });
    expect(await verify("x".repeat(1_000_000))).toEqual({ ok: false, reason: "too_long" });
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
    expect(await verify(mangle(await mint()))).toEqual({ ok: false, reason: "malformed" });
  });

  it("a value that is not a string at all, without throwing", async () => {
    for (const value of [undefined, null, 42, { token: "x" }]) {
      expect(await verify(value as unknown as string)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("a header or payload that is not a JSON object", async () => {
    const sig = "AAAA";
    expect(await verify(`${b64("not json")}.${b64({})}.${sig}`)).toEqual({ ok: false, reason: "malformed" });
    expect(await verify(`${b64([goodHeader])}.${b64({})}.${sig}`)).toEqual({
      ok: false,
      reason: "malformed",
    });
    expect(await verify(craft(goodHeader, [1, 2] as unknown as Record<string, unknown>))).toEqual({
      ok: false,
      reason: "malformed",
    });
  });
});

describe("MCP token key rotation", () => {
  it("keeps verifying URLs signed by the old key while the new key signs", async () => {
    const oldToken = await mint(grant(), createKeyRing([oldKey]));
    const rotated = createKeyRing([newKey, oldKey]);
    expect(await verify(oldToken, NOW, rotated)).toMatchObject({ ok: true, kid: "k0" });

    const newToken = await mint(grant(), rotated);
    expect(JSON.parse(Buffer.from(newToken.split(".")[0]!, "base64url").toString()).kid).toBe("k1");
    expect(await verify(newToken, NOW, rotated)).toMatchObject({ ok: true, kid: "k1" });
  });

  it("refuses the old key's URLs once the old key is removed", async () => {
    const oldToken = await mint(grant(), createKeyRing([oldKey]));
    const retired = createKeyRing([newKey]);
    expect(await verify(oldToken, NOW, retired)).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("refuses a ring that lists one kid twice", () => {
    expect(() => createKeyRing([oldKey, { ...newKey, kid: "k0" }])).toThrow(/listed twice/);
  });
});
