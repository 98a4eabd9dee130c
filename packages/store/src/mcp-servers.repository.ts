import type { Redis } from "ioredis";
import { idOfMember, indexMember, nextCursor, readIndexPage } from "./index-pagination.js";
import { keys } from "./keys.js";
import { type AccountRecord, expiryMs, isExpired, type McpServerRecord, parseRecord } from "./records.js";
import type { Page } from "./tenants.repository.js";

// Writes a server only while its account and tenant exist, with its TTL, and indexes it: one atomic step.
// (The tenant check closes the race with deleteTenantCascade, which removes the tenant record first.)
// KEYS: account, server, index, tenant. ARGV: record JSON, expiry ms ("" = none), index member.
const INSERT_SERVER = `
if redis.call("EXISTS", KEYS[1]) == 0 or redis.call("EXISTS", KEYS[4]) == 0 then return 0 end
if ARGV[2] == "" then
  redis.call("SET", KEYS[2], ARGV[1], "NX")
else
  redis.call("SET", KEYS[2], ARGV[1], "NX", "PXAT", ARGV[2])
end
redis.call("ZADD", KEYS[3], 0, ARGV[3])
return 1`;

/** Stores a new server with PXAT at its expiry; false when the account or tenant was deleted meanwhile. */
export async function insertMcpServer(redis: Redis, server: McpServerRecord): Promise<boolean> {
  const expiry = expiryMs(server.expires_at);
  const inserted = await redis.eval(
    INSERT_SERVER,
    4,
    keys.account(server.tenant_id, server.integrated_account_id),
    keys.mcpServer(server.tenant_id, server.id),
    keys.mcpServerIndex(server.tenant_id, server.integrated_account_id),
    keys.tenant(server.tenant_id),
    JSON.stringify(server),
    expiry === null ? "" : String(expiry),
    indexMember(Date.parse(server.created_at), server.id),
  );
  return inserted === 1;
}

/** A server and its account in one round trip (the MCP endpoint and the admin routes of one server). */
export async function findMcpServerWithAccount(
  redis: Redis,
  tenantId: string,
  serverId: string,
  accountId: string,
): Promise<{ server: McpServerRecord | undefined; account: AccountRecord | undefined }> {
  const { server, account } = await readMcpServerWithAccount(redis, tenantId, serverId, accountId);
  return { server: parseRecord<McpServerRecord>(server), account: parseRecord<AccountRecord>(account) };
}

/**
 * The stored JSON of a server and its account (null when missing), in one round trip, unparsed: the MCP
 * endpoint compares it with what it read last time and parses only what changed.
 */
export async function readMcpServerWithAccount(
  redis: Redis,
  tenantId: string,
  serverId: string,
  accountId: string,
): Promise<{ server: string | null; account: string | null }> {
  const [server = null, account = null] = await redis.mget(
    keys.mcpServer(tenantId, serverId),
    keys.account(tenantId, accountId),
  );
  return { server, account };
}

/**
 * A page of an account's live servers, oldest first. Servers that expired (whether or not Redis has
 * removed them yet) are never returned, and their index entries are pruned as they are met.
 */
export async function listMcpServers(
  redis: Redis,
  tenantId: string,
  accountId: string,
  after: string | undefined,
  limit: number,
  nowMs: number,
): Promise<Page<McpServerRecord>> {
  const indexKey = keys.mcpServerIndex(tenantId, accountId);
  const result: McpServerRecord[] = [];
  let position = after;
  let last: string | null = null;
  // Keep reading until the page is full or the index ends, so pruned entries do not shorten pages.
  for (;;) {
    const page = await readIndexPage(redis, indexKey, position, limit - result.length);
    if (page.members.length === 0) break;
    const raws = await redis.mget(page.members.map((m) => keys.mcpServer(tenantId, idOfMember(m))));
    const gone: string[] = [];
    page.members.forEach((member, i) => {
      const record = parseRecord<McpServerRecord>(raws[i]);
      if (record === undefined || isExpired(record.expires_at, nowMs)) gone.push(member);
      else result.push(record);
    });
    if (gone.length > 0) await redis.zrem(indexKey, ...gone);
    last = page.last;
    if (page.last === null || result.length >= limit) break;
    position = page.last;
  }
  return { result, next_cursor: nextCursor(last) };
}

/** Replaces a live server record with its (possibly earlier) expiry; false when it is gone. */
export async function replaceMcpServer(redis: Redis, server: McpServerRecord): Promise<boolean> {
  const key = keys.mcpServer(server.tenant_id, server.id);
  const expiry = expiryMs(server.expires_at);
  const done =
    expiry === null
      ? await redis.set(key, JSON.stringify(server), "XX")
      : await redis.set(key, JSON.stringify(server), "PXAT", expiry, "XX");
  return done === "OK";
}

/** Revokes a server at once; false when it did not exist. */
export async function deleteMcpServer(redis: Redis, server: McpServerRecord): Promise<boolean> {
  const [[, removed] = []] =
    (await redis
      .multi()
      .unlink(keys.mcpServer(server.tenant_id, server.id))
      .unlink(keys.mcpServerCreatedRecords(server.tenant_id, server.id))
      .zrem(
        keys.mcpServerIndex(server.tenant_id, server.integrated_account_id),
        indexMember(Date.parse(server.created_at), server.id),
      )
      .exec()) ?? [];
  return removed === 1;
}
