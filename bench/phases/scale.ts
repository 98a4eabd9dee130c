/**
 * 4. Scale. Two Redis instances behind two identical gateways: one holds 1k servers, the other 100k.
 * Mint rate is timed through the HTTP admin API (all of the 1k, and a sample of the 100k); the rest of the
 * 100k are minted in-process through the same service function the admin route calls (mintMcpServer),
 * which skips only HTTP, so the bench stays within its time budget. Memory per server: INFO used_memory
 * delta / count, and MEMORY USAGE over sampled server keys plus the index entries. Then tools/list latency
 * at concurrency 1 over 100 servers of each, alternating the two gateways, as a 100k / 1k ratio.
 */
import { systemClock } from "@mcp-gateway/core";
import type { Redis } from "ioredis";
import pino from "pino";
import { createLogger } from "../../apps/gateway/dist/logger.js";
import { configFromEnv, openRedis } from "../../apps/gateway/dist/runtime.js";
import { mintMcpServer } from "../../apps/gateway/dist/services/mcp-servers.service.js";
import { createServiceContext } from "../../apps/gateway/dist/services/service-context.js";
import { settings } from "../lib/settings.js";
import { admin, inParallel, post, probe, rpc, usedMemory } from "../lib/setup.js";
import { median, type Summary } from "../lib/stats.js";
import type { CannonJob, CannonResult, MintJob, MintResult } from "../load/jobs.js";
import { type AlternateSide, alternate, type Bench } from "./types.js";

/** A realistic narrow server: read and custom methods on memories and search. */
const SERVER_CONFIG = { methods: ["read", "custom"], tags: ["memories", "search"] };
const HTTP_MINT_CONCURRENCY = 16;
const IN_PROCESS_MINT_CONCURRENCY = 64;
const SAMPLED_TOKENS = 100;
const MEMORY_SAMPLE_KEYS = 300;
const SCALE_WARMUP_S = settings.quick ? 1 : 4;

interface Account {
  tenantId: string;
  id: string;
  apiToken: string;
}

/** One alternating run: tools/list response times on each gateway. */
export interface ScaleLatencyRun {
  pairs: number;
  small: Summary;
  large: Summary;
}

export interface ScaleResults {
  smallServers: number;
  largeServers: number;
  accounts: number;
  mintRate: {
    /** Servers per second through POST /integrated-account/:id/mcp, at HTTP_MINT_CONCURRENCY. */
    httpSmall: { servers: number; perSecond: number };
    httpLarge: { servers: number; perSecond: number };
    inProcess: { servers: number; perSecond: number; concurrency: number };
  };
  memory: {
    /** (used_memory after - before) / servers on the large Redis. */
    usedMemoryDeltaPerServer: number;
    /** The same over the small Redis's 1k. */
    usedMemoryDeltaPerServerSmall: number;
    /** Mean MEMORY USAGE of sampled server keys. */
    sampledKeyBytes: number;
    /** MEMORY USAGE of the index sorted sets divided by their members. */
    indexBytesPerEntry: number;
    /** sampledKeyBytes + indexBytesPerEntry: the server's own footprint, what the goal is about. */
    memoryUsagePerServer: number;
    /**
     * MEMORY USAGE of the audit-trail streams (every tenant's and the operator's) in the large Redis over
     * the servers minted: each mint records the change in both. Bounded by the streams' caps and retention.
     */
    auditLogBytesPerMint: number;
    /** Entries in those streams when measured. */
    auditLogEntries: number;
    keysInLargeRedis: number;
  };
  latency: {
    runs: ScaleLatencyRun[];
    p50Ratio: { perRepeat: number[]; median: number };
    p99Ratio: { perRepeat: number[]; median: number };
  };
}

async function createAccounts(gatewayUrl: string, bench: Bench, count: number): Promise<Account[]> {
  const accounts: Account[] = [];
  for (let i = 0; i < count; i++) {
    const tenant = await admin(gatewayUrl, "POST", "/tenants", bench.adminToken, {
      name: `Scale tenant ${i}`,
    });
    const apiToken: string = tenant.api_token.token;
    const account = await admin(gatewayUrl, "POST", "/integrated-account", apiToken, {
      integration: "mem0",
      name: `Mem0 ${i}`,
      credentials: { api_key: bench.sandboxKey },
    });
    accounts.push({ tenantId: tenant.id as string, id: account.id as string, apiToken });
  }
  return accounts;
}

