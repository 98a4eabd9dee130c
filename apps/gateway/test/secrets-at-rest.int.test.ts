import { credentialsAad, sealSecret } from "@mcp-gateway/core";
import { keys } from "@mcp-gateway/store";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isoAfter, mintServer } from "../../../test/support/admin-fixtures.js";
import { startTestStack, type TestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { everyKey, snapshotNamespace, storedStrings } from "../../../test/support/redis-snapshot.js";
import { resolveMcpToken } from "../src/services/resolve-mcp-token.js";
import { createServiceContext } from "../src/services/service-context.js";

/** Every form of a secret worth looking for: the whole value and the part that carries the entropy. */
function secretForms(secrets: Record<string, string>): [string, string][] {
  const forms: [string, string][] = [];
  for (const [label, value] of Object.entries(secrets)) {
    forms.push([label, value]);
    if (value.startsWith("mcpg_at_")) forms.push([`${label} (secret part)`, value.slice(-43)]);
    const jwsParts = value.split(".");
    if (jwsParts.length === 3) forms.push([`${label} (signature)`, jwsParts[2] ?? ""]);
  }
  return forms;
}

function leaks(haystack: string[], secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [label, needle] of secretForms(secrets)) {
    if (needle.length < 16) throw new Error(`${label} is too short to search for`);
    if (haystack.some((s) => s.includes(needle))) found.push(label);
  }
  return found;
}

