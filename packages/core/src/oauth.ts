import { createHash, randomBytes } from "node:crypto";
import { randomIdPart } from "./ids.js";

/**
 * The OAuth 2.1 authorization server's pure rules (MCP authorization, reference/oauth.md): token formats,
 * PKCE, redirect URI matching, resource (RFC 8707) parsing, client metadata checks. No I/O, no clock reads.
 *
 * Token formats (the tenant id names the Redis hash tag, as in console session ids; it is not secret):
 *   - access token  `mcpg_oat.<tenant id>.<32 random bytes, base64url>`; stored only as a keyed hash;
 *   - refresh token `mcpg_ort.<tenant id>.<grant id>.<generation>.<mac>`, where mac is a keyed hash of the grant
 *     id, generation and the grant's salt: every generation can be verified, so a replayed old one is told
 *     apart from a forged one (reuse detection), and nothing about the token itself is stored;
 *   - authorization code `mcpg_oac.<tenant id>.<32 random bytes>`; stored only as a keyed hash;
 *   - registered (DCR) client id `mcpg_oc_<26>`, secret `mcpg_ocs_<43>`; never starting `https://`, so they
 *     cannot be mistaken for a Client ID Metadata Document URL.
 */

/** Every OAuth limit, each with its reason (LIMITS holds the gateway's others). */
export const OAUTH_LIMITS = {
  /** An authorization code is exchanged at once by a client; 60 s is generous (OAuth 2.1 §4.1.2 "short lived"). */
  codeTtlMs: 60_000,
  /** A person has this long between the authorize request and Approve/Deny (sign-in included). */
  pendingRequestTtlMs: 10 * 60_000,
  /** Access token lifetime by default: short, as OAuth 2.1 asks; revocation is instant anyway (opaque tokens). */
  accessTokenTtlDefaultS: 3_600,
  /** Bounds of OAUTH_ACCESS_TOKEN_TTL_SECONDS: 5 min to 24 h (24 h copes with clients that never refresh). */
  accessTokenTtlMinS: 300,
  accessTokenTtlMaxS: 86_400,
  /** A grant lives this long after its last refresh (sliding), by default: a month of disuse ends it. */
  refreshTtlDefaultDays: 30,
  refreshTtlMaxDays: 365,
  /**
   * After a rotation, the previous refresh token is accepted once more for this long (a client that lost the
   * response retries at once); later, or a second time, it counts as a copy and revokes the grant.
   */
  refreshGraceMs: 60_000,
  /** DCR: a registered client nobody used for this long is forgotten (Claude registers a new client per connection). */
  registeredClientTtlMs: 30 * 86_400_000,
  /** DCR request body: a few redirect URIs and names fit in well under 8 KiB. */
  registrationBodyBytes: 8 * 1024,
  /** DCR: redirect URIs per client, and characters per URI. */
  redirectUrisMax: 10,
  redirectUriMaxChars: 512,
  /** Client names shown on the consent page are cut to this. */
  clientNameMaxChars: 100,
  /** DCR registrations per client IP per window: clients register once per connection, floods are refused. */
  registrationsPerWindow: 20,
  registrationWindowMs: 60_000,
  /** Client ID Metadata Documents: response size (the CIMD draft suggests about 5 KB), time and cache bounds. */
  metadataDocumentBytes: 5 * 1024,
  metadataDocumentTimeoutMs: 5_000,
  metadataDocumentCacheMinMs: 60_000,
  metadataDocumentCacheMaxMs: 24 * 3_600_000,
  /**
   * CIMD fetches that fail (or fetch an unusable document) are remembered this long and not retried, so a
   * bad client_id cannot make the gateway fetch it on every request.
   */
  metadataDocumentFailureCacheMs: 60_000,
  /** New (uncached) metadata documents fetched per client IP per window: a client has one; floods are refused. */
  metadataDocumentFetchesPerWindow: 20,
  metadataDocumentFetchWindowMs: 60_000,
  /** A CIMD client_id URL longer than this is refused unfetched. */
  clientIdUrlMaxChars: 512,
  /** Authorize query parameters: state and friends are short; this caps what is stored with a pending request. */
  stateMaxChars: 1_024,
  /** Grants listed per page in the API and the console. */
  grantsPerServerMax: 1_000,
} as const;

/** The one scope this server grants: the right to call the MCP URL the grant is bound to. */
export const OAUTH_SCOPE = "mcp";

const B64URL_43 = "[A-Za-z0-9_-]{43}";
const TENANT = "ten_[a-z2-7]{26}";
const ACCESS_TOKEN = new RegExp(`^mcpg_oat\\.(${TENANT})\\.${B64URL_43}$`);
const CODE = new RegExp(`^mcpg_oac\\.(${TENANT})\\.${B64URL_43}$`);
const REFRESH_TOKEN = new RegExp(
  `^mcpg_ort\\.(${TENANT})\\.(gr_[a-z2-7]{26})\\.([0-9]{1,9})\\.(${B64URL_43})$`,
);
const TOKEN_MAX_CHARS = 160;

