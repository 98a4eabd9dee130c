import type { Redis } from "ioredis";
import { idOfMember, indexMember, nextCursor, readIndexPage } from "./index-pagination.js";
import { keys } from "./keys.js";
import { type AccountRecord, parseRecord } from "./records.js";
import { CASCADE_ATTEMPTS, type Page } from "./tenants.repository.js";

// Stores and lists an account only while its tenant exists (deleteTenantCascade removes the tenant record
// first, so nothing can be added under a tenant that is being deleted). KEYS: tenant, account, account index.
// ARGV: record JSON, index member.
const INSERT_ACCOUNT = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
redis.call("SET", KEYS[2], ARGV[1], "NX")
redis.call("ZADD", KEYS[3], 0, ARGV[2])
return 1`;

/** Stores a new account and lists it, atomically; false when the tenant was deleted meanwhile. */
export async function insertAccount(redis: Redis, account: AccountRecord): Promise<boolean> {
  const inserted = await redis.eval(
    INSERT_ACCOUNT,
    3,
    keys.tenant(account.tenant_id),
    keys.account(account.tenant_id, account.id),
    keys.accountIndex(account.tenant_id),
    JSON.stringify(account),
    indexMember(Date.parse(account.created_at), account.id),
  );
  return inserted === 1;
}

/** One of the tenant's accounts, or undefined (also for another tenant's id). */
export async function findAccount(
  redis: Redis,
  tenantId: string,
  accountId: string,
): Promise<AccountRecord | undefined> {
  return parseRecord<AccountRecord>(await redis.get(keys.account(tenantId, accountId)));
}

/** A page of the tenant's accounts, oldest first. */
export async function listAccounts(
  redis: Redis,
  tenantId: string,
  after: string | undefined,
  limit: number,
): Promise<Page<AccountRecord>> {
  const page = await readIndexPage(redis, keys.accountIndex(tenantId), after, limit);
  const raws =
    page.members.length === 0
      ? []
      : await redis.mget(page.members.map((m) => keys.account(tenantId, idOfMember(m))));
  return {
    result: raws
      .map((raw) => parseRecord<AccountRecord>(raw))
      .filter((r): r is AccountRecord => r !== undefined),
    next_cursor: nextCursor(page.last),
  };
}

/** Replaces an existing account record; false when it no longer exists (deleted meanwhile). */
export async function replaceAccount(redis: Redis, account: AccountRecord): Promise<boolean> {
  const done = await redis.set(keys.account(account.tenant_id, account.id), JSON.stringify(account), "XX");
  return done === "OK";
}

// Deletes an account, its server index and every server it lists, in one atomic step, so a server minted
// concurrently (INSERT_SERVER, also a script) lands either before (and is deleted) or after (and is refused).
// WATCH/MULTI cannot do this on the gateway's shared connection: another request's EXEC clears the watch.
// Every key is declared: the caller passes the server keys its read of the index named, and when the index
// changed in between the script changes nothing and answers -1, and the caller reads again.
// KEYS: account, server index, account index, servers… ARGV: account index member, server index members as read.
const DELETE_ACCOUNT = `
if redis.call("EXISTS", KEYS[1]) == 0 then return 0 end
local members = redis.call("ZRANGE", KEYS[2], 0, -1)
if #members ~= #ARGV - 1 then return -1 end
for i, member in ipairs(members) do
  if member ~= ARGV[i + 1] then return -1 end
end
for i = 4, #KEYS do redis.call("UNLINK", KEYS[i]) end
redis.call("UNLINK", KEYS[1], KEYS[2])
redis.call("ZREM", KEYS[3], ARGV[1])
return 1`;

/** Deletes an account with all its MCP servers atomically; false when it does not exist. */
export async function deleteAccountCascade(
  redis: Redis,
  tenantId: string,
  accountId: string,
): Promise<boolean> {
  const account = await findAccount(redis, tenantId, accountId);
  if (account === undefined) return false;
  for (let attempt = 0; attempt < CASCADE_ATTEMPTS; attempt++) {
    const members = await redis.zrange(keys.mcpServerIndex(tenantId, accountId), 0, -1);
    const deleted = await redis.eval(
      DELETE_ACCOUNT,
      3 + members.length * 2,
      keys.account(tenantId, accountId),
      keys.mcpServerIndex(tenantId, accountId),
      keys.accountIndex(tenantId),
      ...members.map((m) => keys.mcpServer(tenantId, idOfMember(m))),
      // What scoped servers made (ids only) goes with them.
      ...members.map((m) => keys.mcpServerCreatedRecords(tenantId, idOfMember(m))),
      indexMember(Date.parse(account.created_at), accountId),
      ...members,
    );
    if (deleted !== -1) return deleted === 1;
  }
  throw new Error(`account ${accountId}: its server index kept changing while it was deleted`);
}
