/**
 * Remembered URL tokens: a token is verified once, yet it is still refused at the exact millisecond of its
 * expiry, forged tokens are never remembered, and the memory stays bounded. The check underneath is the
 * real one (core's verifyMcpToken on tokens signed by signMcpToken), counted by a wrapper.
 */
import { randomBytes } from "node:crypto";
import {
  createKeyRing,
  LIMITS,
  type McpTokenClaims,
  manualClock,
  newAccountId,
  newMcpServerId,
  newTenantId,
  parseMcpTokenKeys,
  signMcpToken,
  verifyMcpToken,
} from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { rememberVerifiedTokens } from "../src/services/verified-tokens.js";

const ISSUER = "https://gateway.example.com";
const AUDIENCE = "https://gateway.example.com/mcp";
const NOW = Date.UTC(2026, 10, 30, 10, 0, 0, 0);

const parsed = parseMcpTokenKeys(`k0:${randomBytes(32).toString("base64url")}`);
if (!parsed.ok) throw new Error(parsed.message);
const ring = createKeyRing([parsed.keys[0]]);

async function mint(expiresAt: number | null, issuedAt = NOW): Promise<string> {
  const signed = await signMcpToken(
    ring,
    {
      issuer: ISSUER,
      audience: AUDIENCE,
      tenantId: newTenantId(),
      serverId: newMcpServerId(),
      accountId: newAccountId(),
      requireApiTokenAuth: false,
      toolExposure: "all",
      expiresAt,
    },
    manualClock(issuedAt),
  );
  if (!signed.ok) throw new Error("token too long");
  return signed.token;
}

/** The real check at the clock's now, and how many times it ran. */
function countedCheck(clock: { now(): number }): {
  check: (token: string) => McpTokenClaims | undefined;
  calls: () => number;
} {
  let calls = 0;
  return {
    check: (token) => {
      calls++;
      const verified = verifyMcpToken(ring, token, { issuer: ISSUER, audience: AUDIENCE, clock });
      return verified.ok ? verified.claims : undefined;
    },
    calls: () => calls,
  };
}

describe("rememberVerifiedTokens", () => {
  it("verifies a token once and answers the same claims after that", async () => {
    const clock = manualClock(NOW);
    const counted = countedCheck(clock);
    const check = rememberVerifiedTokens(counted.check, clock);
    const token = await mint(NOW + 3_600_000);
    const first = check(token);
    expect(first?.expiresAt).toBe(NOW + 3_600_000);
    expect(check(token)).toBe(first);
    expect(check(token)).toBe(first);
    expect(counted.calls()).toBe(1);
  });

  it("refuses a remembered token from the millisecond it expires", async () => {
    const clock = manualClock(NOW);
    const check = rememberVerifiedTokens(countedCheck(clock).check, clock);
    const expiresAt = NOW + 120_000;
    const token = await mint(expiresAt);
    expect(check(token)).toBeDefined();
    clock.set(expiresAt - 1);
    expect(check(token)).toBeDefined();
    clock.set(expiresAt);
    expect(check(token)).toBeUndefined();
    expect(check(token)).toBeUndefined();
  });

  it("refuses a remembered token when the clock falls back before its issue time", async () => {
    const clock = manualClock(NOW);
    const check = rememberVerifiedTokens(countedCheck(clock).check, clock);
    const token = await mint(null);
    expect(check(token)).toBeDefined();
    clock.set(NOW - LIMITS.mcpTokenIssuedAtSkewMs - 1_000);
    expect(check(token)).toBeUndefined();
  });

  it("never remembers a forged token: every use is checked again", async () => {
    const clock = manualClock(NOW);
    const counted = countedCheck(clock);
    const check = rememberVerifiedTokens(counted.check, clock);
    const genuine = await mint(null);
    const forged = `${genuine.slice(0, genuine.lastIndexOf(".") + 1)}${randomBytes(32).toString("base64url")}`;
    expect(check(forged)).toBeUndefined();
    expect(check(forged)).toBeUndefined();
    expect(counted.calls()).toBe(2);
  });

  it("checks in full a token that carries a remembered token's signature over an edited payload", async () => {
    const clock = manualClock(NOW);
    const counted = countedCheck(clock);
    const check = rememberVerifiedTokens(counted.check, clock);
    const genuine = await mint(null);
    expect(check(genuine)).toBeDefined();
    const [header, payload, signature] = genuine.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const edited = Buffer.from(JSON.stringify({ ...claims, exp: 4_102_444_800 })).toString("base64url");
    const forged = `${header}.${edited}.${signature}`;
    expect(check(forged)).toBeUndefined();
    expect(counted.calls()).toBe(2);
    // The genuine token is still remembered: the forgery did not evict or replace it.
    expect(check(genuine)).toBeDefined();
    expect(counted.calls()).toBe(2);
  });

  it("keeps at most its bound, dropping the oldest token first", async () => {
    const clock = manualClock(NOW);
    const counted = countedCheck(clock);
    const check = rememberVerifiedTokens(counted.check, clock, 2);
    const [a, b, c] = [await mint(null), await mint(null), await mint(null)];
    for (const token of [a, b, c]) check(token);
    expect(counted.calls()).toBe(3);
    check(c);
    check(b);
    expect(counted.calls()).toBe(3);
    check(a);
    expect(counted.calls()).toBe(4);
  });
});
