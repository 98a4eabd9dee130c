/**
 * Origin validation (MCP transports, 2025-11-25 "Security Warning"; DNS rebinding): a browser page on another
 * site must not reach the endpoint. Non-browser clients send no Origin, so a missing header is allowed;
 * a present one must equal an allowed origin exactly (after normalizing case and default ports).
 */
export function isOriginAllowed(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined) return false; // "null", garbage, or a value with a path
  return allowedOrigins.some((allowed) => normalizeOrigin(allowed) === normalized);
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
