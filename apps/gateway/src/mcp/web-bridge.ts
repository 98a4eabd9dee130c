import type { IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { FastifyReply, FastifyRequest } from "fastify";

// Headers the SDK never needs: credentials stay out of its reach, and the body is re-serialized.
const NOT_FORWARDED = new Set([
  "authorization",
  "cookie",
  "content-length",
  "connection",
  "transfer-encoding",
]);
// Response headers the gateway sets itself (caching) or Node manages (framing).
const NOT_COPIED = new Set(["cache-control", "content-length", "connection", "transfer-encoding"]);

/**
 * The web-standard Request the SDK handler reads. Its URL is a fixed placeholder, so the token in the real
 * path never reaches the SDK, and the body is the one fastify already parsed (and size-checked).
 */
export function toSdkRequest(request: FastifyRequest, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers as IncomingHttpHeaders)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = request.method === "POST" && request.body !== undefined;
  return new Request("http://mcp-gateway.invalid/mcp", {
    method: request.method,
    headers,
    signal,
    ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
  });
}

/**
 * Writes the SDK's Response through fastify. A held response is read to the end first, so headers learnt
 * while producing it (a tool call's rate limits) can still be set; a streamed one (a long-lived
 * subscription) is piped as it comes.
 */
export async function sendSdkResponse(
  reply: FastifyReply,
  response: Response,
  mode: "hold" | "stream",
  extraHeaders: () => Readonly<Record<string, string>>,
): Promise<FastifyReply> {
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    if (!NOT_COPIED.has(name)) reply.header(name, value);
  });
  if (response.body === null) return reply.headers(extraHeaders()).send();
  if (mode === "stream") {
    // Reverse proxies must not buffer an event stream (MCP 2026-07-28 transports, streaming hygiene).
    reply.header("x-accel-buffering", "no");
    return reply.send(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>));
  }
  const body = Buffer.from(await response.arrayBuffer());
  return reply.headers(extraHeaders()).send(body);
}