describe("secrets: sealed at rest, never returned, never logged", () => {
  const redis = useTestRedis();
  let stack: TestStack;
  let client: Redis;
  beforeEach(async () => {
    stack = await startTestStack(redis);
    client = new Redis(redis.url, { keyPrefix: redis.keyPrefix });
  });
  afterEach(async () => {
    client.disconnect();
    await stack.close();
  });

  /** A full flow; returns every secret it handled and every response body it saw. */
  async function fullFlow(): Promise<{
    secrets: Record<string, string>;
    responses: unknown[];
    tenantId: string;
    accountId: string;
  }> {
    const responses: unknown[] = [];
    const call: TestStack["call"] = async (method, path, options) => {
      const res = await stack.call(method, path, options);
      responses.push(res.body);
      return res;
    };
    const created = await call("POST", "/tenants", {
      token: stack.config.adminToken,
      body: { name: "Acme" },
    });
    const apiToken = created.body.api_token.token as string;
    const extra = await call("POST", "/api-tokens", { token: apiToken, body: { name: "ci" } });
    const mem0Key = stack.sandbox.apiKeys[0]!;
    const refused = await call("POST", "/integrated-account", {
      token: apiToken,
      body: {
        integration: "mem0",
        name: "typo",
        credentials: { api_key: "m0-refused-key-0123456789abcdef" },
      },
    });
    expect(refused.status).toBe(400);
    const account = await call("POST", "/integrated-account", {
      token: extra.body.token,
      body: { integration: "mem0", name: "Mem0", credentials: { api_key: mem0Key } },
    });
    const accountId = account.body.id as string;
    await call("PATCH", `/integrated-account/${accountId}`, {
      token: apiToken,
      body: { credentials: { api_key: mem0Key } },
    });
    const servers = [
      await mintServer(stack, apiToken, accountId, { name: "open" }),
      await mintServer(stack, apiToken, accountId, {
        name: "guarded",
        config: { methods: ["read"], require_api_token_auth: true },
        expires_at: isoAfter(Date.now(), 3_600_000),
      }),
      await mintServer(stack, apiToken, accountId, {
        name: "discovery",
        config: { tool_exposure: "discovery" },
      }),
    ];
    responses.push(
      ...servers.map((s) => ({ ...s, token: undefined, url: undefined, claude_desktop_config: undefined })),
    );
    await call("PATCH", `/integrated-account/${accountId}/mcp/${servers[0].id}`, {
      token: apiToken,
      body: { name: "renamed" },
    });
    for (const path of [
      "/api-tokens",
      "/integrated-account",
      `/integrated-account/${accountId}`,
      `/integrated-account/${accountId}/mcp`,
      `/integrated-account/${accountId}/mcp/${servers[1].id}`,
      `/integrated-account/${accountId}/tools?methods=read`,
    ]) {
      expect((await call("GET", path, { token: apiToken })).status).toBe(200);
    }
    // Requests on MCP URLs, with the tenant token alongside and in a query string, as clients send them.
    const mcpStatuses: number[] = [];
    for (const server of servers) {
      for (const method of ["POST", "GET", "DELETE"]) {
        const answer = await fetch(`${stack.gatewayUrl}/mcp/${server.token}?key=${mem0Key}`, {
          method,
          headers: {
            authorization: `Bearer ${apiToken}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
          ...(method === "POST"
            ? { body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }) }
            : {}),
        });
        if (answer.headers.get("content-type")?.startsWith("text/event-stream") && method === "GET") {
          // The GET opened a legacy HTTP+SSE stream: its first event names this connection's message
          // endpoint (which carries the URL token), so send one message there too, then hang up.
          const reader = answer.body!.getReader();
          let events = "";
          while (!events.includes("\n\n")) events += new TextDecoder().decode((await reader.read()).value);
          const endpoint = /^data: (.+)$/m.exec(events)?.[1];
          const message = await fetch(new URL(endpoint!, stack.gatewayUrl), {
            method: "POST",
            headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list", params: {} }),
          });
          expect(message.status).toBe(202);
          await message.text();
          await reader.cancel();
        } else {
          await answer.text();
        }
        if (method === "POST") mcpStatuses.push(answer.status);
      }
    }
    // The MCP requests reached the real endpoint and were served (the guarded one with the API token).
    expect(mcpStatuses).toEqual([200, 200, 200]);
    // A tool call goes upstream with the Mem0 key: that path must not log the key either.
    const upstreamBefore = stack.sandbox.requestCount();
    const called = await fetch(`${stack.gatewayUrl}/mcp/${servers[0].token}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "list_all_mem_0_events", arguments: {} },
      }),
    });
    expect(called.status).toBe(200);
    await called.text();
    expect(stack.sandbox.requestCount()).toBeGreaterThan(upstreamBefore);
    // Tokens in places they do not belong still must not be echoed or logged.
    await call("GET", `/integrated-account?cursor=${servers[0].token.slice(0, 150)}`, { token: apiToken });
    await call("GET", "/api-tokens", { token: `${apiToken}x` });
    await call("GET", "/api-tokens", { token: servers[0].token });
    await call("GET", "/tenants", { token: apiToken });

    const secrets: Record<string, string> = {
      "the Mem0 key": mem0Key,
      "the refused Mem0 key": "m0-refused-key-0123456789abcdef",
      "the first API token": apiToken,
      "the extra API token": extra.body.token,
      "the operator token": stack.config.adminToken,
    };
    servers.forEach((s, i) => {
      secrets[`MCP token ${i}`] = s.token;
    });
    return { secrets, responses, tenantId: created.body.id, accountId };
  }

  it("stores no plaintext secret anywhere in Redis (keys, values, hash fields, set members)", async () => {
    const { secrets } = await fullFlow();
    // Every key, the request log and audit trail streams included.
    const snapshot = await snapshotNamespace(redis, everyKey);
    expect(Object.keys(snapshot).length).toBeGreaterThan(5);
    expect(leaks(storedStrings(snapshot), secrets)).toEqual([]);
    // And every record with an expiry has a TTL, every other one lives on: no stray TTL -1 expiring record.
    const serverKeys = Object.entries(snapshot).filter(([k]) => /:mcp:mcp_/.test(k));
    expect(serverKeys.map(([, v]) => v.expires).sort()).toEqual([false, false, true]);
  });

  it("never returns credentials or tokens it did not just issue", async () => {
    const { secrets, responses } = await fullFlow();
    const text = responses.map((r) => JSON.stringify(r));
    // Only the two creation answers (tenant and extra token) may carry a token, each its own.
    expect(leaks(text.slice(2), secrets)).toEqual([]);
    for (const r of responses)
      expect(JSON.stringify(r ?? null)).not.toMatch(/sealed_credentials|token_hash|api_key/);
  });

  it("logs no token, key or credential, whatever the request carried", async () => {
    const { secrets } = await fullFlow();
    const lines = stack.logs.lines();
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.includes("/mcp/[token]"))).toBe(true);
    expect(leaks(lines, secrets)).toEqual([]);
  });

  it("refuses to resolve a URL whose account's sealed credentials were tampered with", async () => {
    const { tenantId, apiToken } = await stack.createTenant();
    const accountId = await stack.connectMem0(apiToken);
    const otherId = await stack.connectMem0(apiToken, "other");
    const server = await mintServer(stack, apiToken, accountId, { name: "s" });
    const ctx = createServiceContext(client, stack.config, { now: () => Date.now() });
    expect((await resolveMcpToken(ctx, server.token, Date.now())).ok).toBe(true);

    const key = keys.account(tenantId, accountId);
    const original = (await client.get(key)) ?? "";
    const record = JSON.parse(original);
    const sealed = record.sealed_credentials as string;
    const parts = sealed.split(".");
    const ciphertext = parts[3] ?? "";
    const flipped = `${ciphertext[0] === "A" ? "B" : "A"}${ciphertext.slice(1)}`;
    const otherSealed = JSON.parse(
      (await client.get(keys.account(tenantId, otherId))) ?? "{}",
    ).sealed_credentials;
    for (const [label, value] of [
      ["a changed ciphertext byte", [...parts.slice(0, 3), flipped, parts[4]].join(".")],
      ["a truncated tag", [...parts.slice(0, 4), (parts[4] ?? "").slice(0, 16)].join(".")],
      ["another account's sealed value (bound to its own id)", otherSealed],
      ["an unknown key id", [parts[0], "zz", ...parts.slice(2)].join(".")],
      ["garbage", "not-sealed"],
    ] as const) {
      await client.set(key, JSON.stringify({ ...record, sealed_credentials: value }));
      expect(await resolveMcpToken(ctx, server.token, Date.now()), label).toEqual({
        ok: false,
        reason: "credentials_unreadable",
      });
      // The admin API still shows the account (without credentials) so the tenant can fix it.
      const got = await stack.call("GET", `/integrated-account/${accountId}`, { token: apiToken });
      expect(got.status).toBe(200);
      expect(JSON.stringify(got.body)).not.toContain(value);
    }
    await client.set(key, original);
    expect((await resolveMcpToken(ctx, server.token, Date.now())).ok).toBe(true);
  });

  it("opens credentials afresh when the sealed value changes, even after the old one was opened", async () => {
    const { tenantId, apiToken } = await stack.createTenant();
    const accountId = await stack.connectMem0(apiToken);
    const server = await mintServer(stack, apiToken, accountId, { name: "s" });
    const ctx = createServiceContext(client, stack.config, { now: () => Date.now() });
    const before = await resolveMcpToken(ctx, server.token, Date.now());
    if (!before.ok) throw new Error(`resolve failed: ${before.reason}`);

    const key = keys.account(tenantId, accountId);
    const record = JSON.parse((await client.get(key)) ?? "{}");
    const resealed = sealSecret(
      stack.config.keys.credentialKeys,
      JSON.stringify({ api_key: "m0-rotated-key-0123456789" }),
      credentialsAad(tenantId, accountId),
    );
    await client.set(key, JSON.stringify({ ...record, sealed_credentials: resealed }));
    const after = await resolveMcpToken(ctx, server.token, Date.now());
    expect(after.ok && after.credentials).toEqual({ api_key: "m0-rotated-key-0123456789" });
    expect(after.ok && after.credentials).not.toEqual(before.credentials);
  });
});
