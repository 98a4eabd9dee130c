import { LIMITS } from "@mcp-gateway/core";
import { spawnRedisServer } from "@mcp-gateway/store";
import { afterEach, describe, expect, it } from "vitest";
import { startTestStack } from "../../../test/support/gateway.js";
import { postRaw } from "./mcp-support.js";
import { codeFlow, postForm, protectedUrl } from "./oauth-support.js";

// OAuth while Redis is down: every endpoint that needs it answers 503 with Retry-After (fail closed),
// never 500, and an OAuth bearer on the MCP URL gets the endpoint's own 503.

const RETRY_AFTER = String(LIMITS.storageRetryAfterSeconds);

describe("OAuth during a Redis outage", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it("answers 503 with Retry-After on the token, registration, metadata and MCP endpoints", async () => {
    const redis = await spawnRedisServer({ appendOnly: true });
    cleanup.push(() => redis.dispose());
    const stack = await startTestStack({ url: redis.url, keyPrefix: "mcpg-test-oauth-outage:" });
    cleanup.push(() => stack.close());
    const fixture = await protectedUrl(stack);
    const { clientId, tokens } = await codeFlow(stack, fixture);

    await redis.crash();
    const mcp = await postRaw(
      fixture.url,
      { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
      {
        authorization: `Bearer ${tokens.access_token}`,
      },
    );
    expect(mcp.status).toBe(503);
    expect(mcp.headers.get("retry-after")).toBe(RETRY_AFTER);
    const refresh = await postForm(stack, "/token", {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      client_id: clientId,
    });
    expect(refresh.status).toBe(503);
    expect(refresh.headers.get("retry-after")).toBe(RETRY_AFTER);
    expect(refresh.body.error).toBe("temporarily_unavailable");
    const register = await stack.call("POST", "/register", {
      body: { client_name: "x", redirect_uris: ["http://127.0.0.1:9/cb"] },
    });
    expect(register.status).toBe(503);
    const prm = await fetch(
      `${stack.gatewayUrl}/.well-known/oauth-protected-resource/mcp/${fixture.urlToken}`,
    );
    expect(prm.status).toBe(503);
    expect(prm.headers.get("retry-after")).toBe(RETRY_AFTER);
    // Metadata needs no Redis.
    expect((await fetch(`${stack.gatewayUrl}/.well-known/oauth-authorization-server`)).status).toBe(200);
  });
});
