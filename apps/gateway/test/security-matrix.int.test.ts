import { manualClock } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { isoAfter, mintServer, missingId, withoutRequestId } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { snapshotNamespace } from "../../../test/support/redis-snapshot.js";

// The matrix is generated from the gateway's own /openapi.json: a route added to the admin API is covered
// by every case below without touching this file, and a route this file cannot build a request for fails.

interface Route {
  method: string;
  path: string;
}

interface Tenant {
  tenantId: string;
  apiToken: string;
  tokenId: string;
  accountId: string;
  serverId: string;
  mcpToken: string;
}

/** Valid bodies per route, so a refusal is about who asks, never about what was sent. */
function bodyFor(route: Route, mem0Key: string): unknown {
  const bodies: Record<string, unknown> = {
    "POST /tenants": { name: "Intruder" },
    "POST /tenants/{id}/api-tokens": { name: "intruder" },
    "POST /api-tokens": { name: "intruder" },
    "POST /integrated-account": { integration: "mem0", name: "intruder", credentials: { api_key: mem0Key } },
    "PATCH /integrated-account/{id}": { name: "Hijacked" },
    "POST /integrated-account/{id}/mcp": { name: "Hijacked" },
    "PATCH /integrated-account/{id}/mcp/{mcp_id}": { name: "Hijacked" },
  };
  const key = `${route.method} ${route.path}`;
  if (route.method === "GET" || route.method === "DELETE") return undefined;
  if (!(key in bodies)) throw new Error(`security matrix: no body for ${key}; add one to bodyFor`);
  return bodies[key];
}

/** The concrete URL of a route for a target tenant's records; unknown path parameters fail the test. */
function urlFor(
  route: Route,
  target: Pick<Tenant, "tenantId" | "tokenId" | "accountId" | "serverId">,
): string {
  return route.path.replace(/\{([^}]+)\}/g, (_, param: string) => {
    // No grant exists in these tests: a well-formed id is enough for the answer to be about who asks.
    if (param === "grant_id") return `gr_${"a".repeat(26)}`;
    if (param === "mcp_id") return target.serverId;
    if (param === "id" && route.path.startsWith("/tenants/")) return target.tenantId;
    if (param === "id" && route.path.startsWith("/api-tokens/")) return target.tokenId;
    if (param === "id" && route.path.startsWith("/integrated-account/")) return target.accountId;
    throw new Error(`security matrix: cannot fill {${param}} in ${route.path}; teach urlFor about it`);
  });
}

const isOperatorRoute = (route: Route): boolean =>
  route.path === "/tenants" || route.path.startsWith("/tenants/");
// Routes both a tenant (its own records) and the operator may read.
const isSharedRoute = (route: Route): boolean => route.path === "/log";
/** Required query parameters, so a refusal is about who asks. */
const queryFor = (route: Route): string => (route.path === "/log" ? "?log_type=admin" : "");
const hasParams = (route: Route): boolean => route.path.includes("{");

