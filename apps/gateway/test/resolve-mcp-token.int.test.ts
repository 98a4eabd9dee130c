import { generateKeyPairSync, randomBytes } from "node:crypto";
import { LIMITS, manualClock } from "@mcp-gateway/core";
import { keys } from "@mcp-gateway/store";
import { Redis } from "ioredis";
import { CompactSign } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isoAfter, keyEnv, mintServer, randomKey } from "../../../test/support/admin-fixtures.js";
import { startTestStack, type TestStack, testConfig } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { mintMcpServer } from "../src/services/mcp-servers.service.js";
import { checkMcpToken, resolveCheckedMcpToken, resolveMcpToken } from "../src/services/resolve-mcp-token.js";
import { createServiceContext, type ServiceContext } from "../src/services/service-context.js";

const HOUR = 3_600_000;

function b64(value: unknown): string {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

function partsOf(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h ?? "", "base64url").toString()),
    payload: JSON.parse(Buffer.from(p ?? "", "base64url").toString()),
  };
}

describe("resolveMcpToken against the real store", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const oldSeed = randomKey();
  const env = keyEnv(`k1:${oldSeed}`);
  let stack: TestStack;
  let client: Redis;
  let ctx: ServiceContext;
  let apiToken: string;
  let tenantId: string;
  let accountId: string;

  /** A service context over the same Redis namespace and keys as the running gateway, with other MCP keys. */
  const contextWith = (mcpTokenKeys: string): ServiceContext =>
    createServiceContext(
      client,
      testConfig({ ...env, MCP_TOKEN_KEYS: mcpTokenKeys, PUBLIC_URL: stack.config.publicUrl }),
      clock,
    );

  beforeEach(async () => {
    clock.set(Date.now());
    stack = await startTestStack(redis, { clock, env });
    client = new Redis(redis.url, { keyPrefix: redis.keyPrefix });
    ctx = createServiceContext(client, stack.config, clock);
    ({ tenantId, apiToken } = await stack.createTenant());
    accountId = await stack.connectMem0(apiToken);
  });
  afterEach(async () => {
    client.disconnect();
    await stack.close();
  });

  const mint = (body: Record<string, unknown> = { name: "s" }) =>
    mintServer(stack, apiToken, accountId, body);
  const resolve = (token: string, at = clock.now(), context = ctx) => resolveMcpToken(context, token, at);

  /** Signs arbitrary header and payload with the gateway's real signing key. */
  const signWithGatewayKey = (header: Record<string, unknown>, payload: Record<string, unknown>) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(header as { alg: string })
      .sign(ctx.ring.signer.key);

  it("resolves a minted URL to its server, account, credentials and tools", async () => {
    const minted = await mint({ name: "r", config: { methods: ["read"] } });
    const resolved = await resolve(minted.token);
    expect(resolved.ok).toBe(true);
    if (!resolved.ok) return;
    expect(resolved.server.id).toBe(minted.id);
    expect(resolved.account.id).toBe(accountId);
    expect(resolved.credentials).toEqual({ api_key: stack.sandbox.apiKeys[0] });
    expect(resolved.tools.map((t) => t.name).sort()).toEqual([...minted.tools].sort());
    expect(resolved.requireApiTokenAuth).toBe(false);
    expect(resolved.expiresAt).toBeNull();
  });

  it("refuses forged, confused and malformed tokens before touching Redis", async () => {
    const { token } = await mint();
    const { header, payload } = partsOf(token);
    const [h, p, s] = token.split(".") as [string, string, string];
    const signWith = (alg: string, key: Parameters<CompactSign["sign"]>[0], body = payload) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(body)))
        .setProtectedHeader({ alg, kid: "k1", typ: header.typ as string })
        .sign(key);
    // Another random 256-bit key under our kid: the shape of a real token, refused by the HMAC comparison.
    const forged = await signWith("HS256", randomBytes(32), { ...payload, mth: undefined });
    const guessed = await signWith("HS256", new TextEncoder().encode("k1-a-guessable-secret-of-32-bytes!"));
    // The old algorithm, with an attacker's own Ed25519 key: refused at the pinned alg, whatever it signs.
    const eddsa = await signWith("EdDSA", generateKeyPairSync("ed25519").privateKey);
    const flippedSig = `${h}.${p}.${s.startsWith("A") ? `B${s.slice(1)}` : `A${s.slice(1)}`}`;
    const otherPayload = `${h}.${b64({ ...payload, srv: "mcp_aaaaaaaaaaaaaaaaaaaaaaaaaa" })}.${s}`;

    const cases: [string, string, string][] = [
      ["signed by another key under our kid", forged, "bad_signature"],
      ["signature bytes changed", flippedSig, "bad_signature"],
      ["payload swapped under a valid signature", otherPayload, "bad_signature"],
      ["alg none without a signature", `${b64({ ...header, alg: "none" })}.${p}.`, "malformed"],
      ["alg none with a signature", `${b64({ ...header, alg: "none" })}.${p}.${s}`, "bad_signature"],
      ["alg in the wrong case", `${b64({ ...header, alg: "hs256" })}.${p}.${s}`, "bad_signature"],
      [
        "HS512 claimed over our HS256 signature",
        `${b64({ ...header, alg: "HS512" })}.${p}.${s}`,
        "bad_signature",
      ],
      ["HS256 with a guessable secret", guessed, "bad_signature"],
      ["EdDSA signed by an attacker's own key", eddsa, "bad_signature"],
      [
        "an Ed25519-sized (64-byte) signature",
        `${h}.${p}.${randomBytes(64).toString("base64url")}`,
        "bad_signature",
      ],
      ["an unknown kid", `${b64({ ...header, kid: "k9" })}.${p}.${s}`, "unknown_key"],
      ["a jku header", `${b64({ ...header, jku: "http://127.0.0.1:1/jwks" })}.${p}.${s}`, "malformed"],
      ["not compact JWS", `${token}.extra`, "malformed"],
      ["over the length cap", `${token}${"A".repeat(LIMITS.mcpTokenMaxChars)}`, "too_long"],
      ["empty", "", "malformed"],
    ];
    // A Redis client that is never connected: any lookup would throw, so these refusals are CPU-only.
    const offline = new Redis(redis.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      keyPrefix: redis.keyPrefix,
    });
    const offlineCtx = createServiceContext(offline, stack.config, clock);
    try {
      for (const [label, candidate, reason] of cases) {
        expect(await resolve(candidate, clock.now(), offlineCtx), label).toEqual({ ok: false, reason });
      }
    } finally {
      offline.disconnect();
    }
    expect((await resolve(token)).ok).toBe(true);
  });

  it("refuses a wrong typ, iss or aud even when signed with the gateway's own key", async () => {
    const { token } = await mint();
    const { header, payload } = partsOf(token);
    const cases: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
      ["typ JWT", { ...header, typ: "JWT" }, payload, "wrong_type"],
      ["no typ", { alg: "HS256", kid: header.kid }, payload, "wrong_type"],
      ["another issuer", header, { ...payload, iss: "http://evil.example" }, "wrong_issuer"],
      ["another audience", header, { ...payload, aud: `${stack.config.publicUrl}/admin` }, "wrong_audience"],
      ["no jti", header, { ...payload, jti: undefined }, "missing_claim"],
      ["a different jti than the record", header, { ...payload, jti: "someone-else" }, "token_replaced"],
    ];
    for (const [label, h, p, reason] of cases) {
      expect(await resolve(await signWithGatewayKey(h, p)), label).toEqual({ ok: false, reason });
    }
    // The same re-signing with nothing changed still resolves, so the refusals above are about the change.
    expect((await resolve(await signWithGatewayKey(header, payload))).ok).toBe(true);
  });

  it("stops at the exact millisecond of expires_at", async () => {
    const expiresAt = clock.now() + HOUR + 7;
    const minted = await mint({ name: "timed", expires_at: new Date(expiresAt).toISOString() });
    const before = await resolve(minted.token, expiresAt - 1);
    expect(before.ok).toBe(true);
    if (before.ok) expect(before.expiresAt).toBe(expiresAt);
    expect(await resolve(minted.token, expiresAt)).toEqual({ ok: false, reason: "expired" });
    expect(await resolve(minted.token, expiresAt + 1)).toEqual({ ok: false, reason: "expired" });

    // The endpoint checks the token before reading the body and resolves it after: a token that was
    // valid at the first check is still refused if expires_at arrives in between.
    const checked = checkMcpToken(ctx, minted.token, expiresAt - 1);
    expect(checked.ok).toBe(true);
    if (checked.ok) {
      expect((await resolveCheckedMcpToken(ctx, checked.claims, expiresAt - 1)).ok).toBe(true);
      expect(await resolveCheckedMcpToken(ctx, checked.claims, expiresAt)).toEqual({
        ok: false,
        reason: "expired",
      });
    }

    // PATCH brings the expiry earlier: the record's expiry now wins over the signed one.
    const earlier = clock.now() + HOUR / 2 + 3;
    const patched = await stack.call("PATCH", `/integrated-account/${accountId}/mcp/${minted.id}`, {
      token: apiToken,
      body: { expires_at: new Date(earlier).toISOString() },
    });
    expect(patched.status).toBe(200);
    const stillOk = await resolve(minted.token, earlier - 1);
    expect(stillOk.ok && stillOk.expiresAt).toBe(earlier);
    expect(await resolve(minted.token, earlier)).toEqual({ ok: false, reason: "expired" });
  });

  it("keeps old URLs working across a signing-key rotation until the old key is dropped", async () => {
    const old = await mint({ name: "old" });
    expect(partsOf(old.token).header.kid).toBe("k1");
    const newSeed = randomKey();
    const rotated = contextWith(`k2:${newSeed},k1:${oldSeed}`);
    expect((await resolve(old.token, clock.now(), rotated)).ok).toBe(true);

    const fresh = await mintMcpServer(rotated, tenantId, accountId, { name: "new" });
    const freshToken = fresh.token as string;
    expect(partsOf(freshToken).header.kid).toBe("k2");
    expect((await resolve(freshToken, clock.now(), rotated)).ok).toBe(true);
    // An instance still on the old ring does not know k2 yet.
    expect(await resolve(freshToken)).toEqual({ ok: false, reason: "unknown_key" });

    const dropped = contextWith(`k2:${newSeed}`);
    expect(await resolve(old.token, clock.now(), dropped)).toEqual({ ok: false, reason: "unknown_key" });
    expect((await resolve(freshToken, clock.now(), dropped)).ok).toBe(true);
    // Reusing the id k1 for other bytes does not revive the old URLs.
    const reused = contextWith(`k1:${randomKey()}`);
    expect(await resolve(old.token, clock.now(), reused)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses on the very next resolve after DELETE, account deletion or tenant deletion", async () => {
    const [a, b, c] = [await mint({ name: "a" }), await mint({ name: "b" }), await mint({ name: "c" })];
    for (const s of [a, b, c]) expect((await resolve(s.token)).ok).toBe(true);

    expect(
      (await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${a.id}`, { token: apiToken }))
        .status,
    ).toBe(200);
    expect(await resolve(a.token)).toEqual({ ok: false, reason: "revoked" });
    expect((await resolve(b.token)).ok).toBe(true);

    expect((await stack.call("DELETE", `/integrated-account/${accountId}`, { token: apiToken })).status).toBe(
      200,
    );
    expect(await resolve(b.token)).toMatchObject({ ok: false });
    expect(await resolve(c.token)).toMatchObject({ ok: false });

    const second = await stack.createTenant("Second");
    const account2 = await stack.connectMem0(second.apiToken);
    const d = await mintServer(stack, second.apiToken, account2, { name: "d" });
    expect((await resolve(d.token)).ok).toBe(true);
    expect(
      (await stack.call("DELETE", `/tenants/${second.tenantId}`, { token: stack.config.adminToken })).status,
    ).toBe(200);
    expect(await resolve(d.token)).toMatchObject({ ok: false });
  });

  it("refuses a server whose account record alone has gone", async () => {
    const s = await mint();
    await client.del(keys.account(tenantId, accountId));
    expect(await resolve(s.token)).toEqual({ ok: false, reason: "account_missing" });
  });

  it("reflects PATCH narrowing and the require_api_token_auth flag in what resolves", async () => {
    const wide = await mint({ name: "wide", config: { methods: ["read", "write"] } });
    const first = await resolve(wide.token);
    expect(first.ok && first.tools.some((t) => t.method === "create")).toBe(true);
    expect(first.ok && first.requireApiTokenAuth).toBe(false);

    const narrowed = await stack.call("PATCH", `/integrated-account/${accountId}/mcp/${wide.id}`, {
      token: apiToken,
      body: { config: { methods: ["list"], tags: ["memories"], require_api_token_auth: true } },
    });
    expect(narrowed.status).toBe(200);
    const after = await resolve(wide.token);
    expect(after.ok).toBe(true);
    if (!after.ok) return;
    expect(after.tools.map((t) => t.name).sort()).toEqual(
      [
        "list_all_mem_0_dream_memory_sources",
        "list_all_mem_0_entity_memories",
        "list_all_mem_0_memories",
        "list_all_mem_0_memory_events",
        "list_all_mem_0_memory_history",
      ].sort(),
    );
    expect(after.requireApiTokenAuth).toBe(true);

    const guarded = await mint({ name: "guarded", config: { require_api_token_auth: true } });
    const g = await resolve(guarded.token);
    expect(g.ok && g.requireApiTokenAuth).toBe(true);

    // Even a record widened behind the API's back cannot exceed what the token was signed with.
    const key = keys.mcpServer(tenantId, wide.id);
    const record = JSON.parse((await client.get(key)) ?? "{}");
    record.config.methods = undefined;
    record.config.tags = undefined;
    record.config.require_api_token_auth = false;
    await client.set(key, JSON.stringify(record));
    const tampered = await resolve(wide.token);
    expect(tampered.ok).toBe(true);
    if (!tampered.ok) return;
    expect(
      tampered.tools.every((t) => ["get", "list", "create", "update", "delete"].includes(t.method)),
    ).toBe(true);
    expect(tampered.tools.some((t) => t.method === "search")).toBe(false);
  });

  it("reuses what it derived from an unchanged record, and sees an edit, expiry or revocation on the next resolve", async () => {
    const expiresAt = clock.now() + HOUR;
    const minted = await mint({
      name: "memo",
      config: { methods: ["read", "write"] },
      expires_at: new Date(expiresAt).toISOString(),
    });
    const checked = checkMcpToken(ctx, minted.token, clock.now());
    if (!checked.ok) throw new Error("the minted token did not check");
    // The same claims object, as the endpoint's verified-token memo hands it back on every request.
    const { claims } = checked;
    const first = await resolveCheckedMcpToken(ctx, claims, clock.now());
    const second = await resolveCheckedMcpToken(ctx, claims, clock.now());
    if (!first.ok || !second.ok) throw new Error("the minted server did not resolve");
    expect(second.server).toBe(first.server);
    expect(second.tools).toBe(first.tools);
    expect(Object.isFrozen(second.server)).toBe(true);
    expect(first.tools.some((t) => t.method === "create")).toBe(true);

    const narrowed = await stack.call("PATCH", `/integrated-account/${accountId}/mcp/${minted.id}`, {
      token: apiToken,
      body: { config: { methods: ["list"] } },
    });
    expect(narrowed.status).toBe(200);
    const edited = await resolveCheckedMcpToken(ctx, claims, clock.now());
    if (!edited.ok) throw new Error("the edited server did not resolve");
    expect(edited.server).not.toBe(first.server);
    expect(edited.tools.every((t) => t.method === "list")).toBe(true);

    // The record's expiry is checked at every resolve, remembered or not.
    expect(await resolveCheckedMcpToken(ctx, claims, expiresAt)).toEqual({ ok: false, reason: "expired" });
    expect((await resolveCheckedMcpToken(ctx, claims, expiresAt - 1)).ok).toBe(true);

    expect(
      (await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${minted.id}`, { token: apiToken }))
        .status,
    ).toBe(200);
    expect(await resolveCheckedMcpToken(ctx, claims, clock.now())).toEqual({ ok: false, reason: "revoked" });
  });

  it("expires_at checks use the injected clock, not Redis", async () => {
    const minted = await mint({ name: "t", expires_at: isoAfter(clock.now(), 61_000) });
    clock.advance(61_000);
    expect(await client.exists(keys.mcpServer(tenantId, minted.id))).toBe(1);
    expect(await resolve(minted.token)).toEqual({ ok: false, reason: "expired" });
  });
});
