import { runMigrations } from "@mcp-gateway/store";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { useTestRedis } from "../../test/support/redis.js";
import { migrations } from "../src/index.js";

describe("the shipped migrations", () => {
  const ctx = useTestRedis();

  it("apply cleanly to an empty keyspace and are idempotent", async () => {
    const redis = new Redis(ctx.url, { keyPrefix: ctx.keyPrefix });
    try {
      const first = await runMigrations(redis, migrations, { keyPrefix: ctx.keyPrefix });
      expect(first.applied).toHaveLength(migrations.length);
      expect(await redis.get("meta:schema-version")).toBe("1");
      const second = await runMigrations(redis, migrations, { keyPrefix: ctx.keyPrefix });
      expect(second.applied).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
