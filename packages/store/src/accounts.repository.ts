import type { Redis } from "ioredis";
import { encodeCursor, idOfMember, indexMember, readIndexPage } from "./index-pagination.js";
import { keys } from "./keys.js";
import { type AccountRecord, parseRecord } from "./records.js";
import type { Page } from "./tenants.repository.js";

/** Stores a new account and lists it, atomically (both keys are in the tenant's slot). */
export async function insertAccount(redis: Redis, account: AccountRecord): Promise<void> {
  await redis
    .multi()
    .set(keys.account(account.tenant_id, account.id), JSON.stringify(account), "NX")
    .zadd(keys.accountIndex(account.tenant_id), 0, indexMember(Date.parse(account.created_at), account.id))
    .exec();
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
    next_cursor: page.last === null ? null : encodeCursor(page.last),
  };
}

/** Replaces an existing account record; false when it no longer exists (deleted meanwhile). */
export async function replaceAccount(redis: Redis, account: AccountRecord): Promise<boolean> {
  const done = await redis.set(keys.account(account.tenant_id, account.id), JSON.stringify(account), "XX");
  return done === "OK";
}

/**
 * Deletes an account with all its MCP servers in one transaction. The server index is watched, so a
 * server minted while the delete is being prepared makes the transaction retry instead of surviving it.
 */
export async function deleteAccountCascade(
  redis: Redis,
  tenantId: string,
  accountId: string,
): Promise<boolean> {
  const indexKey = keys.mcpServerIndex(tenantId, accountId);
  for (let attempt = 0; attempt < 5; attempt++) {
    await redis.watch(indexKey, keys.account(tenantId, accountId));
    const account = await findAccount(redis, tenantId, accountId);
    if (account === undefined) {
      await redis.unwatch();
      return false;
    }
    const serverKeys = (await redis.zrange(indexKey, 0, -1)).map((m) =>
      keys.mcpServer(tenantId, idOfMember(m)),
    );
    const done = await redis
      .multi()
      .unlink(keys.account(tenantId, accountId), indexKey, ...serverKeys)
      .zrem(keys.accountIndex(tenantId), indexMember(Date.parse(account.created_at), accountId))
      .exec();
    if (done !== null) return true;
  }
  throw new Error(`could not delete account ${accountId}: its servers kept changing during the delete`);
}
