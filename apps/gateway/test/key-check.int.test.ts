import { randomBytes } from "node:crypto";
import { freePort } from "@mcp-gateway/store";
import { describe, expect, it } from "vitest";
import { mcpStatus } from "../../../test/support/failover-stream.js";
import { capturingLogger, startTestStack, testConfig } from "../../../test/support/gateway.js";
import { useTestRedis } from "../../../test/support/redis.js";
import { startGateway } from "../src/runtime.js";

const key = (): string => randomBytes(32).toString("base64url");

function keyEnv(): { MCP_TOKEN_KEYS: string; CREDENTIAL_KEYS: string; SECRET_HASH_KEY: string } {
  return { MCP_TOKEN_KEYS: `k1:${key()}`, CREDENTIAL_KEYS: `c1:${key()}`, SECRET_HASH_KEY: key() };
}

describe("instances sharing a Redis check each other's key material at start", () => {
  const redis = useTestRedis();

  /** Starts a bare gateway on the test's namespace; resolves with its start error's message, or "started". */
  async function tryStart(env: Record<string, string>): Promise<string> {
    const config = testConfig({
      PORT: String(await freePort()),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      ...env,
    });
    try {
      const gateway = await startGateway(config, capturingLogger().logger);
      await gateway.close();
      return "started";
    } catch (error) {
      return (error as Error).message;
    }
  }

  it("lets a second instance with the same keys and PUBLIC_URL serve the first one's URLs", async () => {
    const shared = { ...keyEnv(), PUBLIC_URL: "https://gateway.example.com" };
    const first = await startTestStack(redis, { env: shared });
    const second = await startTestStack(redis, { env: shared });
    try {
      const { apiToken } = await first.createTenant("Shared");
      const accountId = await first.connectMem0(apiToken);
      const minted = await first.mint(apiToken, accountId, { name: "s", config: { methods: ["read"] } });
      const path = new URL(minted.url).pathname;
      expect(await mcpStatus(`${second.gatewayUrl}${path}`)).toBe(200);
      expect((await second.call("GET", "/api-tokens", { token: apiToken })).status).toBe(200);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("refuses to start with another SECRET_HASH_KEY, another PUBLIC_URL or another key under a known id", async () => {
    const shared = { ...keyEnv(), PUBLIC_URL: "https://gateway.example.com" };
    expect(await tryStart(shared)).toBe("started");
    expect(await tryStart({ ...shared, SECRET_HASH_KEY: key() })).toMatch(/SECRET_HASH_KEY differs/);
    expect(await tryStart({ ...shared, PUBLIC_URL: "https://other.example.com" })).toMatch(
      /PUBLIC_URL is https:\/\/other\.example\.com here but https:\/\/gateway\.example\.com on the instances/,
    );
    const { PUBLIC_URL: _, ...withoutUrl } = shared;
    expect(await tryStart(withoutUrl)).toMatch(
      /PUBLIC_URL is unset here but https:\/\/gateway\.example\.com/,
    );
    const sameIdOtherKey = await tryStart({ ...shared, MCP_TOKEN_KEYS: `k1:${key()}` });
    expect(sameIdOtherKey).toMatch(/MCP_TOKEN_KEYS: the key with id "k1" differs/);
    expect(sameIdOtherKey).toMatch(/delete the key "mcpg-test-[0-9a-f]+:meta:key-check"/);
    expect(await tryStart({ ...shared, CREDENTIAL_KEYS: `c1:${key()}` })).toMatch(
      /CREDENTIAL_KEYS: the key with id "c1" differs/,
    );
  });

  it("refuses a new signing key the others do not hold, and accepts it once it has been added as a second key", async () => {
    const shared = { ...keyEnv(), PUBLIC_URL: "https://gateway.example.com" };
    expect(await tryStart(shared)).toBe("started");
    const k2 = `k2:${key()}`;
    expect(await tryStart({ ...shared, MCP_TOKEN_KEYS: `${k2},${shared.MCP_TOKEN_KEYS}` })).toMatch(
      /MCP_TOKEN_KEYS: this instance signs URLs with key "k2", which the instances already using this Redis do not hold/,
    );
    expect(await tryStart({ ...shared, MCP_TOKEN_KEYS: `${shared.MCP_TOKEN_KEYS},${k2}` })).toBe("started");
    expect(await tryStart({ ...shared, MCP_TOKEN_KEYS: `${k2},${shared.MCP_TOKEN_KEYS}` })).toBe("started");
  });

  it("lets only one of two first instances with different signing keys start", async () => {
    const a = { ...keyEnv(), PUBLIC_URL: "https://gateway.example.com" };
    const b = { ...a, MCP_TOKEN_KEYS: `k9:${key()}` };
    const outcomes = await Promise.all([tryStart(a), tryStart(b)]);
    expect(outcomes.filter((o) => o === "started")).toHaveLength(1);
    expect(outcomes.find((o) => o !== "started")).toMatch(
      /MCP_TOKEN_KEYS: this instance signs URLs with key/,
    );
  });

  it("skips the check with keys generated for one development run", async () => {
    expect(await tryStart({})).toBe("started");
    expect(await tryStart({})).toBe("started");
    expect(await redis.client.exists(`${redis.keyPrefix}meta:key-check`)).toBe(0);
  });
});
