import { freePort, keys } from "@mcp-gateway/store";
import { afterEach, describe, expect, it } from "vitest";
import { expectEnvelope, mintServer, missingId } from "../../../test/support/admin-fixtures.js";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { snapshotNamespace } from "../../../test/support/redis-snapshot.js";

describe("admin API: integrated accounts, integrations and tool previews", () => {
  const redis = useTestRedis();
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });
  const start = async (options: Parameters<typeof startTestStack>[1] = {}): Promise<TestStack> => {
    stack = await startTestStack(redis, options);
    return stack;
  };

  it("connects, lists in pages, gets, renames and never shows the credentials", async () => {
    const s = await start();
    const { apiToken } = await s.createTenant();
    const key = s.sandbox.apiKeys[0]!;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await s.connectMem0(apiToken, `Mem0 ${i}`));

    const pages = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${cursor}`;
      const page = await s.call("GET", `/integrated-account${query}`, { token: apiToken });
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    expect(pages.map((p) => p.result.length)).toEqual([2, 2, 1]);
    const listed = pages.flatMap((p) => p.result) as { id: string; created_at: string }[];
    expect(listed.map((a) => a.id).sort()).toEqual([...ids].sort());
    // Oldest first (ids break ties within a millisecond).
    const order = listed.map((a) => `${a.created_at}|${a.id}`);
    expect(order).toEqual([...order].sort());
    expectEnvelope(await s.call("GET", "/integrated-account?cursor=%25%25", { token: apiToken }), 400);
    expectEnvelope(await s.call("GET", "/integrated-account?cursor=bm9wZQ", { token: apiToken }), 400);

    const id = ids[2]!;
    const got = await s.call("GET", `/integrated-account/${id}`, { token: apiToken });
    expect(got.status).toBe(200);
    expect(Object.keys(got.body).sort()).toEqual([
      "context",
      "created_at",
      "id",
      "integration",
      "name",
      "updated_at",
    ]);
    const renamed = await s.call("PATCH", `/integrated-account/${id}`, {
      token: apiToken,
      body: { name: "Renamed" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id, name: "Renamed", context: got.body.context });
    expect((await s.call("GET", `/integrated-account/${id}`, { token: apiToken })).body.name).toBe("Renamed");
    for (const body of [got.body, renamed.body, pages]) expect(JSON.stringify(body)).not.toContain(key);
    expectEnvelope(await s.call("GET", `/integrated-account/${missingId("acc")}`, { token: apiToken }), 404);
  });

  it("refuses a key the upstream refuses with 400 and the upstream's reason, storing nothing", async () => {
    const s = await start();
    const { apiToken } = await s.createTenant();
    const before = await snapshotNamespace(redis);
    const res = await s.call("POST", "/integrated-account", {
      token: apiToken,
      body: { integration: "mem0", name: "bad", credentials: { api_key: "m0-not-a-real-key" } },
    });
    expectEnvelope(res, 400, "validation_failed");
    expect(res.body.message).toMatch(/Mem0 refused these credentials \(HTTP 401\)/);
    expect(res.body.details).toEqual({ upstream_status: 401 });
    expect(await snapshotNamespace(redis)).toEqual(before);
  });

  it("answers 502 with a clear message when the upstream is unreachable or failing", async () => {
    const closed = await freePort();
    const s = await start({ env: { MEM0_BASE_URL: `http://127.0.0.1:${closed}` } });
    const { apiToken } = await s.createTenant();
    const before = await snapshotNamespace(redis);
    const body = { integration: "mem0", name: "x", credentials: { api_key: s.sandbox.apiKeys[0] } };
    const res = await s.call("POST", "/integrated-account", { token: apiToken, body });
    expectEnvelope(res, 502, "upstream_unreachable");
    expect(res.body.message).toMatch(/could not reach Mem0/);
    expect(await snapshotNamespace(redis)).toEqual(before);
  });

  it("answers 502 when the upstream answers 5xx", async () => {
    const s = await start({ sandbox: { faults: [{ path: "/v1/ping/", status: 503 }] } });
    const { apiToken } = await s.createTenant();
    const body = { integration: "mem0", name: "x", credentials: { api_key: s.sandbox.apiKeys[0] } };
    const res = await s.call("POST", "/integrated-account", { token: apiToken, body });
    expectEnvelope(res, 502, "upstream_unreachable");
    expect(res.body.message).toContain("503");
    expect((await s.call("GET", "/integrated-account", { token: apiToken })).body.result).toEqual([]);
  });

  it("does not call an odd upstream answer a refusal of the key: 502 for 429, 404, redirects and garbage", async () => {
    const cases = [
      { status: 429, body: { detail: "Request was throttled." }, says: /rate limit/i },
      { status: 404, says: /HTTP 404/ },
      { status: 302, says: /HTTP 302/ },
      { status: 200, body: "<html>captive portal</html>", says: /HTTP 200/ },
    ];
    const s = await start();
    const { apiToken } = await s.createTenant();
    for (const { says, ...rule } of cases) {
      s.sandbox.setFaults([{ path: "/v1/ping/", ...rule }]);
      const res = await s.call("POST", "/integrated-account", {
        token: apiToken,
        body: { integration: "mem0", name: "x", credentials: { api_key: s.sandbox.apiKeys[0] } },
      });
      expectEnvelope(res, 502, "upstream_unreachable");
      expect(res.body.message, String(rule.status)).toMatch(says);
      expect(res.body.message).not.toMatch(/refused these credentials/);
    }
    s.sandbox.setFaults([{ path: "/v1/ping/", status: 403, body: { detail: "Forbidden key." } }]);
    const forbidden = await s.call("POST", "/integrated-account", {
      token: apiToken,
      body: { integration: "mem0", name: "x", credentials: { api_key: s.sandbox.apiKeys[0] } },
    });
    expectEnvelope(forbidden, 400, "validation_failed");
    expect(forbidden.body.message).toContain("refused these credentials (HTTP 403): Forbidden key.");
  });

  it("refuses unknown integrations and wrong credential fields with the valid ones", async () => {
    const s = await start();
    const { apiToken } = await s.createTenant();
    const key = s.sandbox.apiKeys[0]!;
    const unknown = await s.call("POST", "/integrated-account", {
      token: apiToken,
      body: { integration: "hubspot", name: "x", credentials: { api_key: key } },
    });
    expectEnvelope(unknown, 400, "validation_failed");
    expect(unknown.body.message).toContain("valid: mem0");
    const extra = await s.call("POST", "/integrated-account", {
      token: apiToken,
      body: { integration: "mem0", name: "x", credentials: { api_key: key, tenant_id: "ten_x" } },
    });
    expectEnvelope(extra, 400, "validation_failed");
    expect(extra.body.message).toContain("unknown: tenant_id");
    const missing = await s.call("POST", "/integrated-account", {
      token: apiToken,
      body: { integration: "mem0", name: "x", credentials: { token: key } },
    });
    expectEnvelope(missing, 400, "validation_failed");
    expect(missing.body.message).toContain("missing: api_key");
    expect(s.sandbox.requestCount()).toBe(0);
  });

  it("refuses credentials that cannot travel in an HTTP header with 400 naming the field, asking no upstream", async () => {
    const s = await start();
    const { apiToken } = await s.createTenant();
    const id = await s.connectMem0(apiToken);
    const calls = s.sandbox.requestCount();
    for (const api_key of ["m0-日本", "m0-a\nb", "m0-a\rb", "m0-\u0000", "m0-tab\there", "m0-é"]) {
      for (const [method, path, body] of [
        ["POST", "/integrated-account", { integration: "mem0", name: "x", credentials: { api_key } }],
        ["PATCH", `/integrated-account/${id}`, { credentials: { api_key } }],
      ] as const) {
        const res = await s.call(method, path, { token: apiToken, body });
        expectEnvelope(res, 400, "validation_failed");
        expect(res.body.message).toContain("credentials.api_key may hold only printable ASCII");
        expect(res.body.message).not.toContain(api_key);
      }
    }
    expect(s.sandbox.requestCount()).toBe(calls);
    expect((await s.call("GET", "/integrated-account", { token: apiToken })).body.result).toHaveLength(1);
  });

  it("rotates credentials only after the upstream accepts them and only within the same project", async () => {
    const s = await start({ sandbox: { apiKeys: ["m0-key-project-one", "m0-key-project-two"] } });
    const { tenantId, apiToken } = await s.createTenant();
    const id = await s.connectMem0(apiToken);
    const path = `/integrated-account/${id}`;
    const stored = async () =>
      (await redis.client.get(`${redis.keyPrefix}${keys.account(tenantId, id)}`)) ?? "";
    const original = await stored();

    const calls = s.sandbox.requestCount();
    const same = await s.call("PATCH", path, {
      token: apiToken,
      body: { credentials: { api_key: "m0-key-project-one" } },
    });
    expect(same.status).toBe(200);
    expect(s.sandbox.requestCount()).toBe(calls + 1); // checked upstream again
    const resealed = await stored();
    expect(JSON.parse(resealed).sealed_credentials).not.toBe(JSON.parse(original).sealed_credentials);

    const refused = await s.call("PATCH", path, {
      token: apiToken,
      body: { credentials: { api_key: "m0-wrong" } },
    });
    expectEnvelope(refused, 400, "validation_failed");
    expect(refused.body.message).toContain("refused these credentials");
    expect(await stored()).toBe(resealed);

    const other = await s.call("PATCH", path, {
      token: apiToken,
      body: { name: "new name", credentials: { api_key: "m0-key-project-two" } },
    });
    expectEnvelope(other, 409, "conflict");
    expect(other.body.message).toMatch(/different Mem0 account.*connect them as a new integrated account/);
    expect(await stored()).toBe(resealed);
    expect((await s.call("GET", path, { token: apiToken })).body.name).toBe("Mem0");
    // An upstream outage during a rotation changes nothing either.
    s.sandbox.setFaults([{ path: "/v1/ping/", status: 503 }]);
    const outage = await s.call("PATCH", path, {
      token: apiToken,
      body: { name: "during outage", credentials: { api_key: "m0-key-project-one" } },
    });
    expectEnvelope(outage, 502, "upstream_unreachable");
    expect(await stored()).toBe(resealed);
  });

  it("deletes an account and revokes every MCP server minted for it", async () => {
    const s = await start();
    const { tenantId, apiToken } = await s.createTenant();
    const id = await s.connectMem0(apiToken);
    const keep = await s.connectMem0(apiToken, "keep");
    const servers = [
      await mintServer(s, apiToken, id, { name: "a" }),
      await mintServer(s, apiToken, id, { name: "b" }),
    ];
    const kept = await mintServer(s, apiToken, keep, { name: "kept" });

    const deleted = await s.call("DELETE", `/integrated-account/${id}`, { token: apiToken });
    expect(deleted).toMatchObject({ status: 200, body: { id } });
    expectEnvelope(await s.call("GET", `/integrated-account/${id}`, { token: apiToken }), 404);
    expectEnvelope(await s.call("GET", `/integrated-account/${id}/mcp`, { token: apiToken }), 404);
    for (const server of servers) {
      expectEnvelope(
        await s.call("GET", `/integrated-account/${id}/mcp/${server.id}`, { token: apiToken }),
        404,
      );
    }
    expectEnvelope(await s.call("DELETE", `/integrated-account/${id}`, { token: apiToken }), 404);
    const left = await redis.keys();
    expect(left.filter((k) => k.includes(id))).toEqual([]);
    expect(left.some((k) => k.endsWith(`:mcp:${kept.id}`))).toBe(true);
    const listed = await s.call("GET", "/integrated-account", { token: apiToken });
    expect(listed.body.result.map((a: { id: string }) => a.id)).toEqual([keep]);
    expect(tenantId).toMatch(/^ten_/);
  });

  it("lists the integration catalogue", async () => {
    const s = await start();
    const { apiToken } = await s.createTenant();
    const res = await s.call("GET", "/integrations", { token: apiToken });
    expect(res.status).toBe(200);
    const mem0 = res.body.result.find((i: { integration: string }) => i.integration === "mem0");
    expect(mem0).toMatchObject({
      title: "Mem0",
      methods: expect.arrayContaining(["read", "write", "custom"]),
    });
    expect(mem0.tools).toContain("list_all_mem_0_memories");
    expect(mem0.tags).toContain("memories");
  });

  it("previews tools for methods and tags, and answers unknown values with the valid ones", async () => {
    const s = await start();
    const { apiToken } = await s.createTenant();
    const id = await s.connectMem0(apiToken);
    const tools = async (query: string) =>
      s.call("GET", `/integrated-account/${id}/tools${query}`, { token: apiToken });

    const all = await tools("");
    expect(all.status).toBe(200);
    const names = all.body.result.map((t: { name: string }) => t.name);
    expect(names).toContain("create_a_mem_0_memory");
    expect((await tools("?methods=&tags=")).body.result.length).toBe(names.length);

    const read = await tools("?methods=read&tags=memories");
    expect(read.status).toBe(200);
    expect(read.body.result.map((t: { name: string }) => t.name).sort()).toEqual(
      [
        "get_single_mem_0_memory_by_id",
        "list_all_mem_0_dream_memory_sources",
        "list_all_mem_0_entity_memories",
        "list_all_mem_0_memories",
        "list_all_mem_0_memory_events",
        "list_all_mem_0_memory_history",
      ].sort(),
    );
    for (const tool of read.body.result) expect(["get", "list"]).toContain(tool.method);

    const badMethod = await tools("?methods=read,frobnicate");
    expectEnvelope(badMethod, 400, "validation_failed");
    expect(badMethod.body.message).toContain("frobnicate");
    expect(badMethod.body.details.valid).toEqual(expect.arrayContaining(["read", "write", "custom", "list"]));
    const badTag = await tools("?tags=nope");
    expectEnvelope(badTag, 400, "validation_failed");
    expect(badTag.body.details.valid).toContain("memories");
    const none = await tools("?methods=read&tags=destructive");
    expectEnvelope(none, 400, "validation_failed");
    expect(none.body.message).toMatch(/No mem0 tool matches/);
    expectEnvelope(await tools("?method=read"), 400, "validation_failed");
    expectEnvelope(
      await s.call("GET", `/integrated-account/${missingId("acc")}/tools`, { token: apiToken }),
      404,
    );
  });

  it("serves the OpenAPI document and the docs page", async () => {
    const s = await start();
    const spec = await s.call("GET", "/openapi.json");
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        "/tenants",
        "/integrated-account/{id}/mcp/{mcp_id}",
        "/integrated-account/{id}/tools",
      ]),
    );
    const mint = spec.body.paths["/integrated-account/{id}/mcp"].post.responses["201"];
    expect(mint.content["application/json"].schema.properties.warnings).toMatchObject({
      type: "array",
      items: { type: "string" },
    });
    // Every operation documents its errors as the one envelope, not just its 2xx answer.
    expect(spec.body.components.schemas.ErrorEnvelope.properties).toHaveProperty("requestId");
    for (const [path, operations] of Object.entries(spec.body.paths as Record<string, object>)) {
      for (const [method, operation] of Object.entries(operations as Record<string, { responses: object }>)) {
        for (const range of ["4XX", "5XX"]) {
          expect(operation.responses, `${method} ${path} ${range}`).toHaveProperty(
            [range, "content", "application/json", "schema", "$ref"],
            "#/components/schemas/ErrorEnvelope",
          );
        }
      }
    }
    expect(Object.keys(spec.body.paths).some((p) => p.startsWith("/mcp") || p.startsWith("/health"))).toBe(
      false,
    );
    const docs = await fetch(`${s.gatewayUrl}/docs`, { redirect: "follow" });
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-type")).toContain("text/html");
    // It shares the console's origin, so it carries a CSP that no page may frame and allows no inline script.
    const csp = docs.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("upgrade-insecure-requests");
  });
});
