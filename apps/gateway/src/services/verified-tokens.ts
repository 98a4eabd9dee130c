import { type Clock, LIMITS, type McpTokenClaims } from "@mcp-gateway/core";
import { setBounded } from "./bounded-map.js";

/** A CPU-only URL token check: the claims of a genuine, unexpired token, or undefined. */
export type TokenCheck = (token: string) => McpTokenClaims | undefined;

/**
 * Remembers the claims of URL tokens whose check passed, so a URL used again skips the HMAC, the base64 and
 * the JSON decoding of its token. Only tokens that passed the full check enter (a flood of forged ones never
 * does), and the two checks that depend on the time (expiry, and an issue time ahead of our clock) run again
 * on every use, so a remembered token stops working at exactly the moment the full check would refuse it.
 * Revocation is untouched: it lives in the Redis record, which every request still reads. The first
 * `maxEntries` tokens in insertion order are kept; past that the oldest is dropped.
 */
export function rememberVerifiedTokens(
  check: TokenCheck,
  clock: Clock,
  maxEntries: number = LIMITS.mcpVerifiedTokensCached,
): TokenCheck {
  const known = new Map<string, McpTokenClaims>();
  return (token) => {
    const remembered = known.get(token);
    if (remembered !== undefined) {
      const now = clock.now();
      const live = remembered.expiresAt === null || now < remembered.expiresAt;
      if (live && remembered.issuedAtSeconds * 1000 <= now + LIMITS.mcpTokenIssuedAtSkewMs) return remembered;
      // Past its time: the full check refuses it, with its reason counted as for any other refusal.
      known.delete(token);
    }
    const claims = check(token);
    if (claims === undefined) return undefined;
    setBounded(known, token, claims, maxEntries);
    return claims;
  };
}
