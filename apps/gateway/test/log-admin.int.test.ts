import { manualClock } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { consoleClient } from "./console-support.js";

// The audit trail: every admin change is found in GET /log?log_type=admin with who made it, when, on which
// request and from where, and what changed; MCP servers carry created_by.

const redis = useTestRedis();
const clock = manualClock(Date.now());
const stack = useTestStack(redis, { clock });

type LogRecord = Record<string, any>;

async function waitForAdminRecords(token: string, query: string, count: number): Promise<LogRecord[]> {
  let last: LogRecord[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    const res = await stack.call("GET", `/log?log_type=admin&limit=100${query}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    last = res.body.result;
    if (last.length >= count) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${count} admin records, found ${last.length}: ${JSON.stringify(last)}`);
}

describe("audit trail", () => {
  it("records who minted, narrowed and revoked a URL, with the request id, address and what changed", async () => {
    const { tenantId, apiToken } = await stack.createTenant("Audited");
    const tokenId = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result[0].id;
    const accountId = await stack.connectMem0(apiToken);
    const minted = await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: { name: "Support", config: { methods: ["read", "write"] } },
    });
    expect(minted.status).toBe(201);
    expect(minted.body.created_by).toEqual({ type: "api_token", id: tokenId, name: "initial" });
    const serverId = minted.body.id;
    const narrowed = await stack.call("PATCH", `/integrated-account/${accountId}/mcp/${serverId}`, {
      token: apiToken,
      body: { name: "Support (read)", config: { methods: ["read"] } },
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.created_by).toEqual(minted.body.created_by);
    const revoked = await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${serverId}`, {
      token: apiToken,
    });
    expect(revoked.status).toBe(200);

    const records = await waitForAdminRecords(apiToken, `&mcp_server_id=${serverId}`, 3);
    expect(records.map((r) => r.action)).toEqual([
      "mcp_server.revoked",
      "mcp_server.updated",
      "mcp_server.created",
    ]);
    const actor = { type: "api_token", id: tokenId, name: "initial" };
    for (const record of records) {
      expect(record).toMatchObject({
        log_type: "admin",
        tenant_id: tenantId,
        resource_type: "mcp_server",
        resource_id: serverId,
        integrated_account_id: accountId,
        actor,
        via: "api",
        client_ip: "127.0.0.1",
      });
    }
    expect(records[0]?.request_id).toBe(revoked.headers.get("x-request-id"));
    expect(records[1]?.request_id).toBe(narrowed.headers.get("x-request-id"));
    expect(records[1]?.changes).toEqual({
      name: { from: "Support", to: "Support (read)" },
      "config.methods": { from: ["read", "write"], to: ["read"] },
    });
    expect(records[2]?.changes).toMatchObject({
      name: { from: null, to: "Support" },
      config: { from: null, to: { methods: ["read", "write"], tags: null } },
    });

    // Filtering by account finds the account's own changes too; MCP-only filters are refused here.
    const byAccount = await waitForAdminRecords(apiToken, `&integrated_account_id=${accountId}`, 4);
    expect(byAccount.map((r) => r.action).at(-1)).toBe("integrated_account.created");
    const wrong = await stack.call("GET", "/log?log_type=admin&tool_name=x", { token: apiToken });
    expect(wrong.status).toBe(400);
  });

  it("records credential rotation and token changes without any secret", async () => {
    const { apiToken } = await stack.createTenant("Rotating");
    const accountId = await stack.connectMem0(apiToken);
    const mem0Key = stack.sandbox.apiKeys[0] as string;
    const rotated = await stack.call("PATCH", `/integrated-account/${accountId}`, {
      token: apiToken,
      body: { name: "Renamed", credentials: { api_key: mem0Key } },
    });
    expect(rotated.status).toBe(200);
    const issued = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: "ci" } });
    await stack.call("DELETE", `/api-tokens/${issued.body.id}`, { token: apiToken });

    const records = await waitForAdminRecords(apiToken, "", 5);
    expect(records.map((r) => r.action)).toEqual([
      "api_token.revoked",
      "api_token.created",
      "integrated_account.updated",
      "integrated_account.created",
      "tenant.created",
    ]);
    expect(records[2]?.changes).toEqual({
      name: { from: "Mem0", to: "Renamed" },
      credentials: { from: "sealed", to: "rotated" },
    });
    expect(records[1]).toMatchObject({
      resource_id: issued.body.id,
      changes: { name: { from: null, to: "ci" } },
    });
    // Tenant creation was the operator's.
    expect(records[4]?.actor).toEqual({ type: "operator" });

    const streams: string[] = [];
    for (const key of await redis.keys()) {
      if ((await redis.client.type(key)) === "stream") {
        streams.push(JSON.stringify(await redis.client.xrange(key, "-", "+")));
      }
    }
    const text = streams.join("\n");
    expect(text).toContain("integrated_account.updated");
    for (const secret of [mem0Key, apiToken, issued.body.token as string]) {
      expect(text.includes(secret)).toBe(false);
    }
  });

  it("gives the operator every tenant's changes and keeps a deleted tenant's trail", async () => {
    const a = await stack.createTenant("A");
    const b = await stack.createTenant("B");
    const deleted = await stack.call("DELETE", `/tenants/${b.tenantId}`, { token: stack.config.adminToken });
    expect(deleted.status).toBe(200);

    const admin = stack.config.adminToken;
    const all = await waitForAdminRecords(admin, "", 3);
    expect(all.map((r) => [r.action, r.tenant_id])).toEqual([
      ["tenant.deleted", b.tenantId],
      ["tenant.created", b.tenantId],
      ["tenant.created", a.tenantId],
    ]);
    expect(all[0]?.actor).toEqual({ type: "operator" });
    // The tenant's own streams went with it; A sees only its own.
    const ownA = await waitForAdminRecords(a.apiToken, "", 1);
    expect(ownA.map((r) => r.tenant_id)).toEqual([a.tenantId]);
    const operatorOnA = await waitForAdminRecords(admin, `&tenant_id=${a.tenantId}`, 1);
    expect(operatorOnA).toHaveLength(1);
  });
});

describe("audit trail of the console", () => {
  it("records sign-in, changes made in the console with the signed-in user, and sign-out", async () => {
    const { tenantId, apiToken } = await stack.createTenant("Console user");
    const tokenId = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result[0].id;
    const browser = consoleClient(stack);
    expect((await browser.signIn(apiToken)).status).toBe(303);
    const page = await browser.get("/console/api-tokens");
    const csrf = browser.csrfFrom(page);
    expect(
      (await browser.post("/console/api-tokens", { name: "from the console", csrf })).status,
    ).toBeLessThan(400);
    expect((await browser.post("/console/sign-out", { csrf })).status).toBe(303);

    const records = await waitForAdminRecords(apiToken, "", 4);
    expect(records.slice(0, 3).map((r) => [r.action, r.via])).toEqual([
      ["console.signed_out", "console"],
      ["api_token.created", "console"],
      ["console.signed_in", "console"],
    ]);
    expect(records[2]?.actor).toEqual({ type: "api_token", id: tokenId, name: "initial" });
    expect(records[1]?.actor).toMatchObject({ type: "api_token", id: tokenId });
    expect(records[0]?.actor).toMatchObject({ type: "api_token", id: tokenId });
    for (const record of records.slice(0, 3)) expect(record.tenant_id).toBe(tenantId);

    const operator = consoleClient(stack);
    await operator.signIn(stack.config.adminToken);
    // Records go out in batches: wait for this one, not just any.
    await expect
      .poll(async () => (await waitForAdminRecords(stack.config.adminToken, "", 1))[0]?.action)
      .toBe("console.signed_in");
    const all = await waitForAdminRecords(stack.config.adminToken, "", 1);
    expect(all[0]).toMatchObject({
      action: "console.signed_in",
      actor: { type: "operator" },
      tenant_id: null,
    });
  });
});
