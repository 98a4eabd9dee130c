import { LIMITS } from "@mcp-gateway/core";
import { spawnRedisServer } from "@mcp-gateway/store";
import { afterEach, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";

// A gateway on its own redis-server (AOF, fsync always), which the tests crash, freeze and restart.
// Every route that needs Redis must answer 503 with Retry-After while it cannot answer, never 500.

interface Route {
  method: string;
  path: string;
}

type Ids = { tenantId: string; tokenId: string; accountId: string; serverId: string };

/** Valid bodies, so a 503 is about Redis, never about what was sent. */
function bodyFor(route: Route, mem0Key: string): unknown {
  const bodies: Record<string, unknown> = {
    "POST /tenants": { name: "During the outage" },
    "POST /tenants/{id}/api-tokens": { name: "during the outage" },
    "POST /api-tokens": { name: "during the outage" },
    "POST /integrated-account": { integration: "mem0", name: "outage", credentials: { api_key: mem0Key } },
    "PATCH /integrated-account/{id}": { name: "Renamed during the outage" },
    "POST /integrated-account/{id}/mcp": { name: "Minted during the outage" },
    "PATCH /integrated-account/{id}/mcp/{mcp_id}": { name: "Renamed during the outage" },
  };
  const key = `${route.method} ${route.path}`;
  if (route.method === "GET" || route.method === "DELETE") return undefined;
  if (!(key in bodies)) throw new Error(`outage test: no body for ${key}; add one to bodyFor`);
  return bodies[key];
}

function urlFor(route: Route, ids: Ids): string {
  return route.path.replace(/\{([^}]+)\}/g, (_, param: string) => {
    // No grant exists in these tests: a well-formed id is enough for the answer to be about who asks.
    if (param === "grant_id") return `gr_${"a".repeat(26)}`;
    if (param === "mcp_id") return ids.serverId;
    if (param === "id" && route.path.startsWith("/tenants/")) return ids.tenantId;
    if (param === "id" && route.path.startsWith("/api-tokens/")) return ids.tokenId;
    if (param === "id" && route.path.startsWith("/integrated-account/")) return ids.accountId;
    throw new Error(`outage test: cannot fill {${param}} in ${route.path}; teach urlFor about it`);
  });
}

/** Every admin route in the gateway's own /openapi.json, so a route added later is covered here too. */
async function adminRoutes(stack: TestStack): Promise<Route[]> {
  const spec = await stack.call("GET", "/openapi.json");
  return Object.entries(spec.body.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, operations]) =>
      Object.keys(operations)
        .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
  );
}

/** A 2025-era tools/list on a minted URL, as Claude sends it. */
async function listTools(url: string): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

/** Polls readiness, one awaited request at a time, until it answers 200 (bounded). */
async function untilReady(stack: TestStack): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await stack.call("GET", "/readyz")).status !== 200) {
    if (Date.now() > deadline) throw new Error("the gateway did not become ready after Redis came back");
  }
}

interface LogLine {
  level: number;
  msg: string;
}

const LOST = "redis connection lost; reconnecting";
const RESTORED = "redis connection restored";
const RETRY_AFTER = String(LIMITS.storageRetryAfterSeconds);

