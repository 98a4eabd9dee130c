/**
 * Test helpers for the legacy HTTP+SSE transport: a raw event-stream reader (to see exactly what the gateway
 * writes) and the MCP SDK's own SSE client.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createInterface } from "node:readline";
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

type JsonRpcLine = { id?: number; result?: Record<string, unknown>; error?: { message: string } };

/**
 * Runs a stdio bridge (mcp-remote, supergateway) as Claude Desktop runs it: a child process given the URL,
 * JSON-RPC lines on its stdin (the first one, initialize, alone until it is answered), answers on its
 * stdout, collected until every request id has one.
 */
export async function throughStdioBridge(
  command: string,
  args: string[],
  requests: Record<string, unknown>[],
  env: Record<string, string> = {},
): Promise<Map<number, JsonRpcLine>> {
  const child: ChildProcess = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const wanted = requests.flatMap((request) => (typeof request.id === "number" ? [request.id] : []));
  const [first, ...rest] = requests;
  const answers = new Map<number, JsonRpcLine>();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) =>
        reject(new Error(`${command} exited (${code}) early:\n${stderr.slice(-2000)}`)),
      );
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        let message: JsonRpcLine;
        try {
          message = JSON.parse(line) as JsonRpcLine;
        } catch {
          return; // a bridge's own log line on stdout
        }
        if (typeof message.id === "number") answers.set(message.id, message);
        // As a client does: the rest of the session only once initialize was answered.
        if (message.id === wanted[0])
          for (const request of rest) child.stdin?.write(`${JSON.stringify(request)}\n`);
        if (wanted.every((id) => answers.has(id))) resolve();
      });
      child.stdin?.write(`${JSON.stringify(first)}\n`);
    });
  } finally {
    child.kill();
  }
  return answers;
}

/** One request the balancer passed on. */
export interface Routed {
  readonly method: string;
  /** The path without its query (no session ids in test output). */
  readonly kind: "stream" | "message" | "other";
  readonly upstream: number;
}

/**
 * A plain HTTP load balancer for tests: each request goes to the upstream `route` picks (round robin unless
 * a test sets another rule), with no stickiness; a refused connection is retried on the next upstream, as a
 * balancer's passive health check would. Streams are piped as they come, and cut when the upstream dies.
 */
export interface Balancer {
  readonly url: string;
  upstreams: string[];
  route: (request: IncomingMessage, counter: number) => number;
  readonly routed: Routed[];
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  let counter = 0;
  const sockets = new Set<Socket>();
  const balancer: Balancer = {
    url: "",
    upstreams: [],
    route: (_request, n) => n % balancer.upstreams.length,
    routed: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, index: number, tries: number) => {
    const target = new URL(balancer.upstreams[index] ?? "");
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (answer) => {
        const path = (req.url ?? "").split("?")[0] ?? "";
        balancer.routed.push({
          method: req.method ?? "",
          kind: req.method === "GET" ? "stream" : path.endsWith("/messages") ? "message" : "other",
          upstream: index,
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.flushHeaders();
        answer.pipe(res);
        answer.on("close", () => {
          if (!answer.complete) res.destroy();
        });
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" && tries < balancer.upstreams.length) {
        forward(req, res, body, (index + 1) % balancer.upstreams.length, tries + 1);
        return;
      }
      res.destroy();
    });
    res.on("close", () => upstream.destroy());
    upstream.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(req, res, Buffer.concat(chunks), balancer.route(req, counter++), 1));
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(balancer, { url: `http://127.0.0.1:${port}` });
}
