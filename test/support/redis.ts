import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, beforeEach, inject } from "vitest";

/** What a test gets: a Redis URL and a key namespace no other test uses. */
export interface TestRedis {
  url: string;
  /** Prefix for every key this test writes; pass it to the store as its key prefix. */
  keyPrefix: string;
  /** A client without a prefix, for looking at what the code under test wrote. */
  client: Redis;
  /** Every key in this test's namespace, prefix included. */
  keys(): Promise<string[]>;
}

function workerRedisUrl(): string {
  const urls = inject("redisUrls");
  const index = Math.max(0, Number(process.env.VITEST_POOL_ID ?? "1") - 1) % urls.length;
  const url = urls[index];
  if (!url) throw new Error("the Redis global setup provided no URL");
  return url;
}

async function scanKeys(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== "0");
  return found;
}

/**
 * Registers hooks that give each test a fresh namespace on the worker's Redis and delete that
 * namespace's keys afterwards. Only keys under the test's own prefix are ever removed.
 */
export function useTestRedis(): TestRedis {
  const ctx = {} as TestRedis;
  beforeEach(async () => {
    ctx.url = workerRedisUrl();
    ctx.keyPrefix = `mcpg-test-${randomBytes(6).toString("hex")}:`;
    ctx.client = new Redis(ctx.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await ctx.client.connect();
    ctx.keys = () => scanKeys(ctx.client, ctx.keyPrefix);
  });
  afterEach(async () => {
    const keys = await ctx.keys();
    if (keys.length > 0) await ctx.client.unlink(...keys);
    ctx.client.disconnect();
  });
  return ctx;
}

/** A namespace for a whole test file (beforeAll/afterAll); `dispose` deletes its keys. */
export async function openTestNamespace(): Promise<TestRedis & { dispose(): Promise<void> }> {
  const url = workerRedisUrl();
  const keyPrefix = `mcpg-test-${randomBytes(6).toString("hex")}:`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const keys = () => scanKeys(client, keyPrefix);
  return {
    url,
    keyPrefix,
    client,
    keys,
    async dispose() {
      const found = await keys();
      if (found.length > 0) await client.unlink(...found);
      client.disconnect();
    },
  };
}
