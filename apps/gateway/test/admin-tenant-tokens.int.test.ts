import { describe, expect, it } from "vitest";
import { expectEnvelope, missingId } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { consoleClient } from "./console-support.js";

describe("POST /tenants/:id/api-tokens (operator)", () => {
  const redis = useTestRedis();
  const stack = useTestStack(redis);

  it("issues a working token for a tenant that deleted its last one", async () => {
    const { apiToken } = await stack.createTenant();
    const [first] = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result;
    expect(
      (await stack.call("DELETE", `/api-tokens/${first.id}?force=true`, { token: apiToken })).status,
    ).toBe(200);
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

  it("refuses to delete a tenant's last API token without force, saying how to force it and how to recover", async () => {
    const { apiToken } = await stack.createTenant();
    const [only] = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result;
    const refused = await stack.call("DELETE", `/api-tokens/${only.id}`, { token: apiToken });
    expectEnvelope(refused, 409, "conflict");
    expect(refused.body.message).toContain("last API token");
    expect(refused.body.message).toContain("?force=true");
    expect(refused.body.message).toContain("POST /tenants/:id/api-tokens");
    expect((await stack.call("GET", "/api-tokens", { token: apiToken })).status).toBe(200);
    // With a second token, the first goes without force.
    const second = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: "second" } });
    expect((await stack.call("DELETE", `/api-tokens/${only.id}`, { token: second.body.token })).status).toBe(
      200,
    );
  });

  it("lets the console delete the last token once its warning page is confirmed", async () => {
    const { apiToken } = await stack.createTenant();
    const [only] = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result;
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const confirm = await browser.get(`/console/api-tokens/${only.id}/delete`);
    expect(confirm.text).toContain("This is the tenant&#39;s last API token");
    const deleted = await browser.post(`/console/api-tokens/${only.id}/delete`, {
      csrf: browser.csrfFrom(confirm),
    });
    expect(deleted.status).toBe(303);
    expect((await stack.call("GET", "/api-tokens", { token: apiToken })).status).toBe(401);
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
