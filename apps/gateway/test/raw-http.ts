import { connect, type Socket } from "node:net";

/** What came back on a raw socket: the bytes, split into status, headers and body, and how it ended. */
export interface RawExchange {
  statusCode: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Everything after the blank line that ends the headers. */
  body: string;
  /** True once the server closed its side (FIN), i.e. the socket will not be reused. */
  serverClosed: boolean;
  /** Milliseconds from connecting to the server closing its side (or to giving up). */
  elapsedMs: number;
}

/** Opens a TCP connection to an http:// URL's host and port. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Splits one raw HTTP/1.1 response into status line, headers and body. */
export function parseRawResponse(raw: string): Pick<RawExchange, "statusCode" | "headers" | "body"> {
  const end = raw.indexOf("\r\n\r\n");
  const head = end === -1 ? raw : raw.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    statusCode: Number(statusLine.split(" ")[1]),
    headers,
    body: end === -1 ? "" : raw.slice(end + 4),
  };
}

/**
 * Writes `request` on a socket and reads until the server closes its side or `withinMs` passes (then the
 * socket is destroyed and `serverClosed` is false). `socket` lets a test reuse one keep-alive connection.
 */
export async function exchange(
  url: string,
  request: string | Buffer,
  options: { withinMs?: number; socket?: Socket } = {},
): Promise<RawExchange> {
  const started = Date.now();
  const socket = options.socket ?? (await openSocket(url));
  let raw = "";
  const serverClosed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), options.withinMs ?? 5_000);
    socket.on("data", (chunk: Buffer) => {
      raw += chunk.toString("latin1");
    });
    // The server may reset a socket it has answered; what was read before still counts.
    socket.on("error", () => {});
    socket.once("end", () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.write(request);
  });
  socket.destroy();
  return { ...parseRawResponse(raw), serverClosed, elapsedMs: Date.now() - started };
}

/** Reads exactly one response with a Content-Length body from a keep-alive socket, leaving it open. */
export function readOneResponse(
  socket: Socket,
  request: string,
): Promise<ReturnType<typeof parseRawResponse>> {
  return new Promise((resolve, reject) => {
    let raw = "";
    const onData = (chunk: Buffer): void => {
      raw += chunk.toString("latin1");
      const parsed = parseRawResponse(raw);
      const length = Number(parsed.headers["content-length"] ?? Number.NaN);
      if (raw.includes("\r\n\r\n") && Buffer.byteLength(parsed.body, "latin1") >= length) {
        socket.off("data", onData);
        resolve(parsed);
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(request);
  });
}