async function mintOverHttp(
  bench: Bench,
  url: string,
  accounts: Account[],
  count: number,
  expiresAt: string,
): Promise<MintResult> {
  const result = await bench.load.run<MintResult>({
    kind: "mint",
    url,
    accounts: accounts.map((a) => ({ id: a.id, apiToken: a.apiToken })),
    count,
    concurrency: HTTP_MINT_CONCURRENCY,
    namePrefix: "scale",
    config: SERVER_CONFIG,
    expiresAt: [expiresAt],
    keepTokens: SAMPLED_TOKENS,
  } satisfies MintJob);
  if (result.minted !== count) {
    throw new Error(`minted ${result.minted} of ${count} over HTTP: ${result.failures.join(" | ")}`);
  }
  return result;
}

/** Mints through the service function the admin route calls, against the large gateway's Redis and keys. */
async function mintInProcess(
  bench: Bench,
  accounts: Account[],
  count: number,
  expiresAt: string,
): Promise<number> {
  const loaded = configFromEnv(bench.largeEnv);
  if (!loaded.ok) throw new Error(`large gateway config: ${loaded.errors.join("; ")}`);
  const redis = await openRedis(loaded.config, createLogger("error", pino.destination(2)));
  const ctx = createServiceContext(redis, loaded.config, systemClock);
  const started = performance.now();
  try {
    await inParallel(count, IN_PROCESS_MINT_CONCURRENCY, async (i) => {
      const account = accounts[i % accounts.length]!;
      await mintMcpServer(ctx, account.tenantId, account.id, {
        name: `scale in-process ${i}`,
        config: SERVER_CONFIG,
        expires_at: expiresAt,
      });
    });
  } finally {
    await redis.quit();
  }
  return (performance.now() - started) / 1000;
}

