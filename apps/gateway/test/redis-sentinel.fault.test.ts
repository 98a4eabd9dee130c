import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpStatus, runFailoverStream } from "../../../test/support/failover-stream.js";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import {
  RedisProcesses,
  type SentinelTopology,
  startSentinelTopology,
  waitFor,
} from "../../../test/support/redis-topologies.js";

// A master, a replica and three sentinels on loopback, each with a password; the gateway reaches them
// through ioredis's Sentinel client and acknowledges access changes once the replica holds them (WAIT 1).
const PASSWORDS = { data: "data-password-0123456789", sentinel: "sentinel-password-0123456789" };
const processes = new RedisProcesses();
let topology: SentinelTopology;
let stack: TestStack;

function sentinelEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: "",
    REDIS_SENTINELS: topology.sentinels.map((s) => `${s.host}:${s.port}`).join(","),
    REDIS_SENTINEL_MASTER: topology.masterName,
    REDIS_PASSWORD: PASSWORDS.data,
    REDIS_SENTINEL_PASSWORD: PASSWORDS.sentinel,
    ...extra,
  };
}

beforeAll(async () => {
  topology = await startSentinelTopology(processes, PASSWORDS);
  stack = await startTestStack({ url: "", keyPrefix: "mcpg-sentinel:" }, { env: sentinelEnv() });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await processes.stopAll();
});

async function currentMasterPort(): Promise<number> {
  const client = new Redis({ ...topology.sentinels[0], lazyConnect: true, password: PASSWORDS.sentinel });
  await client.connect();
  try {
    const [, port] = (await client.call(
      "SENTINEL",
      "GET-MASTER-ADDR-BY-NAME",
      topology.masterName,
    )) as string[];
    return Number(port);
  } finally {
    client.disconnect();
  }
}

