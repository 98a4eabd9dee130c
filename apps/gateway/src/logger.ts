import { type DestinationStream, type Logger, pino } from "pino";

/**
 * Replaces the segment after any `/mcp/` in a path and drops the query string, so a logged URL can never
 * carry a capability token: clients also put the MCP path inside other paths, e.g. mcp-remote asks for
 * `/.well-known/oauth-protected-resource/mcp/<token>`. Exported so every place that logs a URL uses it.
 */
export function redactUrl(url: string): string {
  const path = url.split("?")[0] ?? "";
  const hasQuery = url.includes("?");
  const redacted = path
    // An MCP server id (mcp_…) in an admin path is not a secret; anything else after /mcp/ may be.
    .replace(/(^|\/)mcp\/(?!mcp_[a-z2-7]{26}(?:\/|$))[^/]+/g, "$1mcp/[token]")
    .split("/")
    .map((segment) => (looksLikeSecret(segment) ? "[secret]" : segment))
    .join("/");
  return hasQuery ? `${redacted}?[query]` : redacted;
}

// Secrets pasted where an id belongs (e.g. DELETE /api-tokens/<the token itself>): our token prefixes,
// and anything shaped like a compact JWS.
function looksLikeSecret(segment: string): boolean {
  return /^mcpg_/i.test(segment) || /^[\w-]{8,}\.[\w-]{8,}\.[\w-]+$/.test(segment) || /%2e/i.test(segment);
}

interface LoggableRequest {
  id?: string;
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  ip?: string;
}

interface LoggableReply {
  statusCode?: number;
}

/**
 * pino for the gateway. Requests are logged by an allow-list serializer (method, redacted URL, route, ip):
 * headers are never logged, so neither Authorization nor cookies can leak; a redact rule is a second guard.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "mcp-gateway" },
      redact: {
        paths: ["req.headers", "headers.authorization", "*.headers.authorization", "authorization", "token"],
        censor: "[redacted]",
      },
      serializers: {
        req: (req: LoggableRequest) => ({
          id: req.id,
          method: req.method,
          url: req.url === undefined ? undefined : redactUrl(req.url),
          route: req.routeOptions?.url,
          ip: req.ip,
        }),
        res: (reply: LoggableReply) => ({ statusCode: reply.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
