import type { Redis } from "ioredis";
import { keys } from "./keys.js";

/**
 * Legacy HTTP+SSE connections (MCP 2024-11-05 transport). The instance holding a client's event stream
 * registers it here, so a message POSTed to any instance can be checked against it and routed to the
 * holder. Both keys of a connection sit in its tenant's slot. Leases are measured by the machine's real
 * time (as Redis measures PX), never a test clock.
 */
export interface LegacySseConnection {
  readonly tenantId: string;
  readonly serverId: string;
  /** The URL token's jti: a message is accepted only through the URL that opened the stream. */
  readonly tokenId: string;
  readonly connectionId: string;
  /** The holding instance's id (its message channel). */
  readonly instanceId: string;
}

// KEYS: connection hash, server's stream set. ARGV: now ms, lease ms, max streams, server, jti, instance, connection.
const OPEN = `
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", ARGV[1])
if redis.call("ZCARD", KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
local lease_end = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call("ZADD", KEYS[2], lease_end, ARGV[7])
redis.call("PEXPIRE", KEYS[2], ARGV[2])
redis.call("HSET", KEYS[1], "server", ARGV[4], "jti", ARGV[5], "instance", ARGV[6], "pending", 0)
redis.call("PEXPIRE", KEYS[1], ARGV[2])
return 1`;

/**
 * Registers a connection unless its server already has `maxPerServer` live ones (false). Expired
 * members (their holders died) are pruned first, so a dead instance's streams stop counting.
 */
export async function openLegacySseConnection(
  redis: Redis,
  connection: LegacySseConnection,
  leaseMs: number,
  maxPerServer: number,
): Promise<boolean> {
  const { tenantId, serverId, tokenId, instanceId, connectionId } = connection;
  const opened = await redis.eval(
    OPEN,
    2,
    keys.legacySseConnection(tenantId, connectionId),
    keys.legacySseStreams(tenantId, serverId),
    Date.now(),
    leaseMs,
    maxPerServer,
    serverId,
    tokenId,
    instanceId,
    connectionId,
  );
  return opened === 1;
}

// KEYS: connection hash, server's stream set. ARGV: now ms, lease ms, connection.
const RENEW = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
redis.call("PEXPIRE", KEYS[1], ARGV[2])
redis.call("ZADD", KEYS[2], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[3])
redis.call("PEXPIRE", KEYS[2], ARGV[2])
return 1`;

/** Extends a held connection's lease; false when its record is gone (it can no longer be reached). */
export async function renewLegacySseConnection(
  redis: Redis,
  connection: Pick<LegacySseConnection, "tenantId" | "serverId" | "connectionId">,
  leaseMs: number,
): Promise<boolean> {
  const { tenantId, serverId, connectionId } = connection;
  const renewed = await redis.eval(
    RENEW,
    2,
    keys.legacySseConnection(tenantId, connectionId),
    keys.legacySseStreams(tenantId, serverId),
    Date.now(),
    leaseMs,
    connectionId,
  );
  return renewed === 1;
}

/** Forgets a connection whose stream closed: later messages to it are refused. */
export async function closeLegacySseConnection(
  redis: Redis,
  connection: Pick<LegacySseConnection, "tenantId" | "serverId" | "connectionId">,
): Promise<void> {
  const { tenantId, serverId, connectionId } = connection;
  await redis
    .multi()
    .del(keys.legacySseConnection(tenantId, connectionId))
    .zrem(keys.legacySseStreams(tenantId, serverId), connectionId)
    .exec();
}

// KEYS: connection hash. ARGV: server, jti, max pending.
const ACCEPT = `
local c = redis.call("HMGET", KEYS[1], "server", "jti", "instance")
if not c[1] or c[1] ~= ARGV[1] or c[2] ~= ARGV[2] then return 0 end
if redis.call("HINCRBY", KEYS[1], "pending", 1) > tonumber(ARGV[3]) then
  redis.call("HINCRBY", KEYS[1], "pending", -1)
  return 1
end
return c[3]`;

/** What became of a message posted to a connection. */
export type LegacySseAcceptance =
  | { readonly ok: true; readonly instanceId: string }
  | { readonly ok: false; readonly reason: "unknown_connection" | "queue_full" };

/**
 * Takes one message for a connection opened through the same URL (same server and jti), counting it as
 * pending until `settleLegacySseMessage`; refuses it when `maxPending` are already waiting.
 */
export async function acceptLegacySseMessage(
  redis: Redis,
  connection: Pick<LegacySseConnection, "tenantId" | "serverId" | "tokenId" | "connectionId">,
  maxPending: number,
): Promise<LegacySseAcceptance> {
  const { tenantId, serverId, tokenId, connectionId } = connection;
  const reply = await redis.eval(
    ACCEPT,
    1,
    keys.legacySseConnection(tenantId, connectionId),
    serverId,
    tokenId,
    maxPending,
  );
  if (reply === 0) return { ok: false, reason: "unknown_connection" };
  if (reply === 1) return { ok: false, reason: "queue_full" };
  return { ok: true, instanceId: String(reply) };
}

// KEYS: connection hash. Never recreates a connection that closed meanwhile.
const SETTLE = `
if redis.call("EXISTS", KEYS[1]) == 1 then redis.call("HINCRBY", KEYS[1], "pending", -1) end
return 1`;

/** Counts one accepted message as answered. */
export async function settleLegacySseMessage(
  redis: Redis,
  connection: Pick<LegacySseConnection, "tenantId" | "connectionId">,
): Promise<void> {
  await redis.eval(SETTLE, 1, keys.legacySseConnection(connection.tenantId, connection.connectionId));
}

/** The pub/sub channel of one instance's legacy streams; a hash tag keeps it one slot under sharded pub/sub. */
export function legacySseChannel(keyPrefix: string, instanceId: string): string {
  return `${keyPrefix}sse:{instance:${instanceId}}`;
}
