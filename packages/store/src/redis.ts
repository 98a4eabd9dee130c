import { LIMITS } from "@mcp-gateway/core";
import { Redis } from "ioredis";

export interface RedisOptions {
  /** Prepended to every key this client touches (ioredis `keyPrefix`); lets several deployments share a Redis. */
  keyPrefix: string;
  /** Shows up in CLIENT LIST, which helps an operator tell the gateway's connections apart. */
  connectionName?: string;
}

/**
 * Creates a client that fails fast while Redis is unreachable (no offline queue, one retry per command,
 * a command timeout) and keeps reconnecting in the background, so the gateway answers 503 during an
 * outage (see `isStorageUnavailable`) and recovers by itself. Call `connect()` before use.
 */
export function createRedis(url: string, options: RedisOptions): Redis {
  const redis = new Redis(url, {
    keyPrefix: options.keyPrefix,
    connectionName: options.connectionName ?? "mcp-gateway",
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    // A stopped or partitioned Redis keeps the socket open and never answers. The connection is dropped
    // and reopened once it has been silent for a while with commands outstanding (so the outage is seen
    // and logged like any other), and a command fails a little later instead of hanging until Node's
    // request timeout; commands queued behind it (auto-pipelining sends one batch at a time) then find
    // the connection down and fail at once.
    socketTimeout: LIMITS.redisSilenceMs,
    commandTimeout: LIMITS.redisCommandTimeoutMs,
    // Commands issued while one batch of sockets is handled go out in one write: under load, the MCP
    // endpoint's per-request read shares its syscall with its neighbours' instead of paying one each.
    // (Scripts go through EVAL/EVALSHA calls; ioredis' defineCommand is known to hang when auto-pipelined
    // without an offline queue, ioredis#1511, so do not add one.)
    enableAutoPipelining: true,
    // Reconnect forever with a capped backoff: an outage must never need a gateway restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
  });
  // ioredis 5.x keeps the silence timer of a connection that closed with a command outstanding, and when
  // it fires it destroys the healthy connection that replaced it (redis/ioredis#2147, fixed in 6.0.0).
  // Clear it on close, as that fix does; the next command arms a fresh one on the new connection.
  redis.on("close", () => {
    const internals = redis as unknown as { socketTimeoutTimer?: NodeJS.Timeout };
    clearTimeout(internals.socketTimeoutTimer);
    internals.socketTimeoutTimer = undefined;
  });
  return redis;
}

/** Connects, turning ioredis' error into one that names the URL's host (never its password). */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const where = safeRedisLocation(url);
    throw new Error(`cannot connect to Redis at ${where}: ${(error as Error).message}`);
  }
}

/** host:port/db of a Redis URL, without credentials, for messages and logs. */
export function safeRedisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/** Resolves true when Redis answers PING within `timeoutMs`, false otherwise; never throws. */
export async function pingRedis(
  redis: Redis,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (redis.status !== "ready") return { ok: false, reason: `redis connection is ${redis.status}` };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: false; reason: string }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `redis did not answer PING within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      redis.ping().then(
        () => ({ ok: true }) as const,
        (error: Error) => ({ ok: false, reason: `redis PING failed: ${error.message}` }) as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// What ioredis (5.x) rejects a command with when it could not send it or lost the answer: the connection
// is not ready (no offline queue), was closed, or the command timed out. Matched by message: ioredis gives
// these plain Errors no code.
const CLIENT_MESSAGES = [
  "Stream isn't writeable",
  "Connection is closed.",
  "Command aborted due to connection close",
  "Command timed out",
  "Socket timeout.",
  "Ready check failed",
  "connect ETIMEDOUT",
  "Cluster is disconnect",
  "None of startup nodes is available",
  "Failed to refresh slots cache.",
  "All sentinels are unreachable",
];
const CLIENT_ERROR_NAMES = new Set(["MaxRetriesPerRequestError", "ClusterAllFailedError"]);
// Replies that mean "not now" rather than "wrong": loading after a restart, a script or failover under
// way, a replica or a server out of memory or disk refusing writes.
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS|MISCONF|OOM) /;

/**
 * True when an error from a Redis command means Redis could not answer it (down, reconnecting, loading,
 * failing over, too slow), as opposed to a bug. The one classification the gateway maps to 503.
 */
export function isStorageUnavailable(error: unknown): boolean {
  return unavailable(error, 0);
}

function unavailable(error: unknown, depth: number): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  if (CLIENT_ERROR_NAMES.has(error.name)) return true;
  if (CLIENT_MESSAGES.some((message) => error.message.startsWith(message))) return true;
  if (error.name === "ReplyError" && UNAVAILABLE_REPLY.test(error.message)) return true;
  // EXECABORT carries the errors that aborted the transaction; cluster errors the last node's error.
  const { previousErrors, lastNodeError } = error as { previousErrors?: unknown; lastNodeError?: unknown };
  const inner = [error.cause, lastNodeError, ...(Array.isArray(previousErrors) ? previousErrors : [])];
  return inner.some((cause) => unavailable(cause, depth + 1));
}
