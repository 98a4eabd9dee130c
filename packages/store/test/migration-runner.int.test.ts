import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useTestRedis } from "../../../test/support/redis.js";
import { type Migration, runMigrations } from "../src/migration-runner.js";

/** Migrations that count how often they ran, in Redis itself, so concurrent runners share the count. */
function countingMigrations(count: number): Migration[] {
  return Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    name: `counting-${index + 1}`,
    async up({ redis }) {
      await redis.incr(`test:ran:${index + 1}`);
    },
  }));
}

describe("migration runner", () => {
  const ctx = useTestRedis();
  const clients: Redis[] = [];
  const client = async (): Promise<Redis> => {
    const redis = new Redis(ctx.url, { keyPrefix: ctx.keyPrefix, lazyConnect: true });
    await redis.connect();
    clients.push(redis);
    return redis;
  };
  beforeEach(() => {
    clients.length = 0;
  });
  afterEach(() => {
    for (const redis of clients) redis.disconnect();
  });

  it("applies pending migrations once and nothing on a second run", async () => {
    const redis = await client();
    const list = countingMigrations(3);
    const first = await runMigrations(redis, list, { keyPrefix: ctx.keyPrefix });
    expect(first).toEqual({
      applied: ["0001-counting-1", "0002-counting-2", "0003-counting-3"],
      alreadyApplied: [],
    });
    const second = await runMigrations(redis, list, { keyPrefix: ctx.keyPrefix });
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toHaveLength(3);
    expect(await redis.mget("test:ran:1", "test:ran:2", "test:ran:3")).toEqual(["1", "1", "1"]);
  });

  it("applies only the new migration when one is added later", async () => {
    const redis = await client();
    await runMigrations(redis, countingMigrations(2), { keyPrefix: ctx.keyPrefix });
    const report = await runMigrations(redis, countingMigrations(3), { keyPrefix: ctx.keyPrefix });
    expect(report.applied).toEqual(["0003-counting-3"]);
  });

  it("applies each migration exactly once when several instances start together", async () => {
    const runners = await Promise.all([client(), client(), client(), client()]);
    const list = countingMigrations(4);
    const reports = await Promise.all(
      runners.map((redis) => runMigrations(redis, list, { keyPrefix: ctx.keyPrefix })),
    );
    expect(reports.flatMap((r) => r.applied).sort()).toEqual([
      "0001-counting-1",
      "0002-counting-2",
      "0003-counting-3",
      "0004-counting-4",
    ]);
    expect(await runners[0]?.mget("test:ran:1", "test:ran:2", "test:ran:3", "test:ran:4")).toEqual([
      "1",
      "1",
      "1",
      "1",
    ]);
    // The lock is released once everyone is done.
    expect(await runners[0]?.exists("meta:migrations:lock")).toBe(0);
  });

  it("does not record a migration that failed, so the next start retries it", async () => {
    const redis = await client();
    const failing: Migration[] = [
      ...countingMigrations(1),
      {
        id: 2,
        name: "fails",
        async up() {
          throw new Error("disk on fire");
        },
      },
    ];
    await expect(runMigrations(redis, failing, { keyPrefix: ctx.keyPrefix })).rejects.toThrow("disk on fire");
    expect(Object.keys(await redis.hgetall("meta:migrations"))).toEqual(["1"]);
    expect(await redis.exists("meta:migrations:lock")).toBe(0);
  });

  it("refuses a list whose ids are not 1..n in order", async () => {
    const redis = await client();
    const gap = [countingMigrations(1)[0]!, { ...countingMigrations(3)[2]! }];
    await expect(runMigrations(redis, gap, { keyPrefix: ctx.keyPrefix })).rejects.toThrow(
      /has id 3; expected 2/,
    );
  });
});