/** True when a bearer value is shaped like one of our OAuth access tokens (then no API-token lookup happens). */
export function looksLikeOAuthAccessToken(value: string): boolean {
  return value.startsWith("mcpg_oat.");
}

function secret(): string {
  return randomBytes(32).toString("base64url");
}

/** A fresh access token for a tenant's grant. */
export function generateAccessToken(tenantId: string): string {
  return `mcpg_oat.${tenantId}.${secret()}`;
}

/** A fresh authorization code for a tenant's server. */
export function generateAuthorizationCode(tenantId: string): string {
  return `mcpg_oac.${tenantId}.${secret()}`;
}

/** A fresh grant id (`gr_…`). */
export function newGrantId(): string {
  return `gr_${randomIdPart()}`;
}

/** A fresh per-grant salt for refresh token MACs. */
export function newRefreshSalt(): string {
  return secret();
}

/** The tenant a well-formed access token or code names; checks nothing secret. */
export function tenantOfOpaqueToken(kind: "access" | "code", value: string): string | undefined {
  if (value.length > TOKEN_MAX_CHARS) return undefined;
  return (kind === "access" ? ACCESS_TOKEN : CODE).exec(value)?.[1];
}

/** The parts of a well-formed refresh token; checks nothing secret. */
export function parseRefreshToken(
  value: string,
): { tenantId: string; grantId: string; generation: number; mac: string } | undefined {
  if (value.length > TOKEN_MAX_CHARS) return undefined;
  const match = REFRESH_TOKEN.exec(value);
  if (match === null) return undefined;
  const [, tenantId, grantId, generation, mac] = match;
  if (tenantId === undefined || grantId === undefined || generation === undefined || mac === undefined) {
    return undefined;
  }
  return { tenantId, grantId, generation: Number(generation), mac };
}

/** What the refresh MAC covers (hash it with SECRET_HASH_KEY via hashSecret). */
export function refreshMacInput(grantId: string, generation: number, salt: string): string {
  return `oauth-refresh|${grantId}|${generation}|${salt}`;
}

/** Builds a refresh token from its parts. */
export function formatRefreshToken(
  tenantId: string,
  grantId: string,
  generation: number,
  mac: string,
): string {
  return `mcpg_ort.${tenantId}.${grantId}.${generation}.${mac}`;
}

/** A fresh DCR client id and, for confidential clients, secret. */
export function generateClientCredentials(): { clientId: string; clientSecret: string } {
  return { clientId: `mcpg_oc_${randomIdPart()}`, clientSecret: `mcpg_ocs_${secret()}` };
}

/** True for an id this server handed out through DCR. */
export function isRegisteredClientId(value: string): boolean {
  return /^mcpg_oc_[a-z2-7]{26}$/.test(value);
}

// RFC 7636 §4.1: 43 to 128 characters of the unreserved set.
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** True when a code_challenge is a well-formed S256 challenge (the only method this server takes). */
export function isS256Challenge(challenge: string): boolean {
  return S256_CHALLENGE.test(challenge);
}

