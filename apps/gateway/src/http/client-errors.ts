import { randomUUID } from "node:crypto";
import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { type ErrorCode, LIMITS } from "@mcp-gateway/core";
import type { Logger } from "pino";
import type { ErrorEnvelope } from "./error-envelope.js";

interface ClientErrorAnswer {
  statusCode: number;
  code: ErrorCode;
  message: string;
}

// Node's parser errors (llhttp codes, HPE_*) and its request timeouts, with messages that say what to fix.
// Anything else (ECONNRESET, EPIPE) is a broken connection: nothing can be answered on it.
function answerFor(code: string | undefined): ClientErrorAnswer | undefined {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return {
        statusCode: 431,
        code: "request_headers_too_large",
        message: `request headers are too large: send fewer or smaller headers (at most ${Math.floor(maxHeaderSize / 1024)} KiB in all)`,
      };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return {
        statusCode: 408,
        code: "request_timeout",
        message:
          "the request took too long to arrive: send the request line, headers and body without pausing",
      };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return {
        statusCode: 413,
        code: "payload_too_large",
        message: "chunk extensions are too large: send the body without chunk extensions",
      };
    case "HPE_INVALID_METHOD":
      return {
        statusCode: 400,
        code: "bad_request",
        message: "the request method is not a valid HTTP method",
      };
    case "HPE_INVALID_URL":
      return { statusCode: 400, code: "bad_request", message: "the request target is not a valid URL path" };
    case "HPE_INVALID_VERSION":
      return { statusCode: 400, code: "bad_request", message: "the request line must end with HTTP/1.1" };
    case "HPE_INVALID_HEADER_TOKEN":
      return {
        statusCode: 400,
        code: "bad_request",
        message: "a header name or value holds characters HTTP does not allow",
      };
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
    case "HPE_INVALID_CONTENT_LENGTH":
    case "HPE_INVALID_TRANSFER_ENCODING":
      return {
        statusCode: 400,
        code: "bad_request",
        message: "the body's framing is invalid: send one valid Content-Length or Transfer-Encoding: chunked",
      };
    default:
      return code?.startsWith("HPE_")
        ? { statusCode: 400, code: "bad_request", message: "the request is not valid HTTP/1.1" }
        : undefined;
  }
}

// A method token and a space at the start of the bytes the parser failed on (RFC 9110 §5.6.2 tchar).
const REQUEST_LINE_START = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) /;

/**
 * The request's method when the failed bytes begin with its request line. They may not: a timeout has no
 * bytes, and headers that overflow over several reads fail in a later read. (Read as bytes, never logged:
 * they can carry a token or an Authorization header.)
 */
function requestMethod(rawPacket: unknown): string | undefined {
  if (!Buffer.isBuffer(rawPacket)) return undefined;
  return REQUEST_LINE_START.exec(rawPacket.subarray(0, 32).toString("latin1"))?.[1];
}

// Node links a socket to the response being written on it; once its headers are out, any bytes we add would
// corrupt that response (node's own clientError fallback checks the same private field).
function responseStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/**
 * The raw HTTP/1.1 response for a client error: always `Connection: close`, the error envelope as the body
 * only when the method is known and not HEAD (RFC 9110 §9.3.2: no content in a HEAD response; Content-Length
 * then still gives the size a GET would have got). With no known method no body is sent, which suits any.
 */
function clientErrorResponse(
  answer: ClientErrorAnswer,
  requestId: string,
  method: string | undefined,
): Buffer {
  const envelope: ErrorEnvelope = {
    statusCode: answer.statusCode,
    error: STATUS_CODES[answer.statusCode] ?? "Error",
    code: answer.code,
    message: answer.message,
    requestId,
  };
  const body = method === undefined ? "" : JSON.stringify(envelope);
  const head = [
    `HTTP/1.1 ${answer.statusCode} ${envelope.error}`,
    "Connection: close",
    ...(body === "" ? [] : ["Content-Type: application/json; charset=utf-8"]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    "",
    "",
  ].join("\r\n");
  return Buffer.from(method === "HEAD" ? head : head + body, "utf8");
}

/**
 * fastify's clientErrorHandler: answers what Node's HTTP parser refused (malformed request, headers over
 * `maxHeaderSize`) or gave up on (headers or request timeout) before any request object existed. fastify's
 * default wrote no `Connection: close`, so keep-alive clients reused a socket it then destroyed, and sent a
 * body to HEAD requests.
 */
export function createClientErrorHandler(logger: Logger): (error: Error, socket: Socket) => void {
  const answered = new WeakSet<Socket>();
  return (error, socket) => {
    // Lingering after our answer: every further read fails the same parser again.
    if (answered.has(socket)) return;
    const { code, rawPacket } = error as NodeJS.ErrnoException & { rawPacket?: unknown };
    const answer = answerFor(code);
    if (answer === undefined || !socket.writable || responseStarted(socket)) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const requestId = randomUUID();
    logger.debug({ code, statusCode: answer.statusCode, requestId }, "client error");
    socket.end(clientErrorResponse(answer, requestId, requestMethod(rawPacket)));
    const linger = setTimeout(() => socket.destroy(), LIMITS.clientErrorLingerMs);
    linger.unref();
    socket.once("close", () => clearTimeout(linger));
  };
}
