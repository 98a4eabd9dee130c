import type { Redis } from "ioredis";
import { keys } from "./keys.js";
import { parseRecord } from "./records.js";

/** A signed-in console user's server-side session; found by the keyed hash of the id in its cookie. */
export interface ConsoleSessionRecord {
  v: 1;
  /** The tenant whose API token made the session; null for the operator's. */
  tenant_id: string | null;
  /** The API token it was made from (null for the operator): deleting that token ends the session. */
  api_token_id: string | null;
  /**
   * The operator's: keyed hash of the GATEWAY_ADMIN_TOKEN it was made with, so changing that token ends the
   * session (null for a tenant's).
   */
  operator_token_hash?: string | null;
  created_at: string;
  /** Sign-in + CONSOLE_SESSION_LIMITS.absoluteMs; never moves. */
  absolute_expires_at: string;
  /** Last request + CONSOLE_SESSION_LIMITS.idleMs (capped at the absolute expiry); moves on every request. */
  idle_expires_at: string;
}

function sessionKey(tenantId: string | null, sessionHash: string): string {
  return tenantId === null
    ? keys.operatorConsoleSession(sessionHash)
    : keys.consoleSession(tenantId, sessionHash);
}

// A tenant's session is written only while the tenant exists (same slot). KEYS: tenant, session.
// ARGV: record JSON, PXAT.
const INSERT_TENANT_SESSION = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
redis.call("SET", KEYS[2], ARGV[1], "PXAT", ARGV[2], "NX")
return 1`;

/** Stores a new session with PXAT at its idle expiry; false when its tenant was deleted meanwhile. */
export async function insertConsoleSession(
  redis: Redis,
  sessionHash: string,
  record: ConsoleSessionRecord,
): Promise<boolean> {
  const value = JSON.stringify(record);
  const pxat = Date.parse(record.idle_expires_at);
  if (record.tenant_id === null) {
    return (await redis.set(sessionKey(null, sessionHash), value, "PXAT", pxat, "NX")) === "OK";
  }
  const written = await redis.eval(
    INSERT_TENANT_SESSION,
    2,
    keys.tenant(record.tenant_id),
    sessionKey(record.tenant_id, sessionHash),
    value,
    pxat,
  );
  return written === 1;
}

/** The session stored under this hash in a tenant's (or the operator's) space, or undefined. */
export async function findConsoleSession(
  redis: Redis,
  tenantId: string | null,
  sessionHash: string,
): Promise<ConsoleSessionRecord | undefined> {
  return parseRecord<ConsoleSessionRecord>(await redis.get(sessionKey(tenantId, sessionHash)));
}

/** Rewrites a live session (its new idle expiry, and PXAT to match); a session already gone stays gone. */
export async function touchConsoleSession(
  redis: Redis,
  sessionHash: string,
  record: ConsoleSessionRecord,
): Promise<void> {
  const pxat = Date.parse(record.idle_expires_at);
  await redis.set(sessionKey(record.tenant_id, sessionHash), JSON.stringify(record), "PXAT", pxat, "XX");
}

/** Ends a session at once; true when there was one to end. */
export async function deleteConsoleSession(
  redis: Redis,
  tenantId: string | null,
  sessionHash: string,
): Promise<boolean> {
  return (await redis.unlink(sessionKey(tenantId, sessionHash))) === 1;
}