describe("security matrix over every admin route (generated from /openapi.json)", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });

  async function seedTenant(name: string): Promise<Tenant> {
    const { tenantId, apiToken } = await stack.createTenant(name);
    const tokens = await stack.call("GET", "/api-tokens", { token: apiToken });
    const tokenId = tokens.body.result[0].id as string;
    const accountId = await stack.connectMem0(apiToken);
    const server = await mintServer(stack, apiToken, accountId, { name: `${name} server` });
    return { tenantId, apiToken, tokenId, accountId, serverId: server.id, mcpToken: server.token };
  }

  /** What tenant B's records look like to B, plus every Redis key of B, byte for byte. */
  async function recordsOf(b: Tenant): Promise<unknown> {
    const read = async (path: string) => {
      const res = await stack.call("GET", path, { token: b.apiToken });
      return { status: res.status, body: res.body };
    };
    return {
      api: [
        await read("/api-tokens?limit=100"),
        await read("/integrated-account?limit=100"),
        await read(`/integrated-account/${b.accountId}`),
        await read(`/integrated-account/${b.accountId}/mcp?limit=100`),
        await read(`/integrated-account/${b.accountId}/mcp/${b.serverId}`),
      ],
      tenant: (await stack.call("GET", `/tenants/${b.tenantId}`, { token: stack.config.adminToken })).body,
      redis: await snapshotNamespace(
        redis,
        (key) => key.includes(b.tenantId) || key.includes(b.tokenId.slice(4)),
      ),
    };
  }

  it("gives every route the designed answer for each caller and never touches tenant B", async () => {
    const spec = await stack.call("GET", "/openapi.json");
    const routes: Route[] = Object.entries(
      spec.body.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
    // The routes must all be in the document (and so in the matrix).
    const listed = routes.map((r) => `${r.method} ${r.path}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        "POST /tenants",
        "GET /tenants",
        "GET /tenants/{id}",
        "DELETE /tenants/{id}",
        "POST /api-tokens",
        "GET /api-tokens",
        "DELETE /api-tokens/{id}",
        "POST /integrated-account",
        "GET /integrated-account",
        "GET /integrated-account/{id}",
        "PATCH /integrated-account/{id}",
        "DELETE /integrated-account/{id}",
        "GET /integrated-account/{id}/tools",
        "POST /integrated-account/{id}/mcp",
        "GET /integrated-account/{id}/mcp",
        "GET /integrated-account/{id}/mcp/{mcp_id}",
        "PATCH /integrated-account/{id}/mcp/{mcp_id}",
        "DELETE /integrated-account/{id}/mcp/{mcp_id}",
        "GET /integrations",
      ]),
    );

    const a = await seedTenant("A");
    const b = await seedTenant("B");
    const mem0Key = stack.sandbox.apiKeys[0]!;
    // A revoked token and one that expires by the gateway's clock (its Redis record is still there).
    const revoked = await stack.call("POST", "/api-tokens", { token: a.apiToken, body: { name: "revoked" } });
    expect((await stack.call("DELETE", `/api-tokens/${revoked.body.id}`, { token: a.apiToken })).status).toBe(
      200,
    );
    const expiring = await stack.call("POST", "/api-tokens", {
      token: a.apiToken,
      body: { name: "expiring", expires_at: isoAfter(clock.now(), 5_000) },
    });
    expect((await stack.call("GET", "/api-tokens", { token: expiring.body.token })).status).toBe(200);
    clock.advance(10_000);
    expect(await redis.client.exists(`${redis.keyPrefix}apitok:${expiring.body.id}`)).toBe(1);

    const before = await recordsOf(b);
    const failures: string[] = [];
    const check = (label: string, ok: boolean, detail: unknown): void => {
      if (!ok) failures.push(`${label}: ${JSON.stringify(detail)}`);
    };

    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const url = urlFor(route, b) + queryFor(route);
      const body = bodyFor(route, mem0Key);
      const send = (token: string | undefined, extra: { body?: unknown } = {}) =>
        stack.call(route.method, url, {
          ...(token === undefined ? {} : { token }),
          ...("body" in extra ? { body: extra.body } : body === undefined ? {} : { body }),
        });

      const none = await send(undefined);
      check(`${name} without a token`, none.status === 401 && none.body.code === "unauthorized", none.body);
      check(
        `${name} without a token: WWW-Authenticate`,
        /^Bearer /.test(none.headers.get("www-authenticate") ?? ""),
        null,
      );
      // Authentication comes before parsing: an anonymous caller learns nothing from validation errors.
      if (route.method !== "GET") {
        const noneBadBody = await send(undefined, { body: "{not json" });
        check(`${name} without a token, broken body`, noneBadBody.status === 401, noneBadBody.body);
      }

      const refusals = new Set<string>();
      for (const [label, token] of [
        ["a malformed token", "mcpg_at_garbage"],
        ["a revoked API token", revoked.body.token as string],
        ["an expired API token", expiring.body.token as string],
        // A capability URL token is not an admin credential (RFC 8725 §3.12: one token, one purpose).
        ["an MCP URL token", a.mcpToken],
      ] as const) {
        const res = await send(token);
        check(`${name} with ${label}`, res.status === 401 && res.body.code === "unauthorized", res.body);
        check(`${name} with ${label}: WWW-Authenticate`, res.headers.has("www-authenticate"), null);
        refusals.add(JSON.stringify(withoutRequestId(res.body)));
      }
      // Malformed, revoked, expired and foreign tokens are told apart in no way (no oracle).
      check(`${name}: one answer for every bad token`, refusals.size === 1, [...refusals]);

      if (isSharedRoute(route)) {
        const operator = await send(stack.config.adminToken);
        check(`${name} with the operator token`, operator.status === 200, operator.body);
        const own = await send(a.apiToken);
        check(`${name} with tenant A's token`, own.status === 200, own.body);
        const text = JSON.stringify(own.body);
        for (const id of [b.accountId, b.serverId, b.tokenId, b.tenantId]) {
          check(`${name} with tenant A's token shows B's ${id}`, !text.includes(id), null);
        }
      } else if (isOperatorRoute(route)) {
        const tenantToken = await send(a.apiToken);
        check(
          `${name} with a tenant token`,
          tenantToken.status === 403 && tenantToken.body.code === "forbidden",
          tenantToken.body,
        );
      } else {
        const operator = await send(stack.config.adminToken);
        check(
          `${name} with the operator token`,
          operator.status === 403 && operator.body.code === "forbidden",
          operator.body,
        );

        const crossTenant = await send(a.apiToken);
        if (hasParams(route)) {
          // Exactly the answer for a record that does not exist.
          const missing = await stack.call(
            route.method,
            urlFor(route, {
              tenantId: a.tenantId,
              tokenId: missingId("tok"),
              accountId: route.path.includes("{mcp_id}") ? a.accountId : missingId("acc"),
              serverId: missingId("mcp"),
            }),
            { token: a.apiToken, ...(body === undefined ? {} : { body }) },
          );
          const crossServer = route.path.includes("{mcp_id}")
            ? await stack.call(route.method, urlFor(route, { ...a, serverId: b.serverId }), {
                token: a.apiToken,
                ...(body === undefined ? {} : { body }),
              })
            : undefined;
          check(`${name} with tenant A's token on B's records`, crossTenant.status === 404, crossTenant.body);
          const missingAccount = await stack.call(
            route.method,
            urlFor(route, { ...a, accountId: missingId("acc"), tokenId: missingId("tok") }),
            {
              token: a.apiToken,
              ...(body === undefined ? {} : { body }),
            },
          );
          check(
            `${name}: B's record answers exactly like a missing one`,
            JSON.stringify(withoutRequestId(crossTenant.body)) ===
              JSON.stringify(withoutRequestId(missingAccount.body)),
            { crossTenant: crossTenant.body, missing: missingAccount.body },
          );
          if (crossServer !== undefined) {
            check(`${name} with A's account and B's server`, crossServer.status === 404, crossServer.body);
            check(
              `${name}: B's server answers exactly like a missing one`,
              JSON.stringify(withoutRequestId(crossServer.body)) ===
                JSON.stringify(withoutRequestId(missing.body)),
              { crossServer: crossServer.body, missing: missing.body },
            );
          }
        } else {
          // Collection routes act on A's own records; nothing of B shows up.
          check(`${name} with tenant A's token`, crossTenant.status < 300, crossTenant.body);
          const text = JSON.stringify(crossTenant.body);
          for (const id of [b.accountId, b.serverId, b.tokenId, b.tenantId]) {
            check(`${name} with tenant A's token shows B's ${id}`, !text.includes(id), null);
          }
        }
      }
    }

    expect(failures).toEqual([]);
    expect(await recordsOf(b)).toEqual(before);
  });
});
