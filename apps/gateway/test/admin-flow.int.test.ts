import { describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";

describe("admin API: the tenant's flow", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("creates a tenant, connects Mem0, mints a URL and manages it", async () => {
    const { tenantId, apiToken } = await stack.createTenant("Acme");
    expect(tenantId).toMatch(/^ten_[a-z2-7]{26}$/);
    expect(apiToken).toMatch(/^mcpg_at_/);

    const account = await stack.call("POST", "/integrated-account", {
      token: apiToken,
      body: {
        integration: "mem0",
        name: "Support memory",
        credentials: { api_key: stack.sandbox.apiKeys[0] },
      },
    });
    expect(account.status).toBe(201);
    const expected = stack.sandbox.accountFor(stack.sandbox.apiKeys[0]!);
    expect(account.body).toMatchObject({
      integration: "mem0",
      name: "Support memory",
      context: { org_id: expected.orgId, project_id: expected.projectId },
    });
    expect(JSON.stringify(account.body)).not.toContain(stack.sandbox.apiKeys[0]);
    const accountId = account.body.id as string;

    const minted = await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: {
        name: "Read only",
        config: { methods: ["read"] },
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(minted.status).toBe(201);
    expect(minted.body).toMatchObject({
      name: "Read only",
      integrated_account_id: accountId,
      config: { methods: ["read"], tags: null, require_api_token_auth: false, tool_exposure: "all" },
      token: expect.any(String),
      url: `${stack.config.publicUrl}/mcp/${minted.body.token}`,
    });
    expect(minted.body.tools).toContain("list_all_mem_0_memories");
    expect(minted.body.tools).not.toContain("create_a_mem_0_memory");
    expect(minted.body.claude_desktop_config.mcpServers["read-only"].args).toContain(minted.body.url);
    const serverId = minted.body.id as string;

    const listed = await stack.call("GET", `/integrated-account/${accountId}/mcp`, { token: apiToken });
    expect(listed.status).toBe(200);
    expect(listed.body.result.map((s: { id: string }) => s.id)).toEqual([serverId]);
    expect(JSON.stringify(listed.body)).not.toContain(minted.body.token);

    const got = await stack.call("GET", `/integrated-account/${accountId}/mcp/${serverId}`, {
      token: apiToken,
    });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty("token");
    expect(got.body).not.toHaveProperty("url");

    const renamed = await stack.call("PATCH", `/integrated-account/${accountId}/mcp/${serverId}`, {
      token: apiToken,
      body: { name: "Renamed", config: { methods: ["list"] } },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Renamed", config: { methods: ["list"] } });

    const deleted = await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${serverId}`, {
      token: apiToken,
    });
    expect(deleted).toMatchObject({ status: 200, body: { id: serverId } });
    const gone = await stack.call("GET", `/integrated-account/${accountId}/mcp/${serverId}`, {
      token: apiToken,
    });
    expect(gone.status).toBe(404);
  });
});
