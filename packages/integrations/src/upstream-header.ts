/**
 * Arguments that travel as request headers (Mem0's Idempotency-Key) reach the upstream verbatim, so they are
 * held to a narrow rule before any call: printable ASCII without spaces (no CR or LF, so no header
 * injection, and nothing an HTTP stack would fold or reject), and a bounded length. Tools may not declare
 * headers the gateway sets itself, whatever the integration.
 */

/** Longest header value an argument may carry: well above Mem0's 128, far below any server's header limit. */
export const HEADER_ARGUMENT_MAX_CHARS = 256;

/** Headers the gateway owns: credentials, framing and content negotiation. */
const RESERVED_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "host",
  "content-type",
  "content-length",
  "transfer-encoding",
  "connection",
  "accept",
  "te",
  "upgrade",
  "expect",
]);

/** Why a value cannot be sent as a header argument, or undefined when it can. */
export function headerValueProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  if (value.length > HEADER_ARGUMENT_MAX_CHARS)
    return `is longer than ${HEADER_ARGUMENT_MAX_CHARS} characters`;
  if (!/^[\x21-\x7e]+$/.test(value)) return "must be printable ASCII without spaces";
  return undefined;
}

/** True when an integration may declare a header argument of this name (a token, not one the gateway sets). */
export function isDeclarableHeader(name: string): boolean {
  return /^[A-Za-z0-9-]{1,64}$/.test(name) && !RESERVED_HEADERS.has(name.toLowerCase());
}
