import { STATUS_CODES } from "node:http";
import { type ErrorCode, isGatewayError, LIMITS } from "@mcp-gateway/core";
import { isStorageUnavailable, NotReplicatedError } from "@mcp-gateway/store";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The one error body every non-MCP route answers with. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  requestId: string;
  details?: Record<string, unknown>;
}

/** Builds the envelope for a status and code; `error` is the HTTP reason phrase. */
export function errorEnvelope(
  request: FastifyRequest,
  statusCode: number,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): ErrorEnvelope {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? "Error",
    code,
    message,
    requestId: request.id,
    ...(details === undefined ? {} : { details }),
  };
}

/** Sends an error envelope; a 503 also says when to come back (RFC 9110 §10.2.3 Retry-After). */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): FastifyReply {
  if (statusCode === 503) reply.header("retry-after", String(LIMITS.storageRetryAfterSeconds));
  return reply.code(statusCode).send(errorEnvelope(request, statusCode, code, message, details));
}

type ValidationIssue = NonNullable<FastifyError["validation"]>[number];

/** What a schema refusal says: the fix where one can be named (the allowed values, an example timestamp). */
function validationDetail(first: ValidationIssue | undefined, field: string, error: FastifyError): string {
  if (first?.keyword === "additionalProperties") return `unknown field "${field}": remove it`;
  const params = first?.params as Record<string, unknown> | undefined;
  if (first?.keyword === "enum" && Array.isArray(params?.allowedValues)) {
    return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  if (first?.keyword === "format" && params?.format === "date-time") {
    return "must be an RFC 3339 timestamp with a time zone, e.g. 2026-12-31T23:59:59Z";
  }
  return first?.message ?? error.message;
}

// Fastify's own client errors, with messages that say what to fix.
function fromFastifyError(
  error: FastifyError,
): { status: number; code: ErrorCode; message: string } | undefined {
  if (error.validation) {
    const where = error.validationContext ?? "request";
    const first = error.validation[0];
    const path = first?.instancePath ? first.instancePath.replace(/^\//, "").replaceAll("/", ".") : "";
    const field =
      first?.params && "additionalProperty" in first.params ? String(first.params.additionalProperty) : "";
    const subject = [where, path || field].filter(Boolean).join(".");
    return {
      status: 400,
      code: "validation_failed",
      message: `${subject}: ${validationDetail(first, field, error)}`,
    };
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "payload_too_large", message: "request body is too large" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, code: "unsupported_media_type", message: "send the body as application/json" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, code: "bad_request", message: "the JSON body is empty: send a JSON object" };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, code: "bad_request", message: "Content-Length does not match the body" };
    default:
      break;
  }
  if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return { status: 400, code: "bad_request", message: "the body is not valid JSON" };
  }
  return undefined;
}

/**
 * Logs why a request is answered 503 because Redis could not answer it (`isStorageUnavailable`). The
 * connection logs an outage once, so per request that is debug; but replicas too slow to confirm an access
 * change are no outage the connection sees, so each such refusal (access changes are rare) is a warning an
 * operator reads without debug logging. The message only: ioredis errors can carry a command's arguments.
 */
export function logStorageUnavailable(request: FastifyRequest, error: Error): void {
  if (error instanceof NotReplicatedError) request.log.warn({ reason: error.message }, "storage unavailable");
  else request.log.debug({ reason: error.message }, "storage unavailable");
}

/**
 * Installs the error and not-found handlers: expected errors keep their message; Redis that cannot answer
 * is a 503 with Retry-After (logged by `logStorageUnavailable`); anything else is a bug, logged in full and
 * answered with a generic 500 that echoes nothing internal.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isGatewayError(error)) {
      return sendError(
        request,
        reply,
        error.statusCode,
        error.code,
        error.message,
        error.details as Record<string, unknown>,
      );
    }
    const known = fromFastifyError(error);
    if (known) return sendError(request, reply, known.status, known.code, known.message);
    if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(request, reply, error.statusCode, "bad_request", "the request could not be processed");
    }
    if (isStorageUnavailable(error)) {
      logStorageUnavailable(request, error);
      return sendError(
        request,
        reply,
        503,
        "service_unavailable",
        "the gateway's storage is unavailable right now; retry in a few seconds",
      );
    }
    request.log.error({ err: error }, "unhandled error");
    return sendError(
      request,
      reply,
      500,
      "internal",
      "internal error; quote the requestId when reporting it",
    );
  });
  // The default handler echoes the URL, which could carry an MCP token.
  app.setNotFoundHandler((request, reply) => sendError(request, reply, 404, "not_found", "no such route"));
}
