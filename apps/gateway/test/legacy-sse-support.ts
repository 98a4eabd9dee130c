/**
 * Test helpers for the legacy HTTP+SSE transport: a raw event-stream reader (to see exactly what the gateway
 * writes) and the MCP SDK's own SSE client.
 */
import { Client, SSEClientTransport } from "@modelcontextprotocol/client";

/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** A GET on an MCP URL read as an event stream, event by event. */
export interface RawStream {
  readonly status: number;
  readonly headers: Headers;
  /** The body when the answer was not a stream (a refusal). */
  readonly text: string;
  /** The next event; rejects when the stream ends first. */
  next(): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Comments seen so far (keep-alives). */
  comments(): number;
  close(): void;
}

export async function openRawStream(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: "text/event-stream", ...headers },
    signal: abort.signal,
  });
  const isStream = (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
  if (!isStream || response.body === null) {
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      next: () => Promise.reject(new Error(`not a stream: ${response.status} ${text}`)),
      ended: Promise.resolve(),
      comments: () => 0,
      close: () => {},
    };
  }
  const queue: SseEvent[] = [];
  const waiting: { resolve(event: SseEvent): void; reject(error: Error): void }[] = [];
  let done = false;
  let comments = 0;
  let buffer = "";
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) break;
        buffer += value;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
          if (block.startsWith(":")) {
            comments += 1;
            continue;
          }
          const lines = block.split("\n");
          const event = {
            event: lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "message",
            data: lines
              .filter((l) => l.startsWith("data: "))
              .map((l) => l.slice(6))
              .join("\n"),
          };
          const waiter = waiting.shift();
          if (waiter) waiter.resolve(event);
          else queue.push(event);
        }
      }
    } catch {
      // aborted by close()
    } finally {
      done = true;
      for (const waiter of waiting.splice(0)) waiter.reject(new Error("the stream ended"));
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    text: "",
    next() {
      const event = queue.shift();
      if (event) return Promise.resolve(event);
      if (done) return Promise.reject(new Error("the stream ended"));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    ended,
    comments: () => comments,
    close: () => abort.abort(),
  };
}

/** The absolute URL of the message endpoint an `endpoint` event names. */
export function endpointUrl(streamUrl: string, event: SseEvent): string {
  if (event.event !== "endpoint") throw new Error(`expected the endpoint event first, got ${event.event}`);
  return new URL(event.data, streamUrl).href;
}

/** POSTs one JSON-RPC message to a legacy message endpoint. */
export async function postMessage(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The MCP SDK client (2025 era, initialize handshake) over its deprecated SSE client transport. */
export async function connectSseClient(
  url: string,
  headers: Record<string, string> = {},
  fetchImpl?: typeof fetch,
): Promise<Client> {
  const client = new Client(
    { name: "legacy-sse-test", version: "1.0.0" },
    { versionNegotiation: { mode: "legacy" } },
  );
  const transport = new SSEClientTransport(new URL(url), {
    requestInit: { headers },
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
  await client.connect(transport);
  return client;
}
