/**
 * Origin validation (MCP transports, 2025-11-25 "Security Warning"; DNS rebinding): a browser page on another
 * site must not reach the endpoint. Non-browser clients send no Origin, so a missing header is allowed;
 * a present one must equal an allowed origin exactly (after normalizing case and default ports), or, on a
 * gateway that listens only on loopback, be a loopback origin.
 */
export interface OriginPolicy {
  /** Exact origins allowed (MCP_ALLOWED_ORIGINS). */
  readonly allowed: readonly string[];
  /** Also allow http(s)://localhost, 127.0.0.1 and [::1] on any port: true only when listening on loopback. */
  readonly loopback: boolean;
}

/** The policy for a gateway listening on `listenHost` with MCP_ALLOWED_ORIGINS `allowed`. */
export function originPolicyFor(listenHost: string, allowed: readonly string[]): OriginPolicy {
  return Object.freeze({ allowed, loopback: isLoopbackHost(listenHost) });
}

/** Whether a request carrying this Origin header (or none) may reach the MCP endpoint. */
export function isOriginAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined) return false; // "null", garbage, or a value with a path
  if (policy.loopback && isLoopbackOrigin(normalized)) return true;
  return policy.allowed.some((allowed) => normalizeOrigin(allowed) === normalized);
}

/**
 * A listen address only this machine can reach. A DNS-rebinding page still sends its own (public) Origin, so
 * allowing loopback origins here lets local tools (the MCP Inspector, the conformance suite) in and nothing else.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

function isLoopbackOrigin(normalized: string): boolean {
  const url = new URL(normalized);
  return (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHost(url.hostname);
}

/** `scheme://host[:port]` in lower case with the default port dropped, or undefined when it is not an origin. */
export function normalizeOrigin(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+\/?$/i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    return url.origin === "null" ? undefined : url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}
