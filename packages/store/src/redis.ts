import { Redis } from "ioredis";

export interface RedisOptions {
  /** Prepended to every key this client touches (ioredis `keyPrefix`); lets several deployments share a Redis. */
  keyPrefix: string;
  /** Shows up in CLIENT LIST, which helps an operator tell the gateway's connections apart. */
  connectionName?: string;
}

/**
 * Creates a client that fails fast while Redis is unreachable (no offline queue, one retry per command)
 * and keeps reconnecting in the background, so the gateway answers 503 during an outage and recovers by
 * itself. Call `connect()` before use.
 */
export function createRedis(url: string, options: RedisOptions): Redis {
  return new Redis(url, {
    keyPrefix: options.keyPrefix,
    connectionName: options.connectionName ?? "mcp-gateway",
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    // Commands issued while one batch of sockets is handled go out in one write: under load, the MCP
    // endpoint's per-request read shares its syscall with its neighbours' instead of paying one each.
    // (Scripts go through EVAL/EVALSHA calls; ioredis' defineCommand is known to hang when auto-pipelined
    // without an offline queue, ioredis#1511, so do not add one.)
    enableAutoPipelining: true,
    // Reconnect forever with a capped backoff: an outage must never need a gateway restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
  });
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