/** Total MEMORY USAGE and entries of the audit-trail streams (tenants' and operator's). */
async function auditLogUsage(redis: Redis, prefix: string): Promise<{ bytes: number; entries: number }> {
  const streams = [`${prefix}log:{operator}:admin`];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}t:*:log:admin`, "COUNT", 1000);
    cursor = next;
    streams.push(...found);
  } while (cursor !== "0");
  let bytes = 0;
  let entries = 0;
  for (const key of streams) {
    if ((await redis.exists(key)) === 0) continue;
    bytes += Number(await redis.memory("USAGE", key, "SAMPLES", 0));
    entries += await redis.xlen(key);
  }
  return { bytes, entries };
}

async function memoryUsage(
  redis: Redis,
  prefix: string,
): Promise<{ keyBytes: number; indexPerEntry: number }> {
  const serverKeys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}t:*:mcp:*`, "COUNT", 1000);
    cursor = next;
    serverKeys.push(...found);
  } while (cursor !== "0" && serverKeys.length < MEMORY_SAMPLE_KEYS);
  const sizes = await Promise.all(
    serverKeys
      .slice(0, MEMORY_SAMPLE_KEYS)
      .map(async (key) => Number(await redis.memory("USAGE", key, "SAMPLES", 0))),
  );
  const indexKeys: string[] = [];
  cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}t:*:account:*:mcps`, "COUNT", 1000);
    cursor = next;
    indexKeys.push(...found);
  } while (cursor !== "0");
  let indexBytes = 0;
  let members = 0;
  for (const key of indexKeys) {
    indexBytes += Number(await redis.memory("USAGE", key, "SAMPLES", 0));
    members += await redis.zcard(key);
  }
  return {
    keyBytes: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
    indexPerEntry: indexBytes / Math.max(1, members),
  };
}

export async function measureScale(bench: Bench): Promise<ScaleResults> {
  const prefix = bench.smallEnv.REDIS_KEY_PREFIX ?? "mcpg:";
  const accountCount = settings.scaleAccounts;
  const smallAccounts = await createAccounts(bench.gateway.url, bench, accountCount);
  const largeAccounts = await createAccounts(bench.gatewayLarge.url, bench, accountCount);
  // Every server expires (a week out): the TTL's own bookkeeping is part of the memory figure.
  const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();

  const smallBefore = await usedMemory(bench.redisSmall);
  const small = await mintOverHttp(
    bench,
    bench.gateway.url,
    smallAccounts,
    settings.scaleSmallServers,
    expiresAt,
  );
  const smallAfter = await usedMemory(bench.redisSmall);
  bench.log(
    `  minted ${settings.scaleSmallServers} over HTTP: ${(small.minted / small.elapsedS).toFixed(0)}/s`,
  );

  const httpCount = Math.min(settings.httpMintSample, settings.scaleServers);
  const largeBefore = await usedMemory(bench.redisLarge);
  const large = await mintOverHttp(bench, bench.gatewayLarge.url, largeAccounts, httpCount, expiresAt);
  bench.log(`  minted ${httpCount} over HTTP: ${(large.minted / large.elapsedS).toFixed(0)}/s`);
  const restCount = settings.scaleServers - httpCount;
  const restS = restCount > 0 ? await mintInProcess(bench, largeAccounts, restCount, expiresAt) : 0;
  if (restCount > 0) bench.log(`  minted ${restCount} in-process: ${(restCount / restS).toFixed(0)}/s`);
  const largeAfter = await usedMemory(bench.redisLarge);
  const usage = await memoryUsage(bench.redisLarge, prefix);
  const auditLog = await auditLogUsage(bench.redisLarge, prefix);
  const keysInLargeRedis = await bench.redisLarge.dbsize();

  // The sampled servers answer tools/list before anything is timed.
  const listBody = rpc("tools/list");
  for (const [gatewayUrl, tokens] of [
    [bench.gateway.url, small.tokens],
    [bench.gatewayLarge.url, large.tokens],
  ] as const) {
    const answer = await probe(`${gatewayUrl}/mcp/${tokens[0]!.token}`, listBody);
    if (answer.status !== 200) throw new Error(`a scale server answered tools/list with ${answer.status}`);
  }
  const sideOf = (origin: string, tokens: MintResult["tokens"]): AlternateSide => ({
    origin,
    requests: tokens.map(({ token }) => post(`/mcp/${token}`, listBody)),
  });
  const smallSide = sideOf(bench.gateway.url, small.tokens);
  const largeSide = sideOf(bench.gatewayLarge.url, large.tokens);
  // The large gateway has only minted so far; the small one has served the whole bench. Equal, longer
  // warm-ups first, so the comparison is about Redis size and not about how warm each process's JIT is.
  for (const side of [smallSide, largeSide]) {
    await bench.load.run<CannonResult>({
      kind: "cannon",
      url: side.origin,
      requests: side.requests,
      connections: settings.connections,
      durationS: SCALE_WARMUP_S,
      expectStatus: 200,
    } satisfies CannonJob);
  }
  // One request at a time, alternating between the two gateways, so whatever else the machine is doing
  // falls on both sides alike; which side goes first flips every repeat.
  const runs: ScaleLatencyRun[] = [];
  for (let rep = 0; rep < settings.repeats; rep++) {
    const { pairs, a: small, b: large } = await alternate(bench, smallSide, largeSide, rep);
    const run = { pairs, small, large };
    runs.push(run);
    bench.log(
      `  c=1 alternating, ${run.pairs} pairs: p50 ${run.small.p50.toFixed(3)} ms @${settings.scaleSmallServers} vs ${run.large.p50.toFixed(3)} ms @${settings.scaleServers}`,
    );
  }
  const p50 = runs.map((r) => r.large.p50 / r.small.p50);
  const p99 = runs.map((r) => r.large.p99 / r.small.p99);

  return {
    smallServers: settings.scaleSmallServers,
    largeServers: settings.scaleServers,
    accounts: accountCount,
    mintRate: {
      httpSmall: { servers: small.minted, perSecond: small.minted / small.elapsedS },
      httpLarge: { servers: large.minted, perSecond: large.minted / large.elapsedS },
      inProcess: {
        servers: restCount,
        perSecond: restCount > 0 ? restCount / restS : Number.NaN,
        concurrency: IN_PROCESS_MINT_CONCURRENCY,
      },
    },
    memory: {
      usedMemoryDeltaPerServer: (largeAfter - largeBefore) / settings.scaleServers,
      usedMemoryDeltaPerServerSmall: (smallAfter - smallBefore) / settings.scaleSmallServers,
      sampledKeyBytes: usage.keyBytes,
      indexBytesPerEntry: usage.indexPerEntry,
      memoryUsagePerServer: usage.keyBytes + usage.indexPerEntry,
      auditLogBytesPerMint: auditLog.bytes / settings.scaleServers,
      auditLogEntries: auditLog.entries,
      keysInLargeRedis,
    },
    latency: {
      runs,
      p50Ratio: { perRepeat: p50, median: median(p50) },
      p99Ratio: { perRepeat: p99, median: median(p99) },
    },
  };
}
