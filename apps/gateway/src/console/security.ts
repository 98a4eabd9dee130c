import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The console's security headers. A strict CSP: only our own script and stylesheet run (no inline code, no
 * eval, nothing from another origin), forms post only to us, and no page may be framed (clickjacking).
 */
export const CONSOLE_HEADERS = {
  "content-security-policy": [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; "),
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on its own form posts,
  // and the origin check below needs the real one.
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
} as const;

/** The session cookie's name: `__Host-` (Secure, Path=/, no Domain) when the console is served over https. */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-mcpg_console" : "mcpg_console";
}

/** A Set-Cookie value for the session id (HttpOnly, SameSite=Strict, Secure over https), or one clearing it. */
export function sessionCookie(secure: boolean, sessionId: string | null): string {
  const parts = [
    `${sessionCookieName(secure)}=${sessionId ?? ""}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    ...(secure ? ["Secure"] : []),
    // No Max-Age on a live session: it ends with the browser, and the server's own timeouts apply anyway.
    ...(sessionId === null ? ["Max-Age=0"] : []),
  ];
  return parts.join("; ");
}

/** One cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * CSRF, first line: a state-changing request must come from a page of the console's own origin. Browsers
 * send Origin on every POST; without it (older browsers) Sec-Fetch-Site must say same-origin. A cross-site
 * form, script or frame fails here before its body is read. (Signed-in forms also carry the session's
 * CSRF token, checked once the body is parsed.)
 */
export function fromConsoleOrigin(request: FastifyRequest, consoleOrigin: string): boolean {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== "null") return origin === consoleOrigin;
  return request.headers["sec-fetch-site"] === "same-origin";
}

/** Sends a console page. */
export function sendPage(reply: FastifyReply, page: { value: string }, status = 200): FastifyReply {
  return reply.code(status).type("text/html; charset=utf-8").send(page.value);
}
