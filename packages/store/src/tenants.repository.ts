import type { Redis } from "ioredis";
import { setApiTokenRecord } from "./api-tokens.repository.js";
import { decodeCursor, idOfMember, indexMember, nextCursor, readIndexPage } from "./index-pagination.js";
import { keys } from "./keys.js";
import { type AccountRecord, type ApiTokenRecord, parseRecord, type TenantRecord } from "./records.js";

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

// The step that brings a tenant into being: its record and its first token's index entry, together.
// KEYS: tenant, token index. ARGV: tenant JSON, token index member.
const CREATE_TENANT = `
redis.call("SET", KEYS[1], ARGV[1], "NX")
redis.call("ZADD", KEYS[2], 0, ARGV[2])
return 1`;

/**
 * Stores a new tenant with its first API token. The `tenants` member and the token record (other slots)
 * are written first; neither means anything until one script writes the tenant record and lists the
 * token (a member without a record is skipped when listed; a token of a missing tenant never
 * authenticates). So a failure part way, such as Redis going away, never leaves a tenant without its token.
 */
export async function insertTenant(
  redis: Redis,
  tenant: TenantRecord,
  firstToken: ApiTokenRecord,
): Promise<void> {
  await Promise.all([
    redis.zadd(keys.tenantIndex(), 0, indexMember(Date.parse(tenant.created_at), tenant.id)),
    setApiTokenRecord(redis, firstToken),
  ]);
  await redis.eval(
    CREATE_TENANT,
    2,
    keys.tenant(tenant.id),
    keys.apiTokenIndex(tenant.id),
    JSON.stringify(tenant),
    indexMember(Date.parse(firstToken.created_at), firstToken.id),
  );
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
    next_cursor: nextCursor(page.last),
  };
}

// Removes the tenant record and every key in its slot in one atomic step: an insert script (account,
// server, token index) that checks the tenant record runs wholly before it (and its keys are removed) or
// after it (and is refused). Key names come in as ARGV parts built from `keys`, joined around the ids.
// KEYS: tenant, token index, account index, MCP request log, admin log.
// ARGV: account key head, server index tail (after the account key), server key head.
const DELETE_TENANT_SLOT = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
local function id_of(member) return string.sub(member, string.find(member, ":", 1, true) + 1) end
for _, account in ipairs(redis.call("ZRANGE", KEYS[3], 0, -1)) do
  local accountKey = ARGV[1] .. id_of(account)
  local serverIndex = accountKey .. ARGV[2]
  for _, server in ipairs(redis.call("ZRANGE", serverIndex, 0, -1)) do
    redis.call("UNLINK", ARGV[3] .. id_of(server))
  end
  redis.call("UNLINK", accountKey, serverIndex)
end
redis.call("UNLINK", KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1`;

/**
 * Deletes a tenant and everything under it. API token records (outside the tenant's slot) go first, so
 * its tokens stop working; then one script removes the tenant record and every key in its slot at once;
 * then its `tenants` member. A crash part way leaves the tenant in place, so DELETE can simply be retried.
 */
export async function deleteTenantCascade(redis: Redis, tenantId: string): Promise<boolean> {
  const tenant = await findTenant(redis, tenantId);
  if (tenant === undefined) return false;
  const tokenMembers = await redis.zrange(keys.apiTokenIndex(tenantId), 0, -1);
  if (tokenMembers.length > 0) await redis.unlink(...tokenMembers.map((m) => keys.apiToken(idOfMember(m))));

  const prefix = redis.options.keyPrefix ?? "";
  const marker = "\u0000";
  // The script rebuilds per-account keys from these: prefix + id, and prefix + id + index suffix.
  const serverIndexTail = keys.mcpServerIndex(tenantId, marker).split(marker)[1] ?? "";
  const deleted = await redis.eval(
    DELETE_TENANT_SLOT,
    5,
    keys.tenant(tenantId),
    keys.apiTokenIndex(tenantId),
    keys.accountIndex(tenantId),
    keys.mcpLog(tenantId),
    keys.adminLog(tenantId),
    `${prefix}${keys.account(tenantId, "")}`,
    serverIndexTail,
    `${prefix}${keys.mcpServer(tenantId, "")}`,
  );
  // A token issued between the first step and the script keeps its record, but it never authenticates:
  // authentication requires the tenant record.
  await redis.zrem(keys.tenantIndex(), indexMember(Date.parse(tenant.created_at), tenantId));
  return deleted === 1;
}

/** Every account id of a tenant (used by cascades and tests). */
export async function accountIdsOf(redis: Redis, tenantId: string): Promise<string[]> {
  return (await redis.zrange(keys.accountIndex(tenantId), 0, -1)).map(idOfMember);
}

export type { AccountRecord };
