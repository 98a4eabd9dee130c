import type { Writable } from "node:stream";
import { LIMITS } from "@mcp-gateway/core";
import { type DestinationStream, type Logger, pino } from "pino";

/**
 * Replaces the segment after any `/mcp/` in a path and drops the query string, so a logged URL can never
 * carry a capability token: clients also put the MCP path inside other paths, e.g. mcp-remote asks for
 * `/.well-known/oauth-protected-resource/mcp/<token>`. Exported so every place that logs a URL uses it.
 */
export function redactUrl(url: string): string {
  const path = url.split("?")[0] ?? "";
  const hasQuery = url.includes("?");
  const redacted = path
    // An MCP server id (mcp_…) in an admin path is not a secret; anything else after /mcp/ may be.
    .replace(/(^|\/)mcp\/(?!mcp_[a-z2-7]{26}(?:\/|$))[^/]+/g, "$1mcp/[token]")
    .split("/")
    .map((segment) => (looksLikeSecret(segment) ? "[secret]" : segment))
    .join("/");
  return hasQuery ? `${redacted}?[query]` : redacted;
}

// Secrets pasted where an id belongs (e.g. DELETE /api-tokens/<the token itself>): our token prefixes,
// and anything shaped like a compact JWS.
function looksLikeSecret(segment: string): boolean {
  return /^mcpg_/i.test(segment) || /^[\w-]{8,}\.[\w-]{8,}\.[\w-]+$/.test(segment) || /%2e/i.test(segment);
}

interface LoggableRequest {
  id?: string;
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
  ip?: string;
}

/**
 * pino's error serializer, less what a Redis reply error carries about its command: ioredis attaches the
 * command's arguments (`command.args`), which can hold record bodies and hashed secrets.
 */
function serializeError(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  if (serialized !== null && typeof serialized === "object" && "command" in serialized) {
    const { command: _dropped, ...rest } = serialized;
    return rest;
  }
  return serialized;
}

interface LoggableReply {
  statusCode?: number;
}

// The backlog and the exit wait are LIMITS.logBacklogBytes and LIMITS.logFlushWaitMs.

/** The gateway's log destination: takes lines without ever blocking, and says when it has written them. */
export interface LogDestination extends DestinationStream {
  /**
   * Hands every line taken so far to the stream at once (never blocking), then calls back once they are
   * written, or at once when the output is broken.
   */
  flush(done: () => void): void;
}

/**
 * A pino destination over a Node stream (stdout) that never blocks the event loop and never throws: while
 * more than `maxBacklogBytes` wait for a slow reader, new lines are dropped (and counted, reported through
 * `onRecovered` once the reader catches up); once the stream fails (EPIPE: the reader went away) every line
 * is dropped. Requests go on either way. Lines taken in one turn of the event loop go out in one write at
 * its end: a write per line cost about 4 µs of CPU more per line.
 *
 * Why not pino's own destination (sonic-boom): its flushSync retries a failed write forever (every error but
 * EAGAIN, and EAGAIN too by default) and pino calls it from its exit hook, so one broken or full log pipe kept
 * the process from ever exiting; in sync mode it also blocks the event loop while the pipe is full. stdout on
 * a pipe or socket is a libuv stream instead: writes never block, failures arrive as 'error' events, and
 * process.exit never waits for it. (Files and TTYs are written synchronously by Node, as before.)
 */
export function nonBlockingDestination(
  out: Writable,
  options: { maxBacklogBytes?: number; onRecovered?: (droppedLines: number) => void } = {},
): LogDestination {
  const maxBacklogBytes = options.maxBacklogBytes ?? LIMITS.logBacklogBytes;
  let broken = false;
  let droppedSinceDrain = 0;
  // Lines taken in this turn of the event loop, written together by writePending.
  let pending = "";
  let scheduled = false;
  const writePending = (): void => {
    scheduled = false;
    const chunk = pending;
    pending = "";
    if (chunk === "" || broken || out.destroyed) return;
    try {
      out.write(chunk);
    } catch {
      // A synchronous stream (a file on a full disk) throws instead of emitting; a log line is never worth a request.
      broken = true;
    }
  };
  // Without a listener an EPIPE on stdout is an uncaught exception.
  out.on("error", () => {
    broken = true;
  });
  out.on("drain", () => {
    if (droppedSinceDrain === 0 || broken) return;
    const dropped = droppedSinceDrain;
    droppedSinceDrain = 0;
    options.onRecovered?.(dropped);
  });
  return {
    write(line: string): void {
      if (broken || out.destroyed) return;
      if (out.writableLength + pending.length >= maxBacklogBytes) {
        droppedSinceDrain += 1;
        return;
      }
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(writePending);
      }
    },
    flush(done: () => void): void {
      writePending();
      if (broken || out.destroyed || out.writableLength === 0) {
        process.nextTick(done);
        return;
      }
      // Write callbacks run in order, so this one runs once every line before it is written (or has failed).
      out.write("", () => done());
    },
  };
}

/**
 * Waits for the logger's destination to write what it holds, for at most `withinMs`: shutdown uses this
 * instead of a synchronous flush, which can wait forever on a stalled or broken log pipe.
 */
export function flushLogs(logger: Logger, withinMs: number = LIMITS.logFlushWaitMs): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, withinMs);
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // A destination that cannot flush (destroyed) has nothing more to write.
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * pino for the gateway. Requests are logged by an allow-list serializer (method, redacted URL, route, ip):
 * headers are never logged, so neither Authorization nor cookies can leak; a redact rule is a second guard.
 * Without a destination it writes to stdout through `nonBlockingDestination`.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const logger: Logger = pino(
    {
      level,
      base: { service: "mcp-gateway" },
      redact: {
        paths: ["req.headers", "headers.authorization", "*.headers.authorization", "authorization", "token"],
        censor: "[redacted]",
      },
      serializers: {
        req: (req: LoggableRequest) => ({
          id: req.id,
          method: req.method,
          url: req.url === undefined ? undefined : redactUrl(req.url),
          route: req.routeOptions?.url,
          ip: req.ip,
        }),
        res: (reply: LoggableReply) => ({ statusCode: reply.statusCode }),
        err: serializeError,
      },
    },
    destination ??
      nonBlockingDestination(process.stdout, {
        onRecovered: (droppedLines) =>
          logger.warn({ droppedLines }, "stdout was not keeping up: log lines were dropped"),
      }),
  );
  return logger;
}
