/**
 * The text/event-stream framing of the legacy HTTP+SSE transport (MCP 2024-11-05, "HTTP with SSE"): an
 * `endpoint` event first, naming where to POST, then one `message` event per JSON-RPC message, and comment
 * lines as keep-alives. Hand-written: the SDK v2 server has no SSE transport, and the frozen v1 copy binds a
 * stream to one in-process server, while here the messages for a stream arrive from any instance.
 */

/** Response headers of a legacy event stream; proxies must neither cache nor buffer it. */
export const EVENT_STREAM_HEADERS = {
  "content-type": "text/event-stream",
  "x-accel-buffering": "no",
} as const;

/** One event. `data` must be a single line: JSON.stringify output and URL paths are. */
export function sseEvent(name: "endpoint" | "message", data: string): string {
  if (/[\r\n]/.test(data)) throw new Error("an SSE data field must be one line");
  return `event: ${name}\ndata: ${data}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies and load balancers from timing the stream out. */
export const SSE_KEEP_ALIVE = ": keep-alive\n\n";
