import { manualClock } from "@mcp-gateway/core";
import { beforeEach, describe, expect, it } from "vitest";
import { expectEnvelope, isoAfter, missingId } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { isLogStream } from "../../../test/support/redis-snapshot.js";

describe("admin API: tenants and API tokens", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });
  let admin: string;
  beforeEach(() => {
    admin = stack.config.adminToken;
  });

  it("creates a tenant whose first API token is shown once and works", async () => {
    const created = await stack.call("POST", "/tenants", { token: admin, body: { name: "Acme" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^ten_[a-z2-7]{26}$/),
      name: "Acme",
      api_token: { id: expect.stringMatching(/^tok_/), token: expect.stringMatching(/^mcpg_at_/) },
    });
    const token = created.body.api_token.token as string;
    const got = await stack.call("GET", `/tenants/${created.body.id}`, { token: admin });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      id: created.body.id,
      name: "Acme",
      created_at: created.body.created_at,
      updated_at: created.body.updated_at,
    });
    expect((await stack.call("GET", "/api-tokens", { token })).status).toBe(200);
    const listed = await stack.call("GET", "/api-tokens", { token });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body.result[0]).not.toHaveProperty("token_hash");
  });

  it("lists tenants in pages of `limit` with a cursor, and refuses a cursor it did not issue", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stack.createTenant(`T${i}`)).tenantId);
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${cursor}`;
      const page = await stack.call("GET", `/tenants${query}`, { token: admin });
      expect(page.status).toBe(200);
      expect(Object.keys(page.body).sort()).toEqual(["next_cursor", "result"]);
      sizes.push(page.body.result.length);
      seen.push(...page.body.result.map((t: { id: string }) => t.id));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen.sort()).toEqual([...ids].sort());

    for (const bad of ["not-a-cursor", "AAAA", Buffer.from("0000000000000:ten_x").toString("base64url")]) {
      expectEnvelope(await stack.call("GET", `/tenants?cursor=${bad}`, { token: admin }), 400, "bad_request");
    }
    expectEnvelope(await stack.call("GET", "/tenants?limit=0", { token: admin }), 400, "validation_failed");
    expectEnvelope(await stack.call("GET", "/tenants?limit=101", { token: admin }), 400, "validation_failed");
  });

  it("answers 404 for a missing tenant and 400 for a malformed id", async () => {
    expectEnvelope(
      await stack.call("GET", `/tenants/${missingId("ten")}`, { token: admin }),
      404,
      "not_found",
    );
    expectEnvelope(await stack.call("DELETE", `/tenants/${missingId("ten")}`, { token: admin }), 404);
    const bad = await stack.call("GET", "/tenants/not-an-id", { token: admin });
    expectEnvelope(bad, 400, "validation_failed");
    expect(bad.body.message).toContain("params");
  });

  it("deletes a tenant with everything under it; its API tokens stop working at once", async () => {
    const { tenantId, apiToken } = await stack.createTenant("Doomed");
    const other = await stack.createTenant("Survivor");
    const accountId = await stack.connectMem0(apiToken);
    await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: { name: "s" },
    });
    const deleted = await stack.call("DELETE", `/tenants/${tenantId}`, { token: admin });
    expect(deleted).toMatchObject({ status: 200, body: { id: tenantId } });

    expectEnvelope(await stack.call("GET", "/integrated-account", { token: apiToken }), 401, "unauthorized");
    expectEnvelope(await stack.call("GET", `/tenants/${tenantId}`, { token: admin }), 404);
    expectEnvelope(await stack.call("DELETE", `/tenants/${tenantId}`, { token: admin }), 404);
    // Nothing of the tenant is left in Redis; the other tenant is untouched.
    const keys = await redis.keys();
    expect(keys.filter((k) => k.includes(tenantId))).toEqual([]);
    const tokenRecords = keys.filter((k) => k.includes("apitok:"));
    expect(tokenRecords).toHaveLength(1);
    expect((await stack.call("GET", "/api-tokens", { token: other.apiToken })).status).toBe(200);
    const listed = await stack.call("GET", "/tenants", { token: admin });
    expect(listed.body.result.map((t: { id: string }) => t.id)).toEqual([other.tenantId]);
  });

  it("issues extra API tokens, lists them in pages, and revokes one at once", async () => {
    const { apiToken } = await stack.createTenant();
    const issued: { id: string; token: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: `ci-${i}` } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: `ci-${i}`, expires_at: null, token: expect.any(String) });
      issued.push(res.body);
    }
    // Every issued token authenticates on its own.
    for (const t of issued)
      expect((await stack.call("GET", "/api-tokens", { token: t.token })).status).toBe(200);

    const first = await stack.call("GET", "/api-tokens?limit=2", { token: apiToken });
    const second = await stack.call("GET", `/api-tokens?limit=2&cursor=${first.body.next_cursor}`, {
      token: apiToken,
    });
    const third = await stack.call("GET", `/api-tokens?limit=2&cursor=${second.body.next_cursor}`, {
      token: apiToken,
    });
    expect([first, second, third].map((p) => p.body.result.length)).toEqual([2, 2, 1]);
    expect(third.body.next_cursor).toBeNull();
    const all = [first, second, third].flatMap((p) => p.body.result);
    expect(new Set(all.map((t: { id: string }) => t.id)).size).toBe(5);
    for (const t of all) expect(Object.keys(t).sort()).toEqual(["created_at", "expires_at", "id", "name"]);

    const victim = issued[1]!;
    const revoked = await stack.call("DELETE", `/api-tokens/${victim.id}`, { token: apiToken });
    expect(revoked).toMatchObject({ status: 200, body: { id: victim.id } });
    expectEnvelope(await stack.call("GET", "/api-tokens", { token: victim.token }), 401, "unauthorized");
    expectEnvelope(await stack.call("DELETE", `/api-tokens/${victim.id}`, { token: apiToken }), 404);
    expectEnvelope(await stack.call("DELETE", `/api-tokens/${missingId("tok")}`, { token: apiToken }), 404);
    const after = await stack.call("GET", "/api-tokens?limit=100", { token: apiToken });
    expect(after.body.result.map((t: { id: string }) => t.id)).not.toContain(victim.id);
  });

  it("expires an API token by the gateway's clock and stops listing it", async () => {
    const { apiToken } = await stack.createTenant();
    const expiresAt = isoAfter(clock.now(), 30_000);
    const res = await stack.call("POST", "/api-tokens", {
      token: apiToken,
      body: { name: "short", expires_at: expiresAt },
    });
    expect(res.status).toBe(201);
    expect(res.body.expires_at).toBe(expiresAt);
    expect((await stack.call("GET", "/api-tokens", { token: res.body.token })).status).toBe(200);

    clock.set(Date.parse(expiresAt) - 1);
    expect((await stack.call("GET", "/api-tokens", { token: res.body.token })).status).toBe(200);
    clock.set(Date.parse(expiresAt));
    expectEnvelope(await stack.call("GET", "/api-tokens", { token: res.body.token }), 401, "unauthorized");
    const listed = await stack.call("GET", "/api-tokens", { token: apiToken });
    expect(listed.body.result.map((t: { id: string }) => t.id)).not.toContain(res.body.id);
  });

  it("refuses an API token that would already be expired", async () => {
    const { apiToken } = await stack.createTenant();
    // The audit trail's streams are written just after the tenant's creation, so they are left out.
    const before = (await redis.keys()).filter((key) => !isLogStream(key));
    const res = await stack.call("POST", "/api-tokens", {
      token: apiToken,
      body: { name: "late", expires_at: isoAfter(clock.now(), -1) },
    });
    expectEnvelope(res, 400, "validation_failed");
    expect(res.body.message).toContain("expires_at");
    expect((await redis.keys()).filter((key) => !isLogStream(key)).sort()).toEqual(before.sort());
  });
});
