import type { Redis } from "ioredis";
import { idOfMember, indexMember, nextCursor, readIndexPage } from "./index-pagination.js";
import { keys } from "./keys.js";
import { type ApiTokenRecord, isExpired, parseRecord } from "./records.js";
import type { Page } from "./tenants.repository.js";

// Lists a token only while its tenant exists (same slot). KEYS: tenant, token index. ARGV: index member.
const INDEX_TOKEN = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
redis.call("ZADD", KEYS[2], 0, ARGV[1])
return 1`;

/**
 * Stores a token record (with PXAT at its expiry, if any) and lists it under its tenant; false when the
 * tenant was deleted meanwhile (then nothing is written).
 */
export async function insertApiToken(redis: Redis, token: ApiTokenRecord): Promise<boolean> {
  // Index first: a crash in between leaves an index entry that reads as missing, never an unlisted live token.
  const indexed = await redis.eval(
    INDEX_TOKEN,
    2,
    keys.tenant(token.tenant_id),
    keys.apiTokenIndex(token.tenant_id),
    indexMember(Date.parse(token.created_at), token.id),
  );
  if (indexed !== 1) return false;
  await setApiTokenRecord(redis, token);
  return true;
}

/** Writes a new token record, with PXAT at its expiry when it has one (no index: callers list it). */
export async function setApiTokenRecord(redis: Redis, token: ApiTokenRecord): Promise<void> {
  const value = JSON.stringify(token);
  if (token.expires_at === null) await redis.set(keys.apiToken(token.id), value, "NX");
  else await redis.set(keys.apiToken(token.id), value, "PXAT", Date.parse(token.expires_at), "NX");
}

/** The token record for an id from a presented token, whatever its tenant. */
export async function findApiToken(redis: Redis, tokenId: string): Promise<ApiTokenRecord | undefined> {
  return parseRecord<ApiTokenRecord>(await redis.get(keys.apiToken(tokenId)));
}

/** A page of a tenant's tokens, oldest first; expired ones are dropped from the index as they are met. */
export async function listApiTokens(
  redis: Redis,
  tenantId: string,
  after: string | undefined,
  limit: number,
  nowMs: number,
): Promise<Page<ApiTokenRecord>> {
  const page = await readIndexPage(redis, keys.apiTokenIndex(tenantId), after, limit);
  const records = await Promise.all(page.members.map((m) => findApiToken(redis, idOfMember(m))));
  const gone = page.members.filter((_, i) => {
    const record = records[i];
    return record === undefined || isExpired(record.expires_at, nowMs);
  });
  if (gone.length > 0) await redis.zrem(keys.apiTokenIndex(tenantId), ...gone);
  return {
    result: records.filter((r): r is ApiTokenRecord => r !== undefined && !isExpired(r.expires_at, nowMs)),
    next_cursor: nextCursor(page.last),
  };
}

/** Deletes one of the tenant's tokens; false when it does not exist or belongs to another tenant. */
export async function deleteApiToken(redis: Redis, tenantId: string, tokenId: string): Promise<boolean> {
  const record = await findApiToken(redis, tokenId);
  if (record === undefined || record.tenant_id !== tenantId) return false;
  await redis.unlink(keys.apiToken(tokenId));
  await redis.zrem(keys.apiTokenIndex(tenantId), indexMember(Date.parse(record.created_at), tokenId));
  return true;
}
