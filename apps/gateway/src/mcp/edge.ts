import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { McpTokenClaims } from "@mcp-gateway/core";
import type { Logger } from "pino";
import { redactUrl } from "../logger.js";
import type { McpEndpointOptions } from "./mcp-session.js";
import { isOriginAllowed } from "./origin.js";
import { refusal } from "./refusals.js";

/**
 * The edge of the MCP endpoint, in front of fastify: a POST to `/mcp/<token>` whose token fails the
 * CPU-only check (forged, expired, malformed, unknown key) is answered with the endpoint's one 404 right
 * here, before fastify builds a request, a logger and a reply for it. Refusing a flood of forged URLs then
 * costs little more than Node's own HTTP parsing, and never a body read or a Redis command.
 *
 * Only the plain shape is decided here: a POST whose path is exactly `/mcp/` plus token characters, from
 * no Origin or an allowed one. Everything else (other methods, queries, encodings, a refused Origin, a
 * server shutting down) goes to fastify, whose MCP route makes the same checks and gives the same answers.
 * A token that passes is handed on with its claims, so the route does not check it twice.
 */
const PLAIN_MCP_PATH = /^\/mcp\/[A-Za-z0-9_.-]+$/;
const NOT_FOUND = refusal("not_found");
// The 404's headers as raw [name, value, ...] pairs; the request id is appended per answer.
const NOT_FOUND_HEADERS = Object.entries(NOT_FOUND.headers).flat();
const NOT_FOUND_LENGTH = String(Buffer.byteLength(NOT_FOUND.text));
// The checked claims ride on the request object itself: a WeakMap entry per request cost more, as every
// garbage collection has to walk the map's entries.
const CHECKED_CLAIMS = Symbol("mcp.checkedClaims");
type CarriesClaims = IncomingMessage & { [CHECKED_CLAIMS]?: McpTokenClaims };

export type EdgeOptions = Pick<McpEndpointOptions, "checkToken" | "origins">;

/**
 * Answers the request when the edge refuses it (true); otherwise leaves it to fastify (false), with the
 * token's claims recorded when it checked them.
 */
export function refusedAtEdge(
  req: IncomingMessage,
  res: ServerResponse,
  options: EdgeOptions,
  log: Logger,
): boolean {
  const url = req.url;
  if (req.method !== "POST" || url === undefined || !PLAIN_MCP_PATH.test(url)) return false;
  if (!isOriginAllowed(req.headers.origin, options.origins)) return false;
  const claims = options.checkToken(url.slice("/mcp/".length));
  if (claims !== undefined) {
    rememberCheckedClaims(req, claims);
    return false;
  }
  const requestId = randomUUID();
  res.writeHead(NOT_FOUND.status, [
    ...NOT_FOUND_HEADERS,
    "x-request-id",
    requestId,
    "content-length",
    NOT_FOUND_LENGTH,
  ]);
  res.end(NOT_FOUND.text);
  // Only when wanted: redacting the URL costs more than the rest of the refusal.
  if (log.isLevelEnabled("info")) {
    const logged = { method: "POST", url: redactUrl(url), ip: req.socket.remoteAddress };
    log.info({ reqId: requestId, req: logged, res: { statusCode: 404 } }, "MCP URL refused");
  }
  return true;
}

/** Records the claims of the request's URL token once its check passed (at the edge or in the MCP route). */
export function rememberCheckedClaims(req: IncomingMessage, claims: McpTokenClaims): void {
  (req as CarriesClaims)[CHECKED_CLAIMS] = claims;
}

/** The claims recorded for this request, when its token was checked and passed. */
export function checkedClaimsOf(req: IncomingMessage): McpTokenClaims | undefined {
  return (req as CarriesClaims)[CHECKED_CLAIMS];
}