describe("Redis behind Sentinel", () => {
  it("serves the admin and MCP flow through the sentinels", async () => {
    const { apiToken } = await stack.createTenant("Sentinel Co");
    const accountId = await stack.connectMem0(apiToken);
    const minted = await stack.mint(apiToken, accountId, { name: "s", config: { methods: ["read"] } });
    expect(await mcpStatus(minted.url)).toBe(200);
    const revoked = await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${minted.id}`, {
      token: apiToken,
    });
    expect(revoked.status).toBe(200);
    expect(await mcpStatus(minted.url)).toBe(404);
  });

  it("costs about one replica round trip per access change (WAIT 1)", async () => {
    const unacked = await startTestStack(
      { url: "", keyPrefix: "mcpg-sentinel:" },
      { env: sentinelEnv({ REDIS_WAIT_REPLICAS: "0" }) },
    );
    try {
      // Both gateways warm up first, then mint in alternation, so JIT warm-up and the machine's other load
      // fall on both alike.
      const prepare = async (target: TestStack) => {
        const { apiToken } = await target.createTenant("Timing");
        const accountId = await target.connectMem0(apiToken);
        const mint = async (name: string): Promise<number> => {
          const started = performance.now();
          const answer = await target.call("POST", `/integrated-account/${accountId}/mcp`, {
            token: apiToken,
            body: { name, config: { methods: ["read"] } },
          });
          expect(answer.status).toBe(201);
          return performance.now() - started;
        };
        for (let i = 0; i < 30; i++) await mint(`warm${i}`);
        return mint;
      };
      const mintAcked = await prepare(stack);
      const mintPlain = await prepare(unacked);
      const acked: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < 150; i++) {
        acked.push(await mintAcked(`a${i}`));
        plain.push(await mintPlain(`p${i}`));
      }
      acked.sort((x, y) => x - y);
      plain.sort((x, y) => x - y);
      const at = (s: number[], q: number): number => s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? 0;
      const figures = {
        mint_p50_ms_wait: at(acked, 0.5),
        mint_p50_ms_no_wait: at(plain, 0.5),
        mint_p99_ms_wait: at(acked, 0.99),
        mint_p99_ms_no_wait: at(plain, 0.99),
      };
      // The WAIT alone, on one connection to the master: what each access change pays on top of its write.
      const direct = new Redis({
        port: await currentMasterPort(),
        host: "127.0.0.1",
        password: PASSWORDS.data,
      });
      const waits: number[] = [];
      for (let i = 0; i < 500; i++) {
        await direct.set(`wait-cost:${i % 10}`, String(i));
        const started = performance.now();
        expect(await direct.wait(1, 500)).toBe(1);
        waits.push(performance.now() - started);
      }
      direct.disconnect();
      waits.sort((a, b) => a - b);
      Object.assign(figures, { wait_alone_p50_ms: at(waits, 0.5), wait_alone_p99_ms: at(waits, 0.99) });
      console.log(`sentinel WAIT cost: ${JSON.stringify(figures)}`);
      expect(figures.mint_p50_ms_wait - figures.mint_p50_ms_no_wait).toBeLessThan(20);
    } finally {
      await unacked.close();
    }
  });

  it("loses no acknowledged access change in a SENTINEL FAILOVER, and answers 503 rather than 500 meanwhile", async () => {
    const before = await currentMasterPort();
    const figures = await runFailoverStream(stack, {
      servers: 60,
      leadMs: 1_500,
      settleMs: 2_000,
      failover: async () => {
        const client = new Redis({
          ...topology.sentinels[0],
          lazyConnect: true,
          password: PASSWORDS.sentinel,
        });
        await client.connect();
        await client.call("SENTINEL", "FAILOVER", topology.masterName);
        client.disconnect();
        await waitFor(async () => (await currentMasterPort()) !== before, 20_000);
      },
    });
    console.log(`sentinel failover: ${JSON.stringify(figures)}`);
    expect(await currentMasterPort()).not.toBe(before);
    expect(figures.tenantsAcknowledged).toBeGreaterThan(10);
    expect(figures.revocationsAcknowledged).toBeGreaterThan(10);
    expect(figures.tenantsLost).toBe(0);
    expect(figures.mintsLost).toBe(0);
    expect(figures.revokedServedAgain).toBe(0);
    expect(Object.keys(figures.statuses).filter((s) => !["200", "201", "503"].includes(s))).toEqual([]);
    // And the gateway writes again on the new master once the old one has become its replica (until
    // then no replica can acknowledge, so access changes answer 503).
    await waitFor(async () => {
      const after = await stack.call("POST", "/tenants", {
        token: stack.config.adminToken,
        body: { name: "after" },
      });
      return after.status === 201;
    }, 20_000);
  }, 90_000);

  it("answers access changes 503 with Retry-After while no replica can acknowledge them, and keeps serving URLs", async () => {
    const { apiToken } = await stack.createTenant("No replica");
    const accountId = await stack.connectMem0(apiToken);
    const minted = await stack.mint(apiToken, accountId, { name: "kept", config: { methods: ["read"] } });
    // After the failover above the old master is the replica: whichever node is not the master now.
    const masterPort = await currentMasterPort();
    const replica = [topology.master, topology.replica].find((node) => node.port !== masterPort);
    await replica?.kill();
    const started = performance.now();
    const refused = await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: { name: "unacknowledged", config: { methods: ["read"] } },
    });
    const waitedMs = performance.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(waitedMs).toBeGreaterThanOrEqual(450);
    // An operator logging at info level reads why: a warning per unacknowledged access change.
    const warnings = stack.logs
      .lines()
      .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string })
      .filter((entry) => entry.level === 40 && entry.msg === "storage unavailable");
    expect(warnings.map((entry) => entry.reason)).toContain(
      "No replica acknowledged the write in time: 0 of 1 within 500 ms",
    );
    expect(await mcpStatus(minted.url)).toBe(200);
    expect((await stack.call("GET", "/api-tokens", { token: apiToken })).status).toBe(200);
  });
});
