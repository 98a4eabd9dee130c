import { describe, expect, it } from "vitest";
import { expectEnvelope } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { initializeBody, postRaw } from "./mcp-support.js";

type Answer = { status: number; body: any };

/** Statuses in a stable order, for comparing the outcome of a race with what it may be. */
const statusesOf = (answers: readonly Answer[]): number[] => answers.map((a) => a.status).sort();

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

  /**
   * A write raced against a delete either lands before it (201, and the delete then takes it away) or finds
   * its parent gone: 404 not_found. Nothing else: no 409, no 500.
   */
  function expectCreatedOrNotFound(answer: Answer): void {
    if (answer.status === 201) return;
    expectEnvelope(answer, 404, "not_found");
  }

  /** A URL minted in the race must be dead once its account or tenant is deleted. */
  async function expectRevoked(minted: Answer[]): Promise<void> {
    for (const answer of minted.filter((a) => a.status === 201)) {
      expect(answer.body.url).toMatch(/\/mcp\/[\w-]+\.[\w-]+\.[\w-]+$/);
      expect((await postRaw(answer.body.url, initializeBody())).status).toBe(404);
    }
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
      // Two deletes of the same account: exactly one wins.
      const deletes = [0, 1].map(() =>
        stack.call("DELETE", `/integrated-account/${accountId}`, { token: apiToken }),
      );
      const [minted, created, deleted] = await Promise.all([
        Promise.all(mints),
        Promise.all(others),
        Promise.all(deletes),
      ]);
      expect(statusesOf(deleted)).toEqual([200, 404]);
      expect(deleted.find((d) => d.status === 200)?.body).toEqual({ id: accountId });
      expectEnvelope(deleted.find((d) => d.status === 404) as Answer, 404, "not_found");
      // Other accounts of the tenant are not the deleted one's business: all created, all still there.
      expect(statusesOf(created)).toEqual([201, 201, 201, 201]);
      for (const other of created) {
        const read = await stack.call("GET", `/integrated-account/${other.body.id}`, { token: apiToken });
        expect(read.status).toBe(200);
      }
      for (const mint of minted) expectCreatedOrNotFound(mint);
      await expectRevoked(minted);
      expectEnvelope(await stack.call("GET", `/integrated-account/${accountId}`, { token: apiToken }), 404);
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
      // Two deletes of the same tenant: exactly one wins.
      const deletes = [0, 1].map(() =>
        stack.call("DELETE", `/tenants/${tenantId}`, { token: stack.config.adminToken }),
      );
      const [written, deleted] = await Promise.all([Promise.all(writes), Promise.all(deletes)]);
      expect(statusesOf(deleted)).toEqual([200, 404]);
      expect(deleted.find((d) => d.status === 200)?.body).toEqual({ id: tenantId });
      expectEnvelope(deleted.find((d) => d.status === 404) as Answer, 404, "not_found");
      // Each write landed before the delete (201), found its API token already gone (401 unauthorized), or
      // was authenticated and then found its tenant or account gone (404 not_found).
      for (const write of written) {
        if (write.status === 401) expectEnvelope(write, 401, "unauthorized");
        else expectCreatedOrNotFound(write);
      }
      await expectRevoked(written.slice(0, 8));
      for (const issued of written.slice(12).filter((w) => w.status === 201)) {
        expect(issued.body.token).toMatch(/^mcpg_at_/);
        expectEnvelope(
          await stack.call("GET", "/api-tokens", { token: issued.body.token }),
          401,
          "unauthorized",
        );
      }
      // Nothing in the tenant's slot survives: no account (with its sealed credentials), server or index.
      expect((await redis.keys()).filter((k) => k.includes(`{${tenantId}}`))).toEqual([]);
      expect((await stack.call("GET", "/api-tokens", { token: apiToken })).status).toBe(401);
    }
    expect(await orphanServers()).toEqual([]);
  });
});
