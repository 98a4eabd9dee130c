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
  "accept",
]);
// Response headers the gateway sets itself (caching) or Node manages (framing).
const NOT_COPIED = new Set(["cache-control", "content-length", "connection", "transfer-encoding"]);

/** Whether the client listed text/event-stream in Accept; anyone else gets plain JSON. */
export function acceptsEventStream(accept: string | undefined): boolean {
  return (accept ?? "")
    .split(",")
    .some((range) => range.split(";")[0]?.trim().toLowerCase() === "text/event-stream");
}

/**
 * The web-standard Request the SDK handler reads. Its URL is a fixed placeholder, so the token in the real
 * path never reaches the SDK, and the body is the one fastify already parsed (and size-checked). Accept
 * always lists both types: the SDK's 2025 leg refuses anything less with 406, and the gateway turns an
 * event stream back into JSON for a client that did not ask for one.
 */
export function toSdkRequest(request: FastifyRequest, signal: AbortSignal): Request {
  const headers = new Headers({ accept: "application/json, text/event-stream" });
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

/** How the SDK's answer is written back. */
export interface ResponsePlan {
  /** "hold" reads the whole answer first (so late headers can be set); "stream" pipes it (subscriptions). */
  readonly mode: "hold" | "stream";
  /** The client takes SSE; otherwise a held event stream is sent as its JSON-RPC message. */
  readonly clientTakesSse: boolean;
  /** Headers known only once the answer is complete (rate limits), plus the route's own. */
  readonly lateHeaders: () => Readonly<Record<string, string>>;
  /** Aborts when the client has gone: a held answer is then dropped instead of awaited forever. */
  readonly clientGone: AbortSignal;
}

/** Writes the SDK's Response through fastify, as the plan says. */
export async function sendSdkResponse(
  reply: FastifyReply,
  response: Response,
  plan: ResponsePlan,
): Promise<FastifyReply> {
  reply.code(response.status);
  response.headers.forEach((value, name) => {
    if (!NOT_COPIED.has(name)) reply.header(name, value);
  });
  if (response.body === null) return reply.headers(plan.lateHeaders()).send();
  if (plan.mode === "stream") {
    // Reverse proxies must not buffer an event stream (MCP 2026-07-28 transports, streaming hygiene).
    reply.header("x-accel-buffering", "no");
    return reply.send(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>));
  }
  const body = await readUnlessGone(response.body as NodeReadableStream<Uint8Array>, plan.clientGone);
  if (body === undefined) {
    // Nobody is left to answer, and the SDK may never end a stream whose request was aborted:
    // finish the exchange here so the request (and a graceful shutdown) is not held open.
    reply.hijack();
    reply.raw.destroy();
    return reply;
  }
  reply.headers(plan.lateHeaders());
  const isEventStream = (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
  if (isEventStream && !plan.clientTakesSse) {
    const message = lastEventData(body.toString("utf8"));
    if (message !== undefined) return reply.header("content-type", "application/json").send(message);
  }
  return reply.send(body);
}

/** Reads a whole body, or returns undefined as soon as `gone` aborts (the read is cancelled). */
async function readUnlessGone(
  stream: NodeReadableStream<Uint8Array>,
  gone: AbortSignal,
): Promise<Buffer | undefined> {
  const reader = stream.getReader();
  const cancel = (): void => {
    void reader.cancel().catch(() => {});
  };
  if (gone.aborted) cancel();
  else gone.addEventListener("abort", cancel, { once: true });
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } finally {
    gone.removeEventListener("abort", cancel);
  }
  return gone.aborted ? undefined : Buffer.concat(chunks);
}

/**
 * The data of the last `message` event of a finished event stream: in a stateless exchange that is the
 * JSON-RPC response (keep-alive comments and earlier notifications are skipped).
 */
export function lastEventData(stream: string): string | undefined {
  let last: string | undefined;
  for (const event of stream.split(/\r?\n\r?\n/)) {
    const lines = event.split(/\r?\n/);
    const type =
      lines
        .find((line) => line.startsWith("event:"))
        ?.slice(6)
        .trim() ?? "message";
    const data = lines
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""));
    if (type === "message" && data.length > 0) last = data.join("\n");
  }
  return last;
}