/** RFC 7636 §4.6: BASE64URL(SHA256(verifier)) must equal the challenge. */
export function pkceMatches(verifier: string, challenge: string): boolean {
  if (!VERIFIER.test(verifier)) return false;
  return createHash("sha256").update(verifier, "ascii").digest("base64url") === challenge;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** True for an http URL on a loopback host (RFC 8252 §7.3). */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Why a redirect URI may not be registered, or undefined when it may: https, or http on a loopback host (OAuth
 * 2.1 §2.3.1); no fragment and no user info.
 */
export function redirectUriProblem(value: string): string | undefined {
  if (value.length > OAUTH_LIMITS.redirectUriMaxChars) {
    return `a redirect URI is longer than ${OAUTH_LIMITS.redirectUriMaxChars} characters`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not an absolute URL`;
  }
  if (url.hash !== "" || value.includes("#")) return "a redirect URI may not have a fragment";
  if (url.username !== "" || url.password !== "") return "a redirect URI may not carry user info";
  if (url.protocol === "https:" || isLoopbackHttp(url)) return undefined;
  return `redirect URIs must be https, or http on 127.0.0.1, [::1] or localhost; ${JSON.stringify(value)} is neither`;
}

/**
 * True when a requested redirect_uri is one of the registered ones: exact string comparison, except that a
 * loopback redirect may use any port (OAuth 2.1 §8.4.2, RFC 8252 §7.3; Claude Code registers port-less ones).
 */
export function redirectUriRegistered(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (!isLoopbackHttp(url)) return false;
  const withoutPort = (u: URL) => `${u.protocol}//${u.hostname}${u.pathname}${u.search}`;
  return registered.some((r) => {
    try {
      const candidate = new URL(r);
      return isLoopbackHttp(candidate) && withoutPort(candidate) === withoutPort(url);
    } catch {
      return false;
    }
  });
}

/**
 * The MCP URL token a `resource` names, or undefined when it is not one of this gateway's MCP URLs. Scheme and
 * host compare case-insensitively (RFC 8707 §2, MCP "canonical URI"); a trailing slash, query or fragment is
 * refused, as the resource must be exactly the URL.
 */
export function mcpTokenOfResource(resource: string, publicUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return undefined;
  }
  if (url.search !== "" || url.hash !== "" || resource.includes("#") || resource.includes("?"))
    return undefined;
  const base = new URL(publicUrl);
  if (url.origin !== base.origin) return undefined;
  const prefix = `${base.pathname.replace(/\/+$/, "")}/mcp/`;
  if (!url.pathname.startsWith(prefix)) return undefined;
  const token = url.pathname.slice(prefix.length);
  return token === "" || token.includes("/") ? undefined : token;
}

/** The client metadata this server keeps, from DCR or a Client ID Metadata Document. */
export interface OAuthClientMetadata {
  client_name: string;
  redirect_uris: string[];
  token_endpoint_auth_method: "none" | "client_secret_post" | "client_secret_basic";
  client_uri?: string;
}

export type MetadataCheck = { ok: true; metadata: OAuthClientMetadata } | { ok: false; message: string };

const AUTH_METHODS = new Set(["none", "client_secret_post", "client_secret_basic"]);

/**
 * Checks client metadata (RFC 7591 §2) for what this server uses: redirect URIs (required, https or loopback),
 * a name, the auth method. Unknown fields and grant types are ignored (Claude lists a jwt-bearer grant).
 * `source` "document" forbids shared secrets (CIMD draft §4.1: such a client is public).
 */
export function checkClientMetadata(input: unknown, source: "registration" | "document"): MetadataCheck {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, message: "client metadata must be a JSON object" };
  }
  const m = input as Record<string, unknown>;
  const uris = m.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((u) => typeof u === "string")) {
    return { ok: false, message: "redirect_uris must be a non-empty array of URLs" };
  }
  if (uris.length > OAUTH_LIMITS.redirectUrisMax) {
    return { ok: false, message: `at most ${OAUTH_LIMITS.redirectUrisMax} redirect_uris are accepted` };
  }
  for (const uri of uris as string[]) {
    const problem = redirectUriProblem(uri);
    if (problem !== undefined) return { ok: false, message: problem };
  }
  const method = m.token_endpoint_auth_method ?? (source === "document" ? "none" : "client_secret_basic");
  if (typeof method !== "string" || !AUTH_METHODS.has(method)) {
    return {
      ok: false,
      message: "token_endpoint_auth_method must be none, client_secret_post or client_secret_basic",
    };
  }
  if (source === "document" && (method !== "none" || "client_secret" in m)) {
    return { ok: false, message: "a Client ID Metadata Document may not use a shared secret" };
  }
  const responseTypes = m.response_types;
  if (responseTypes !== undefined && (!Array.isArray(responseTypes) || !responseTypes.includes("code"))) {
    return { ok: false, message: 'response_types must include "code"' };
  }
  const grantTypes = m.grant_types;
  if (
    grantTypes !== undefined &&
    (!Array.isArray(grantTypes) || !grantTypes.includes("authorization_code"))
  ) {
    return { ok: false, message: 'grant_types must include "authorization_code"' };
  }
  const name =
    typeof m.client_name === "string" && m.client_name.trim() !== "" ? m.client_name.trim() : undefined;
  if (source === "document" && name === undefined) {
    return { ok: false, message: "a Client ID Metadata Document must have a client_name" };
  }
  const metadata: OAuthClientMetadata = {
    client_name: (name ?? "Unnamed client").slice(0, OAUTH_LIMITS.clientNameMaxChars),
    redirect_uris: uris as string[],
    token_endpoint_auth_method: method as OAuthClientMetadata["token_endpoint_auth_method"],
  };
  if (typeof m.client_uri === "string" && m.client_uri.length <= OAUTH_LIMITS.redirectUriMaxChars) {
    metadata.client_uri = m.client_uri;
  }
  return { ok: true, metadata };
}

/**
 * Why a client_id URL cannot be a Client ID Metadata Document URL (CIMD draft §3), or undefined: https with a
 * path, no fragment, no user info, no dot segments.
 */
export function clientIdUrlProblem(value: string): string | undefined {
  if (value.length > OAUTH_LIMITS.clientIdUrlMaxChars) return "the client_id URL is too long";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "the client_id is not a URL";
  }
  if (url.protocol !== "https:") return "a client_id URL must be https";
  if (url.hash !== "" || value.includes("#")) return "a client_id URL may not have a fragment";
  if (url.username !== "" || url.password !== "") return "a client_id URL may not carry user info";
  if (url.pathname === "/" || url.pathname === "") return "a client_id URL must have a path";
  if (/\/\.\.?(\/|$)/.test(value.slice(url.origin.length)))
    return "a client_id URL may not have . or .. segments";
  if (url.href !== value) return "a client_id URL must be in its normal form";
  return undefined;
}
