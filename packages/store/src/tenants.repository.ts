import type { Redis } from "ioredis";
import { decodeCursor, encodeCursor, idOfMember, indexMember, readIndexPage } from "./index-pagination.js";
import { keys } from "./keys.js";
import { type AccountRecord, parseRecord, type TenantRecord } from "./records.js";

export interface Page<T> {
  result: T[];
  next_cursor: string | null;
}

export type CursorCheck = { ok: true; after: string | undefined } | { ok: false };

/** Turns a client's cursor into an index position; an unknown cursor is refused, not ignored. */
export function readCursor(cursor: string | undefined): CursorCheck {
  if (cursor === undefined || cursor === "") return { ok: true, after: undefined };
  const after = decodeCursor(cursor);
  return after === undefined ? { ok: false } : { ok: true, after };
}

/** Stores a new tenant and lists it. */
export async function insertTenant(redis: Redis, tenant: TenantRecord): Promise<void> {
  const createdMs = Date.parse(tenant.created_at);
  // Two slots (the global index and the tenant's own key): record first, so a listed id always resolves.
  await redis.set(keys.tenant(tenant.id), JSON.stringify(tenant), "NX");
  await redis.zadd(keys.tenantIndex(), 0, indexMember(createdMs, tenant.id));
}

/** One tenant, or undefined. */
export async function findTenant(redis: Redis, tenantId: string): Promise<TenantRecord | undefined> {
  return parseRecord<TenantRecord>(await redis.get(keys.tenant(tenantId)));
}

/** A page of tenants, oldest first. */
export async function listTenants(
  redis: Redis,
  after: string | undefined,
  limit: number,
): Promise<Page<TenantRecord>> {
  const page = await readIndexPage(redis, keys.tenantIndex(), after, limit);
  const records = await Promise.all(page.members.map((m) => findTenant(redis, idOfMember(m))));
  return {
    result: records.filter((r): r is TenantRecord => r !== undefined),
    next_cursor: page.last === null ? null : encodeCursor(page.last),
  };
}

/**
 * Deletes a tenant and everything under it. The tenant record goes first: from then on its API tokens stop
 * authenticating and the insert scripts (accounts, servers, token index) refuse to add anything under it,
 * so the keys read below are complete. Then its API token records, every key in its slot, and its
 * `tenants` member.
 */
export async function deleteTenantCascade(redis: Redis, tenantId: string): Promise<boolean> {
  const tenant = await findTenant(redis, tenantId);
  if (tenant === undefined) return false;
  // Only the caller that actually removes the record carries on (two concurrent deletes: one wins).
  if ((await redis.unlink(keys.tenant(tenantId))) === 0) return false;
  const tokenMembers = await redis.zrange(keys.apiTokenIndex(tenantId), 0, -1);
  if (tokenMembers.length > 0) await redis.unlink(...tokenMembers.map((m) => keys.apiToken(idOfMember(m))));

  const accountIds = (await redis.zrange(keys.accountIndex(tenantId), 0, -1)).map(idOfMember);
  const slotKeys = [keys.apiTokenIndex(tenantId), keys.accountIndex(tenantId)];
  for (const accountId of accountIds) {
    const serverIds = (await redis.zrange(keys.mcpServerIndex(tenantId, accountId), 0, -1)).map(idOfMember);
    slotKeys.push(keys.account(tenantId, accountId), keys.mcpServerIndex(tenantId, accountId));
    slotKeys.push(...serverIds.map((id) => keys.mcpServer(tenantId, id)));
  }
  await redis.unlink(...slotKeys);
  await redis.zrem(keys.tenantIndex(), indexMember(Date.parse(tenant.created_at), tenantId));
  return true;
}

/** Every account id of a tenant (used by cascades and tests). */
export async function accountIdsOf(redis: Redis, tenantId: string): Promise<string[]> {
  return (await redis.zrange(keys.accountIndex(tenantId), 0, -1)).map(idOfMember);
}

export type { AccountRecord };