describe("a Redis outage", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function start(): Promise<{
    redis: Awaited<ReturnType<typeof spawnRedisServer>>;
    stack: TestStack;
    ids: Ids;
    apiToken: string;
    mcpUrl: string;
    logs: () => LogLine[];
    closeStack: () => Promise<void>;
  }> {
    const redis = await spawnRedisServer({ appendOnly: true });
    cleanup.push(() => redis.dispose());
    const stack = await startTestStack({ url: redis.url, keyPrefix: "mcpg-test-outage:" });
    let closed = false;
    const closeStack = async (): Promise<void> => {
      if (!closed) await stack.close();
      closed = true;
    };
    cleanup.push(closeStack);
    const { tenantId, apiToken } = await stack.createTenant();
    const tokens = await stack.call("GET", "/api-tokens", { token: apiToken });
    const accountId = await stack.connectMem0(apiToken);
    const server = await stack.mint(apiToken, accountId, { name: "Before the outage" });
    const ids = { tenantId, tokenId: tokens.body.result[0].id as string, accountId, serverId: server.id };
    const logs = () => stack.logs.lines().map((line) => JSON.parse(line) as LogLine);
    return { redis, stack, ids, apiToken, mcpUrl: server.url, logs, closeStack };
  }

  it("answers 503 with Retry-After on every route while Redis is down, logs the outage once, and serves again after", async () => {
    const { redis, stack, ids, apiToken, mcpUrl, logs, closeStack } = await start();
    const routes = await adminRoutes(stack);
    expect(routes.length).toBeGreaterThanOrEqual(19);
    const mem0Key = stack.sandbox.apiKeys[0] ?? "";
    const logsBefore = logs().length;

    await redis.crash();
    for (const route of routes) {
      const res = await stack.call(route.method, urlFor(route, ids), {
        token: route.path.startsWith("/tenants") ? stack.config.adminToken : apiToken,
        body: bodyFor(route, mem0Key),
      });
      const name = `${route.method} ${route.path}`;
      expect(res.status, name).toBe(503);
      expect(res.headers.get("retry-after"), name).toBe(RETRY_AFTER);
      expect(res.body, name).toEqual({
        statusCode: 503,
        error: "Service Unavailable",
        code: "service_unavailable",
        message: expect.stringMatching(/retry/),
        requestId: expect.any(String),
      });
    }
    // The operator routes check a tenant's token against Redis too, to answer 403 rather than 401.
    const tenantOnOperatorRoute = await stack.call("GET", "/tenants", { token: apiToken });
    expect(tenantOnOperatorRoute.status).toBe(503);
    const readiness = await stack.call("GET", "/readyz");
    expect(readiness.status).toBe(503);
    expect(readiness.headers.get("retry-after")).toBe(RETRY_AFTER);
    expect(readiness.body).toMatchObject({ code: "service_unavailable", message: /^not ready: redis/ });
    // The MCP endpoint keeps its JSON-RPC-shaped 503.
    const mcp = await listTools(mcpUrl);
    expect(mcp.status).toBe(503);
    expect(mcp.headers.get("retry-after")).toBe(RETRY_AFTER);
    expect(mcp.body).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: expect.stringMatching(/retry/) },
    });
    // Liveness is about the process.
    expect((await stack.call("GET", "/healthz")).status).toBe(200);

    // One warning for the outage, no error lines, and each refused request at debug level only.
    const during = logs().slice(logsBefore);
    expect(during.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([LOST]);
    const refusals = during.filter((l) => l.msg === "storage unavailable");
    expect(refusals.length).toBeGreaterThanOrEqual(routes.length);
    expect(refusals.every((l) => l.level === 20)).toBe(true);

    await redis.start();
    await untilReady(stack);
    expect(logs().filter((l) => l.msg === RESTORED)).toHaveLength(1);
    expect(logs().filter((l) => l.msg === LOST)).toHaveLength(1);

    // Nothing the outage refused was done, everything written before it survived, and every route works.
    const tenant = await stack.call("GET", `/tenants/${ids.tenantId}`, { token: stack.config.adminToken });
    expect(tenant.status).toBe(200);
    const servers = await stack.call("GET", `/integrated-account/${ids.accountId}/mcp`, { token: apiToken });
    expect(servers.status).toBe(200);
    expect(servers.body.result.map((s: { name: string }) => s.name)).toEqual(["Before the outage"]);
    expect((await listTools(mcpUrl)).status).toBe(200);
    const minted = await stack.mint(apiToken, ids.accountId, { name: "After the outage" });
    expect((await listTools(minted.url)).body.result.tools.length).toBeGreaterThan(0);
    expect((await stack.call("GET", "/tenants", { token: stack.config.adminToken })).status).toBe(200);

    // Closing the gateway closes its connection on purpose: that is not an outage.
    await closeStack();
    expect(logs().filter((l) => l.msg === LOST)).toHaveLength(1);
    expect(logs().filter((l) => l.level >= 50)).toEqual([]);
  });

  it("answers 503 rather than hang when Redis stops answering on an open connection", async () => {
    const { redis, stack, ids, apiToken, mcpUrl, logs } = await start();
    const pid = redis.pid();
    if (pid === undefined) throw new Error("redis-server has no pid");
    // A frozen process keeps its sockets open and never answers, like a partitioned or wedged Redis.
    process.kill(pid, "SIGSTOP");
    cleanup.push(async () => void process.kill(pid, "SIGCONT"));
    const startedAt = Date.now();
    const [account, mcp] = await Promise.all([
      stack.call("GET", `/integrated-account/${ids.accountId}`, { token: apiToken }),
      listTools(mcpUrl),
    ]);
    expect(account.status).toBe(503);
    expect(account.headers.get("retry-after")).toBe(RETRY_AFTER);
    expect(account.body).toMatchObject({ code: "service_unavailable" });
    expect(mcp.status).toBe(503);
    expect(mcp.headers.get("retry-after")).toBe(RETRY_AFTER);
    expect(Date.now() - startedAt).toBeLessThan(LIMITS.redisCommandTimeoutMs + 3_000);
    expect(logs().filter((l) => l.level >= 50)).toEqual([]);

    process.kill(pid, "SIGCONT");
    await untilReady(stack);
    // The silent connection was dropped and reopened: logged as one outage, like a crash.
    expect(logs().filter((l) => l.msg === LOST)).toHaveLength(1);
    expect(logs().filter((l) => l.msg === RESTORED)).toHaveLength(1);
    expect(
      (await stack.call("GET", `/integrated-account/${ids.accountId}`, { token: apiToken })).status,
    ).toBe(200);
    expect((await listTools(mcpUrl)).status).toBe(200);
  });
});
