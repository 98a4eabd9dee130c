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
// after it (and is refused). Every key it removes is declared (Cluster and Redis's scripting rules): the
// caller reads the indexes and passes the keys they name; when an index changed in between (a concurrent
// mint or account), the script changes nothing and answers -1, and the caller reads again.
// KEYS: tenant, token index, account index, MCP request log, admin log, then per account: the account,
// its server index, its servers. ARGV: JSON [[account index member, [server index members]], …] as read.
const DELETE_TENANT_SLOT = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
local plan = cjson.decode(ARGV[1])
local accounts = redis.call("ZRANGE", KEYS[3], 0, -1)
if #accounts ~= #plan then return -1 end
local k = 6
for i, entry in ipairs(plan) do
  if accounts[i] ~= entry[1] then return -1 end
  local servers = redis.call("ZRANGE", KEYS[k + 1], 0, -1)
  if #servers ~= #entry[2] then return -1 end
  for j, server in ipairs(servers) do
    if server ~= entry[2][j] then return -1 end
  end
  k = k + 2 + #entry[2]
end
for i = 1, #KEYS do redis.call("UNLINK", KEYS[i]) end
return 1`;

/** How often deleteTenantCascade and deleteAccountCascade re-read indexes that changed under them. */
export const CASCADE_ATTEMPTS = 5;

/**
 * Deletes a tenant and everything under it. API token records (outside the tenant's slot, one command
 * each so a Cluster never sees keys of two slots in one command) go first, so its tokens stop working;
 * then one script removes the tenant record and every key in its slot at once; then its `tenants`
 * member. A crash part way leaves the tenant in place, so DELETE can simply be retried.
 */
export async function deleteTenantCascade(redis: Redis, tenantId: string): Promise<boolean> {
  const tenant = await findTenant(redis, tenantId);
  if (tenant === undefined) return false;
  const tokenMembers = await redis.zrange(keys.apiTokenIndex(tenantId), 0, -1);
  await Promise.all(tokenMembers.map((m) => redis.unlink(keys.apiToken(idOfMember(m)))));

  let deleted: unknown = -1;
  for (let attempt = 0; attempt < CASCADE_ATTEMPTS && deleted === -1; attempt++) {
    const accounts = await redis.zrange(keys.accountIndex(tenantId), 0, -1);
    const servers = await Promise.all(
      accounts.map((a) => redis.zrange(keys.mcpServerIndex(tenantId, idOfMember(a)), 0, -1)),
    );
    const accountKeys = accounts.flatMap((a, i) => {
      const accountId = idOfMember(a);
      return [
        keys.account(tenantId, accountId),
        keys.mcpServerIndex(tenantId, accountId),
        ...(servers[i] ?? []).map((m) => keys.mcpServer(tenantId, idOfMember(m))),
      ];
    });
    const declared = [
      keys.tenant(tenantId),
      keys.apiTokenIndex(tenantId),
      keys.accountIndex(tenantId),
      keys.mcpLog(tenantId),
      keys.adminLog(tenantId),
      ...accountKeys,
      // Last, so the script's per-account offsets above stay as they are: what scoped servers made (ids only).
      ...servers.flat().map((m) => keys.mcpServerCreatedRecords(tenantId, idOfMember(m))),
    ];
    const plan = JSON.stringify(accounts.map((a, i) => [a, servers[i] ?? []]));
    deleted = await redis.eval(DELETE_TENANT_SLOT, declared.length, ...declared, plan);
  }
  if (deleted === -1) throw new Error(`tenant ${tenantId}: its indexes kept changing while it was deleted`);
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
