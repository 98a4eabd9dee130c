/**
 * The one catalogue of error codes the gateway answers with. Each code has exactly one HTTP status;
 * the gateway's error handler maps them in one place.
 */
export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  request_headers_too_large: 431,
  rate_limited: 429,
  internal: 500,
  upstream_unreachable: 502,
  service_unavailable: 503,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure with a public message; thrown by services, rendered by the gateway's error handler. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "GatewayError";
    this.code = code;
    this.statusCode = ERROR_CODES[code];
    this.details = details;
  }
}

/** True for an error the gateway raised on purpose (as opposed to a bug). */
export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}
