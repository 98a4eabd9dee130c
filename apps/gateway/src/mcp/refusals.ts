import { LIMITS } from "@mcp-gateway/core";

/** B2: a capability URL must not be cached or leak through Referer; set on every answer of the endpoint. */
export const PRIVATE_HEADERS = { "cache-control": "no-store", "referrer-policy": "no-referrer" } as const;

/** The MCP endpoint's route pattern (a wildcard: fastify caps a named parameter at 100 characters). */
export const MCP_ROUTE = "/mcp/*";

/** The content type of every JSON answer the endpoint writes itself. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

const REASONS = [
  "not_found",
  "unauthorized",
  "unavailable",
  "origin_forbidden",
  "method_not_allowed",
  "body_too_large",
  "unsupported_media_type",
  "parse_error",
  "nested_too_deep",
  "internal",
  // The legacy HTTP+SSE transport's own (legacy-sse/).
  "too_many_streams",
  "instance_full",
  "queue_full",
  "session_required",
  "unknown_session",
  "not_a_message",
] as const;

/** Why the endpoint answers before (or instead of) the MCP SDK. */
export type RefusalReason = (typeof REASONS)[number];

/** An HTTP answer with a JSON-RPC error body (clients of both eras read these). */
export interface Refusal {
  readonly status: number;
  /** Every header of the answer (private, content type, the refusal's own), in the order they are sent. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: {
    readonly jsonrpc: "2.0";
    readonly id: null;
    readonly error: { readonly code: number; readonly message: string };
  };
  /** The body as sent: serialized once, since a flood of forged URLs is answered with it. */
  readonly text: string;
}

// JSON-RPC reserves -32000..-32099 for implementation-defined server errors.
const SERVER_ERROR = -32000;
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

const REFUSALS = Object.fromEntries(REASONS.map((reason) => [reason, build(reason)])) as Record<
  RefusalReason,
  Refusal
>;

/**
 * The one answer for each refusal. Bodies never echo the request (no token, no id), so every unknown,
 * forged, expired or revoked URL gets byte-identical 404s.
 */
export function refusal(reason: RefusalReason): Refusal {
  return REFUSALS[reason];
}

function build(reason: RefusalReason): Refusal {
  switch (reason) {
    case "not_found":
      return answer(
        404,
        SERVER_ERROR,
        "No MCP server at this URL: it is mistyped, expired or revoked. Ask its owner for a new URL.",
      );
    case "unauthorized":
      // RFC 6750 §3: a protected resource names its scheme in WWW-Authenticate on a 401.
      return answer(
        401,
        SERVER_ERROR,
        "This MCP server requires sign-in: connect with an MCP client that supports OAuth (it signs in through the gateway's console), or send Authorization: Bearer <API token of the tenant that owns it>.",
        { "www-authenticate": 'Bearer realm="mcp-gateway"' },
      );
    case "unavailable":
      return answer(503, SERVER_ERROR, "The gateway cannot check this URL right now; retry shortly.", {
        "retry-after": String(LIMITS.storageRetryAfterSeconds),
      });
    case "origin_forbidden":
      return answer(403, SERVER_ERROR, "Forbidden: this Origin may not call the MCP endpoint.");
    case "method_not_allowed":
      // Stateless Streamable HTTP: no GET stream and no session to DELETE (both eras allow 405 here).
      return answer(405, SERVER_ERROR, "Method not allowed: send MCP messages with POST.", { allow: "POST" });
    case "body_too_large":
      return answer(413, SERVER_ERROR, "The request body is too large for one MCP message.");
    case "unsupported_media_type":
      return answer(415, SERVER_ERROR, "Send the JSON-RPC message with Content-Type: application/json.");
    case "parse_error":
      return answer(400, PARSE_ERROR, "Parse error: the body is not one valid JSON-RPC message.");
    case "nested_too_deep":
      return answer(
        400,
        INVALID_REQUEST,
        `Invalid request: the JSON body nests deeper than ${LIMITS.jsonMaxDepth} levels; flatten the arguments.`,
      );
    case "internal":
      return answer(500, -32603, "Internal error; quote the x-request-id header when reporting it.");
    case "too_many_streams":
      return answer(
        429,
        SERVER_ERROR,
        `This MCP URL already has ${LIMITS.legacySseStreamsPerUrl} open SSE streams; close one or use Streamable HTTP (POST).`,
        { "retry-after": String(LIMITS.legacySseKeepAliveMs / 1000) },
      );
    case "instance_full":
      return answer(
        503,
        SERVER_ERROR,
        "This gateway instance holds all the SSE streams it can; retry shortly.",
        {
          "retry-after": String(LIMITS.storageRetryAfterSeconds),
        },
      );
    case "queue_full":
      return answer(
        429,
        SERVER_ERROR,
        `${LIMITS.legacySseQueuedMessagesMax} messages on this SSE connection are still unanswered; wait for their answers before posting more.`,
        { "retry-after": "1" },
      );
    case "session_required":
      return answer(
        400,
        INVALID_REQUEST,
        "POST SSE messages to the endpoint named by the stream's endpoint event, with its session_id.",
      );
    case "unknown_session":
      return answer(
        404,
        SERVER_ERROR,
        "This SSE session has ended; open a new stream with GET on the MCP URL.",
      );
    case "not_a_message":
      return answer(
        400,
        INVALID_REQUEST,
        "Invalid request: the body must be one JSON-RPC 2.0 message object.",
      );
  }
}

function answer(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Refusal {
  const body = { jsonrpc: "2.0", id: null, error: { code, message } } as const;
  const all = { ...PRIVATE_HEADERS, ...headers, "content-type": JSON_CONTENT_TYPE };
  return Object.freeze({ status, headers: all, body, text: JSON.stringify(body) });
}
