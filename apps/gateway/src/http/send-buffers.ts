import type { FastifyReply } from "fastify";

/**
 * Ends a reply with a body made of several buffers, each written as it is: the headers and every buffer go
 * out in one vectored write. fastify's `send` takes a single payload, which for a large shared buffer (a
 * 55 KB tool list) plus a few request-specific bytes meant copying the whole answer on every request.
 *
 * The reply is hijacked: only `headers` (name, value, name, value, ...) are sent, neither what was set on
 * the reply before nor what fastify's onSend hooks would add, so the caller names every header. onResponse
 * hooks (metrics) still run once the answer is written.
 */
export function sendBuffers(
  reply: FastifyReply,
  status: number,
  headers: readonly string[],
  body: readonly Buffer[],
): void {
  let length = 0;
  for (const chunk of body) length += chunk.length;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(status, [...headers, "content-length", String(length)]);
  // Corked, so the writes below and end() leave as one writev when end() uncorks.
  res.cork();
  const last = body.length - 1;
  for (let i = 0; i < last; i++) res.write(body[i]);
  res.end(body[last]);
  res.uncork();
}
