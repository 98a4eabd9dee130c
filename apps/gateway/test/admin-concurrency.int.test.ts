import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";

describe("admin API under concurrent requests", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  /** Every stored MCP server must belong to a stored account: nothing outlives its parent. */
  async function orphanServers(): Promise<string[]> {
    const all = await redis.keys();
    const orphans: string[] = [];
    for (const key of all.filter((k) => /:mcp:mcp_[a-z2-7]{26}$/.test(k))) {
      const record = JSON.parse((await redis.client.get(key)) ?? "{}");
      const accountKey = key.replace(/:mcp:mcp_[a-z2-7]{26}$/, `:account:${record.integrated_account_id}`);
      if ((await redis.client.exists(accountKey)) === 0) orphans.push(key);
    }
    return orphans;
  }

  it("deleting an account while servers are being minted leaves no server behind", async () => {
    const { apiToken } = await stack.createTenant();
    const key = stack.sandbox.apiKeys[0];
    for (let round = 0; round < 8; round++) {
      const accountId = await stack.connectMem0(apiToken, `round ${round}`);
      const mints = Array.from({ length: 12 }, (_, i) =>
        stack.call("POST", `/integrated-account/${accountId}/mcp`, {
          token: apiToken,
          body: { name: `m${i}` },
        }),
      );
      // Other transactions on the same connection at the same time (account creation uses MULTI).
      const others = Array.from({ length: 4 }, () =>
        stack.call("POST", "/integrated-account", {
          token: apiToken,
          body: { integration: "mem0", name: "other", credentials: { api_key: key } },
        }),
      );
      const deleted = stack.call("DELETE", `/integrated-account/${accountId}`, { token: apiToken });
      const results = await Promise.all([...mints, ...others, deleted]);
      for (const r of results) expect([200, 201, 404]).toContain(r.status);
    }
    expect(await orphanServers()).toEqual([]);
  });

  it("deleting a tenant while it creates accounts, servers and tokens leaves nothing of it behind", async () => {
    const key = stack.sandbox.apiKeys[0];
    for (let round = 0; round < 4; round++) {
      const { tenantId, apiToken } = await stack.createTenant(`round ${round}`);
      const accountId = await stack.connectMem0(apiToken);
      const writes = [
        ...Array.from({ length: 8 }, (_, i) =>
          stack.call("POST", `/integrated-account/${accountId}/mcp`, {
            token: apiToken,
            body: { name: `m${i}` },
          }),
        ),
        ...Array.from({ length: 4 }, () =>
          stack.call("POST", "/integrated-account", {
            token: apiToken,
            body: { integration: "mem0", name: "late", credentials: { api_key: key } },
          }),
        ),
        ...Array.from({ length: 4 }, (_, i) =>
          stack.call("POST", "/api-tokens", { token: apiToken, body: { name: `t${i}` } }),
        ),
      ];
      const deleted = stack.call("DELETE", `/tenants/${tenantId}`, { token: stack.config.adminToken });
      const results = await Promise.all([...writes, deleted]);
      for (const r of results) expect([200, 201, 401, 404]).toContain(r.status);
      // Nothing in the tenant's slot survives: no account (with its sealed credentials), server or index.
      expect((await redis.keys()).filter((k) => k.includes(`{${tenantId}}`))).toEqual([]);
      expect((await stack.call("GET", "/api-tokens", { token: apiToken })).status).toBe(401);
    }
    expect(await orphanServers()).toEqual([]);
  });
});
