import { describe, expect, it } from "vitest";
import { missingId } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";

describe("POST /tenants/:id/api-tokens (operator)", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("issues a working token for a tenant that deleted its last one", async () => {
    const { apiToken } = await stack.createTenant();
    const [first] = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result;
    expect((await stack.call("DELETE", `/api-tokens/${first.id}`, { token: apiToken })).status).toBe(200);
    expect((await stack.call("GET", "/api-tokens", { token: apiToken })).status).toBe(401);
    const tenantId = (await stack.call("GET", "/tenants", { token: stack.config.adminToken })).body.result[0]
      .id;
    const issued = await stack.call("POST", `/tenants/${tenantId}/api-tokens`, {
      token: stack.config.adminToken,
      body: { name: "rescue" },
    });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      name: "rescue",
      expires_at: null,
      token: expect.stringMatching(/^mcpg_at_/),
    });
    expect((await stack.call("GET", "/api-tokens", { token: issued.body.token })).status).toBe(200);
  });

  it("answers 404 for a tenant that does not exist, and 403 to a tenant's own token", async () => {
    const { apiToken } = await stack.createTenant();
    const missing = await stack.call("POST", `/tenants/${missingId("ten")}/api-tokens`, {
      token: stack.config.adminToken,
      body: { name: "x" },
    });
    expect(missing.status).toBe(404);
    const tenantId = (await stack.call("GET", "/tenants", { token: stack.config.adminToken })).body.result[0]
      .id;
    const asTenant = await stack.call("POST", `/tenants/${tenantId}/api-tokens`, {
      token: apiToken,
      body: { name: "x" },
    });
    expect(asTenant.status).toBe(403);
  });
});
