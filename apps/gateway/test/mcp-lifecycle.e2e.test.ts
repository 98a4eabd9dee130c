import { manualClock } from "@mcp-gateway/core";
import { SdkHttpError } from "@modelcontextprotocol/client";
import { beforeEach, describe, expect, it } from "vitest";
import { useTestStack } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { connectClient, ERAS, initializeBody, postRaw } from "./mcp-support.js";

// A URL's life as a real MCP client sees it, in both protocol eras: filters, the API-token requirement,
// expiry to the millisecond (the gateway's clock is injected) and revocation on the very next request.

/**
 * Asserts the client failed on an HTTP answer of `status` whose body is the gateway's own refusal (the same
 * JSON-RPC error a raw request gets), not on a 500, a dropped connection or a client-side error.
 */
async function expectRefusedWith(
  attempt: Promise<unknown>,
  status: number,
  refusal: { status: number; text: string },
): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SdkHttpError);
  const http = error as SdkHttpError;
  expect(http.status).toBe(status);
  expect(refusal.status).toBe(status);
  const body = JSON.parse(String(http.data.text));
  expect(body).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32000, message: expect.any(String) } });
  expect(body).toEqual(JSON.parse(refusal.text));
}

describe.each(ERAS)("an MCP URL's life, %s client", (era) => {
  const redis = useTestRedis();
  // useTestStack resets it to the real time: Redis applies PXAT by its own clock, and the record must still
  // be there when the gateway's clock is moved to the expiry, so it is the gateway's own check that refuses.
  const clock = manualClock(Date.now());
  const stack = useTestStack(redis, { clock });
  let apiToken: string;
  let accountId: string;
  beforeEach(async () => {
    ({ apiToken } = await stack.createTenant());
    accountId = await stack.connectMem0(apiToken);
  });

  it("lists only the tools that carry one of the URL's tags", async () => {
    const server = await stack.mint(apiToken, accountId, { name: "events", config: { tags: ["events"] } });
    const { client } = await connectClient(server.url, era);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(["get_single_mem_0_event_by_id", "list_all_mem_0_events"]);
    expect(names).toEqual(server.tools);
    await client.close();
  });

  it("works until the millisecond before expires_at and refuses from expires_at on", async () => {
    const expiresAt = clock.now() + 61_000;
    const server = await stack.mint(apiToken, accountId, {
      name: "short-lived",
      config: { methods: ["read"] },
      expires_at: new Date(expiresAt).toISOString(),
    });
    const { client } = await connectClient(server.url, era);
    clock.set(expiresAt - 1);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    clock.set(expiresAt);
    const raw = await postRaw(server.url, initializeBody());
    await expectRefusedWith(client.listTools(), 404, raw);
    // Expired answers exactly like a URL that never existed (no oracle).
    expect(raw.text).toBe((await postRaw(`${stack.gatewayUrl}/mcp/not-a-token`, initializeBody())).text);
    await client.close();
  });

  it("stops working on the very next request after DELETE", async () => {
    const server = await stack.mint(apiToken, accountId, { name: "revocable" });
    const { client } = await connectClient(server.url, era);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const deleted = await stack.call("DELETE", `/integrated-account/${accountId}/mcp/${server.id}`, {
      token: apiToken,
    });
    expect(deleted.status).toBe(200);
    const raw = await postRaw(server.url, initializeBody());
    await expectRefusedWith(client.listTools(), 404, raw);
    await expectRefusedWith(client.callTool({ name: "list_all_mem_0_projects", arguments: {} }), 404, raw);
    expect(raw.text).toBe((await postRaw(`${stack.gatewayUrl}/mcp/not-a-token`, initializeBody())).text);
    await client.close();
  });

  it("with require_api_token_auth, connects only with the tenant's API token", async () => {
    const server = await stack.mint(apiToken, accountId, {
      name: "guarded",
      config: { require_api_token_auth: true },
    });
    const raw = await postRaw(server.url, initializeBody());
    expect(raw.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await expectRefusedWith(connectClient(server.url, era), 401, raw);
    const other = await stack.createTenant("Other");
    await expectRefusedWith(
      connectClient(server.url, era, { authorization: `Bearer ${other.apiToken}` }),
      401,
      raw,
    );
    const { client } = await connectClient(server.url, era, { authorization: `Bearer ${apiToken}` });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it("without require_api_token_auth, connects with the URL alone", async () => {
    const server = await stack.mint(apiToken, accountId, { name: "open" });
    const { client } = await connectClient(server.url, era);
    expect((await client.listTools()).tools.length).toBe(server.tools.length);
    await client.close();
  });
});
