import { manualClock } from "@mcp-gateway/core";
import { keys } from "@mcp-gateway/store";
import { beforeEach, describe, expect, it } from "vitest";
import { expectEnvelope, isoAfter, mintServer, missingId } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { snapshotNamespace } from "../../../test/support/redis-snapshot.js";
import { consoleClient } from "./console-support.js";

const HOUR = 3_600_000;

describe("admin API: MCP servers", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });
  let tenantId: string;
  let apiToken: string;
  let accountId: string;
  let base: string;
  beforeEach(async () => {
    ({ tenantId, apiToken } = await stack.createTenant());
    accountId = await stack.connectMem0(apiToken);
    base = `/integrated-account/${accountId}/mcp`;
  });
  const mint = (body: Record<string, unknown>) => mintServer(stack, apiToken, accountId, body);
  const patch = (id: string, body: unknown) =>
    stack.call("PATCH", `${base}/${id}`, { token: apiToken, body });
  const get = (id: string) => stack.call("GET", `${base}/${id}`, { token: apiToken });

  it("mints with every config field and shows the token and URL only once", async () => {
    const expiresAt = isoAfter(clock.now(), HOUR);
    const minted = await mint({
      name: "Support bot",
      config: {
        methods: ["read", "search"],
        tags: ["memories"],
        require_api_token_auth: true,
        tool_exposure: "discovery",
      },
      expires_at: expiresAt,
    });
    expect(minted).toMatchObject({
      id: expect.stringMatching(/^mcp_/),
      name: "Support bot",
      integrated_account_id: accountId,
      config: {
        methods: ["read", "search"],
        tags: ["memories"],
        require_api_token_auth: true,
        tool_exposure: "discovery",
      },
      expires_at: expiresAt,
      url: `${stack.config.publicUrl}/mcp/${minted.token}`,
    });
    expect(minted.tools).toEqual(
      expect.arrayContaining([
        "list_all_mem_0_memories",
        "get_single_mem_0_memory_by_id",
        "mem_0_memories_search",
      ]),
    );
    expect(minted.tools).not.toContain("create_a_mem_0_memory");
    expect(JSON.stringify(minted.claude_desktop_config)).toContain("MCP_GATEWAY_AUTH");
    const again = await get(minted.id);
    expect(again.status).toBe(200);
    expect(again.body.tools).toEqual(minted.tools);
    expect(JSON.stringify(again.body)).not.toContain(minted.token);

    // Defaults: everything, no API token, all tools, no expiry.
    const plain = await mint({ name: "All" });
    expect(plain).toMatchObject({
      config: { methods: null, tags: null, require_api_token_auth: false, tool_exposure: "all" },
      expires_at: null,
    });
    expect(await redis.client.pttl(`${redis.keyPrefix}${keys.mcpServer(tenantId, plain.id)}`)).toBe(-1);
    const ttl = await redis.client.pttl(`${redis.keyPrefix}${keys.mcpServer(tenantId, minted.id)}`);
    expect(ttl).toBeGreaterThan(HOUR - 60_000);
    expect(ttl).toBeLessThanOrEqual(HOUR);
  });

  it("mints the risky defaults but says so: destructive tools and no expiry come back as warnings", async () => {
    const plain = await mint({ name: "x" });
    expect(plain.warnings).toEqual([
      expect.stringMatching(
        /^this URL can call \d+ destructive tools \(.+\); mint with config\.methods \["read"\]/,
      ),
      expect.stringMatching(/^this URL never expires: set expires_at/),
    ]);
    const careful = await mint({
      name: "careful",
      config: { methods: ["read"] },
      expires_at: isoAfter(clock.now(), HOUR),
    });
    expect(careful.warnings).toEqual([]);
    // Only the create response carries them.
    expect((await get(plain.id)).body.warnings).toBeUndefined();
  });

  it("shows the warnings on the console's page after creation", async () => {
    const browser = consoleClient(stack);
    await browser.signIn(apiToken);
    const form = await browser.get(`/console/accounts/${accountId}/servers/new`);
    const created = await browser.post(`/console/accounts/${accountId}/servers`, {
      csrf: browser.csrfFrom(form),
      name: "Everything forever",
      expiry: "never",
    });
    expect(created.status).toBe(201);
    expect(created.text).toMatch(/this URL can call \d+ destructive tools/);
    expect(created.text).toContain("this URL never expires");
  });

  it("refuses configs that match nothing, unknown values and short expiries, writing nothing", async () => {
    // The audit trail records the one mint and revoke below; every other key must be as it was.
    const notLog = (key: string) => !key.includes(":log:");
    const before = await snapshotNamespace(redis, notLog);
    const none = await stack.call("POST", base, {
      token: apiToken,
      body: { name: "x", config: { methods: ["read"], tags: ["destructive"] } },
    });
    expectEnvelope(none, 400, "validation_failed");
    expect(none.body.message).toMatch(/No mem0 tool matches/);

    const method = await stack.call("POST", base, {
      token: apiToken,
      body: { name: "x", config: { methods: ["reed"] } },
    });
    expectEnvelope(method, 400, "validation_failed");
    expect(method.body.message).toContain("reed");
    expect(method.body.details.valid).toEqual(expect.arrayContaining(["read", "write", "custom", "search"]));

    const tag = await stack.call("POST", base, {
      token: apiToken,
      body: { name: "x", config: { tags: ["memorys"] } },
    });
    expectEnvelope(tag, 400, "validation_failed");
    expect(tag.body.details.valid).toContain("memories");

    for (const lead of [59_999, 0, -HOUR]) {
      const early = await stack.call("POST", base, {
        token: apiToken,
        body: { name: "x", expires_at: isoAfter(clock.now(), lead) },
      });
      expectEnvelope(early, 400, "validation_failed");
      expect(early.body.message).toContain("at least 60 seconds");
    }
    const exactly = await stack.call("POST", base, {
      token: apiToken,
      body: { name: "ok", expires_at: isoAfter(clock.now(), 60_000) },
    });
    expect(exactly.status).toBe(201);
    await stack.call("DELETE", `${base}/${exactly.body.id}`, { token: apiToken });
    expect(await snapshotNamespace(redis, notLog)).toEqual(before);

    expectEnvelope(
      await stack.call("POST", `/integrated-account/${missingId("acc")}/mcp`, {
        token: apiToken,
        body: { name: "x" },
      }),
      404,
    );
  });

  it("lets PATCH rename, narrow and bring the expiry earlier", async () => {
    const expiresAt = clock.now() + 2 * HOUR;
    const server = await mint({
      name: "s",
      config: { methods: ["read", "write"] },
      expires_at: new Date(expiresAt).toISOString(),
    });

    const renamed = await patch(server.id, { name: "renamed" });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: "renamed", config: { methods: ["read", "write"] } });

    const narrowed = await patch(server.id, { config: { methods: ["read"], tags: ["memories"] } });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.config).toMatchObject({ methods: ["read"], tags: ["memories"] });
    expect(narrowed.body.tools.every((t: string) => /^(list_all|get_single)_mem_0_/.test(t))).toBe(true);

    const earlier = new Date(expiresAt - HOUR).toISOString();
    const sooner = await patch(server.id, { expires_at: earlier });
    expect(sooner.status).toBe(200);
    expect(sooner.body.expires_at).toBe(earlier);
    const ttl = await redis.client.pttl(`${redis.keyPrefix}${keys.mcpServer(tenantId, server.id)}`);
    expect(ttl).toBeLessThanOrEqual(HOUR);
    expect(ttl).toBeGreaterThan(HOUR - 60_000);

    const auth = await patch(server.id, { config: { require_api_token_auth: true } });
    expect(auth.status).toBe(200);
    expect(auth.body.config).toMatchObject({
      require_api_token_auth: true,
      methods: ["read"],
      tags: ["memories"],
    });
    expect((await get(server.id)).body).toMatchObject({ name: "renamed", expires_at: earlier });

    // A server without expiry may be given one.
    const forever = await mint({ name: "forever" });
    const dated = await patch(forever.id, { expires_at: isoAfter(clock.now(), HOUR) });
    expect(dated.status).toBe(200);
  });

  it("refuses every PATCH that would widen the URL, saying to mint a new server", async () => {
    const expiresAt = isoAfter(clock.now(), HOUR);
    const server = await mint({
      name: "narrow",
      config: { methods: ["read"], tags: ["memories"], require_api_token_auth: true },
      expires_at: expiresAt,
    });
    const key = `${redis.keyPrefix}${keys.mcpServer(tenantId, server.id)}`;
    const stored = await redis.client.get(key);
    const cases: [string, unknown][] = [
      ["more methods", { config: { methods: ["read", "write"] } }],
      ["methods cleared", { config: { methods: null } }],
      ["methods emptied", { config: { methods: [] } }],
      ["more tags", { config: { tags: ["memories", "events"] } }],
      ["tags cleared", { config: { tags: null } }],
      ["later expiry", { expires_at: isoAfter(clock.now(), 2 * HOUR) }],
      ["no expiry", { expires_at: null }],
      ["auth off", { config: { require_api_token_auth: false } }],
      ["rename with a widening", { name: "sneaky", config: { methods: ["write"] } }],
    ];
    for (const [label, body] of cases) {
      const res = await patch(server.id, body);
      expect(res.status, label).toBe(403);
      expect(res.body.code, label).toBe("forbidden");
      expect(res.body.message, label).toMatch(/create a new MCP server/);
    }
    expect(await redis.client.get(key)).toBe(stored);
    expect((await get(server.id)).body).toMatchObject({ name: "narrow", expires_at: expiresAt });

    // Unknown filter values are a 400 with the valid ones, as at mint time.
    const unknown = await patch(server.id, { config: { methods: ["reed"] } });
    expectEnvelope(unknown, 400, "validation_failed");
    expect(unknown.body.details.valid).toContain("read");
    expectEnvelope(
      await patch(server.id, { expires_at: isoAfter(clock.now(), 1_000) }),
      400,
      "validation_failed",
    );
    expectEnvelope(await patch(missingId("mcp"), { name: "x" }), 404);
  });

  it("pages {result, next_cursor} and never lists expired servers", async () => {
    const live: string[] = [];
    const soon = isoAfter(clock.now(), 61_000);
    for (let i = 0; i < 7; i++) {
      // Two of the seven expire soon, interleaved with live ones.
      const expiring = i === 1 || i === 4;
      const server = await mint({ name: `s${i}`, ...(expiring ? { expires_at: soon } : {}) });
      if (!expiring) live.push(server.id);
      clock.advance(1); // distinct creation times keep the order obvious
    }
    const gone = await mint({ name: "evicted" });
    // Redis evicted this record on its own (as with PXAT): the index still names it.
    await redis.client.del(`${redis.keyPrefix}${keys.mcpServer(tenantId, gone.id)}`);

    const readAll = async (): Promise<{ sizes: number[]; ids: string[] }> => {
      const sizes: number[] = [];
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const query: string = cursor === null ? "?limit=2" : `?limit=2&cursor=${cursor}`;
        const page = await stack.call("GET", `${base}${query}`, { token: apiToken });
        expect(page.status).toBe(200);
        expect(Object.keys(page.body).sort()).toEqual(["next_cursor", "result"]);
        if (page.body.result.length > 0) sizes.push(page.body.result.length);
        ids.push(...page.body.result.map((s: { id: string }) => s.id));
        for (const s of page.body.result) expect(s).not.toHaveProperty("token");
        cursor = page.body.next_cursor;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      return { sizes, ids };
    };
    const beforeExpiry = await readAll();
    expect(beforeExpiry.ids).toHaveLength(7);

    clock.set(Date.parse(soon));
    const afterExpiry = await readAll();
    expect(afterExpiry.ids).toEqual(live);
    expect(afterExpiry.sizes).toEqual([2, 2, 1]);
    expectEnvelope(await get(beforeExpiry.ids[1]!), 404);

    expectEnvelope(await stack.call("GET", `${base}?cursor=garbage!`, { token: apiToken }), 400);
    expectEnvelope(
      await stack.call("GET", `${base}?cursor=bm90LWEtbWVtYmVy`, { token: apiToken }),
      400,
      "bad_request",
    );
    expectEnvelope(
      await stack.call("GET", `/integrated-account/${missingId("acc")}/mcp`, { token: apiToken }),
      404,
    );
  });

  it("revokes with DELETE: gone from GET, list and Redis; a second DELETE is 404", async () => {
    const server = await mint({ name: "bye" });
    const res = await stack.call("DELETE", `${base}/${server.id}`, { token: apiToken });
    expect(res).toMatchObject({ status: 200, body: { id: server.id } });
    expectEnvelope(await get(server.id), 404);
    expect((await stack.call("GET", base, { token: apiToken })).body.result).toEqual([]);
    expect((await redis.keys()).filter((k) => k.includes(server.id))).toEqual([]);
    expectEnvelope(await stack.call("DELETE", `${base}/${server.id}`, { token: apiToken }), 404);
  });
});
