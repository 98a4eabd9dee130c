import { manualClock } from "@mcp-gateway/core";
import { describe, expect, it } from "vitest";
import { isoAfter, mintServer } from "../../../test/support/admin-fixtures.js";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";

// The resolution rules seen from a client: every refused URL gets one and the same answer (no oracle), and
// require_api_token_auth wants a live API token of the server's own tenant.

describe("MCP URLs over HTTP: refusals and require_api_token_auth", () => {
  const redis = useTestRedis();
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });

  const listTools = async (token: string, bearer?: string) => {
    const res = await fetch(`${stack.gatewayUrl}/mcp/${token}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    return { status: res.status, text: await res.text() };
  };

  it("answers every refused URL the same way: forged, unknown key, expired, revoked, account and tenant gone", async () => {
    const { apiToken } = await stack.createTenant();
    const accountId = await stack.connectMem0(apiToken);
    const doomedAccount = await stack.connectMem0(apiToken, "doomed");
    const other = await stack.createTenant("Other");
    const otherAccount = await stack.connectMem0(other.apiToken);
    const live = await mintServer(stack, apiToken, accountId, { name: "live" });
    const revoked = await mintServer(stack, apiToken, accountId, { name: "revoked" });
    const expiring = await mintServer(stack, apiToken, accountId, {
      name: "expiring",
      expires_at: isoAfter(clock.now(), 61_000),
    });
    const ofDeletedAccount = await mintServer(stack, apiToken, doomedAccount, { name: "d" });
    const ofDeletedTenant = await mintServer(stack, other.apiToken, otherAccount, { name: "t" });

    expect((await listTools(live.token)).status).toBe(200);
    expect((await listTools(expiring.token)).status).toBe(200);
    await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${revoked.id}`, { token: apiToken });
    await stack.call("DELETE", `/integrated-account/${doomedAccount}`, { token: apiToken });
    await stack.call("DELETE", `/tenants/${other.tenantId}`, { token: stack.config.adminToken });
    clock.advance(61_000);

    const [h, p, s] = live.token.split(".") as [string, string, string];
    const refused = {
      forged: `${h}.${p}.${s.startsWith("A") ? "B" : "A"}${s.slice(1)}`,
      "unknown kid": `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(h, "base64url").toString()), kid: "zz" })).toString("base64url")}.${p}.${s}`,
      garbage: "not-a-token",
      expired: expiring.token,
      revoked: revoked.token,
      "account deleted": ofDeletedAccount.token,
      "tenant deleted": ofDeletedTenant.token,
    };
    const answers = new Map<string, string>();
    for (const [label, token] of Object.entries(refused)) {
      const res = await listTools(token);
      expect(res.status, label).toBe(404);
      answers.set(label, res.text);
    }
    expect(new Set(answers.values()).size).toBe(1);
    expect((await listTools(live.token)).status).toBe(200);
  });

  it("require_api_token_auth wants a live API token of the same tenant", async () => {
    const { apiToken } = await stack.createTenant();
    const accountId = await stack.connectMem0(apiToken);
    const other = await stack.createTenant("Other");
    const guarded = await mintServer(stack, apiToken, accountId, {
      name: "guarded",
      config: { require_api_token_auth: true },
    });
    const open = await mintServer(stack, apiToken, accountId, { name: "open" });
    const extra = await stack.call("POST", "/api-tokens", { token: apiToken, body: { name: "agent" } });

    expect((await listTools(guarded.token)).status).toBe(401);
    expect((await listTools(guarded.token, other.apiToken)).status).toBe(401);
    expect((await listTools(guarded.token, stack.config.adminToken)).status).toBe(401);
    expect((await listTools(guarded.token, guarded.token)).status).toBe(401);
    expect((await listTools(guarded.token, apiToken)).status).toBe(200);
    expect((await listTools(guarded.token, extra.body.token)).status).toBe(200);
    await stack.call("DELETE", `/api-tokens/${extra.body.id}`, { token: apiToken });
    expect((await listTools(guarded.token, extra.body.token)).status).toBe(401);

    // Turning the flag on later with PATCH takes effect on the next request.
    expect((await listTools(open.token)).status).toBe(200);
    const patched = await stack.call("PATCH", `/integrated-account/${accountId}/mcp/${open.id}`, {
      token: apiToken,
      body: { config: { require_api_token_auth: true } },
    });
    expect(patched.status).toBe(200);
    expect((await listTools(open.token)).status).toBe(401);
    expect((await listTools(open.token, apiToken)).status).toBe(200);
  });
});
