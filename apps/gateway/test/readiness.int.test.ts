import { type RedisProcess, spawnRedisServer } from "@mcp-gateway/store";
import { afterEach, describe, expect, it } from "vitest";
import { capturingLogger, testConfig } from "../../../test/support/gateway.js";
import { type RunningGateway, startGateway } from "../src/runtime.js";

describe("readiness", () => {
  let redis: RedisProcess | undefined;
  let gateway: RunningGateway | undefined;
  afterEach(async () => {
    await gateway?.close();
    await redis?.dispose();
  });

  it("answers 503 with the reason while Redis is down and 200 again once it is back, without a restart", async () => {
    redis = await spawnRedisServer();
    const logs = capturingLogger();
    gateway = await startGateway(testConfig({ REDIS_URL: redis.url }), logs.logger);
    const readyz = () => fetch(`${gateway?.address}/readyz`);

    const up = await readyz();
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: "ready", checks: { redis: "ok" } });

    await redis.stop();
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      statusCode: 503,
      code: "service_unavailable",
      message: expect.stringMatching(/^not ready: redis/),
      requestId: expect.any(String),
    });
    // Liveness is about the process, not its dependencies.
    expect((await fetch(`${gateway.address}/healthz`)).status).toBe(200);

    await redis.start();
    await expect.poll(async () => (await readyz()).status, { timeout: 10_000, interval: 50 }).toBe(200);
    // An outage is one warning and one recovery line, not one line per reconnect attempt.
    const messages = logs.lines().map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages.filter((m) => m === "redis connection lost; reconnecting")).toHaveLength(1);
    await expect
      .poll(() => logs.lines().filter((line) => line.includes("redis connection restored")).length)
      .toBe(1);
  });
});
