import { type RedisProcess, spawnRedisServer } from "@mcp-gateway/store";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type ProcessHandle, runTsEntry } from "../../../test/support/processes.js";

const ADMIN = "test-admin-token-0123456789-abcdefghij";

describe("the gateway process", () => {
  let redis: RedisProcess | undefined;
  let gateway: ProcessHandle | undefined;
  afterEach(async () => {
    if (gateway && gateway.child.exitCode === null) {
      gateway.child.kill("SIGKILL");
      await gateway.exited;
    }
    await redis?.dispose();
  });

  it("exits non-zero with a message naming every bad variable", async () => {
    gateway = runTsEntry("apps/gateway/src/main.ts", { PORT: "not-a-port", NODE_ENV: "production" });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain("invalid configuration");
    expect(gateway.output()).toContain("PORT must be a whole number from 0 to 65535");
  });

  it("exits non-zero with a clear message when Redis cannot be reached", async () => {
    gateway = runTsEntry("apps/gateway/src/main.ts", {
      PORT: "0",
      REDIS_URL: "redis://127.0.0.1:1",
      GATEWAY_ADMIN_TOKEN: ADMIN,
    });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  });

  it("lets an in-flight request finish on SIGTERM, then exits 0", async () => {
    redis = await spawnRedisServer();
    gateway = runTsEntry("apps/gateway/src/main.ts", {
      PORT: "0",
      REDIS_URL: redis.url,
      GATEWAY_ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: "debug",
    });
    const listening = await gateway.waitForLine(/"msg":"mcp-gateway listening"/);
    const address = (JSON.parse(listening) as { address: string }).address;

    // Hold every Redis command for a while, so a readiness probe is still in flight when SIGTERM arrives.
    const admin = new Redis(redis.url);
    await admin.call("CLIENT", "PAUSE", "1000", "ALL");
    const inFlight = fetch(`${address}/readyz`);
    await gateway.waitForLine(/"url":"\/readyz".*"msg":"incoming request"/);
    gateway.child.kill("SIGTERM");
    await gateway.waitForLine(/shutting down: finishing in-flight requests/);

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ready" });
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain("shut down cleanly");
    admin.disconnect();
  });
});
