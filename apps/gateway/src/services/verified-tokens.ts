import { type Clock, LIMITS, type McpTokenClaims } from "@mcp-gateway/core";
import { setBounded } from "./bounded-map.js";

/** A CPU-only URL token check: the claims of a genuine, unexpired token, or undefined. */
export type TokenCheck = (token: string) => McpTokenClaims | undefined;

// Tokens are remembered under the last characters of their signature (22 base64url characters, 132 bits of
// HMAC output), and a hit still compares the whole token. Every request's URL is a fresh string, and
// hashing all of a token (450 characters or more) for the lookup cost about half a microsecond per request.
const KEY_CHARS = 22;

interface Remembered {
  token: string;
  claims: McpTokenClaims;
}

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
  const known = new Map<string, Remembered>();
  return (token) => {
    const key = token.slice(-KEY_CHARS);
    const remembered = known.get(key);
    // A token that only shares the signature's tail (an edited payload, say) is not the remembered one.
    if (remembered !== undefined && remembered.token === token) {
      const { claims } = remembered;
      const now = clock.now();
      const live = claims.expiresAt === null || now < claims.expiresAt;
      if (live && claims.issuedAtSeconds * 1000 <= now + LIMITS.mcpTokenIssuedAtSkewMs) return claims;
      // Past its time: the full check refuses it, with its reason counted as for any other refusal.
      known.delete(key);
    }
    const claims = check(token);
    if (claims === undefined) return undefined;
    setBounded(known, key, { token, claims }, maxEntries);
    return claims;
  };
}
