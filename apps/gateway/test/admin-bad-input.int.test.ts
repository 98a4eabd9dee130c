import { LIMITS } from "@mcp-gateway/core";
import { keys } from "@mcp-gateway/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectEnvelope, mintServer } from "../../../test/support/admin-fixtures.js";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { snapshotNamespace } from "../../../test/support/redis-snapshot.js";

interface Route {
  method: string;
  path: string;
}

describe("admin API: bad input is refused with the envelope and writes nothing", () => {
  const redis = useTestRedis();
  let stack: TestStack;
  let tenantId: string;
  let apiToken: string;
  let accountId: string;
  let serverId: string;
  let tokenId: string;
  beforeEach(async () => {
    stack = await startTestStack(redis);
    ({ tenantId, apiToken } = await stack.createTenant());
    accountId = await stack.connectMem0(apiToken);
    serverId = (await mintServer(stack, apiToken, accountId, { name: "s", config: { methods: ["read"] } }))
      .id;
    tokenId = (await stack.call("GET", "/api-tokens", { token: apiToken })).body.result[0].id;
  });
  afterEach(async () => {
    await stack.close();
  });

  const tokenFor = (route: Route): string =>
    route.path.startsWith("/tenants") ? stack.config.adminToken : apiToken;
  const fill = (route: Route, value?: string): string =>
    route.path.replace(/\{([^}]+)\}/g, (_, param: string) => {
      if (value !== undefined) return value;
      if (param === "mcp_id") return serverId;
      if (route.path.startsWith("/tenants/")) return tenantId;
      if (route.path.startsWith("/api-tokens/")) return tokenId;
      if (route.path.startsWith("/integrated-account/")) return accountId;
      throw new Error(`bad-input suite: cannot fill {${param}} in ${route.path}`);
    });

  async function adminRoutes(): Promise<Route[]> {
    const spec = await stack.call("GET", "/openapi.json");
    return Object.entries(spec.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
  }

  it("every route refuses unknown query fields, malformed ids and (with a body) malformed bodies", async () => {
    const routes = await adminRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(19);
    const before = await snapshotNamespace(redis);
    const failures: string[] = [];
    const expectRefusal = (label: string, res: { status: number; body: unknown }, status: number): void => {
      const body = res.body as Record<string, unknown> | null;
      const envelopeOk =
        typeof body === "object" &&
        body !== null &&
        body.statusCode === status &&
        typeof body.error === "string" &&
        typeof body.code === "string" &&
        typeof body.message === "string" &&
        typeof body.requestId === "string";
      if (res.status !== status || !envelopeOk)
        failures.push(`${label}: ${res.status} ${JSON.stringify(res.body)}`);
    };

    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const token = tokenFor(route);
      const hasBody = route.method === "POST" || route.method === "PATCH";
      const body = !hasBody
        ? undefined
        : route.path === "/integrated-account"
          ? { integration: "mem0", name: "n", credentials: { api_key: stack.sandbox.apiKeys[0] } }
          : { name: "n" };
      const call = (path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) =>
        stack.call(route.method, path, { token, ...options });

      // A destructive route must not run while its query is being checked: give it a bad body too.
      const withQuery = await call(
        `${fill(route)}?tenant_id=${tenantId}`,
        hasBody ? { body: { bogus: 1 } } : {},
      );
      expectRefusal(`${name} with an unknown query field`, withQuery, 400);

      if (route.path.includes("{")) {
        expectRefusal(
          `${name} with a malformed id`,
          await call(fill(route, "not-an-id"), body ? { body } : {}),
          400,
        );
        expectRefusal(
          `${name} with an id of the wrong kind`,
          await call(fill(route, tenantId.replace("ten_", "acc_x")), body ? { body } : {}),
          400,
        );
      }
      if (!hasBody) continue;
      const url = fill(route);
      const extra = await call(url, { body: { ...body, tenant_id: tenantId } });
      expectRefusal(`${name} with an extra tenant_id`, extra, 400);
      if (!String((extra.body as { message?: string }).message).includes("tenant_id")) {
        failures.push(`${name}: the message does not name the unknown field: ${JSON.stringify(extra.body)}`);
      }
      expectRefusal(`${name} with malformed JSON`, await call(url, { body: '{"name": "n",' }), 400);
      expectRefusal(`${name} with a JSON array`, await call(url, { body: [] }), 400);
      expectRefusal(
        `${name} with an empty JSON body`,
        await call(url, { body: "", headers: { "content-type": "application/json" } }),
        400,
      );
      expectRefusal(
        `${name} with text/plain`,
        await call(url, { body: JSON.stringify({ name: "n" }), headers: { "content-type": "text/plain" } }),
        415,
      );
      expectRefusal(
        `${name} with form encoding`,
        await call(url, { body: "name=n", headers: { "content-type": "application/x-www-form-urlencoded" } }),
        415,
      );
      const huge = JSON.stringify({ name: "n", pad: "x".repeat(LIMITS.adminBodyBytes) });
      expectRefusal(`${name} with a body over the cap`, await call(url, { body: huge }), 413);
    }
    expect(failures).toEqual([]);
    expect(await snapshotNamespace(redis)).toEqual(before);
  });

  it("mass assignment: tenant_id or credentials in a body is refused and the record is unchanged", async () => {
    const accountKey = `${redis.keyPrefix}${keys.account(tenantId, accountId)}`;
    const serverKey = `${redis.keyPrefix}${keys.mcpServer(tenantId, serverId)}`;
    const account = await redis.client.get(accountKey);
    const server = await redis.client.get(serverKey);
    const other = await stack.createTenant("Other");
    const cases: [string, string, unknown][] = [
      ["PATCH", `/integrated-account/${accountId}`, { name: "x", tenant_id: other.tenantId }],
      ["PATCH", `/integrated-account/${accountId}`, { name: "x", integration: "other" }],
      ["PATCH", `/integrated-account/${accountId}`, { name: "x", context: { project_id: "p" } }],
      ["PATCH", `/integrated-account/${accountId}`, { sealed_credentials: "v1.x" }],
      [
        "PATCH",
        `/integrated-account/${accountId}/mcp/${serverId}`,
        { name: "x", credentials: { api_key: "k" } },
      ],
      [
        "PATCH",
        `/integrated-account/${accountId}/mcp/${serverId}`,
        { name: "x", integrated_account_id: accountId },
      ],
      ["PATCH", `/integrated-account/${accountId}/mcp/${serverId}`, { name: "x", token_id: "abc" }],
      [
        "PATCH",
        `/integrated-account/${accountId}/mcp/${serverId}`,
        { config: { methods: ["list"], scope: "all" } },
      ],
      ["PATCH", `/integrated-account/${accountId}/mcp/${serverId}`, {}],
      ["PATCH", `/integrated-account/${accountId}`, {}],
      ["PATCH", `/integrated-account/${accountId}`, { name: "" }],
      ["PATCH", `/integrated-account/${accountId}`, { name: "x".repeat(201) }],
      ["PATCH", `/integrated-account/${accountId}/mcp/${serverId}`, { expires_at: "tomorrow" }],
      [
        "PATCH",
        `/integrated-account/${accountId}/mcp/${serverId}`,
        { config: { require_api_token_auth: "yes" } },
      ],
      ["PATCH", `/integrated-account/${accountId}/mcp/${serverId}`, { config: { tool_exposure: "some" } }],
      ["POST", `/integrated-account/${accountId}/mcp`, { name: "x", tenant_id: other.tenantId }],
      [
        "POST",
        `/integrated-account/${accountId}/mcp`,
        { name: "x", config: { methods: ["read"], tenant_id: "t" } },
      ],
      ["POST", `/integrated-account/${accountId}/mcp`, { config: {} }],
      [
        "POST",
        "/integrated-account",
        { integration: "mem0", name: "x", credentials: {}, tenant_id: other.tenantId },
      ],
      ["POST", "/integrated-account", { integration: "mem0", name: "x", credentials: { api_key: 42 } }],
      ["POST", "/integrated-account", { integration: "mem0", name: "x" }],
      ["POST", "/api-tokens", { name: "x", tenant_id: other.tenantId }],
      ["POST", "/api-tokens", { name: "x", token: "mcpg_at_mine" }],
      ["POST", "/api-tokens", { name: "x", expires_at: "soon" }],
      ["POST", "/tenants", { name: "x", id: "ten_aaaaaaaaaaaaaaaaaaaaaaaaaa" }],
      ["POST", "/tenants", { name: "x", api_token: "mcpg_at_mine" }],
    ];
    const before = await snapshotNamespace(redis);
    for (const [method, path, body] of cases) {
      const token = path.startsWith("/tenants") ? stack.config.adminToken : apiToken;
      const res = await stack.call(method, path, { token, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expectEnvelope(res, 400);
      expect(res.body.message.length).toBeGreaterThan(10);
    }
    expect(await snapshotNamespace(redis)).toEqual(before);
    expect(await redis.client.get(accountKey)).toBe(account);
    expect(await redis.client.get(serverKey)).toBe(server);
  });

  it("says which field is wrong", async () => {
    const extra = await stack.call("PATCH", `/integrated-account/${accountId}`, {
      token: apiToken,
      body: { name: "x", tenant_id: "ten_x" },
    });
    expect(extra.body.message).toMatch(/^body.*unknown field "tenant_id": remove it$/);
    const nested = await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: { name: "x", config: { methods: ["read"], audience: "all" } },
    });
    expect(nested.body.message).toContain('unknown field "audience"');
    const type = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: { first: "x" } } });
    expect(type.body.message).toMatch(/^body\.name: /);
    const query = await stack.call("GET", "/integrated-account?limit=abc", { token: apiToken });
    expect(query.body.message).toMatch(/^querystring\.limit: /);
  });

  it("names the allowed values of a bad tool_exposure", async () => {
    const res = await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: { name: "x", config: { tool_exposure: "some" } },
    });
    expectEnvelope(res, 400);
    expect(res.body.message).toBe('body.config.tool_exposure: must be one of "all", "discovery"');
  });

  it("gives an example of a valid expires_at", async () => {
    const res = await stack.call("POST", `/integrated-account/${accountId}/mcp`, {
      token: apiToken,
      body: { name: "x", expires_at: "tomorrow" },
    });
    expectEnvelope(res, 400);
    expect(res.body.message).toMatch(
      /^body\.expires_at: must be an RFC 3339 timestamp .*e\.g\. 2026-12-31T23:59:59Z$/,
    );
  });

  it("tells a caller who sent a wrong operator token that it is wrong, not that none was sent", async () => {
    const wrong = await stack.call("GET", "/tenants", { token: "not-the-operator-token" });
    expectEnvelope(wrong, 401, "unauthorized");
    expect(wrong.body.message).toMatch(/^the token sent is not the operator token: send GATEWAY_ADMIN_TOKEN/);
    const none = await stack.call("GET", "/tenants");
    expect(none.body.message).toMatch(/^send the operator token \(GATEWAY_ADMIN_TOKEN\)/);
  });
});
